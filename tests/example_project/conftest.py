"""The example project's fixtures, as a flagcore user writes them: the plugin comes with the installed package
(``pytest11`` entry point), so this file only says what the test server holds and points posthog at it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from posthog import Posthog

from flagcore.testing import FlagcoreServer


@pytest.fixture(scope="session")
def flagcore_seed() -> dict[str, Any]:
    # Session scope, like flagcore_server's default: one server for the session, seeded once.
    return {
        "organizations": [
            {
                "name": "Shop",
                "users": [
                    {"email": "dev@shop.test", "level": "owner", "personal_api_keys": [{"value": "phx_shopdevkey0001"}]}
                ],
                "projects": [
                    {
                        "name": "Shop",
                        "api_token": "phc_shopprojecttoken1",
                        "secret_api_keys": ["phs_shopsecretkey0001"],
                        # Stored persons: /flags evaluates their properties (local evaluation falls back to it).
                        "persons": [{"distinct_ids": ["alice"], "properties": {"plan": "beta"}}],
                        "flags": [
                            {
                                "key": "new-checkout",
                                "filters": {
                                    "groups": [
                                        {
                                            "properties": [{"key": "plan", "type": "person", "value": ["beta"]}],
                                            "rollout_percentage": 100,
                                        }
                                    ]
                                },
                            }
                        ],
                    }
                ],
            }
        ]
    }


def _client(server: FlagcoreServer, *, local: bool) -> Posthog:
    return Posthog(
        server.project_api_key,
        host=server.base_url,
        secret_key=server.secret_api_key if local else None,  # local evaluation polls the definitions feed
        send=False,
        poll_interval=3600,  # the tests poll explicitly (load_feature_flags) instead of waiting
        feature_flags_request_timeout_seconds=10,
    )


@pytest.fixture
def posthog_remote(flagcore_server: FlagcoreServer) -> Iterator[Posthog]:
    client = _client(flagcore_server, local=False)
    yield client
    client.shutdown()


@pytest.fixture
def posthog_local(flagcore_server: FlagcoreServer) -> Iterator[Posthog]:
    client = _client(flagcore_server, local=True)
    client.load_feature_flags()
    yield client
    client.shutdown()
