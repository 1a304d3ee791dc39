"""The kit's report: a table for people, JSON for machines."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict

from flagcore.conformance.kit import CheckResult


def table(results: Sequence[CheckResult]) -> str:
    width = max((len(r.name) for r in results), default=5)
    lines = [f"{'check'.ljust(width)}  status   reason", f"{'-' * width}  -------  ------"]
    lines += [f"{r.name.ljust(width)}  {r.status.ljust(7)}  {r.reason}".rstrip() for r in results]
    counts = Counter(r.status for r in results)
    lines.append(f"\n{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
    return "\n".join(lines)


def as_json(results: Sequence[CheckResult]) -> str:
    counts: Counter[str] = Counter(r.status for r in results)
    summary = {status: counts[status] for status in ("passed", "failed", "skipped")}
    return json.dumps({"results": [asdict(r) for r in results], "summary": summary}, indent=2)
