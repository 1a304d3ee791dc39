"""The manifest sync API the OpenFeature CLI's ``pull`` and ``push`` talk to: ``/openfeature/v0/manifest``.

Auth: a personal API key (bearer). The project is the key owner's current project unless ``?project_id=`` names
another one the key may access (another organization's project answers 404 like a missing one).
"""

from __future__ import annotations

from typing import Any, Final

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.params import FromPath
from msgspec import UNSET

from flagcore.app.http.auth import FLAG_READ, FLAG_WRITE, route_rule
from flagcore.app.http.body import decode_json_body
from flagcore.app.http.openapi import doc
from flagcore.app.http.openfeature.errors import MANIFEST_EXCEPTION_HANDLERS
from flagcore.app.http.openfeature.schemas import (
    Archived,
    FlagEnvelope,
    Manifest,
    ManifestError,
    ManifestFlagOut,
    ManifestFlagWrite,
    SyncChange,
    SyncOut,
    SyncSummary,
    SyncWrite,
)
from flagcore.app.identity.authorize import Access, Authorize, ProjectRef
from flagcore.app.openfeature.manifest import GetManifest
from flagcore.app.openfeature.sync_manifest import ManifestChange, SyncManifest, SyncManifestCommand, SyncResult
from flagcore.domain.errors import InvalidInputError
from flagcore.domain.identity import CURRENT, Principal

Req = Request[Any, Any, Any]
#: What this server lets a client do, as the sync API announces it.
CAPABILITIES: Final = {"X-Manifest-Capabilities": "read,write,delete"}


async def _access(request: Req, principal: Principal, authorize: Authorize) -> Access:
    scope = route_rule(request.route_handler.opt).scope or ""
    ref = ProjectRef(path=request.query_params.get("project_id") or CURRENT)
    return await authorize.personal(principal, ref, scope=scope)


# The sync API answers errors in its specification's envelope, not PostHog's body.
_READ = {**FLAG_READ, **doc(error_body=ManifestError)}
_WRITE_FLAG = {**FLAG_WRITE, **doc(body=ManifestFlagWrite, error_body=ManifestError, errors=[409])}
_ARCHIVE = {**FLAG_WRITE, **doc(error_body=ManifestError)}
_SYNC = {**FLAG_WRITE, **doc(body=SyncWrite, error_body=ManifestError, errors=[409])}


class ManifestController(Controller):
    path = "/openfeature/v0/manifest"
    tags = ["openfeature"]  # noqa: RUF012 - Litestar reads it as a class attribute
    exception_handlers = MANIFEST_EXCEPTION_HANDLERS

    @get("/", opt=_READ, operation_id="openfeature_manifest_get")
    @inject
    async def get_manifest(
        self,
        request: Req,
        principal: FromDishka[Principal],
        authorize: FromDishka[Authorize],
        use_case: FromDishka[GetManifest],
    ) -> Response[Manifest]:
        access = await _access(request, principal, authorize)
        flags = await use_case.execute(access.project.id)
        return Response(Manifest(flags=[ManifestFlagOut.of(f) for f in flags]), headers=CAPABILITIES)

    @post(
        "/flags",
        opt=_WRITE_FLAG,
        operation_id="openfeature_manifest_flag_create",
        status_code=201,
    )
    @inject
    async def create_flag(
        self,
        request: Req,
        principal: FromDishka[Principal],
        authorize: FromDishka[Authorize],
        use_case: FromDishka[SyncManifest],
    ) -> FlagEnvelope:
        access = await _access(request, principal, authorize)
        body = decode_json_body(await request.body(), ManifestFlagWrite).to_domain()
        result = await _run(use_case, access, [ManifestChange(operation="create", key=body.key, flag=body)])
        return FlagEnvelope(flag=ManifestFlagOut.of(result.results[0].flag), updated_at=result.at)

    @put(
        "/flags/{key:str}",
        opt=_WRITE_FLAG,
        operation_id="openfeature_manifest_flag_update",
    )
    @inject
    async def update_flag(
        self,
        request: Req,
        key: FromPath[str],
        principal: FromDishka[Principal],
        authorize: FromDishka[Authorize],
        use_case: FromDishka[SyncManifest],
    ) -> FlagEnvelope:
        access = await _access(request, principal, authorize)
        body = decode_json_body(await request.body(), ManifestFlagWrite).to_domain()
        if body.key != key:
            raise InvalidInputError("The body's key must be the key in the path.", code="key_mismatch", attr="key")
        result = await _run(use_case, access, [ManifestChange(operation="update", key=key, flag=body)])
        return FlagEnvelope(flag=ManifestFlagOut.of(result.results[0].flag), updated_at=result.at)

    @delete(
        "/flags/{key:str}",
        opt=_ARCHIVE,
        operation_id="openfeature_manifest_flag_archive",
        status_code=200,
    )
    @inject
    async def archive_flag(
        self,
        request: Req,
        key: FromPath[str],
        principal: FromDishka[Principal],
        authorize: FromDishka[Authorize],
        use_case: FromDishka[SyncManifest],
    ) -> Archived:
        access = await _access(request, principal, authorize)
        result = await _run(use_case, access, [ManifestChange(operation="archive", key=key)])
        return Archived(message=f"Flag {key!r} archived.", archived_at=result.at)

    @post(
        "/sync",
        opt=_SYNC,
        operation_id="openfeature_manifest_sync",
        status_code=200,
    )
    @inject
    async def sync(
        self,
        request: Req,
        principal: FromDishka[Principal],
        authorize: FromDishka[Authorize],
        use_case: FromDishka[SyncManifest],
        manifest: FromDishka[GetManifest],
    ) -> SyncOut:
        access = await _access(request, principal, authorize)
        body = decode_json_body(await request.body(), SyncWrite)
        flags = [flag.to_domain() for flag in body.flags]
        changes = [ManifestChange(operation="upsert", key=flag.key, flag=flag) for flag in flags]
        if body.prune:
            listed = {flag.key for flag in flags}
            remote = await manifest.execute(access.project.id)
            changes += [ManifestChange(operation="archive", key=f.key) for f in remote if f.key not in listed]
        result = await _run(use_case, access, changes, dry_run=body.dry_run)
        counts = {
            outcome: sum(r.outcome == outcome for r in result.results)
            for outcome in ("created", "updated", "unchanged", "archived")
        }
        return SyncOut(
            dry_run=result.dry_run,
            summary=SyncSummary(
                **counts,
                approval_required=sum(r.approval_required for r in result.results) if result.dry_run else UNSET,
            ),
            changes=[SyncChange.of(r) for r in result.results],
            synced_at=result.at,
        )


async def _run(
    use_case: SyncManifest, access: Access, changes: list[ManifestChange], *, dry_run: bool = False
) -> SyncResult:
    cmd = SyncManifestCommand(project_id=access.project.id, user_id=access.user.id, changes=changes, dry_run=dry_run)
    return await use_case.execute(cmd)
