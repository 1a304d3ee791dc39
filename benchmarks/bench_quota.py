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
import shutil
import sys
import tempfile
import time
from pathlib import Path
from statistics import mean

import httpx
from bench_http import CONNECTIONS, THREADS, _cli
from on_off import aa_envs, bench_env, measure_on_off, on_off_servers, seed_flags


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


def in_process_app(*, aa: bool = False) -> None:
    """The whole app twice in this process, quotas on and off: CPU µs per ``POST /flags``, and one flush's cost."""
    import asyncio  # noqa: PLC0415

    import msgspec  # noqa: PLC0415
    from in_process import compare, prepare, running, seed  # noqa: PLC0415

    creds = prepare({"FLAGCORE_ACCESS_LOG": "false", "FLAGCORE_METRICS": "false"})
    _cli(dict(os.environ), "quota", "set", creds["organization_id"], "--limit", str(10**12))
    from flagcore.app.main import create_app  # noqa: PLC0415
    from flagcore.app.quota.accounting import UsageAccounting  # noqa: PLC0415
    from flagcore.app.settings import load_settings  # noqa: PLC0415

    base = load_settings()

    async def between() -> None:
        await asyncio.sleep(0)  # let the once-a-second flush run when due (its cost lands in some round)

    async def run() -> None:
        async with running(create_app(settings=base)) as seeder:
            await seed(seeder, creds)
        on = create_app(settings=msgspec.structs.replace(base, quotas_enabled=not aa))
        off = create_app(settings=msgspec.structs.replace(base, quotas_enabled=False))
        async with running(on), running(off):
            best = await compare({"on": on, "off": off}, creds, between=between)
            accounting = await on.state.dishka_container.get(UsageAccounting)
            flushes = []
            for _ in range(20):
                for _ in range(3000):
                    accounting.count(creds["organization_id"], 1)
                start = time.process_time()
                await accounting.flush()
                flushes.append(time.process_time() - start)
        print(
            f"in process, POST /flags?v=2, 50 flags: quotas on {best['on']:.1f} µs, off {best['off']:.1f} µs CPU "
            f"per request: {best['on'] - best['off']:+.1f} µs, off/on = {best['off'] / best['on']:.3f}"
        )
        print(
            f"one usage flush to the database (SQLite, CPU incl. its thread): best {min(flushes) * 1e3:.2f} ms, "
            f"median {sorted(flushes)[len(flushes) // 2] * 1e3:.2f} ms (it runs once a second)"
        )

    asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8, help="measured seconds per round and server (default 8)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per server (default 3)")
    parser.add_argument("--workers", type=int, default=1, help="granian workers per server (default 1)")
    parser.add_argument("--redis", help="count usage in this Redis (redis://127.0.0.1:6379/0) instead of the db")
    parser.add_argument("--in-process", action="store_true", help="time the per-request quota work in process")
    parser.add_argument("--aa", action="store_true", help="both servers 'off' (A/A: the harness's own bias)")
    args = parser.parse_args()
    if args.in_process:
        in_process()
        in_process_app(aa=args.aa)
        return
    if shutil.which("wrk") is None:
        sys.exit("wrk is required: apt-get install wrk")
    workdir = Path(tempfile.mkdtemp(prefix="flagcore-bench-quota-"))
    base_env = bench_env(workdir) | {"FLAGCORE_ACCESS_LOG": "false"}
    if args.redis:
        base_env |= {"FLAGCORE_REDIS_URL": args.redis, "FLAGCORE_REDIS_PREFIX": f"flagcore-bench-{os.getpid()}:"}
    _cli(base_env, "migrate")
    creds = json.loads(_cli(base_env, "init", "--json"))
    _cli(base_env, "quota", "set", creds["organization_id"], "--limit", str(10**12))
    envs = {
        "on": base_env | {"FLAGCORE_QUOTAS_ENABLED": "true"},
        "off": base_env | {"FLAGCORE_QUOTAS_ENABLED": "false"},
    }
    envs = aa_envs(envs, aa=args.aa)
    seed_flags(base_env, creds)
    try:
        with on_off_servers(envs, workers=args.workers) as bases:
            rps = measure_on_off(bases, creds, workdir, rounds=args.rounds, seconds=args.seconds)
            time.sleep(1.5)  # one flush interval and some
            auth = {"Authorization": f"Bearer {creds['personal_api_key']}"}
            url = f"{bases['on']}/api/organizations/{creds['organization_id']}/quota/"
            counted = httpx.get(url, headers=auth).json()["feature_flag_requests"]["todays_usage"]
        on, off = mean(rps["on"]), mean(rps["off"])
        print(f"POST /flags?v=2, 50 flags: quotas on {on:.0f} req/s, off {off:.0f} req/s: on/off = {on / off:.3f}")
        print(f"usage the 'on' server counted (read back through the quota API): {counted}")
        print(
            f"granian {args.workers} worker(s) per server, wrk -t{THREADS} -c{CONNECTIONS} -d{args.seconds}s, "
            f"{args.rounds} rounds, counter store {'redis' if args.redis else 'db (SQLite)'}, loopback"
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
