"""Cost of quota accounting on ``POST /flags``: two servers, quotas on and off, measured in the same run.

Run from the repository root: ``.venv/bin/python benchmarks/bench_quota.py`` (about a minute; needs ``wrk``).
Both servers serve one SQLite database (a project of 50 flags); the "on" server counts every request and checks the
organization's quota (a limit far above the traffic, so every request takes the full path: the cached check, then
the count), the other runs with ``FLAGCORE_QUOTAS_ENABLED=false``. Usage is flushed to the counter store every
second (the database here; ``--redis URL`` to count in Redis). Rounds alternate the order, so drift of the machine
hits both alike. The usage the "on" server counted is read back at the end, as a check that it really counted.

``--in-process`` instead times what quotas add to one ``/flags`` request inside the process (the cached check and
the count, ``ServingQuota.flags_request``), against the same call with quotas off: a figure the machine's load
hardly moves, unlike the HTTP ratio.

Only loopback is targeted, every run is bounded in time, and the servers are stopped at the end.
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
import time
from pathlib import Path
from statistics import mean

import httpx
from bench_http import CONNECTIONS, FLAG_COUNT, FLAGS_LUA, THREADS, _cli, _flags, _free_port, _wrk, wait_healthy


def in_process(calls: int = 200_000) -> None:
    """Microseconds ``ServingQuota.flags_request`` takes with quotas on and off (memory stores, no I/O)."""
    import asyncio  # noqa: PLC0415
    from datetime import UTC, datetime  # noqa: PLC0415

    from flagcore.adapters.memory import SystemClock  # noqa: PLC0415
    from flagcore.adapters.memory.quota import MemoryQuotaLimitRepo, MemoryUsageCounters  # noqa: PLC0415
    from flagcore.adapters.memory.quota_rate_limiter import MemoryRateLimiter  # noqa: PLC0415
    from flagcore.app.quota.accounting import UsageAccounting  # noqa: PLC0415
    from flagcore.app.quota.gate import QuotaGate  # noqa: PLC0415
    from flagcore.app.quota.serving import ServingQuota  # noqa: PLC0415
    from flagcore.app.quota.throttles import ThrottleRates, Throttles  # noqa: PLC0415
    from flagcore.domain.identity import Project  # noqa: PLC0415

    async def run() -> None:
        counters, clock = MemoryUsageCounters(), SystemClock()
        accounting = UsageAccounting(counters, clock, flush_s=1.0)
        gate = QuotaGate(MemoryQuotaLimitRepo(), counters, accounting, clock, check_s=30)
        throttles = Throttles(MemoryRateLimiter(), ThrottleRates())
        project = Project(id=1, organization_id="org", name="p", api_token="phc_x", created_at=datetime.now(UTC))  # noqa: S106 - a public test token
        for enabled in (True, False, True, False):
            quota = ServingQuota(gate, accounting, throttles, enabled=enabled)
            start = time.perf_counter()
            for _ in range(calls):
                await quota.flags_request(project)
            per_call = (time.perf_counter() - start) / calls * 1e6
            print(f"ServingQuota.flags_request, quotas {'on ' if enabled else 'off'}: {per_call:.2f} µs")
        await accounting.close()

    asyncio.run(run())


def _serve(env: dict[str, str], workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "flagcore", "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return process, f"http://127.0.0.1:{port}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8, help="measured seconds per round and server (default 8)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per server (default 3)")
    parser.add_argument("--workers", type=int, default=1, help="granian workers per server (default 1)")
    parser.add_argument("--redis", help="count usage in this Redis (redis://127.0.0.1:6379/0) instead of the db")
    parser.add_argument("--in-process", action="store_true", help="time the per-request quota work in process")
    args = parser.parse_args()
    if args.in_process:
        in_process()
        return
    if shutil.which("wrk") is None:
        sys.exit("wrk is required: apt-get install wrk")
    workdir = Path(tempfile.mkdtemp(prefix="flagcore-bench-quota-"))
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("FLAGCORE_", "PROMETHEUS_"))}
    base_env |= {
        "FLAGCORE_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'bench.db'}",
        "FLAGCORE_LOG_LEVEL": "warning",
        "FLAGCORE_ACCESS_LOG": "false",
    }
    if args.redis:
        base_env |= {"FLAGCORE_REDIS_URL": args.redis, "FLAGCORE_REDIS_PREFIX": f"flagcore-bench-{os.getpid()}:"}
    _cli(base_env, "migrate")
    creds = json.loads(_cli(base_env, "init", "--json"))
    _cli(base_env, "quota", "set", creds["organization_id"], "--limit", str(10**12))
    servers = {
        "on": _serve(base_env | {"FLAGCORE_QUOTAS_ENABLED": "true"}, args.workers),
        "off": _serve(base_env | {"FLAGCORE_QUOTAS_ENABLED": "false"}, args.workers),
    }
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
        _wrk(base, 2, script=str(script))  # warm both servers
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
    time.sleep(1.5)  # one flush interval and some
    quota = httpx.get(f"{bases['on']}/api/organizations/{creds['organization_id']}/quota/", headers=auth).json()
    counted = quota["feature_flag_requests"]["todays_usage"]
    on, off = mean(rps["on"]), mean(rps["off"])
    print(f"POST /flags?v=2, 50 flags: quotas on {on:.0f} req/s, off {off:.0f} req/s: on/off = {on / off:.3f}")
    print(f"usage the 'on' server counted (read back through the quota API): {counted}")
    print(
        f"granian {args.workers} worker(s) per server, wrk -t{THREADS} -c{CONNECTIONS} -d{args.seconds}s, "
        f"{args.rounds} rounds, counter store {'redis' if args.redis else 'db (SQLite)'}, loopback"
    )


if __name__ == "__main__":
    main()
