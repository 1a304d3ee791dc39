"""Applying an approved change request: replay its write as the requester, under its version precondition."""

from __future__ import annotations

import msgspec

from flagcore.app.approvals.gate import users_of
from flagcore.app.approvals.views import ActionOutcome, ChangeRequestView
from flagcore.app.flags.changes import FlagChanges
from flagcore.app.flags.update_flag import ApprovedChange, UpdateFlag, UpdateFlagCommand
from flagcore.domain.approvals import Actor, ChangeRequest, ChangeRequestActionError, ChangeRequestState
from flagcore.domain.approvals.lifecycle import applied, failed
from flagcore.domain.errors import InvalidInputError
from flagcore.domain.flags import DuplicateFlagKeyError, FlagNotFoundError, VersionConflictError
from flagcore.domain.identity import Project
from flagcore.ports.clock import Clock
from flagcore.ports.unit_of_work import UnitOfWork


class ApplyChangeRequest:
    """Write an approved request's change in the unit of work of its last approval, and commit both.

    The request is saved as applied first (a compare-and-set from pending: a second applier loses there), then
    ``UpdateFlag.write`` replays the stored request with ``expected_version`` = the version the request was made
    against, as the requester, recording the approvers in the activity entry's trigger. A flag changed since
    (``VersionConflictError``), deleted, or no longer valid leaves the flag as it is and the request ``failed``.
    """

    def __init__(self, update: UpdateFlag, clock: Clock) -> None:
        self._update = update
        self._clock = clock

    async def execute(
        self, uow: UnitOfWork, project: Project, request: ChangeRequest, *, viewer: Actor
    ) -> ActionOutcome:
        now = self._clock.now()
        expected = request.expected_version or 0
        done = applied(request, resource_version=expected + 1, now=now)
        if not await uow.change_requests.save(done, expected_state=ChangeRequestState.PENDING):
            raise ChangeRequestActionError("This change request can no longer be approved.")
        try:
            cmd = self._command(project, done)
            if not await _still_a_member(uow, project, done):
                raise _RequesterGoneError  # noqa: TRY301 - failed like the other preconditions below
            if await _key_taken(uow, cmd):  # checked first: a unique violation would abort PostgreSQL's transaction
                raise DuplicateFlagKeyError(str(cmd.changes.key))
            await self._update.write(uow, cmd)  # commits the vote, the request and the flag together
        except VersionConflictError as exc:
            error = (
                f"Precondition failed: the flag is at version {exc.stored_version}, the request was made at {expected}."
            )
        except FlagNotFoundError:
            error = "Precondition failed: the flag no longer exists."
        except _RequesterGoneError:
            # The change is replayed as the requester: someone who left must not have a change land in their name.
            error = "Precondition failed: the requester is no longer a member of the organization."
        except InvalidInputError as exc:
            error = f"Validation failed: {exc.detail}"
        else:
            view = ChangeRequestView(request=done, users=await users_of(uow, done), viewer=viewer)
            return ActionOutcome(
                status="applied",
                message="Quorum reached. Change applied successfully.",
                view=view,
                result=done.result_data,
            )
        broken = failed(
            msgspec.structs.replace(done, applied_at=None, applied_by_id=None, result_data=None), error=error, now=now
        )
        await uow.change_requests.save(broken, expected_state=ChangeRequestState.APPLIED)
        await uow.commit()
        view = ChangeRequestView(request=broken, users=await users_of(uow, broken), viewer=viewer)
        return ActionOutcome(status="failed", message=f"Quorum reached but application failed: {error}", view=view)

    @staticmethod
    def _command(project: Project, request: ChangeRequest) -> UpdateFlagCommand:
        intent = request.intent
        try:
            changes = msgspec.convert(intent.get("full_request_data", {}), FlagChanges)
        except msgspec.ValidationError as exc:
            raise InvalidInputError(str(exc)) from exc
        approvers = tuple(v.user_id for v in request.votes if v.decision == "approved")
        return UpdateFlagCommand(
            project_id=project.id,
            flag_id=int(intent.get("flag_id", 0)),
            user_id=request.created_by_id,
            changes=changes,
            expected_version=request.expected_version,
            full_update=bool(intent.get("full_update", False)),
            approved=ApprovedChange(change_request_id=request.id, approver_ids=approvers),
        )


async def _key_taken(uow: UnitOfWork, cmd: UpdateFlagCommand) -> bool:
    """Whether the replayed write would give the flag a key another live flag of the project holds."""
    current = await uow.flags.get(cmd.project_id, cmd.flag_id)
    if current is None:
        return False
    key = cmd.changes.key if isinstance(cmd.changes.key, str) else current.key
    deleted = cmd.changes.deleted if isinstance(cmd.changes.deleted, bool) else current.deleted
    other = None if deleted else await uow.flags.get_by_key(cmd.project_id, key)
    return other is not None and other.id != cmd.flag_id


class _RequesterGoneError(Exception):
    """The request's author is no longer a member of the project's organization."""


async def _still_a_member(uow: UnitOfWork, project: Project, request: ChangeRequest) -> bool:
    if request.created_by_id is None:
        return True
    return await uow.organizations.get_membership(project.organization_id, request.created_by_id) is not None
