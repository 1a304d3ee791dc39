r"""Compile ``regex``/``not_regex`` patterns so that a match can never hang evaluation.

The server runs patterns with Rust's ``fancy_regex``: plain patterns go to a linear-time engine, and only
backtracking features run under a backtrack limit, whose overflow is an error that makes the condition false.
Python's ``re`` backtracks everywhere, so a pattern such as ``(a+)+$`` takes exponential time on ``"a"*50+"b"``.
We bound the cost in two ways, both decided once at compile time:

1. **Exponential shapes are refused.** An unbounded repeat (``*``, ``+``, ``{n,}``) whose body can itself match
   in several ways (it contains an unbounded or large repeat, it has variable width, or it holds an alternation
   whose branches may start with the same character) is treated like an invalid pattern: both ``regex`` and
   ``not_regex`` are false. This rejects ``(a+)+``, ``(a*)*``, ``(a|aa)+``, ``(\\w+\\.?)+`` and also a few safe
   shapes such as ``(\\w+\\.)+``; write those without the nested quantifier.
2. **Polynomial shapes are bounded by input length.** Sequences of unbounded repeats (``.*a.*b``) cost about
   ``n**d`` steps, where ``d`` counts the unbounded repeats (plus one for the search start positions when the
   pattern is not anchored with ``^``). A property string longer than ``floor(10**7 ** (1/d))`` characters is
   not searched and the filter is false for both operators, like the server's backtrack-limit error.

Syntax differences handled: Rust's ``$`` (without the ``m`` flag) only matches at the very end of the text, so it
becomes ``\\Z``; Rust's ``\\z`` is spelled ``\\Z`` in Python; Python's ``\\Z`` does not exist in Rust and makes the
pattern invalid. Patterns Python cannot compile (or compiles only with a "nested set" warning, where Rust reads a
POSIX class) are invalid.
"""

from __future__ import annotations

import importlib
import math
import re
import warnings
from dataclasses import dataclass
from typing import Any, TypeAlias

__all__ = ("SafeRegex", "compile_safe_regex")

# `re._parser` has no typeshed stub; the import is dynamic so mypy sees `Any` instead of a missing module.
_parser: Any = importlib.import_module("re._parser")
_c: Any = importlib.import_module("re._constants")

#: A node or sub-pattern of `re._parser`'s parse tree (untyped internals).
_Node: TypeAlias = Any

_BUDGET = 10**7
# Bounded repeats like `\d{1,3}` only multiply the cost by a small constant; wider ones count like `*`.
_SMALL_SPAN = 16
_REPEATS = frozenset({_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT})
_GROUPS = frozenset({_c.SUBPATTERN, _c.ATOMIC_GROUP, _c.ASSERT, _c.ASSERT_NOT})
_START_ANCHORS = frozenset({_c.AT_BEGINNING, _c.AT_BEGINNING_STRING})


class _UnsafePatternError(Exception):
    """The pattern has a shape whose matching time can be exponential."""


@dataclass(frozen=True, slots=True)
class SafeRegex:
    """A compiled pattern and the longest haystack it may search within the cost budget."""

    pattern: re.Pattern[str]
    max_length: int

    def search(self, text: str) -> bool | None:
        """True/False for a match, None when ``text`` is too long to search within the budget."""
        if len(text) > self.max_length:
            return None
        return self.pattern.search(text) is not None


def compile_safe_regex(source: str) -> SafeRegex | None:
    """Compile a filter pattern with server semantics, or None if it is invalid or unsafe (see module doc)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            # First pass only fixes escapes, so that the flags (is `m` on?) can be read from a parseable pattern.
            escaped = _translate(source, escapes=True)
            if escaped is None:
                return None
            multiline = bool(_parser.parse(escaped).state.flags & re.MULTILINE)
            translated = escaped if multiline else _translate(escaped, escapes=False)
            if translated is None:
                return None
            tree = _parser.parse(translated)
            degree = _degree(tree)
            compiled = re.compile(translated)
    except (re.error, _UnsafePatternError, FutureWarning, DeprecationWarning, RecursionError, OverflowError):
        return None
    if not _anchored(tree):
        degree += 1
    max_length = _BUDGET if degree <= 1 else math.floor(_BUDGET ** (1 / degree))
    return SafeRegex(compiled, max_length)


def _translate(source: str, *, escapes: bool) -> str | None:
    r"""Rewrite ``\\z`` (``escapes``) or ``$`` (not ``escapes``) to Python; None if ``\\Z`` is used (not Rust)."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(source):
        char = source[i]
        if char == "\\" and i + 1 < len(source):
            escaped = source[i + 1]
            if escapes and escaped == "Z":
                return None
            out.append("\\Z" if escapes and escaped == "z" and not in_class else source[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            # A `]` right after `[` or `[^` is a literal member in both dialects.
            prefix = "[^]" if source.startswith("[^]", i) else "[]" if source.startswith("[]", i) else "["
            out.append(prefix)
            i += len(prefix)
            continue
        elif char == "$" and not escapes:
            out.append("\\Z")
            i += 1
            continue
        out.append(char)
        i += 1
    return "".join(out)


def _anchored(tree: _Node) -> bool:
    data = list(tree)
    return bool(data) and data[0][0] is _c.AT and data[0][1] in _START_ANCHORS and not tree.state.flags & re.MULTILINE


def _degree(items: _Node) -> int:
    """Polynomial degree of the backtracking cost of a sequence; raises for exponential shapes."""
    return sum(_item_degree(op, arg) for op, arg in items)


def _item_degree(op: _Node, arg: _Node) -> int:
    if op in _REPEATS:
        return _repeat_degree(*arg)
    if op in _GROUPS:
        return _degree(arg[-1])
    if op is _c.BRANCH:
        return max((_degree(branch) for branch in arg[1]), default=0)
    if op is _c.GROUPREF_EXISTS:
        return max(_degree(arg[1]), _degree(arg[2]) if arg[2] is not None else 0)
    return 0


def _repeat_degree(low: int, high: int, body: _Node) -> int:
    inner = _degree(body)
    if high is _c.MAXREPEAT:
        if inner > 0 or _ambiguous(body):
            raise _UnsafePatternError
        return 1
    if inner > 0:
        return high * inner
    if _ambiguous(body):
        # Each repetition multiplies the ways to match: count it like a factor of n to stay conservative.
        return high if high > 1 else 0
    return 1 if high - low > _SMALL_SPAN else 0


def _ambiguous(body: _Node) -> bool:
    """Whether ``body`` can match the same text in more than one way (variable width or overlapping branches)."""
    low, high = body.getwidth()
    if low != high:
        return True
    return any(_has_overlapping_branch(op, arg) for op, arg in body)


def _has_overlapping_branch(op: _Node, arg: _Node) -> bool:
    if op is _c.BRANCH:
        firsts = [_first_literal(branch) for branch in arg[1]]
        return None in firsts or len(set(firsts)) != len(firsts)
    if op in _GROUPS:
        return any(_has_overlapping_branch(o, a) for o, a in arg[-1])
    if op in _REPEATS:
        return any(_has_overlapping_branch(o, a) for o, a in arg[2])
    return False


def _first_literal(branch: _Node) -> int | None:
    items = list(branch)
    if items and items[0][0] is _c.LITERAL:
        return int(items[0][1])
    return None
