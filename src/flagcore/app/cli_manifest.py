"""``flagcore manifest pull|push|diff``: the OpenFeature CLI's ``flags.json`` against a running flagcore server.

The file is the OpenFeature CLI's manifest (``{"$schema", "flags": {key: {flagType, defaultValue, description}}}``),
validated with ``jsonschema`` against the rules of its v0 schema. ``push`` sends the whole manifest to
``/openfeature/v0/manifest/sync``, which applies it in one transaction (``--dry-run`` only reports); ``diff`` is a
dry run printed as the OpenFeature CLI's ``compare`` prints it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:  # imported by the commands that use them: the other commands start without them
    import httpx

SCHEMA_URL: Final = "https://raw.githubusercontent.com/open-feature/cli/refs/heads/main/schema/v0/flag-manifest.json"
_TYPES: Final = {"boolean": "boolean", "string": "string", "integer": "integer", "float": "number"}
MANIFEST_SCHEMA: Final[dict[str, Any]] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["flags"],
    "properties": {
        "flags": {
            "type": "object",
            "propertyNames": {"minLength": 1},
            "additionalProperties": {
                "oneOf": [
                    {
                        "type": "object",
                        "required": ["flagType", "defaultValue"],
                        "properties": {
                            "flagType": {"const": name},
                            "defaultValue": {"type": json_type} if json_type else {},
                            "description": {"type": "string"},
                        },
                    }
                    for name, json_type in (*_TYPES.items(), ("object", None))
                ]
            },
        }
    },
}


class ManifestCommandError(Exception):
    """A failure to report in one line (exit code 1)."""


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    manifest = sub.add_parser("manifest", help="pull, push or diff an OpenFeature manifest against a flagcore server")
    actions = manifest.add_subparsers(dest="manifest_command", required=True)
    for name, help_text in (
        ("pull", "write the server's flags to the manifest file"),
        ("push", "create or update the server's flags from the manifest file (one transaction)"),
        ("diff", "show what a push would change"),
    ):
        action = actions.add_parser(name, help=help_text)
        action.add_argument("--project", help="project id (default: the key owner's current project)")
        action.add_argument("--file", default="flags.json", help="manifest file (default flags.json)")
        action.add_argument("--url", default=os.environ.get("FLAGCORE_URL", "http://127.0.0.1:8000"))
        action.add_argument("--api-key", default=os.environ.get("FLAGCORE_API_KEY"), help="personal API key")
        if name == "push":
            action.add_argument("--dry-run", action="store_true", help="only report what would change")
        action.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import httpx  # noqa: PLC0415 - see the imports

    try:
        with httpx.Client(base_url=args.url, headers=_headers(args.api_key), timeout=30) as http:
            params = {"project_id": args.project} if args.project else {}
            if args.manifest_command == "pull":
                return _pull(http, params, Path(args.file))
            flags = read_manifest(Path(args.file))
            dry_run = args.manifest_command == "diff" or args.dry_run
            return _push(http, params, flags, dry_run=dry_run, as_diff=args.manifest_command == "diff")
    except (ManifestCommandError, httpx.HTTPError) as exc:
        print(f"flagcore manifest: {exc}", file=sys.stderr)
        return 1


def _headers(api_key: str | None) -> dict[str, str]:
    if not api_key:
        raise ManifestCommandError("no API key: pass --api-key or set FLAGCORE_API_KEY")
    return {"Authorization": f"Bearer {api_key}", "Accept": "application/json"}


def read_manifest(path: Path) -> list[dict[str, Any]]:
    """The manifest's flags as sync API bodies.

    Raises:
        ManifestCommandError: unreadable, not JSON, or not a valid manifest.
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ManifestCommandError(f"cannot read {path}: {exc}") from None
    import jsonschema  # noqa: PLC0415 - see the imports

    errors = sorted(jsonschema.Draft7Validator(MANIFEST_SCHEMA).iter_errors(document), key=lambda e: list(e.path))
    if errors:
        where = "/".join(str(p) for p in errors[0].path) or "(root)"
        raise ManifestCommandError(f"{path} is not a valid manifest at {where}: {errors[0].message}")
    return [
        {"key": key, "type": flag["flagType"], "defaultValue": flag["defaultValue"]}
        | ({"description": flag["description"]} if flag.get("description") else {})
        for key, flag in document["flags"].items()
    ]


def manifest_document(flags: list[dict[str, Any]]) -> dict[str, Any]:
    """The file the OpenFeature CLI writes on pull: ``$schema``, and every flag with a description."""
    return {
        "$schema": SCHEMA_URL,
        "flags": {
            f["key"]: {
                "flagType": f["type"],
                "defaultValue": f["defaultValue"],
                "description": f.get("description") or "",
            }
            for f in flags
        },
    }


def _pull(http: httpx.Client, params: dict[str, str], path: Path) -> int:
    flags = _json(http.get("/openfeature/v0/manifest", params=params))["flags"]
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(json.dumps(manifest_document(flags), indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)  # atomic, as the OpenFeature CLI writes it
    print(f"pulled {len(flags)} flag(s) into {path}")
    return 0


def _push(
    http: httpx.Client, params: dict[str, str], flags: list[dict[str, Any]], *, dry_run: bool, as_diff: bool
) -> int:
    print(f"sending {len(flags)} flag(s)...", file=sys.stderr)
    result = _json(http.post("/openfeature/v0/manifest/sync", params=params, json={"flags": flags, "dryRun": dry_run}))
    if as_diff:
        print(compare_text(result["changes"]))
        return 0
    summary = result["summary"]
    verb = "would change" if dry_run else "pushed"
    print(f"{verb}: {summary['created']} created, {summary['updated']} updated, {summary['unchanged']} unchanged")
    return 0


def compare_text(changes: list[dict[str, Any]]) -> str:
    """The changes in the ``compare`` tree style: ``+`` added, ``~`` changed (field by field)."""
    lines: list[str] = []
    for change in changes:
        if change["outcome"] == "created":
            lines.append(
                f"+ {change['key']} ({change['after']['type']}, default {json.dumps(change['after']['defaultValue'])})"
            )
        elif change["outcome"] == "updated":
            lines.append(f"~ {change['key']}")
            for field in ("type", "defaultValue", "description"):
                old, new = change["before"][field], change["after"][field]
                if old != new:
                    lines.append(f"    {field}: {json.dumps(old)} -> {json.dumps(new)}")
    return "\n".join(lines) if lines else "No differences found."


def _json(response: httpx.Response) -> dict[str, Any]:
    if response.status_code >= 400:  # noqa: PLR2004
        try:
            message = response.json()["error"]["message"]
        except (ValueError, KeyError, TypeError):
            message = response.text[:200]
        raise ManifestCommandError(f"server answered {response.status_code}: {message}")
    body: dict[str, Any] = response.json()
    return body
