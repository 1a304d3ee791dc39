"""Benchmark: flagcore's evaluation engine against the posthog SDK's local evaluator, in one process and one run.

Run from the repository root: ``.venv/bin/python benchmarks/bench_engine.py`` (a few minutes at most). The workload
generator and the SDK driver are the differential test's (``tests/differential``), so both engines see exactly the
same definitions and subjects; the script checks that they agree on every flag before printing any ratio.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
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


def _copies(definitions: dict[str, Any], count: int) -> dict[str, Any]:
    """``count`` renamed copies of a document's flags: the same shape per flag as the original, ``count`` times."""
    text = msgspec.json.encode(definitions["flags"]).decode()
    flags: list[dict[str, Any]] = []
    for copy in range(count):
        renamed = msgspec.json.decode(text.replace('"flag-', f'"c{copy}-flag-'))
        for flag in renamed:
            flag["id"] += 100_000 * copy
        flags += renamed
    return {**definitions, "flags": flags}


def scaling(rounds: int) -> None:
    """Cost per flag per subject by snapshot size, as ratios to 50 flags measured in the same run.

    Each size takes turns with the 50-flag snapshot in rounds of about 100,000 flag evaluations, and each keeps its
    best round: on a shared machine a round is only ever slowed down, so the best one is the least disturbed, and
    taking turns exposes both to the same load. Only the 50-flag snapshot and the one being measured are alive, so
    the larger ones do not evict each other from the caches. "5,000 (100 x 50)" repeats the 50-flag document under
    new keys, so it has exactly the 50-flag shape per flag: it separates the size of the snapshot from the shape of
    the generator's larger documents.
    """
    base, raw_subjects = _workload(50, 2000)
    subjects = [_subject(raw) for raw in raw_subjects]
    small = compile_snapshot(msgspec.json.encode(base))
    print(f"engine cost per flag per subject (best of {rounds} rounds of ~100,000 flag evaluations, taking turns):")
    for label, flag_count, build in (
        ("500", 500, lambda: _workload(500, 0)[0]),
        ("5,000", 5000, lambda: _workload(5000, 0)[0]),
        ("5,000 (100 x 50)", 5000, lambda: _copies(base, 100)),
    ):
        document = msgspec.json.encode(build())
        start = time.perf_counter()
        large = compile_snapshot(document)
        compile_ms = (time.perf_counter() - start) * 1e3
        cases = ((small, 50, 2000), (large, flag_count, 100_000 // flag_count))
        best = [float("inf"), float("inf")]
        for round_index in range(rounds):
            for position, (snapshot, count, per_round) in enumerate(cases):
                first = round_index * per_round % len(subjects)
                batch = subjects[first : first + per_round]
                evaluate = snapshot.evaluate
                start = time.perf_counter()
                for subject in batch:
                    evaluate(subject, now=NOW)
                seconds = time.perf_counter() - start
                best[position] = min(best[position], seconds / (count * len(batch)) * 1e6)
        del large
        print(
            f"  {label:>16} flags: {best[1]:5.2f} us/flag/subject against {best[0]:5.2f} at 50: "
            f"{best[1] / best[0]:4.2f}x (compile {compile_ms:7.1f} ms)"
        )


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


def _sdk_process(definitions_path: str, subjects_path: str) -> None:
    """The SDK side of the whole-process comparison: what an application built on posthog-python does.

    It reads the definitions and the JSONL subjects with the standard library, evaluates every flag of every
    subject with the SDK's local evaluator (the same calls as the in-process comparison) and writes one JSON object
    of ``{key: {"value", "payload"}}`` per subject.
    """
    oracle = PosthogOracle(json.loads(Path(definitions_path).read_text(encoding="utf-8")))
    write = sys.stdout.write
    with Path(subjects_path).open(encoding="utf-8") as lines:
        for line in lines:
            answers = oracle.evaluate(json.loads(line))
            document = {
                key: {"value": answer[0], "payload": answer[1]} if answer is not None else None
                for key, answer in answers.items()
            }
            write(json.dumps(document) + "\n")


def _timed(command: list[str], out: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one process; CPU time is what a loaded machine distorts least."""
    with out.open("wb") as sink:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=sink, env=env)  # noqa: S603 - our own interpreter and files
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        sys.exit(f"{command[0]} exited with {process.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


def _cli_agree(definitions: dict[str, Any], ours: Path, theirs: Path) -> tuple[int, int]:
    """Flag results compared, and how many differ (value, and payload when on), between the two outputs."""
    compared = mismatched = 0
    with ours.open("rb") as engine_lines, theirs.open("rb") as sdk_lines:
        for engine_line, sdk_line in zip(engine_lines, sdk_lines, strict=True):
            engine, sdk = msgspec.json.decode(engine_line), msgspec.json.decode(sdk_line)
            for flag in definitions["flags"]:
                answer, result = sdk[flag["key"]], engine.get(flag["key"])
                if answer is None:
                    continue
                compared += 1
                if result is None:  # inactive: omitted by flagcore, false for the SDK
                    mismatched += answer["value"] is not False
                    continue
                value = result["variant"] if result["variant"] is not None else result["enabled"]
                payload = result["payload"] if value is not False else None
                mismatched += value != answer["value"] or (value is not False and payload != answer["payload"])
    return compared, mismatched


def cli(subject_count: int, runs: int) -> None:
    """``flagcore evaluate`` against the SDK's local evaluator as whole processes: start-up and JSON I/O included.

    Both read the same definitions file and JSONL subjects file and write one JSON line per subject to a file; the
    runs alternate (best of ``runs`` each). ``python -m flagcore.app.evaluate_command`` is the same command without
    the ``flagcore`` entry point's imports (the other subcommands), to show what start-up costs.
    """
    definitions, raw_subjects = _workload(50, subject_count)
    now = NOW.isoformat()
    python = sys.executable
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}
    flagcore = str(Path(python).with_name("flagcore"))
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        defs, subjects = folder / "definitions.json", folder / "subjects.jsonl"
        defs.write_bytes(msgspec.json.encode(definitions))
        subjects.write_bytes(b"".join(msgspec.json.encode(raw) + b"\n" for raw in raw_subjects))
        arguments = ["evaluate", "--definitions", str(defs), "--subjects", str(subjects), "--now", now]
        sdk = "posthog 7.91.1 (SDK process)"
        commands = {
            "flagcore evaluate": [flagcore, *arguments],
            "python -m flagcore.app.evaluate_command": [python, "-m", "flagcore.app.evaluate_command", *arguments[1:]],
            sdk: [python, __file__, "--sdk-process", str(defs), str(subjects)],
            "start-up only: flagcore evaluate --help": [flagcore, "evaluate", "--help"],
        }
        wall = dict.fromkeys(commands, float("inf"))
        cpu = dict.fromkeys(commands, float("inf"))
        outputs = {label: folder / f"output-{index}.jsonl" for index, label in enumerate(commands)}
        for _ in range(runs):
            for label, command in commands.items():
                seconds, cpu_seconds = _timed(command, outputs[label], env)
                wall[label], cpu[label] = min(wall[label], seconds), min(cpu[label], cpu_seconds)
        compared, mismatched = _cli_agree(definitions, outputs["flagcore evaluate"], outputs[sdk])
    results = subject_count * len(definitions["flags"])
    print(f"whole processes: 50 flags x {subject_count:,} subjects = {results:,} flag results (best of {runs})")
    print(f"  outputs: {compared:,} flag results compared, {mismatched} different")
    if mismatched:
        sys.exit("outputs differ: no ratio is meaningful")
    print(f"  {'':42} {'wall':>8}  {'ratio':>6}  {'CPU':>8}  {'ratio':>6}")
    for label in commands:
        print(
            f"  {label:42} {wall[label]:7.3f}s  {wall[sdk] / wall[label]:5.1f}x  "
            f"{cpu[label]:7.3f}s  {cpu[sdk] / cpu[label]:5.1f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, default=10_000, help="subjects in the comparison (default 10,000)")
    parser.add_argument("--rounds", type=int, default=15, help="rounds of each scaling row (default 15)")
    parser.add_argument("--only", choices=("compare", "scaling", "memory", "cli"), help="run one part only")
    parser.add_argument("--runs", type=int, default=3, help="runs of each process in the cli part (default 3)")
    parser.add_argument("--sdk-process", nargs=2, metavar=("DEFINITIONS", "SUBJECTS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sdk_process:
        _sdk_process(*args.sdk_process)
        return
    print(f"python {platform.python_version()} on {platform.machine()}, {platform.system()}")
    if args.only in (None, "compare"):
        compare(args.subjects)
    if args.only in (None, "scaling"):
        scaling(args.rounds)
    if args.only in (None, "memory"):
        memory()
    if args.only in (None, "cli"):
        cli(args.subjects, args.runs)


if __name__ == "__main__":
    main()
