"""HTTP benchmark: flagcore's hot paths as a ratio to a hello-world route of the same server, in the same run.

Run from the repository root: ``.venv/bin/python benchmarks/bench_http.py`` (about 1-2 minutes; needs ``wrk``, from
Debian's package of that name). It starts ``flagcore serve`` with granian and 2 workers on a loopback port over a fresh
SQLite database, creates a project of 50 flags through the management API, then drives with wrk (2 threads, 32
connections; wrk shares the two cores with the server, as the stack notes measured):

- ``GET /_health``: the baseline, a route that does nothing but answer (measured before and after the others);
- ``POST /flags?v=2``: random subjects (distinct id, email, plan, country, app version) through Lua;
- the same requests with ``"disable_flags": true``: everything a POST costs in this stack (wrk's Lua request
  function, the server receiving the body, routing, decoding, the token check, a small JSON answer) but the
  evaluation itself, so the floor the ``/flags`` ratio is bounded by;
- ``GET /flags/definitions`` with a matching ``If-None-Match``: the 304 path of the definitions feed;
- ``GET /flags/definitions`` without it: the 200 path, plain and with ``Accept-Encoding: gzip`` (the kept bytes);
- ``bare_asgi.py`` on the same server with the same settings: ``GET`` and ``POST`` with the ``/flags`` bodies (the
  body read in full, a tiny answer): the server's own floor, which ``/flags`` is also reported against;
- with ``--paced``: ``/flags`` again at 70% of the rate it just reached (wrk's ``delay()`` per connection), for the
  p99 latency below saturation.

``--server uvicorn`` runs both apps on uvicorn instead (httptools, uvloop, same worker count; ``pip install --group
bench``), to compare the servers in one run each.

Only loopback is targeted, every run is bounded in time, and the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

FLAG_COUNT = 50
THREADS = 2
CONNECTIONS = 32

FLAGS_LUA = """
math.randomseed(42)
local plans = {"free", "pro", "enterprise"}
local countries = {"US", "DE", "FR", "GB", "JP"}
request = function()
  local id = math.random(1, 1000000)
  local body = string.format(
    '{"api_key":"%s","distinct_id":"user-%d","person_properties":{"email":"user%d@%s","plan":"%s",' ..
    '"country":"%s","app_version":"1.%d.%d","age":%d}' .. EXTRA .. '}',
    TOKEN, id, id, (id % 3 == 0) and "example.com" or "corp.io", plans[math.random(1, 3)],
    countries[math.random(1, 5)], math.random(0, 9), math.random(0, 20), math.random(18, 80))
  return wrk.format("POST", "/flags/?v=2", {["Content-Type"] = "application/json"}, body)
end
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cli(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "flagcore", *args], env=env, capture_output=True, text=True, check=True, timeout=120
    )
    return result.stdout


def _flags(rng: random.Random) -> list[dict[str, Any]]:
    """50 flags mixing rollouts, variants, payloads and property operators a real project uses."""
    operators = [
        {"key": "email", "operator": "icontains", "value": "example.com", "type": "person"},
        {"key": "plan", "operator": "exact", "value": ["pro", "enterprise"], "type": "person"},
        {"key": "country", "operator": "is_not", "value": "JP", "type": "person"},
        {"key": "age", "operator": "gt", "value": "30", "type": "person"},
        {"key": "app_version", "operator": "semver_gte", "value": "1.4.0", "type": "person"},
        {"key": "email", "operator": "regex", "value": "^user[0-9]+@", "type": "person"},
    ]
    flags = []
    for index in range(FLAG_COUNT):
        props = rng.sample(operators, k=rng.randint(0, 2))
        groups = [{"properties": props, "rollout_percentage": rng.choice([10, 50, 100])}, {"rollout_percentage": 5}]
        filters: dict[str, Any] = {"groups": groups}
        if index % 3 == 0:
            filters["multivariate"] = {
                "variants": [{"key": "control", "rollout_percentage": 50}, {"key": "test", "rollout_percentage": 50}]
            }
            filters["payloads"] = {"test": '{"color": "blue"}'}
        else:
            filters["payloads"] = {"true": '{"enabled": true}'}
        flags.append({"key": f"flag-{index:02d}", "filters": filters})
    return flags


PACED_LUA = """
-- Appended to a request script: each connection waits DELAY_MS after each response before its next request.
delay = function()
  return DELAY_MS
end
"""


def _wrk(
    url: str, seconds: int, *, script: str | None = None, headers: dict[str, str] | None = None
) -> dict[str, float]:
    cmd = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    if script:
        cmd += ["-s", script]
    output = subprocess.run([*cmd, url], capture_output=True, text=True, check=True, timeout=seconds + 60).stdout  # noqa: S603
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": rps,
        "p50": _latency(output, "50%"),
        "p99": _latency(output, "99%"),
        "errors": float(non_2xx.group(1)) if non_2xx else 0.0,
    }


def _latency(output: str, pct: str) -> float:
    match = re.search(rf"^\s+{re.escape(pct)}\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    if match is None:
        return float("nan")
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="measured seconds per scenario (default 10)")
    parser.add_argument("--server", choices=["granian", "uvicorn"], default="granian", help="the ASGI server")
    parser.add_argument("--workers", type=int, default=2, help="worker processes of each server (default 2)")
    parser.add_argument("--paced", action="store_true", help="also /flags at 70%% of its maximum rate (p99)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is required: apt-get install wrk")
    workdir = Path(tempfile.mkdtemp(prefix="flagcore-bench-"))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("FLAGCORE_", "PROMETHEUS_"))},
        "FLAGCORE_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'bench.db'}",
        "FLAGCORE_LOG_LEVEL": "warning",
        # The feed is throttled at 600/minute per project by default: a throughput benchmark would measure 429s.
        "FLAGCORE_RATE_LIMITS_ENABLED": "false",
    }
    _cli(env, "migrate")
    creds = json.loads(_cli(env, "init", "--json"))
    port, bare_port = _free_port(), _free_port()
    servers = [
        _start(args.server, "flagcore", port, args.workers, env, workdir),
        _start(args.server, "bare", bare_port, args.workers, env, workdir),
    ]
    try:
        wait_healthy(f"http://127.0.0.1:{bare_port}")
        _run(f"http://127.0.0.1:{port}", f"http://127.0.0.1:{bare_port}", creds, workdir, args)
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=15)
        shutil.rmtree(workdir, ignore_errors=True)


def _start(
    server: str, app: str, port: int, workers: int, env: dict[str, str], workdir: Path
) -> subprocess.Popen[bytes]:
    """flagcore (``app == "flagcore"``) or the bare app on ``server``, with the settings flagcore is served with."""
    here = str(Path(__file__).resolve().parent)
    if server == "granian":
        if app == "flagcore":  # exactly what operators run
            cmd = ["-m", "flagcore", "serve", "--port", str(port), "--workers", str(workers)]
        else:  # the Granian(...) settings of `flagcore serve`, as command-line options
            cmd = ["-m", "granian", "--interface", "asgi", "--loop", "auto", "--workers", str(workers)]
            cmd += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "bare_asgi:app"]
    else:
        target = ["--factory", "flagcore.app.main:app_factory"] if app == "flagcore" else ["bare_asgi:app"]
        cmd = ["-m", "uvicorn", *target, "--app-dir", here, "--host", "127.0.0.1", "--port", str(port)]
        cmd += ["--workers", str(workers), "--loop", "uvloop", "--http", "httptools", "--no-access-log"]
        cmd += ["--log-level", "warning"]
        if app == "flagcore" and workers > 1:  # what `flagcore serve` sets up for several workers
            metrics = workdir / "metrics"
            metrics.mkdir(exist_ok=True)
            env = env | {"PROMETHEUS_MULTIPROC_DIR": str(metrics)}
    return subprocess.Popen(  # noqa: S603 - fixed arguments
        [sys.executable, *cmd], env=env, cwd=here, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def wait_healthy(base: str) -> None:
    """Wait (90 s at most: servers start slowly on a loaded 2-core machine) until ``base`` answers ``/_health``."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/_health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    sys.exit("flagcore serve did not become healthy")


def print_table(rows: dict[str, dict[str, float]], *, setup: str, floor: str | None = None) -> None:
    """The scenarios as a table of req/s and ratios to the mean of the two hello-world runs (and to ``floor``)."""
    baseline = (rows["hello world (GET /_health)"]["rps"] + rows["hello world again"]["rps"]) / 2
    second = rows[floor]["rps"] if floor else None
    extra = f" {'/floor':>6}" if second else ""
    print(f"{'scenario':34} {'req/s':>9} {'ratio':>6}{extra} {'p50 ms':>7} {'p99 ms':>7} {'non-2xx/3xx':>11}")
    for name, row in rows.items():
        to_floor = f" {row['rps'] / second:6.2f}" if second else ""
        print(
            f"{name:34} {row['rps']:9.0f} {row['rps'] / baseline:6.2f}{to_floor} {row['p50']:7.2f} "
            f"{row['p99']:7.2f} {row['errors']:11.0f}"
        )
    print(f"baseline = mean of the two hello-world runs: {baseline:.0f} req/s; {setup}")
    if floor:
        print(f"/floor = ratio to {floor!r}")


def _run(base: str, bare: str, creds: dict[str, Any], workdir: Path, args: argparse.Namespace) -> None:
    seconds = args.seconds
    wait_healthy(base)
    auth = {"Authorization": f"Bearer {creds['personal_api_key']}"}
    with httpx.Client(base_url=base, headers=auth, timeout=10) as client:
        for flag in _flags(random.Random(7)):
            client.post("/api/projects/@current/feature_flags/", json=flag).raise_for_status()
        feed = client.get(f"/flags/definitions?token={creds['project_api_key']}&send_cohorts")
        feed.raise_for_status()
        etag = feed.headers["etag"]
        check = client.post("/flags/?v=2", json={"api_key": creds["project_api_key"], "distinct_id": "probe"})
        check.raise_for_status()
        assert len(check.json()["flags"]) == FLAG_COUNT
    script = workdir / "flags.lua"
    script.write_text(f'TOKEN = "{creds["project_api_key"]}"\nEXTRA = ""\n' + FLAGS_LUA)
    floor_script = workdir / "floor.lua"
    floor_script.write_text(f'TOKEN = "{creds["project_api_key"]}"\nEXTRA = \',"disable_flags":true\'\n' + FLAGS_LUA)
    secret = {"Authorization": f"Bearer {creds['project_secret_api_key']}"}
    feed_url = f"{base}/flags/definitions?token={creds['project_api_key']}&send_cohorts"
    _wrk(f"{base}/_health", 2)  # warm both workers of both servers
    _wrk(f"{bare}/", 2)
    scenarios = {
        "hello world (GET /_health)": _wrk(f"{base}/_health", seconds),
        "bare ASGI GET": _wrk(f"{bare}/", seconds),
        "bare ASGI POST (the /flags bodies)": _wrk(bare, seconds, script=str(script)),
        "POST /flags?v=2 (50 flags)": _wrk(base, seconds, script=str(script)),
        "POST /flags, disable_flags": _wrk(base, seconds, script=str(floor_script)),
        "definitions feed, 304": _wrk(feed_url, seconds, headers={**secret, "If-None-Match": etag}),
        "definitions feed, 200": _wrk(feed_url, seconds, headers=secret),
        "definitions feed, 200, gzip": _wrk(feed_url, seconds, headers={**secret, "Accept-Encoding": "gzip"}),
    }
    if args.paced:
        scenarios["POST /flags at 70% of max"] = _paced(base, seconds, script, scenarios["POST /flags?v=2 (50 flags)"])
    scenarios["hello world again"] = _wrk(f"{base}/_health", seconds)
    print_table(
        scenarios,
        setup=f"{args.server} {args.workers} workers, wrk -t{THREADS} -c{CONNECTIONS} -d{seconds}s, loopback",
        floor="bare ASGI POST (the /flags bodies)",
    )


def _paced(base: str, seconds: int, script: Path, saturated: dict[str, float]) -> dict[str, float]:
    """``/flags`` at about 70% of the ``saturated`` rate: each connection pauses between requests (wrk ``delay``).

    A connection's cycle is its latency plus the pause, so the pause is set from the target and the measured
    latency, then corrected once from the rate reached. wrk measures latency from the moment it sends, so a request
    held back by the pause is not counted as waiting (closed loop; a queueing server would look better than it is
    only if it were saturated, which at 70% it is not: the rate reached is printed beside the target).
    """
    target = 0.7 * saturated["rps"]
    cycle_ms = 1000 * CONNECTIONS / target
    delay = max(0.0, cycle_ms - saturated["p50"] / 2)
    paced = script.with_name("paced.lua")
    result: dict[str, float] = {}
    for _ in range(2):
        paced.write_text(script.read_text() + f"DELAY_MS = {delay:.3f}\n" + PACED_LUA)
        result = _wrk(base, seconds, script=str(paced))
        delay = max(0.0, delay + 1000 * CONNECTIONS / target - 1000 * CONNECTIONS / result["rps"])
    print(f"paced: target {target:.0f} req/s (70% of {saturated['rps']:.0f}), reached {result['rps']:.0f}")
    return result


if __name__ == "__main__":
    main()
