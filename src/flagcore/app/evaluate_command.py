"""``flagcore evaluate``: evaluate a definitions document offline, for one subject or a JSONL file of subjects.

Subjects go through the same ``EvaluationPipeline`` as ``/flags`` (with an in-memory hash-key store: offline, a
run's experience-continuity flags keep the hash keys its ``$anon_distinct_id`` subjects set, and nothing else).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfoNotFoundError

import msgspec

from flagcore.app.evaluation.pipeline import EvaluationPipeline, EvaluationRequest
from flagcore.domain.evaluation import CompiledSnapshot, FlagResult, compile_snapshot, normalize_identifier
from flagcore.domain.json_limits import MAX_JSON_DEPTH, check_document_depth

__all__ = ("add_parser", "run")

_BAD_INPUT = 2


class InputError(Exception):
    """Bad command-line input, reported on stderr with exit code 2."""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the ``evaluate`` subcommand."""
    parser = subparsers.add_parser(
        "evaluate",
        help="evaluate flag definitions for subjects, offline",
        description="Evaluate a local-evaluation definitions document (flags, group_type_mapping, cohorts) and "
        "print one JSON object of flag results per subject.",
    )
    parser.add_argument("--definitions", required=True, type=Path, help="definitions JSON file")
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--distinct-id", help="evaluate for this distinct id")
    who.add_argument("--subjects", type=Path, help="JSONL file, one subject object per line")
    parser.add_argument("--person-properties", help="person properties, a JSON object")
    parser.add_argument("--groups", help="group type name to group key, a JSON object")
    parser.add_argument("--group-properties", help="group type name to properties, a JSON object")
    parser.add_argument("--device-id", help="device id (for flags bucketing by device)")
    parser.add_argument("--timezone", default="UTC", help="project timezone (IANA name), default UTC")
    parser.add_argument("--now", help="evaluation instant, ISO 8601 (default: the current time)")
    parser.add_argument("--flag-key", action="append", dest="flag_keys", help="evaluate only this flag (repeatable)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run ``flagcore evaluate``; return the process exit code (2 for bad input)."""
    from flagcore.app.ioc import offline_pipeline  # noqa: PLC0415 - the composition root, only when evaluating

    try:
        snapshot = _load_snapshot(args.definitions, args.timezone)
        now = _parse_now(args.now)
        run = _Run(offline_pipeline(), snapshot, now, args.flag_keys, sys.stdout)
        if args.subjects is not None:
            asyncio.run(run.file(args.subjects))
        else:
            asyncio.run(run.one(_request(_single_subject_fields(args), "command line")))
    except InputError as exc:
        print(f"flagcore evaluate: {exc}", file=sys.stderr)  # noqa: T201 - CLI output
        return _BAD_INPUT
    return 0


def _load_snapshot(path: Path, timezone: str) -> CompiledSnapshot:
    try:
        text = path.read_bytes()
    except OSError as exc:
        msg = f"cannot read definitions {path}: {exc.strerror or exc}"
        raise InputError(msg) from exc
    try:
        return compile_snapshot(text, timezone=timezone)
    except msgspec.ValidationError as exc:  # a DecodeError subclass, so it must come first
        msg = f"definitions {path} have the wrong shape: {exc}"
        raise InputError(msg) from exc
    except msgspec.DecodeError as exc:
        msg = f"definitions {path} are not valid JSON: {exc}"
        raise InputError(msg) from exc
    except (ZoneInfoNotFoundError, ValueError) as exc:
        msg = f"unknown timezone {timezone!r}"
        raise InputError(msg) from exc


def _parse_now(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        msg = f"--now is not an ISO 8601 instant: {text!r}"
        raise InputError(msg) from exc
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _single_subject_fields(args: argparse.Namespace) -> dict[str, Any]:
    fields: dict[str, Any] = {"distinct_id": args.distinct_id, "device_id": args.device_id}
    for name in ("person_properties", "groups", "group_properties"):
        raw = getattr(args, name)
        if raw is not None:
            fields[name] = _json_object(raw, f"--{name.replace('_', '-')}")
    return fields


def _json_object(text: str, where: str) -> dict[str, Any]:
    try:
        check_document_depth(text, MAX_JSON_DEPTH)
        value = msgspec.json.decode(text)
    except msgspec.DecodeError as exc:
        msg = f"{where} is not valid JSON: {exc}"
        raise InputError(msg) from exc
    if not isinstance(value, dict):
        msg = f"{where} must be a JSON object"
        raise InputError(msg)
    return value


class _SubjectFields(msgspec.Struct, frozen=True):
    # Also the fields of one line of a ``--subjects`` file.
    distinct_id: str | int | float
    person_properties: dict[str, Any] = msgspec.field(default_factory=dict)
    groups: dict[str, Any] = msgspec.field(default_factory=dict)
    group_properties: dict[str, dict[str, Any]] = msgspec.field(default_factory=dict)
    device_id: str | None = None


def _request(fields: Mapping[str, Any], where: str) -> EvaluationRequest:
    try:
        parsed = msgspec.convert(fields, _SubjectFields)
    except msgspec.ValidationError as exc:
        msg = f"{where}: invalid subject: {exc}"
        raise InputError(msg) from exc
    return EvaluationRequest(
        distinct_id=normalize_identifier(parsed.distinct_id) or "",
        person_properties=parsed.person_properties,
        groups=parsed.groups,
        group_properties=parsed.group_properties,
        device_id=parsed.device_id,
    )


class _Run:
    """One ``flagcore evaluate`` run: a snapshot, an instant, the flags asked for, and where results go."""

    def __init__(
        self,
        pipeline: EvaluationPipeline,
        snapshot: CompiledSnapshot,
        now: datetime,
        flag_keys: list[str] | None,
        out: TextIO,
    ) -> None:
        self._pipeline = pipeline
        self._snapshot = snapshot
        self._now = now
        self._flag_keys = flag_keys
        self._out = out

    async def file(self, path: Path) -> None:
        for number, line in _lines(path):
            where = f"{path}:{number}"
            await self.one(_request(_json_object(line, where), where))

    async def one(self, request: EvaluationRequest) -> None:
        request = msgspec.structs.replace(request, flag_keys=self._flag_keys)
        # Offline there is no project: 0 keys the in-memory hash-key store of this run.
        evaluation = await self._pipeline.evaluate(0, self._snapshot, request, now=self._now)
        results = evaluation.flags
        document = {key: _render(results[key]) for key in sorted(results)}
        self._out.write(msgspec.json.encode(document).decode() + "\n")


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    try:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    yield number, line
    except OSError as exc:
        msg = f"cannot read subjects {path}: {exc.strerror or exc}"
        raise InputError(msg) from exc
    except UnicodeDecodeError as exc:
        msg = f"subjects {path} are not UTF-8 text"
        raise InputError(msg) from exc


def _render(result: FlagResult) -> dict[str, Any]:
    rendered: dict[str, Any] = {
        "enabled": result.enabled,
        "variant": result.variant,
        "payload": result.payload,
        "reason": {
            "code": result.reason,
            "condition_index": result.condition_index,
            "description": result.description,
        },
    }
    if result.failed:
        rendered["failed"] = True
    return rendered
