"""The calls-per-day picture: bars scaled to the busiest day, quiet days flat, a lone call still visible."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from flagcore.app.flags.actions import DailyCalls
from flagcore.app.http.ui.usage_chart import HEIGHT, WIDTH, calls_chart

START = date(2026, 1, 1)


def days(*counts: int) -> DailyCalls:
    return DailyCalls(days=[(START + timedelta(days=i), c) for i, c in enumerate(counts)])


@pytest.mark.parametrize(
    ("counts", "heights"),
    [
        ((0, 0, 0), [0.0, 0.0, 0.0]),
        ((1, 0, 2), [HEIGHT / 2, 0.0, HEIGHT]),
        ((1, 1000), [1.0, HEIGHT]),  # a single call beside a busy day is drawn 1 unit high, not hidden
    ],
)
def test_bars_scale_to_the_busiest_day(counts: tuple[int, ...], heights: list[float]) -> None:
    chart = calls_chart(days(*counts))
    assert [b.height for b in chart.bars] == heights
    assert all(b.y + b.height == HEIGHT for b in chart.bars)
    assert (chart.total, chart.peak) == (sum(counts), max(counts))


def test_bars_share_the_width_in_day_order() -> None:
    chart = calls_chart(days(*range(30)))
    assert [b.day for b in chart.bars] == [(START + timedelta(days=i)).isoformat() for i in range(30)]
    assert chart.bars[-1].x + chart.bars[-1].width <= WIDTH
    assert (chart.first_day, chart.last_day) == ("2026-01-01", "2026-01-30")
