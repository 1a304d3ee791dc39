"""Benchmark: flagcore's evaluation engine against the posthog SDK's local evaluator, in one process and one run.

Run from the repository root: ``.venv/bin/python benchmarks/bench_engine.py`` (a few minutes at most). The workload
generator and the SDK driver are the differential test's (``tests/differential``), so both engines see exactly the
same definitions and subjects; the script checks that they agree on every flag before printing any ratio.
"""

from __future__ import annotations

import argparse
import gc
import platform
import random
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.differential.oracle import PosthogOracle
from tests.differential.workload import random_definitions, random_subject
from tests.unit.domain.evaluation.support import NOW

from flagcore.domain.evaluation import Subject, compile_snapshot

SEED = 20250615


def _subject(raw: dict[str, Any]) -> Subject:
    return Subject(
        distinct_id=raw["distinct_id"],
        person_properties=raw["person_properties"],
        groups=raw["groups"],
        group_properties=raw["group_properties"],
    )


def _workload(flag_count: int, subject_count: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    rng = random.Random(SEED + flag_count)
    definitions = random_definitions(rng, flag_count)
    # Complete subjects: every property present, so the SDK can decide every flag locally.
    return definitions, [random_subject(rng, index, complete=True) for index in range(subject_count)]


def _time_engine(definitions: dict[str, Any], subjects: list[Subject]) -> tuple[float, list[Any]]:
    snapshot = compile_snapshot(definitions)
    evaluate = snapshot.evaluate
    start = time.perf_counter()
    results = [evaluate(subject, now=NOW) for subject in subjects]
    return time.perf_counter() - start, results


def _time_posthog(definitions: dict[str, Any], subjects: list[dict[str, Any]]) -> tuple[float, list[Any]]:
    oracle = PosthogOracle(definitions)
    start = time.perf_counter()
    results = [oracle.evaluate(subject) for subject in subjects]
    return time.perf_counter() - start, results


def _disagreements(definitions: dict[str, Any], ours: list[Any], theirs: list[Any]) -> tuple[int, int, int]:
    compared = inconclusive = mismatched = 0
    for engine_results, sdk_answers in zip(ours, theirs, strict=True):
        for flag in definitions["flags"]:
            answer = sdk_answers[flag["key"]]
            if answer is None:
                inconclusive += 1
                continue
            compared += 1
            value, payload = answer
            result = engine_results.get(flag["key"])
            if result is None:  # inactive: omitted by the engine, false for the SDK
                mismatched += value is not False
                continue
            mismatched += result.value != value or (value is not False and result.payload != payload)
    return compared, inconclusive, mismatched


def compare(subject_count: int) -> float:
    definitions, raw_subjects = _workload(50, subject_count)
    subjects = [_subject(raw) for raw in raw_subjects]
    engine_seconds, ours = _time_engine(definitions, subjects)
    sdk_seconds, theirs = _time_posthog(definitions, raw_subjects)
    compared, inconclusive, mismatched = _disagreements(definitions, ours, theirs)
    print(f"workload: 50 flags x {subject_count:,} subjects (seed {SEED})")
    print(f"  results: {compared:,} flag results compared, {mismatched} different, {inconclusive} SDK-inconclusive")
    if mismatched:
        sys.exit("results differ: no throughput ratio is meaningful")
    print(f"  flagcore engine : {engine_seconds:7.3f} s  {subject_count / engine_seconds:10,.0f} subjects/s")
    print(f"  posthog 7.91.1  : {sdk_seconds:7.3f} s  {subject_count / sdk_seconds:10,.0f} subjects/s")
    ratio = sdk_seconds / engine_seconds
    print(f"  throughput ratio: {ratio:.1f}x")
    return ratio


def scaling() -> None:
    print("engine cost per flag per subject:")
    for flag_count, subject_count in ((50, 4000), (500, 400), (5000, 40)):
        definitions, raw_subjects = _workload(flag_count, subject_count)
        subjects = [_subject(raw) for raw in raw_subjects]
        start = time.perf_counter()
        compile_snapshot(msgspec.json.encode(definitions))
        compile_seconds = time.perf_counter() - start
        seconds, _ = _time_engine(definitions, subjects)
        per_flag = seconds / (flag_count * subject_count) * 1e6
        print(f"  {flag_count:5,} flags: {per_flag:5.2f} us/flag/subject, compile {compile_seconds * 1e3:8.1f} ms")


def memory() -> None:
    definitions, _ = _workload(5000, 0)
    document = msgspec.json.encode(definitions)
    del definitions
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    snapshot = compile_snapshot(document)
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    print(f"memory held by a compiled 5,000-flag snapshot: {held / 2**20:.1f} MiB ({len(snapshot.flags):,} flags)")
    print(f"  (definitions JSON: {len(document) / 2**20:.1f} MiB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, default=10_000, help="subjects in the comparison (default 10,000)")
    args = parser.parse_args()
    print(f"python {platform.python_version()} on {platform.machine()}, {platform.system()}")
    compare(args.subjects)
    scaling()
    memory()


if __name__ == "__main__":
    main()
