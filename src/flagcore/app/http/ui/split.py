"""The picture of a multivariate flag's rollout split: one bar, a segment per variant, drawn as inline SVG."""

from __future__ import annotations

from typing import Final

import msgspec

from flagcore.app.http.ui.flag_form import FlagForm

#: Segment colours are CSS classes (``.seg0``...), so the page needs no inline style (the CSP forbids it).
COLOURS: Final = 8
WIDTH: Final = 600


class Segment(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    percentage: float
    x: float
    width: float
    colour: int


def rollout_split(form: FlagForm) -> list[Segment]:
    """Segments of the variants with a readable percentage, in order; empty for a boolean flag."""
    segments = []
    x = 0.0
    for i, row in enumerate(form.variants):
        try:
            value = max(0.0, min(100.0, float(row.rollout or 0)))
        except ValueError:
            continue
        if not row.key:
            continue
        width = WIDTH * value / 100
        segments.append(Segment(key=row.key, percentage=value, x=x, width=width, colour=i % COLOURS))
        x += width
    return segments
