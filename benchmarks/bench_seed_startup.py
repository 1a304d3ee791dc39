"""Seeded memory server start-up: from process start to the first 200 on ``/_health``, with 1,000 seeded flags.

Run from the repository root: ``.venv/bin/python benchmarks/bench_seed_startup.py`` (about 30 s). It writes a seed
of one organization, one project and N flags (each with a person-property condition and a rollout), then starts
``flagcore serve --memory --seed FILE`` ``--runs`` times, polling ``/_health`` every 10 ms. For context it also
measures, in fresh interpreters, what start-up is made of: importing the app, and applying the seed in process.
Target (issue #18): under 1 s to a 200 with 1,000 flags.

Modules load from cached bytecode, as from an installed package (pip compiles it at install time): the servers get
a fresh ``PYTHONPYCACHEPREFIX``, which the warm-up start fills. ``--source`` instead sets
``PYTHONDONTWRITEBYTECODE=1`` as some shells and containers do: a source checkout without ``__pycache__`` then
compiles flagcore's few hundred modules at every start (about 0.1-0.3 s of CPU more).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

KEY = "phx_benchkey0001"
APPLY = """
import asyncio, sys, time
from dishka import make_async_container
from flagcore.app.ioc import get_providers
from flagcore.app.seeding.compose import apply_seed
from flagcore.app.seeding.load import load_seed_file
from flagcore.app.settings import Settings, load_settings
settings = load_settings({"FLAGCORE_DATABASE_URL": "memory://"})
async def main():
    container = make_async_container(*get_providers(settings), context={Settings: settings})
    started = time.process_time()  # CPU: a loaded machine's wall time is mostly waiting for a core
    await apply_seed(container, load_seed_file(sys.argv[1]))
    print(time.process_time() - started)
    await container.close()
asyncio.run(main())
"""


def seed(flags: int) -> dict[str, object]:
    condition = {"key": "email", "type": "person", "operator": "icontains", "value": "@example.com"}
    group = {"properties": [condition], "rollout_percentage": 50}
    return {
        "organizations": [
            {
                "name": "Bench",
                "users": [
                    {"email": "b@bench.test", "level": "owner", "personal_api_keys": [{"value": "phx_benchkey0001"}]}
                ],
                "projects": [
                    {
                        "name": "Bench",
                        "api_token": "phc_benchtoken0001",
                        "secret_api_keys": ["phs_benchsecret0001"],
                        "flags": [{"key": f"flag-{i:05d}", "filters": {"groups": [group]}} for i in range(flags)],
                    }
                ],
            }
        ]
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_to_healthy(path: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds to the first 200, and the CPU seconds of the server's processes (a loaded machine's wall
    time is mostly waiting for a core; the CPU time is what an idle one would need, roughly)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = _start_to_healthy(path, env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _start_to_healthy(path: Path, env: dict[str, str]) -> float:
    port = free_port()
    args = [sys.executable, "-m", "flagcore", "serve", "--memory", "--seed", str(path), "--port", str(port)]
    started = time.perf_counter()
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    try:
        while True:
            if process.poll() is not None:
                raise SystemExit(f"flagcore serve exited with {process.returncode}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/_health", timeout=1).status_code == 200:
                    return time.perf_counter() - started
            except httpx.TransportError:
                time.sleep(0.01)
    finally:
        process.terminate()
        process.wait(timeout=10)


def timed(args: list[str], env: dict[str, str]) -> float:
    """CPU seconds of the command (user + system)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(args, env=env, check=True, capture_output=True)  # noqa: S603
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--flags", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--source", action="store_true", help="no bytecode written: PYTHONDONTWRITEBYTECODE=1")
    options = parser.parse_args()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("FLAGCORE_") and k not in {"PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX"}
    }
    env |= {"FLAGCORE_ACCESS_LOG": "false", "FLAGCORE_LOG_LEVEL": "warning"}
    with tempfile.TemporaryDirectory() as directory:
        if options.source:
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        else:
            env["PYTHONPYCACHEPREFIX"] = str(Path(directory) / "pycache")
        path = Path(directory) / "seed.json"
        path.write_text(json.dumps(seed(options.flags)))
        start_to_healthy(path, env)  # warm the file cache and the bytecode
        measured = [start_to_healthy(path, env) for _ in range(options.runs)]
        runs, cpu = [m[0] for m in measured], [m[1] for m in measured]
        python = timed([sys.executable, "-c", "pass"], env)
        imports = timed([sys.executable, "-c", "import flagcore.app.main"], env)
        apply = float(
            subprocess.run(  # noqa: S603
                [sys.executable, "-c", APPLY, str(path)], env=env, check=True, capture_output=True, text=True
            ).stdout
        )
    load = os.getloadavg()[0]
    bytecode = "compiled at every start (--source)" if options.source else "cached"
    print(f"{options.flags} flags, {options.runs} runs, bytecode {bytecode}, load average {load:.2f}")
    print(f"process start to 200 on /_health: median {statistics.median(runs):.3f} s, best {min(runs):.3f} s")
    print(f"  CPU of the server's processes: median {statistics.median(cpu):.3f} s")
    print(f"  of which (CPU): bare interpreter {python:.3f} s, importing the app {imports:.3f} s (fresh interpreters),")
    print(f"                  applying the seed in process {apply:.3f} s")


if __name__ == "__main__":
    main()
