"""The picture of a flag's daily calls: one bar per UTC day, drawn as inline SVG (no script, no inline style)."""

from __future__ import annotations

from typing import Final

import msgspec

from flagcore.app.flags.actions import DailyCalls

WIDTH: Final = 600
HEIGHT: Final = 60
#: The gap between two bars, in the picture's units.
GAP: Final = 2.0


class Bar(msgspec.Struct, frozen=True, kw_only=True):
    day: str
    count: int
    x: float
    y: float
    width: float
    height: float


class CallsChart(msgspec.Struct, frozen=True, kw_only=True):
    bars: list[Bar]
    total: int
    peak: int
    first_day: str
    last_day: str


def calls_chart(calls: DailyCalls) -> CallsChart:
    """Bars scaled to the busiest day; a day with calls is never drawn as nothing (at least 1 unit high)."""
    peak = max((count for _, count in calls.days), default=0)
    slot = WIDTH / max(len(calls.days), 1)
    bars = []
    for i, (day, count) in enumerate(calls.days):
        height = 0.0 if peak == 0 else max(1.0, HEIGHT * count / peak) if count else 0.0
        bars.append(
            Bar(day=day.isoformat(), count=count, x=i * slot, y=HEIGHT - height, width=slot - GAP, height=height)
        )
    first = calls.days[0][0].isoformat() if calls.days else ""
    last = calls.days[-1][0].isoformat() if calls.days else ""
    return CallsChart(bars=bars, total=calls.total, peak=peak, first_day=first, last_day=last)
