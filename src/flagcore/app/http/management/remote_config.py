"""``GET .../feature_flags/{id|key}/remote_config/``: a remote-config flag's payload for server SDKs (§6.7).

The body is the payload's JSON text encoded as a JSON string (clients decode twice), or ``null``; a missing flag
or one that is not a remote-config flag is a 404 with an empty body, as PostHog answers. The project's secret key
may call it; only a member's personal key sees an encrypted payload decrypted.
"""

from __future__ import annotations

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import MediaType, Response, get
from litestar.params import FromPath

from flagcore.app.flags.remote_config import GetRemoteConfig
from flagcore.app.http.auth import REMOTE_CONFIG_ROUTE
from flagcore.app.http.openapi import doc
from flagcore.app.http.routes import operation
from flagcore.app.identity.authorize import ProjectGrant
from flagcore.app.quota.serving import ServingQuota
from flagcore.domain.flags import FlagNotFoundError


@get(
    "/{flag_id:str}/remote_config",
    opt={
        **REMOTE_CONFIG_ROUTE,
        **doc(
            response=str | None,
            statuses=[(404, "No such remote-config flag (an empty body, as PostHog answers).", None)],
            errors=[429],
        ),
    },
    operation_id=operation("feature_flags_remote_config"),
    tags=["feature_flags"],
    media_type=MediaType.JSON,
)
@inject
async def remote_config(
    flag_id: FromPath[str],
    grant: FromDishka[ProjectGrant],
    use_case: FromDishka[GetRemoteConfig],
    quota: FromDishka[ServingQuota],
) -> Response[bytes]:
    await quota.remote_config(grant.project)  # the per-project throttle (429), then one unit of quota
    try:
        payload = await use_case.execute(grant.project.id, flag_id, decrypt=grant.principal.key is not None)
    except FlagNotFoundError:
        return Response(b"", status_code=404)
    # Encoded here: Litestar would send a str body as it is, not as the JSON string it must be.
    return Response(msgspec.json.encode(payload), media_type=MediaType.JSON)
