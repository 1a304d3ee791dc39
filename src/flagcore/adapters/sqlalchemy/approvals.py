"""SQL approval policies and change requests (SQLite and PostgreSQL).

A request's votes live in their own table; ``save`` is a compare-and-set on the request's state
(``UPDATE ... WHERE id = ? AND state = ?``), so two writers never both move one request on, and expiry is one
conditional ``UPDATE`` that any number of instances may run at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final

import msgspec
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flagcore.adapters.sqlalchemy._errors import backend_errors
from flagcore.adapters.sqlalchemy._session import SessionScope, session_scope
from flagcore.adapters.sqlalchemy.orm_approvals import ApprovalPolicyRow, ChangeRequestRow, ChangeRequestVoteRow
from flagcore.domain.approvals import (
    OPEN_STATES,
    ApprovalPolicy,
    ApproverConfig,
    ChangeRequest,
    ChangeRequestState,
    DuplicatePolicyError,
    ValidationStatus,
    Vote,
)
from flagcore.ports.approvals import ApprovalPolicyRepo, ChangeRequestQuery, ChangeRequestRepo

_ORGANIZATION_SCOPE: Final = 0
_OPEN: Final = tuple(state.value for state in OPEN_STATES)


def _policy_values(policy: ApprovalPolicy) -> dict[str, Any]:
    return {
        "organization_id": policy.organization_id,
        "scope_project": policy.project_id if policy.project_id is not None else _ORGANIZATION_SCOPE,
        "action_key": policy.action_key,
        "conditions": policy.conditions,
        "approver_config": msgspec.to_builtins(policy.approver_config),
        "allow_self_approve": policy.allow_self_approve,
        "bypass_org_membership_levels": list(policy.bypass_org_membership_levels),
        "bypass_roles": list(policy.bypass_roles),
        "expires_after_s": int(policy.expires_after.total_seconds()),
        "enabled": policy.enabled,
        "created_by_id": policy.created_by_id,
        "created_at": policy.created_at,
        "updated_at": policy.updated_at,
    }


def _policy(row: ApprovalPolicyRow) -> ApprovalPolicy:
    return ApprovalPolicy(
        id=row.id,
        organization_id=row.organization_id,
        project_id=row.scope_project if row.scope_project != _ORGANIZATION_SCOPE else None,
        action_key=row.action_key,
        conditions=row.conditions,
        approver_config=msgspec.convert(row.approver_config, ApproverConfig),
        allow_self_approve=row.allow_self_approve,
        bypass_org_membership_levels=tuple(row.bypass_org_membership_levels),
        bypass_roles=tuple(row.bypass_roles),
        expires_after=timedelta(seconds=row.expires_after_s),
        enabled=row.enabled,
        created_by_id=row.created_by_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class SqlApprovalPolicyRepo(ApprovalPolicyRepo):
    def __init__(self, sessions: async_sessionmaker[AsyncSession] | SessionScope) -> None:
        self._session = session_scope(sessions)

    async def _check_unique(self, session: AsyncSession, values: dict[str, Any], policy_id: str) -> None:
        # Checked before writing: a unique violation would abort a PostgreSQL unit of work's whole transaction.
        stmt = sa.select(ApprovalPolicyRow.id).where(
            ApprovalPolicyRow.organization_id == values["organization_id"],
            ApprovalPolicyRow.scope_project == values["scope_project"],
            ApprovalPolicyRow.action_key == values["action_key"],
            ApprovalPolicyRow.id != policy_id,
        )
        if await session.scalar(stmt) is not None:
            raise DuplicatePolicyError

    async def add(self, policy: ApprovalPolicy) -> None:
        values = _policy_values(policy)
        with backend_errors():
            try:
                async with self._session() as session:
                    await self._check_unique(session, values, policy.id)
                    session.add(ApprovalPolicyRow(id=policy.id, **values))
                    await session.flush()
            except sa_exc.IntegrityError as exc:  # a concurrent writer of the same policy got in first
                raise DuplicatePolicyError from exc

    async def get(self, organization_id: str, policy_id: str) -> ApprovalPolicy | None:
        with backend_errors():
            async with self._session() as session:
                row = await session.get(ApprovalPolicyRow, policy_id)
        return _policy(row) if row is not None and row.organization_id == organization_id else None

    async def update(self, policy: ApprovalPolicy) -> None:
        values = _policy_values(policy)
        stmt = sa.update(ApprovalPolicyRow).where(ApprovalPolicyRow.id == policy.id).values(values)
        with backend_errors():
            try:
                async with self._session() as session:
                    await self._check_unique(session, values, policy.id)
                    await session.execute(stmt)
            except sa_exc.IntegrityError as exc:
                raise DuplicatePolicyError from exc

    async def remove(self, organization_id: str, policy_id: str) -> bool:
        stmt = sa.delete(ApprovalPolicyRow).where(
            ApprovalPolicyRow.id == policy_id, ApprovalPolicyRow.organization_id == organization_id
        )
        with backend_errors():
            async with self._session() as session:
                result = await session.execute(stmt)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def list_for_project(self, organization_id: str, project_id: int) -> list[ApprovalPolicy]:
        stmt = (
            sa.select(ApprovalPolicyRow)
            .where(
                ApprovalPolicyRow.organization_id == organization_id,
                ApprovalPolicyRow.scope_project.in_([project_id, _ORGANIZATION_SCOPE]),
            )
            .order_by(ApprovalPolicyRow.created_at, ApprovalPolicyRow.id)
        )
        with backend_errors():
            async with self._session() as session:
                rows = (await session.scalars(stmt)).all()
        return [_policy(row) for row in rows]


_REQUEST_FIELDS: Final = tuple(
    name for name in ChangeRequest.__struct_fields__ if name not in ("id", "votes", "state", "validation_status")
)


def _request_values(request: ChangeRequest) -> dict[str, Any]:
    values = {name: getattr(request, name) for name in _REQUEST_FIELDS}
    return values | {"state": request.state.value, "validation_status": request.validation_status.value}


def _request(row: ChangeRequestRow, votes: list[ChangeRequestVoteRow]) -> ChangeRequest:
    return ChangeRequest(
        id=row.id,
        **{name: getattr(row, name) for name in _REQUEST_FIELDS},
        state=ChangeRequestState(row.state),
        validation_status=ValidationStatus(row.validation_status),
        votes=tuple(
            Vote(id=v.id, user_id=v.user_id, decision=v.decision, reason=v.reason, created_at=v.created_at)  # type: ignore[arg-type]
            for v in votes
        ),
    )


def _vote_row(request_id: str, vote: Vote) -> ChangeRequestVoteRow:
    return ChangeRequestVoteRow(
        id=vote.id,
        change_request_id=request_id,
        user_id=vote.user_id,
        decision=vote.decision,
        reason=vote.reason,
        created_at=vote.created_at,
    )


class SqlChangeRequestRepo(ChangeRequestRepo):
    def __init__(self, sessions: async_sessionmaker[AsyncSession] | SessionScope) -> None:
        self._session = session_scope(sessions)

    async def add(self, request: ChangeRequest) -> None:
        with backend_errors():
            async with self._session() as session:
                session.add(ChangeRequestRow(id=request.id, **_request_values(request)))
                await session.flush()
                session.add_all([_vote_row(request.id, vote) for vote in request.votes])
                await session.flush()

    async def _with_votes(self, session: AsyncSession, rows: list[ChangeRequestRow]) -> list[ChangeRequest]:
        if not rows:
            return []
        stmt = (
            sa.select(ChangeRequestVoteRow)
            .where(ChangeRequestVoteRow.change_request_id.in_([row.id for row in rows]))
            .order_by(ChangeRequestVoteRow.created_at, ChangeRequestVoteRow.id)
        )
        votes: dict[str, list[ChangeRequestVoteRow]] = {}
        for vote in (await session.scalars(stmt)).all():
            votes.setdefault(vote.change_request_id, []).append(vote)
        return [_request(row, votes.get(row.id, [])) for row in rows]

    async def _select(self, stmt: sa.Select[tuple[ChangeRequestRow]]) -> list[ChangeRequest]:
        with backend_errors():
            async with self._session() as session:
                rows = list((await session.scalars(stmt)).all())
                return await self._with_votes(session, rows)

    async def get(self, project_id: int, request_id: str) -> ChangeRequest | None:
        stmt = sa.select(ChangeRequestRow).where(
            ChangeRequestRow.id == request_id, ChangeRequestRow.project_id == project_id
        )
        found = await self._select(stmt)
        return found[0] if found else None

    async def save(self, request: ChangeRequest, *, expected_state: ChangeRequestState) -> bool:
        stmt = (
            sa.update(ChangeRequestRow)
            .where(ChangeRequestRow.id == request.id, ChangeRequestRow.state == expected_state.value)
            .values(_request_values(request))
        )
        with backend_errors():
            async with self._session() as session:
                if not (await session.execute(stmt)).rowcount:  # type: ignore[attr-defined]
                    return False
                known = set(
                    (
                        await session.scalars(
                            sa.select(ChangeRequestVoteRow.id).where(
                                ChangeRequestVoteRow.change_request_id == request.id
                            )
                        )
                    ).all()
                )
                session.add_all([_vote_row(request.id, v) for v in request.votes if v.id not in known])
                await session.flush()
        return True

    async def page(self, project_id: int, query: ChangeRequestQuery) -> tuple[list[ChangeRequest], int]:
        row = ChangeRequestRow
        where: list[sa.ColumnElement[bool]] = [row.project_id == project_id]
        if query.states:
            where.append(row.state.in_(sorted(state.value for state in query.states)))
        for column, value in (
            (row.action_key, query.action_key),
            (row.created_by_id, query.requester_id),
            (row.resource_type, query.resource_type),
            (row.resource_id, query.resource_id),
        ):
            if value is not None:
                where.append(column == value)
        page = sa.select(row).where(*where).order_by(row.created_at.desc(), row.id.desc())
        page = page.limit(query.limit).offset(query.offset)
        with backend_errors():
            async with self._session() as session:
                count = await session.scalar(sa.select(sa.func.count()).select_from(row).where(*where)) or 0
                rows = list((await session.scalars(page)).all())
                return await self._with_votes(session, rows), count

    async def find_open(self, project_id: int, action_key: str, resource_id: str) -> ChangeRequest | None:
        stmt = sa.select(ChangeRequestRow).where(
            ChangeRequestRow.project_id == project_id,
            ChangeRequestRow.action_key == action_key,
            ChangeRequestRow.resource_id == resource_id,
            ChangeRequestRow.state.in_(_OPEN),
        )
        found = await self._select(stmt.limit(1))
        return found[0] if found else None

    async def list_open(self, *, limit: int) -> list[ChangeRequest]:
        stmt = sa.select(ChangeRequestRow).where(ChangeRequestRow.state == ChangeRequestState.PENDING.value)
        return await self._select(stmt.order_by(ChangeRequestRow.created_at, ChangeRequestRow.id).limit(limit))

    async def expire_due(self, now: datetime) -> int:
        stmt = (
            sa.update(ChangeRequestRow)
            .where(ChangeRequestRow.state.in_(_OPEN), ChangeRequestRow.expires_at <= now)
            .values(
                state=ChangeRequestState.EXPIRED.value,
                validation_status=ValidationStatus.EXPIRED.value,
                updated_at=now,
            )
        )
        with backend_errors():
            async with self._session() as session:
                return int((await session.execute(stmt)).rowcount)  # type: ignore[attr-defined]
