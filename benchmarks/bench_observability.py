"""What the access log and the metrics cost ``/flags``: the same requests against two servers, on and off.

Run from the repository root: ``.venv/bin/python benchmarks/bench_observability.py`` (about 2-3 minutes; needs
``wrk``: ``apt-get install wrk``; not part of ``make test``). It starts two ``flagcore serve`` (granian, 2 workers
each) over one fresh SQLite database with the 50-flag project of ``bench_http.py``:

- **on**: ``FLAGCORE_ACCESS_LOG=true``, ``FLAGCORE_METRICS=true`` (so Prometheus multi-process mode, as in
  production with several workers), ``FLAGCORE_LOG_FORMAT`` as given; its log goes to a file, as a deployment's
  would (one line per request);
- **off**: both switched off (no middleware at all).

Then it drives them with wrk in alternation (on, off, off, on, ...), so drift of the shared machine hits both
alike, and reports req/s per round and the ratio of the means. Only one server is under load at a time (the idle
one costs nothing). The target: on within 5% of off for ``POST /flags?v=2``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from statistics import mean

import httpx
from bench_http import CONNECTIONS, FLAG_COUNT, FLAGS_LUA, THREADS, _cli, _flags, _free_port, _wrk, wait_healthy


def _serve(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    with log.open("wb") as stderr:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "flagcore", "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    return process, f"http://127.0.0.1:{port}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8, help="measured seconds per round and server (default 8)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per server (default 3)")
    parser.add_argument("--log-format", choices=["text", "json"], default="text")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is required: apt-get install wrk")
    workdir = Path(tempfile.mkdtemp(prefix="flagcore-bench-obs-"))
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("FLAGCORE_", "PROMETHEUS_"))}
    base_env |= {
        "FLAGCORE_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'bench.db'}",
        "FLAGCORE_LOG_LEVEL": "warning",
    }
    _cli(base_env, "migrate")
    creds = json.loads(_cli(base_env, "init", "--json"))
    on_env = base_env | {
        "FLAGCORE_ACCESS_LOG": "true",
        "FLAGCORE_METRICS": "true",
        "FLAGCORE_LOG_FORMAT": args.log_format,
    }
    off_env = base_env | {"FLAGCORE_ACCESS_LOG": "false", "FLAGCORE_METRICS": "false"}
    servers = {"on": _serve(on_env, workdir / "on.log"), "off": _serve(off_env, workdir / "off.log")}
    try:
        for _, base in servers.values():
            wait_healthy(base)
        _run({name: base for name, (_, base) in servers.items()}, creds, workdir, args)
    finally:
        for process, _ in servers.values():
            process.terminate()
            process.wait(timeout=15)
        shutil.rmtree(workdir, ignore_errors=True)


def _run(bases: dict[str, str], creds: dict[str, str], workdir: Path, args: argparse.Namespace) -> None:
    auth = {"Authorization": f"Bearer {creds['personal_api_key']}"}
    with httpx.Client(base_url=bases["on"], headers=auth, timeout=10) as client:
        for flag in _flags(random.Random(7)):
            client.post("/api/projects/@current/feature_flags/", json=flag).raise_for_status()
    for base in bases.values():
        check = httpx.post(f"{base}/flags/?v=2", json={"api_key": creds["project_api_key"], "distinct_id": "p"})
        check.raise_for_status()
        assert len(check.json()["flags"]) == FLAG_COUNT
    script = workdir / "flags.lua"
    script.write_text(f'TOKEN = "{creds["project_api_key"]}"\nEXTRA = ""\n' + FLAGS_LUA)
    for base in bases.values():
        _wrk(base, 2, script=str(script))  # warm every worker of both servers
    rps: dict[str, list[float]] = {"on": [], "off": []}
    for round_no in range(args.rounds):
        order = ["on", "off"] if round_no % 2 == 0 else ["off", "on"]
        for name in order:
            result = _wrk(bases[name], args.seconds, script=str(script))
            assert result["errors"] == 0, result
            rps[name].append(result["rps"])
            print(
                f"round {round_no + 1} {name:3}: {result['rps']:8.0f} req/s  "
                f"p50 {result['p50']:.2f} ms  p99 {result['p99']:.2f} ms"
            )
    access_lines = sum(1 for line in (workdir / "on.log").read_text().splitlines() if "flagcore.access" in line)
    scrape = httpx.get(f"{bases['on']}/metrics").text
    counted = sum(
        float(line.rpartition(" ")[2])
        for line in scrape.splitlines()
        if line.startswith('flagcore_http_requests_total{method="POST",route="/flags"')
    )
    on, off = mean(rps["on"]), mean(rps["off"])
    print(f"POST /flags?v=2, 50 flags: on {on:.0f} req/s, off {off:.0f} req/s: on/off = {on / off:.3f}")
    print(f"access lines written by 'on': {access_lines}; /flags requests its metrics counted: {counted:.0f}")
    print(
        f"granian 2 workers per server, wrk -t{THREADS} -c{CONNECTIONS} -d{args.seconds}s, {args.rounds} rounds, "
        f"log format {args.log_format}, loopback"
    )


if __name__ == "__main__":
    main()
