"""Instructions per request under valgrind's callgrind: a load-independent A/B measure for a shared machine.

Wall-clock and CPU-time A/B runs on the 2-core development VM swing by 5-12% between two identical servers (an A/A
run shows it), which is as large as the effects the benchmarks must resolve. Callgrind counts the instructions the
process executes (every thread), which do not depend on what else the machine runs: the same build and inputs give
the same count within a fraction of a percent. Only the measured window is instrumented: the process starts under
valgrind with instrumentation off (start-up, imports and warm-up cost little), and a tiny C helper compiled at run
time with the machine's gcc switches it on and off through callgrind's client requests (``valgrind/callgrind.h``,
from Debian's valgrind package). Outside valgrind the client requests are no-ops.

Instructions are a proxy for time, not time: they ignore cache misses, branch mispredictions and kernel work (the
access log's one ``write`` per 50 ms batch, for instance), so this measures what code a feature adds per request.
"""

from __future__ import annotations

import ctypes
import re
import shutil
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

_SOURCE = """
#include <valgrind/callgrind.h>
void flagcore_bench_start(void) { CALLGRIND_ZERO_STATS; CALLGRIND_START_INSTRUMENTATION; }
void flagcore_bench_stop(void) { CALLGRIND_STOP_INSTRUMENTATION; CALLGRIND_DUMP_STATS_AT("measured"); }
"""


@cache
def _toggles() -> ctypes.CDLL:
    workdir = Path(tempfile.mkdtemp(prefix="flagcore-bench-cg-"))
    (workdir / "toggle.c").write_text(_SOURCE)
    library = workdir / "toggle.so"
    subprocess.run(  # noqa: S603
        ["gcc", "-O1", "-shared", "-fPIC", "-o", str(library), str(workdir / "toggle.c")],  # noqa: S607
        check=True,
        capture_output=True,
    )
    return ctypes.CDLL(str(library))


def start() -> None:
    """Zero the counters and count from here (no-op outside valgrind)."""
    _toggles().flagcore_bench_start()


def stop() -> None:
    """Stop counting and write the counts of the window to callgrind's output file."""
    _toggles().flagcore_bench_stop()


def available() -> str | None:
    """Why the harness cannot run here, or None when it can."""
    if shutil.which("valgrind") is None:
        return "valgrind is required: apt-get install valgrind"
    if shutil.which("gcc") is None or not Path("/usr/include/valgrind/callgrind.h").exists():
        return "gcc and valgrind's headers (/usr/include/valgrind/callgrind.h) are required"
    return None


def count(argv: list[str], env: dict[str, str], *, timeout: float = 900) -> int:
    """Instructions of the window ``start()``..``stop()`` in the Python process ``argv`` (run under callgrind)."""
    with tempfile.TemporaryDirectory(prefix="flagcore-bench-cg-out-") as out:
        pattern = str(Path(out) / "callgrind.out.%p")
        command = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={pattern}",
            sys.executable,
            *argv,
        ]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, check=False)  # noqa: S603
        if done.returncode != 0:
            raise RuntimeError(f"callgrind run failed ({done.returncode}): {done.stderr[-2000:]}")
        totals = []
        for dump in Path(out).iterdir():
            text = dump.read_text(errors="replace")
            if "measured" in text.split("\nevents:", 1)[0]:
                # "totals:" closes a dump; a "summary:" line may come first and read 0 (counted before the zeroing).
                found = re.search(r"^totals: (\d+)", text, re.MULTILINE)
                found = found or re.search(r"^summary: (\d+)", text, re.MULTILINE)
                if found:
                    totals.append(int(found.group(1)))
        if len(totals) != 1:
            raise RuntimeError(f"expected one 'measured' dump, found {len(totals)}: {done.stderr[-2000:]}")
        return totals[0]
