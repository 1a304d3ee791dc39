"""The in-process expiry task: runs on its interval (never with 0), stops cleanly."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from flagcore.adapters.memory import FixedClock, MemoryUnitOfWorkFactory
from flagcore.app.approvals.expiry import ChangeRequestExpiryTask, ExpireChangeRequests
from flagcore.domain.approvals import ChangeRequest, ChangeRequestState
from tests.memory_stack import memory_stores

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _request(request_id: str, expires_at: datetime) -> ChangeRequest:
    return ChangeRequest(
        id=request_id,
        organization_id="o",
        project_id=1,
        action_key="feature_flag.enable",
        resource_id=None,
        intent={},
        policy_snapshot={},
        created_by_id=1,
        created_at=T0,
        updated_at=T0,
        expires_at=expires_at,
    )


async def test_task_expires_due_requests_on_its_interval() -> None:
    stores = memory_stores()
    await stores.change_requests.add(_request("due", T0))
    await stores.change_requests.add(_request("later", T0 + timedelta(days=1)))
    clock = FixedClock(T0)
    task = ChangeRequestExpiryTask(ExpireChangeRequests(MemoryUnitOfWorkFactory(stores), clock), interval_s=0.01)
    task.start()
    for _ in range(100):
        await asyncio.sleep(0.01)
        due = await stores.change_requests.get(1, "due")
        if due is not None and due.state is ChangeRequestState.EXPIRED:
            break
    await task.stop()
    states = {r: (await stores.change_requests.get(1, r)).state for r in ("due", "later")}  # type: ignore[union-attr]
    assert states == {"due": ChangeRequestState.EXPIRED, "later": ChangeRequestState.PENDING}


async def test_interval_zero_never_runs() -> None:
    stores = memory_stores()
    await stores.change_requests.add(_request("due", T0))
    task = ChangeRequestExpiryTask(ExpireChangeRequests(MemoryUnitOfWorkFactory(stores), FixedClock(T0)), 0)
    task.start()
    await asyncio.sleep(0.05)
    await task.stop()
    assert (await stores.change_requests.get(1, "due")).state is ChangeRequestState.PENDING  # type: ignore[union-attr]
