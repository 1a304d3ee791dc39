"""Semantic versions as the server reads them (Rust ``semver`` crate after PostHog's normalisation).

Normalisation (both property and filter): strip one leading lowercase ``v``, trim whitespace, then in the numeric
core (before the first ``-`` or ``+``) strip leading zeros from all-digit components and pad to three components
(``"3.08"`` -> ``3.8.0``). Parsing is then strict semver: pre-release identifiers may not have leading zeros, and
a pre-release sorts before its release. Like the crate, build metadata is part of equality and ordering as a
final tie-breaker (``1.0.0+b`` > ``1.0.0``) but is ignored by range requirements (tilde, caret, wildcard).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from flagcore.domain.evaluation.matching.values import JsonValue, to_text

__all__ = ("Version", "compile_requirement", "parse_version")

_U64_MAX = 2**64 - 1
_NUMERIC = re.compile(r"0|[1-9][0-9]*", re.ASCII)
_IDENT = re.compile(r"[0-9A-Za-z-]+", re.ASCII)
_CORE = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)", re.ASCII)

Identifier = tuple[int, int | str]
_RELEASE: tuple[int, tuple[Identifier, ...]] = (1, ())


class Version(NamedTuple):
    """A parsed version; tuple order equals the crate's ``Ord`` (a pre-release key of ``(1, ())`` = release)."""

    major: int
    minor: int
    patch: int
    pre_key: tuple[int, tuple[Identifier, ...]]
    build_key: tuple[tuple[int | str, ...], ...]

    @property
    def has_pre(self) -> bool:
        return self.pre_key[0] == 0


def normalize(text: str) -> str:
    """Strip one leading ``v`` then surrounding whitespace (in that order, as the server does)."""
    return text.removeprefix("v").strip()


def canonicalize(text: str) -> str:
    """Strip leading zeros from numeric core components and pad the core to three components."""
    cut = len(text)
    for separator in "-+":
        index = text.find(separator, 0, cut)
        if index >= 0:
            cut = index
    parts = text[:cut].split(".")
    if any(len(part) > 1 and part[0] == "0" for part in parts):
        parts = [_strip_zeros(part) for part in parts]
    if len(parts) < 3:  # noqa: PLR2004
        parts += ["0"] * (3 - len(parts))
    return ".".join(parts) + text[cut:]


def _strip_zeros(part: str) -> str:
    if not part or not part.isascii() or not part.isdigit():
        return part
    return part.lstrip("0") or "0"


def parse_version(value: JsonValue) -> Version | None:
    """Parse a property or filter value (any JSON value, through its text) as a version."""
    return _parse_text(value if value.__class__ is str else to_text(value))


# Subjects share few distinct versions (app releases), so parsed versions are memoised by their text.
@lru_cache(maxsize=4096)
def _parse_text(text: str) -> Version | None:
    return parse_strict(canonicalize(normalize(text)))


def parse_strict(text: str) -> Version | None:
    """Strict ``MAJOR.MINOR.PATCH[-pre][+build]`` parsing, as ``semver::Version::parse``."""
    head, plus, build = text.partition("+")
    core, dash, pre = head.partition("-")
    match = _CORE.fullmatch(core)
    if match is None:
        return None
    major, minor, patch = int(match[1]), int(match[2]), int(match[3])
    if max(major, minor, patch) > _U64_MAX:
        return None
    if not dash and not plus:
        return Version(major, minor, patch, _RELEASE, ())
    pre_ids = _pre_identifiers(pre) if dash else ()
    build_key = _build_key(build) if plus else ()
    if pre_ids is None or build_key is None:
        return None
    return Version(major, minor, patch, (0, pre_ids) if dash else _RELEASE, build_key)


def _pre_identifiers(pre: str) -> tuple[Identifier, ...] | None:
    ids: list[Identifier] = []
    for part in pre.split("."):
        if _IDENT.fullmatch(part) is None:
            return None
        if part.isdigit():
            if _NUMERIC.fullmatch(part) is None:
                return None  # leading zero in a numeric pre-release identifier
            ids.append((0, int(part)))
        else:
            ids.append((1, part))
    return tuple(ids)


def _build_key(build: str) -> tuple[tuple[int | str, ...], ...] | None:
    keys: list[tuple[int | str, ...]] = []
    for part in build.split("."):
        if _IDENT.fullmatch(part) is None:
            return None
        if part.isdigit():
            # The crate orders numeric build identifiers by value, then by written length (0 < 00 < 1 < 01).
            trimmed = part.lstrip("0")
            keys.append((0, len(trimmed), trimmed, len(part)))
        else:
            keys.append((1, part))
    return tuple(keys)


@dataclass(frozen=True, slots=True)
class _Comparator:
    op: str  # "~", "^" or "=" (wildcard / exact-prefix)
    major: int
    minor: int | None
    patch: int | None
    pre_key: tuple[int, tuple[Identifier, ...]]


def compile_requirement(operator: str, filter_value: JsonValue) -> Callable[[Version], bool] | None:
    """Compile a ``semver_tilde``/``semver_caret``/``semver_wildcard`` filter; None if it does not parse."""
    text = normalize(to_text(filter_value))
    if operator == "semver_wildcard":
        text = ".".join(_strip_zeros(part) for part in text.split(".")).replace("*", "x")
        comparator = _parse_comparator(text, default_op="^")
    else:
        comparator = _parse_comparator(canonicalize(text), default_op="~" if operator == "semver_tilde" else "^")
    if comparator is None:
        return None
    if comparator.op == "*":
        return lambda version: not version.has_pre
    return lambda version: _matches(comparator, version)


def _parse_comparator(text: str, *, default_op: str) -> _Comparator | None:
    """One comparator of a ``semver::VersionReq`` (``x``/``X``/``*`` wildcards; build metadata ignored)."""
    op = default_op
    explicit = text[:1] in {"~", "^"}
    if explicit:
        op, text = text[0], text[1:].lstrip()
    head = text.partition("+")[0]
    core, dash, pre = head.partition("-")
    parts = core.split(".")
    if text in {"*", "x", "X"}:
        return _Comparator("*", 0, None, None, (1, ()))
    if len(parts) > 3 or not parts[0] or _NUMERIC.fullmatch(parts[0]) is None:  # noqa: PLR2004
        return None
    numbers = _wildcard_parts(parts[1:])
    if numbers is None:
        return None
    minor, patch = numbers
    pre_ids = _pre_identifiers(pre) if dash else ()
    if pre_ids is None or (dash and patch is None):
        return None
    if not explicit and (minor is None or patch is None) and ("x" in core.lower() or "*" in core):
        op = "="  # a bare requirement with a wildcard is the crate's Op::Wildcard (exact on the given parts)
    return _Comparator(op, int(parts[0]), minor, patch, (0, pre_ids) if dash else (1, ()))


def _wildcard_parts(parts: list[str]) -> tuple[int | None, int | None] | None:
    values: list[int | None] = []
    wildcard_seen = False
    for part in parts:
        if part in {"x", "X", "*"}:
            wildcard_seen = True
            values.append(None)
        elif wildcard_seen or _NUMERIC.fullmatch(part) is None:
            return None  # `1.*.3` and leading zeros are invalid requirements
        else:
            values.append(int(part))
    values += [None] * (2 - len(values))
    return values[0], values[1]


def _matches(cmp: _Comparator, version: Version) -> bool:
    if not _matches_op(cmp, version):
        return False
    # A pre-release version only satisfies a requirement that names a pre-release of the same major.minor.patch.
    if not version.has_pre:
        return True
    return cmp.pre_key[0] == 0 and (cmp.major, cmp.minor, cmp.patch) == (version.major, version.minor, version.patch)


def _matches_op(cmp: _Comparator, ver: Version) -> bool:
    if ver.major != cmp.major:
        return False
    if cmp.op == "=":
        return (cmp.minor is None or ver.minor == cmp.minor) and (cmp.patch is None or ver.patch == cmp.patch)
    if cmp.op == "~":
        return _tilde(cmp, ver)
    return _caret(cmp, ver)


def _tilde(cmp: _Comparator, ver: Version) -> bool:
    if cmp.minor is not None and ver.minor != cmp.minor:
        return False
    if cmp.patch is not None and ver.patch != cmp.patch:
        return ver.patch > cmp.patch
    return ver.pre_key >= cmp.pre_key


def _caret(cmp: _Comparator, ver: Version) -> bool:
    if cmp.minor is None:
        return True
    if cmp.patch is None:
        return ver.minor >= cmp.minor if cmp.major > 0 else ver.minor == cmp.minor
    if cmp.major > 0:
        if ver.minor != cmp.minor:
            return ver.minor > cmp.minor
    elif cmp.minor > 0:
        if ver.minor != cmp.minor:
            return False
    elif ver.minor != cmp.minor or ver.patch != cmp.patch:
        return False
    if ver.patch != cmp.patch:
        return ver.patch > cmp.patch
    return ver.pre_key >= cmp.pre_key
