"""An A/B harness for "what does feature X cost ``POST /flags``": two servers, X on and off, measured in one run.

Both serve one SQLite database seeded with the 50-flag project of ``bench_http.py``; wrk drives them in alternation
(on, off, off, on, ...), so drift of a shared machine hits both alike, and only one is under load at a time.
The flags are created through a third server, stopped before the two measured ones start, so that neither of them
carries what serving the writes left behind (an earlier version seeded through the "on" server). ``--aa`` (see
``aa_envs``) runs the "off" configuration on both sides: its ratio shows how far from 1.000 the harness itself is.
Used by ``bench_observability.py`` and ``bench_quota.py``.
"""

from __future__ import annotations

import contextlib
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
from bench_http import FLAG_COUNT, FLAGS_LUA, _flags, _free_port, _wrk, wait_healthy


def bench_env(workdir: Path) -> dict[str, str]:
    """This process's environment without flagcore's settings, over a fresh SQLite file in ``workdir``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLAGCORE_", "PROMETHEUS_"))}
    return env | {
        "FLAGCORE_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'bench.db'}",
        "FLAGCORE_LOG_LEVEL": "warning",
    }


@contextlib.contextmanager
def on_off_servers(
    envs: dict[str, dict[str, str]], *, workers: int, logdir: Path | None = None
) -> Iterator[dict[str, str]]:
    """``flagcore serve`` per named environment; yields their base URLs once all are healthy, stops them after.

    With ``logdir``, each server's standard error goes to ``logdir/<name>.log``.
    """
    servers: dict[str, tuple[subprocess.Popen[bytes], str]] = {}
    try:
        for name, env in envs.items():
            port = _free_port()
            stderr = (logdir / f"{name}.log").open("wb") if logdir else subprocess.DEVNULL
            servers[name] = (
                subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
                    [sys.executable, "-m", "flagcore", "serve", "--port", str(port), "--workers", str(workers)],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=stderr,
                ),
                f"http://127.0.0.1:{port}",
            )
        for _, base in servers.values():
            wait_healthy(base)
        yield {name: base for name, (_, base) in servers.items()}
    finally:
        for process, _ in servers.values():
            process.terminate()
            process.wait(timeout=15)


def aa_envs(envs: dict[str, dict[str, str]], *, aa: bool) -> dict[str, dict[str, str]]:
    """With ``aa``, both servers get the "off" environment (an A/A run); otherwise ``envs`` unchanged."""
    return {"on": envs["off"], "off": envs["off"]} if aa else envs


def seed_flags(env: dict[str, str], creds: dict[str, str]) -> None:
    """Create the benchmark's flags through a server of its own (one worker), stopped before returning."""
    auth = {"Authorization": f"Bearer {creds['personal_api_key']}"}
    with (
        on_off_servers({"seed": env}, workers=1) as bases,
        httpx.Client(base_url=bases["seed"], headers=auth, timeout=10) as client,
    ):
        for flag in _flags(random.Random(7)):
            client.post("/api/projects/@current/feature_flags/", json=flag).raise_for_status()


def measure_on_off(
    bases: dict[str, str], creds: dict[str, str], workdir: Path, *, rounds: int, seconds: int
) -> dict[str, list[float]]:
    """Check both servers answer every flag (seeded by ``seed_flags``), warm both, then req/s per round for each."""
    for base in bases.values():
        check = httpx.post(f"{base}/flags/?v=2", json={"api_key": creds["project_api_key"], "distinct_id": "p"})
        check.raise_for_status()
        assert len(check.json()["flags"]) == FLAG_COUNT
    script = workdir / "flags.lua"
    script.write_text(f'TOKEN = "{creds["project_api_key"]}"\nEXTRA = ""\n' + FLAGS_LUA)
    for base in bases.values():
        _wrk(base, 2, script=str(script))  # warm every worker of both servers
    rps: dict[str, list[float]] = {"on": [], "off": []}
    for round_no in range(rounds):
        for name in ["on", "off"] if round_no % 2 == 0 else ["off", "on"]:
            result = _wrk(bases[name], seconds, script=str(script))
            assert result["errors"] == 0, result
            rps[name].append(result["rps"])
            print(
                f"round {round_no + 1} {name:3}: {result['rps']:8.0f} req/s  "
                f"p50 {result['p50']:.2f} ms  p99 {result['p99']:.2f} ms"
            )
    return rps
