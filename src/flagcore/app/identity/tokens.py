"""Fresh random keys of each kind (public project token, project secret key, personal API key)."""

from __future__ import annotations

import secrets
import string
from typing import Final

from flagcore.domain.identity import build_token

# 43 alphanumerics carry ~256 bits; PostHog's SDKs and auth expect keys of the form ``ph?_[a-zA-Z0-9]+``.
_TOKEN_LENGTH: Final = 43
_ALPHABET: Final = string.ascii_letters + string.digits


def new_token(prefix: str) -> str:
    """A new key with ``prefix`` (``phc_``, ``phs_``, ``phx_``) and 256 random bits."""
    return build_token(prefix, "".join(secrets.choice(_ALPHABET) for _ in range(_TOKEN_LENGTH)))
