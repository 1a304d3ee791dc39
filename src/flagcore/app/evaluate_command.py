"""``flagcore evaluate``: evaluate a definitions document offline, for one subject or a JSONL file of subjects.

Subjects go through the same ``EvaluationPipeline`` as ``/flags`` (with an in-memory hash-key store: offline, a
run's experience-continuity flags keep the hash keys its ``$anon_distinct_id`` subjects set, and nothing else).

A file of subjects is a bulk job (issue 14 measures it over 500,000 flag results, start-up included), so this module
imports only the engine and the pipeline, reads the file in one go and decodes each line straight into its Struct,
and renders each precompiled result once: the engine hands out the same result object every time a flag takes the
same branch, so its JSON bytes are cached by identity and a subject's line is a join of cached fragments.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, TextIO
from zoneinfo import ZoneInfoNotFoundError

import msgspec

from flagcore.app.evaluation.pipeline import EvaluationPipeline, EvaluationRequest
from flagcore.app.evaluation.record_cache import RecordCache
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
    try:
        snapshot = _load_snapshot(args.definitions, args.timezone)
        now = _parse_now(args.now)
        run = _Run(_offline_pipeline(), snapshot, now, args.flag_keys, sys.stdout)
        if args.subjects is not None:
            asyncio.run(run.file(args.subjects))
        else:
            asyncio.run(run.one(_request(_single_subject_fields(args), "command line")))
    except InputError as exc:
        print(f"flagcore evaluate: {exc}", file=sys.stderr)  # noqa: T201 - CLI output
        return _BAD_INPUT
    return 0


def _offline_pipeline() -> EvaluationPipeline:
    from flagcore.app.ioc_offline import offline_pipeline  # noqa: PLC0415 - only when evaluating

    return offline_pipeline()


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
    return _parsed_request(parsed)


def _parsed_request(parsed: _SubjectFields) -> EvaluationRequest:
    return EvaluationRequest(
        distinct_id=normalize_identifier(parsed.distinct_id) or "",
        person_properties=parsed.person_properties,
        groups=parsed.groups,
        group_properties=parsed.group_properties,
        device_id=parsed.device_id,
    )


_SUBJECT_LINE: Final = msgspec.json.Decoder(_SubjectFields)
_FLUSH_LINES: Final = 1000


def _line_request(line: bytes, path: Path, number: int) -> EvaluationRequest:
    """The request of line ``number`` of a subjects file."""
    try:
        check_document_depth(line, MAX_JSON_DEPTH)
        parsed = _SUBJECT_LINE.decode(line)
    except msgspec.DecodeError:
        # The one-subject path's checks, one step at a time, for its exact error messages.
        where = f"{path}:{number}"
        return _request(_json_object(line.decode(), where), where)
    return _parsed_request(parsed)


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
        self._records = RecordCache(_render)  # each shared result's ``"key":{...}`` encoded once

    async def file(self, path: Path) -> None:
        pending: list[bytes] = []
        for number, line in _lines(path):
            pending.append(await self._line(_line_request(line, path, number)))
            if len(pending) >= _FLUSH_LINES:
                self._write(pending)
        self._write(pending)

    async def one(self, request: EvaluationRequest) -> None:
        self._write([await self._line(request)])

    async def _line(self, request: EvaluationRequest) -> bytes:
        request = msgspec.structs.replace(request, flag_keys=self._flag_keys)
        # Offline there is no project: 0 keys the in-memory hash-key store of this run.
        evaluation = await self._pipeline.evaluate(0, self._snapshot, request, now=self._now)
        results = evaluation.flags
        return b"{" + self._records.members([results[key] for key in sorted(results)]) + b"}\n"

    def _write(self, lines: list[bytes]) -> None:
        if lines:
            self._out.write(b"".join(lines).decode())
            lines.clear()


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        msg = f"cannot read subjects {path}: {exc.strerror or exc}"
        raise InputError(msg) from exc
    try:
        data.decode()
    except UnicodeDecodeError as exc:
        msg = f"subjects {path} are not UTF-8 text"
        raise InputError(msg) from exc
    # Universal newlines, as a text-mode file reads them.
    for number, line in enumerate(data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n"), start=1):
        # A line of whitespace only is skipped, Unicode whitespace included (as str.strip sees it).
        if line.strip() and (line.isascii() or line.decode().strip()):
            yield number, line


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


if __name__ == "__main__":
    # ``python -m flagcore.app.evaluate_command ...``: the command without the ``flagcore`` entry point's imports.
    # The registered module, not this ``__main__`` copy, so that its Structs resolve their annotations.
    from flagcore.app import evaluate_command as _command  # noqa: PLW0406 - see above

    _parser = argparse.ArgumentParser(prog="flagcore")
    _command.add_parser(_parser.add_subparsers(dest="command", required=True))
    _args = _parser.parse_args(["evaluate", *sys.argv[1:]])
    sys.exit(_args.handler(_args))
