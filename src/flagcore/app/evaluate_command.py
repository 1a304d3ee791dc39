"""``flagcore evaluate``: evaluate a definitions document offline, for one subject or a JSONL file of subjects."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfoNotFoundError

import msgspec

from flagcore.domain.evaluation import CompiledSnapshot, FlagResult, Subject, compile_snapshot, normalize_identifier
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
    try:
        snapshot = _load_snapshot(args.definitions, args.timezone)
        now = _parse_now(args.now)
        if args.subjects is not None:
            _evaluate_file(snapshot, args.subjects, now, args.flag_keys, sys.stdout)
        else:
            subject = _subject(_single_subject_fields(args), "command line")
            _write(snapshot, subject, now, args.flag_keys, sys.stdout)
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
    distinct_id: str | int | float
    person_properties: dict[str, Any] = msgspec.field(default_factory=dict)
    groups: dict[str, Any] = msgspec.field(default_factory=dict)
    group_properties: dict[str, dict[str, Any]] = msgspec.field(default_factory=dict)
    device_id: str | None = None


def _subject(fields: Mapping[str, Any], where: str) -> Subject:
    try:
        parsed = msgspec.convert(fields, _SubjectFields)
    except msgspec.ValidationError as exc:
        msg = f"{where}: invalid subject: {exc}"
        raise InputError(msg) from exc
    return Subject(
        distinct_id=normalize_identifier(parsed.distinct_id) or "",
        person_properties=parsed.person_properties,
        groups=parsed.groups,
        group_properties=parsed.group_properties,
        device_id=parsed.device_id,
    )


def _evaluate_file(
    snapshot: CompiledSnapshot, path: Path, now: datetime, flag_keys: list[str] | None, out: TextIO
) -> None:
    for number, line in _lines(path):
        where = f"{path}:{number}"
        _write(snapshot, _subject(_json_object(line, where), where), now, flag_keys, out)


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


def _write(
    snapshot: CompiledSnapshot, subject: Subject, now: datetime, flag_keys: list[str] | None, out: TextIO
) -> None:
    results = snapshot.evaluate(subject, now=now, flag_keys=flag_keys)
    document = {key: _render(results[key]) for key in sorted(results)}
    out.write(msgspec.json.encode(document).decode() + "\n")


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
