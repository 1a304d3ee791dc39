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
import asyncio
import json
import shutil
import sys
import tempfile
from pathlib import Path
from statistics import mean

import httpx
from bench_http import CONNECTIONS, THREADS, _cli
from on_off import aa_envs, bench_env, measure_on_off, on_off_servers, seed_flags


def in_process(*, aa: bool = False) -> None:
    """CPU µs per ``POST /flags?v=2`` with the access log and metrics on and off, in this process."""
    import asyncio  # noqa: PLC0415
    import os  # noqa: PLC0415

    import msgspec  # noqa: PLC0415
    from in_process import compare, prepare, running, seed  # noqa: PLC0415

    metrics_dir = tempfile.mkdtemp(prefix="flagcore-bench-metrics-")
    creds = prepare({"PROMETHEUS_MULTIPROC_DIR": metrics_dir})  # before prometheus-client is imported
    log = Path(metrics_dir) / "access.log"
    with log.open("w") as stream:
        os.dup2(stream.fileno(), 2)  # the writer thread writes to stderr, as under flagcore serve
    from flagcore.app.main import create_app  # noqa: PLC0415
    from flagcore.app.observability.logs import log_writer  # noqa: PLC0415
    from flagcore.app.settings import load_settings  # noqa: PLC0415

    base = load_settings()
    writer = log_writer(base.log_format)

    async def between() -> None:
        await asyncio.sleep(0)  # let the metrics publisher run when due
        writer.flush()  # the writer thread's formatting and write counted in the round that queued them

    async def run() -> None:
        async with running(create_app(settings=base)) as seeder:
            await seed(seeder, creds)
        on = create_app(settings=msgspec.structs.replace(base, access_log=not aa, metrics=not aa))
        off = create_app(settings=msgspec.structs.replace(base, access_log=False, metrics=False))
        async with running(on), running(off):
            best = await compare({"on": on, "off": off}, creds, between=between)
        print(
            f"in process, POST /flags?v=2, 50 flags: on {best['on']:.1f} µs, off {best['off']:.1f} µs CPU per "
            f"request: +{best['on'] - best['off']:.1f} µs, off/on = {best['off'] / best['on']:.3f}"
        )

    asyncio.run(run())
    lines = sum(1 for line in log.read_text().splitlines() if "flagcore.access" in line)
    print(f"access lines written: {lines}", file=sys.stdout)
    shutil.rmtree(metrics_dir, ignore_errors=True)


CONFIGS = {
    "on": (True, True),
    "off": (False, False),
    "off again": (False, False),
    "log only": (True, False),
    "metrics only": (False, True),
}


def instructions(requests: int) -> None:
    """Instructions per ``POST /flags?v=2`` under callgrind, one process per configuration (load-independent)."""
    import os  # noqa: PLC0415

    import instructions as callgrind  # noqa: PLC0415

    reason = callgrind.available()
    if reason:
        sys.exit(reason)
    from in_process import prepare_seeded  # noqa: PLC0415

    creds = prepare_seeded()
    counts: dict[str, float] = {}
    for name in CONFIGS:
        metrics_dir = tempfile.mkdtemp(prefix="flagcore-bench-metrics-")
        env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"} | {
            "PYTHONHASHSEED": "0",
            "BENCH_LOG_DIR": metrics_dir,
            "BENCH_FLAGCORE_CREDS": json.dumps(creds),
        }
        argv = [__file__, "--instructions-child", name, "--requests", str(requests)]
        counts[name] = callgrind.count(argv, env) / requests
        shutil.rmtree(metrics_dir, ignore_errors=True)
        print(f"{name:10s} {counts[name]:12,.0f} instructions per request", flush=True)
    off = counts["off"]
    print(f"A/A (off again / off) = {counts['off again'] / off:.4f}")
    print(f"on / off = {counts['on'] / off:.4f}  (+{counts['on'] - off:,.0f} instructions per request)")
    print(f"log only / off = {counts['log only'] / off:.4f}")
    print(f"metrics only / off = {counts['metrics only'] / off:.4f}")
    print(f"POST /flags?v=2, 50 flags, {requests} requests per configuration, in process under callgrind")


def instructions_child(name: str, requests: int) -> None:
    """One configuration of ``instructions``: warm up, then count ``requests`` requests (and the log's writing)."""
    import os  # noqa: PLC0415
    import random  # noqa: PLC0415

    import instructions as callgrind  # noqa: PLC0415
    import msgspec  # noqa: PLC0415
    from in_process import QUIET, _body, _call, running  # noqa: PLC0415  # noqa: PLC0415

    log = Path(os.environ["BENCH_LOG_DIR"]) / "access.log"
    with log.open("w") as stream:
        os.dup2(stream.fileno(), 2)  # the writer thread writes to stderr, as under flagcore serve
    from flagcore.app.main import create_app  # noqa: PLC0415
    from flagcore.app.observability.logs import log_writer  # noqa: PLC0415
    from flagcore.app.settings import load_settings  # noqa: PLC0415

    creds = json.loads(os.environ["BENCH_FLAGCORE_CREDS"])
    base = load_settings()
    writer = log_writer(base.log_format)
    access_log, metrics = CONFIGS[name]
    app = create_app(settings=msgspec.structs.replace(base, access_log=access_log, metrics=metrics, **QUIET))
    rng = random.Random(1)
    bodies = [_body(rng, creds["project_api_key"]) for _ in range(requests)]

    async def run() -> None:
        async with running(app):
            for _ in range(2):  # warm-up: caches, snapshot, lazily built objects
                for body in bodies:
                    assert await _call(app, "POST", "/flags/", b"v=2", body) == 200
            await asyncio.sleep(0)
            writer.flush()
            callgrind.start()
            for body in bodies:
                await _call(app, "POST", "/flags/", b"v=2", body)
            await asyncio.sleep(0)
            writer.flush()  # the writer thread's formatting and write of these requests' lines
            callgrind.stop()

    asyncio.run(run())
    lines = sum(1 for line in log.read_text().splitlines() if "flagcore.access" in line)
    expected = 3 * requests if access_log else 0
    if lines != expected:
        sys.exit(f"{name}: {lines} access lines written, expected {expected}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8, help="measured seconds per round and server (default 8)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per server (default 3)")
    parser.add_argument("--log-format", choices=["text", "json"], default="text")
    parser.add_argument("--in-process", action="store_true", help="CPU per request in process, on and off")
    parser.add_argument("--aa", action="store_true", help="both servers 'off' (A/A: the harness's own bias)")
    parser.add_argument("--instructions", action="store_true", help="instructions per request under callgrind")
    parser.add_argument("--instructions-child", choices=sorted(CONFIGS), help=argparse.SUPPRESS)
    parser.add_argument("--requests", type=int, default=300, help="requests counted per configuration (callgrind)")
    args = parser.parse_args()
    if args.instructions_child:
        instructions_child(args.instructions_child, args.requests)
        return
    if args.instructions:
        instructions(args.requests)
        return
    if args.in_process:
        in_process(aa=args.aa)
        return
    if shutil.which("wrk") is None:
        sys.exit("wrk is required: apt-get install wrk")
    workdir = Path(tempfile.mkdtemp(prefix="flagcore-bench-obs-"))
    base_env = bench_env(workdir)
    _cli(base_env, "migrate")
    creds = json.loads(_cli(base_env, "init", "--json"))
    envs = {
        "on": base_env
        | {"FLAGCORE_ACCESS_LOG": "true", "FLAGCORE_METRICS": "true", "FLAGCORE_LOG_FORMAT": args.log_format},
        "off": base_env | {"FLAGCORE_ACCESS_LOG": "false", "FLAGCORE_METRICS": "false"},
    }
    envs = aa_envs(envs, aa=args.aa)
    seed_flags(base_env, creds)
    try:
        with on_off_servers(envs, workers=2, logdir=workdir) as bases:
            rps = measure_on_off(bases, creds, workdir, rounds=args.rounds, seconds=args.seconds)
            scrape = httpx.get(f"{bases['on']}/metrics").text
        access_lines = sum(1 for line in (workdir / "on.log").read_text().splitlines() if "flagcore.access" in line)
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
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
