"""``flagcore conformance``: the black-box conformance kit against a PostHog-compatible server."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    kit = sub.add_parser("conformance", help="check a PostHog-compatible server (black box); non-zero on a failure")
    kit.add_argument("--url", required=True, help="the server's base URL, e.g. http://127.0.0.1:8000")
    kit.add_argument("--project-key", required=True, metavar="phc_...", help="a project API key (public)")
    kit.add_argument("--personal-key", required=True, metavar="phx_...", help="a personal API key of that project")
    kit.add_argument(
        "--secret-key", metavar="phs_...", help="the project's secret key (else the feed uses --personal-key)"
    )
    kit.add_argument("--json", action="store_true", help="print the results as JSON")
    kit.add_argument("--timeout", type=float, default=10.0, help="seconds per request (default 10)")
    kit.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from flagcore.conformance import Target, run_checks  # noqa: PLC0415 - keeps `--help` fast
    from flagcore.conformance.report import as_json, table  # noqa: PLC0415

    target = Target(
        url=args.url,
        project_key=args.project_key,
        personal_key=args.personal_key,
        secret_key=args.secret_key,
        timeout_s=args.timeout,
    )
    results = run_checks(target)
    print(as_json(results) if args.json else table(results))
    return 1 if any(r.status == "failed" for r in results) else 0
