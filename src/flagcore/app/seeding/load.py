"""Reading a seed file (JSON or YAML): a seed document, a definitions feed, or an OpenFeature manifest.

A feed or a manifest on its own is a seed of one organization and one project (fresh keys, printed at start-up).
Every problem is a ``SeedError`` naming the file, the path inside it (``$.organizations[0].projects[1].flags[2]``)
and the reason, so start-up stops with one line the author can act on.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Final, TypeVar

import msgspec

from flagcore.app.seeding.schema import (
    FeedDocument,
    ManifestDocument,
    SeedDocument,
    SeedOrganization,
    SeedProject,
)

#: What ``flagcore seed export`` writes instead of a key (without ``--with-test-keys``).
PLACEHOLDER: Final = "<placeholder>"
DEFAULT_ORGANIZATION: Final = "Default Organization"
DEFAULT_PROJECT: Final = "Default Project"
T = TypeVar("T")
_AT: Final = re.compile(r"^(?P<reason>.*) - at `(?P<path>\$[^`]*)`$", re.DOTALL)


class SeedError(Exception):
    """A seed file that cannot be applied: the file, the path inside it, and why."""

    def __init__(self, file: str, path: str, reason: str) -> None:
        super().__init__(f"seed {file}: {path}: {reason}")
        self.file = file
        self.path = path
        self.reason = reason


def load_seed_file(path: str | Path) -> SeedDocument:
    """The seed in the file at ``path`` (``.yaml``/``.yml`` as YAML, anything else as JSON).

    Raises:
        SeedError: unreadable, not JSON/YAML, or not a seed, a feed or a manifest.
    """
    file = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SeedError(file, "$", f"cannot read the file: {exc.strerror or exc}") from None
    return parse_seed(data, file=file, yaml=file.endswith((".yaml", ".yml")))


def parse_seed(data: bytes | str | dict[str, Any], *, file: str = "<seed>", yaml: bool = False) -> SeedDocument:
    """A seed from bytes (JSON, or YAML when ``yaml``) or from an already parsed mapping.

    Raises:
        SeedError: as ``load_seed_file``.
    """
    raw = data if isinstance(data, dict) else _parse(data, file=file, yaml=yaml)
    if not isinstance(raw, dict):
        raise SeedError(file, "$", f"expected an object at the top, got {type(raw).__name__}")
    placeholder = _find_placeholder(raw, "$")
    if placeholder is not None:
        reason = "a placeholder written by `flagcore seed export`: put a key here, or export with --with-test-keys"
        raise SeedError(file, placeholder, reason)
    if "organizations" in raw:
        return _convert(raw, SeedDocument, file)
    flags = raw.get("flags")
    if isinstance(flags, list):  # the definitions feed
        return _single_project(SeedProject(name=DEFAULT_PROJECT, definitions=_convert(raw, FeedDocument, file)))
    if isinstance(flags, dict):  # the OpenFeature manifest
        return _single_project(SeedProject(name=DEFAULT_PROJECT, openfeature=_convert(raw, ManifestDocument, file)))
    reason = "not a seed: expected `organizations` (a seed), or `flags` as a list (a definitions feed) or an object"
    raise SeedError(file, "$", reason + " (an OpenFeature manifest)")


def _parse(data: bytes | str, *, file: str, yaml: bool) -> Any:  # noqa: ANN401 - any JSON value
    if yaml:
        import yaml as pyyaml  # noqa: PLC0415 - only YAML seeds pay for it

        try:
            return pyyaml.safe_load(data)
        except pyyaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
            raise SeedError(file, "$", f"not valid YAML: {where}{getattr(exc, 'problem', None) or exc}") from None
    try:
        return msgspec.json.decode(data)
    except msgspec.DecodeError as exc:
        raise SeedError(file, "$", f"not valid JSON: {exc}") from None


def _convert(raw: dict[str, Any], kind: type[T], file: str) -> T:
    try:
        return msgspec.convert(raw, kind, strict=True)
    except msgspec.ValidationError as exc:
        match = _AT.match(str(exc))
        if match is None:
            raise SeedError(file, "$", str(exc)) from None
        raise SeedError(file, match["path"], match["reason"]) from None


def _single_project(project: SeedProject) -> SeedDocument:
    return SeedDocument(organizations=[SeedOrganization(name=DEFAULT_ORGANIZATION, projects=[project])])


def _find_placeholder(value: Any, path: str) -> str | None:  # noqa: ANN401 - any JSON value
    if isinstance(value, str):
        return path if PLACEHOLDER in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _find_placeholder(item, f"{path}.{key}")
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _find_placeholder(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None
