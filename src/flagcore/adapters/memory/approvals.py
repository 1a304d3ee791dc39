"""In-memory approval policies and change requests (one process; dev runs, tests and the contract reference)."""

from __future__ import annotations

from datetime import datetime

import msgspec

from flagcore.domain.approvals import (
    OPEN_STATES,
    ApprovalPolicy,
    ChangeRequest,
    ChangeRequestState,
    DuplicatePolicyError,
    ValidationStatus,
)
from flagcore.ports.approvals import ApprovalPolicyRepo, ChangeRequestQuery, ChangeRequestRepo


class MemoryApprovalPolicyRepo(ApprovalPolicyRepo):
    def __init__(self) -> None:
        self._policies: dict[str, ApprovalPolicy] = {}

    def fork(self) -> MemoryApprovalPolicyRepo:
        fork = MemoryApprovalPolicyRepo()
        fork._policies = dict(self._policies)
        return fork

    def adopt(self, fork: MemoryApprovalPolicyRepo) -> None:
        self._policies = fork._policies

    def _check_unique(self, policy: ApprovalPolicy) -> None:
        for other in self._policies.values():
            same_scope = (other.organization_id, other.project_id, other.action_key) == (
                policy.organization_id,
                policy.project_id,
                policy.action_key,
            )
            if same_scope and other.id != policy.id:
                raise DuplicatePolicyError

    async def add(self, policy: ApprovalPolicy) -> None:
        self._check_unique(policy)
        self._policies[policy.id] = policy

    async def get(self, organization_id: str, policy_id: str) -> ApprovalPolicy | None:
        policy = self._policies.get(policy_id)
        return policy if policy is not None and policy.organization_id == organization_id else None

    async def update(self, policy: ApprovalPolicy) -> None:
        if policy.id in self._policies:
            self._check_unique(policy)
            self._policies[policy.id] = policy

    async def remove(self, organization_id: str, policy_id: str) -> bool:
        if await self.get(organization_id, policy_id) is None:
            return False
        del self._policies[policy_id]
        return True

    async def list_for_project(self, organization_id: str, project_id: int) -> list[ApprovalPolicy]:
        found = [
            p
            for p in self._policies.values()
            if p.organization_id == organization_id and p.project_id in (project_id, None)
        ]
        return sorted(found, key=lambda p: (p.created_at, p.id))


class MemoryChangeRequestRepo(ChangeRequestRepo):
    def __init__(self) -> None:
        self._requests: dict[str, ChangeRequest] = {}

    def fork(self) -> MemoryChangeRequestRepo:
        fork = MemoryChangeRequestRepo()
        fork._requests = dict(self._requests)
        return fork

    def adopt(self, fork: MemoryChangeRequestRepo) -> None:
        self._requests = fork._requests

    async def add(self, request: ChangeRequest) -> None:
        self._requests[request.id] = request

    async def get(self, project_id: int, request_id: str) -> ChangeRequest | None:
        request = self._requests.get(request_id)
        return request if request is not None and request.project_id == project_id else None

    async def save(self, request: ChangeRequest, *, expected_state: ChangeRequestState) -> bool:
        stored = self._requests.get(request.id)
        if stored is None or stored.state is not expected_state:
            return False
        self._requests[request.id] = request
        return True

    async def page(self, project_id: int, query: ChangeRequestQuery) -> tuple[list[ChangeRequest], int]:
        found = [r for r in self._requests.values() if r.project_id == project_id and _matches(r, query)]
        found.sort(key=lambda r: (r.created_at, r.id), reverse=True)
        return found[query.offset : query.offset + query.limit], len(found)

    async def find_open(self, project_id: int, action_key: str, resource_id: str) -> ChangeRequest | None:
        for request in self._requests.values():
            same = (request.project_id, request.action_key, request.resource_id) == (
                project_id,
                action_key,
                resource_id,
            )
            if same and request.state in OPEN_STATES:
                return request
        return None

    async def list_open(self, *, limit: int) -> list[ChangeRequest]:
        found = [r for r in self._requests.values() if r.state is ChangeRequestState.PENDING]
        return sorted(found, key=lambda r: (r.created_at, r.id))[:limit]

    async def expire_due(self, now: datetime) -> int:
        due = [r for r in self._requests.values() if r.state in OPEN_STATES and r.expires_at <= now]
        for request in due:  # no await in between: one pass, as the SQL adapter's single UPDATE
            self._requests[request.id] = msgspec.structs.replace(
                request, state=ChangeRequestState.EXPIRED, validation_status=ValidationStatus.EXPIRED, updated_at=now
            )
        return len(due)


def _matches(request: ChangeRequest, query: ChangeRequestQuery) -> bool:
    return (
        (not query.states or request.state in query.states)
        and (query.action_key is None or request.action_key == query.action_key)
        and (query.requester_id is None or request.created_by_id == query.requester_id)
        and (query.resource_type is None or request.resource_type == query.resource_type)
        and (query.resource_id is None or request.resource_id == query.resource_id)
    )
