"""Flag status (management spec §6.1) from configuration and usage: INACTIVE over STALE over ACTIVE."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from flagcore.domain.flags import FeatureFlag, parse_filters
from flagcore.domain.flags.status import FlagStatus, flag_status

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
EVERYONE: dict[str, Any] = {"groups": [{"properties": [], "rollout_percentage": 100}]}
HALF: dict[str, Any] = {"groups": [{"properties": [], "rollout_percentage": 50}]}
PINNED: dict[str, Any] = {
    "groups": [{"properties": [], "rollout_percentage": 100, "variant": "b"}],
    "multivariate": {"variants": [{"key": "a", "rollout_percentage": 50}, {"key": "b", "rollout_percentage": 50}]},
}


def flag(filters: dict[str, Any], *, age_days: int, active: bool = True, deleted: bool = False) -> FeatureFlag:
    return FeatureFlag(
        id=1,
        project_id=1,
        key="k",
        filters=parse_filters(filters),
        active=active,
        deleted=deleted,
        created_at=NOW - timedelta(days=age_days),
    )


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


@pytest.mark.parametrize(
    ("subject", "last_called_at", "status", "reason"),
    [
        (flag(HALF, age_days=5), None, FlagStatus.ACTIVE, None),
        # Young and never called: too early to say.
        (flag(EVERYONE, age_days=29), None, FlagStatus.ACTIVE, None),
        # Old and never called: inactive, and that wins over the stale configuration.
        (flag(EVERYONE, age_days=45), None, FlagStatus.INACTIVE, "Flag has not been called in 45 days"),
        (flag(HALF, age_days=45), None, FlagStatus.INACTIVE, "Flag has not been called in 45 days"),
        # Called more than 30 days ago.
        (flag(HALF, age_days=90), days_ago(31), FlagStatus.INACTIVE, "Flag has not been called in 31 days"),
        # Called exactly 30 days ago is not more than 30 days.
        (flag(HALF, age_days=90), days_ago(30), FlagStatus.ACTIVE, None),
        # Called recently: the configuration rule decides.
        (flag(HALF, age_days=90), days_ago(1), FlagStatus.ACTIVE, None),
        (
            flag(EVERYONE, age_days=90),
            days_ago(1),
            FlagStatus.STALE,
            'This boolean flag will always evaluate to "true"',
        ),
        (flag(PINNED, age_days=90), days_ago(1), FlagStatus.STALE, 'This flag will always use the variant "b"'),
        (flag(EVERYONE, age_days=10), days_ago(1), FlagStatus.ACTIVE, None),
        # Disabled flags are not judged by usage.
        (flag(HALF, age_days=90, active=False), None, FlagStatus.ACTIVE, None),
        (flag(HALF, age_days=90, deleted=True), days_ago(60), FlagStatus.DELETED, "Flag has been deleted"),
        (None, None, FlagStatus.UNKNOWN, "Flag could not be found"),
    ],
)
def test_status(
    subject: FeatureFlag | None, last_called_at: datetime | None, status: FlagStatus, reason: str | None
) -> None:
    report = flag_status(subject, now=NOW, last_called_at=last_called_at)
    assert report.status is status
    if reason is not None:
        assert report.reason == reason
