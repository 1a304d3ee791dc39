"""How the server sees a JSON property value: as text, as a number, as a boolean.

PostHog's server compares values through their serde_json representation; these helpers reproduce it for the
Python objects a JSON decoder yields (``str``, ``int``, ``float``, ``bool``, ``None``, ``list``, ``dict``).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, TypeAlias

__all__ = ("JsonValue", "ascii_lower", "is_bool_like", "is_truthy", "parse_rust_f64", "to_f64", "to_text")

# serde_json reads integers that fit neither i64 nor u64 as f64, so they print and compare as floats.
_I64_MIN = -(2**63)
_U64_END = 2**64

# Rust's `str::parse::<f64>` grammar: optional sign, then `inf`/`infinity`/`nan` (any case) or a decimal with an
# optional exponent. Unlike Python's float() it accepts no surrounding whitespace and no `_` separators.
_RUST_F64 = re.compile(r"[+-]?(?:inf|infinity|nan|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)", re.IGNORECASE)

#: A decoded JSON value: str, int, float, bool, None, list or dict (typed loosely on purpose).
JsonValue: TypeAlias = Any

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def ascii_lower(text: str) -> str:
    """Lowercase ASCII letters only, like Rust's ``to_ascii_lowercase`` (``"ÀB"`` -> ``"Àb"``)."""
    return text.lower() if text.isascii() else text.translate(_ASCII_LOWER)


def rust_float_text(number: float) -> str:
    """Format a float like serde_json (ryu): ``1.0``, ``1e16``, ``1.5e-7``, ``0.00001``; non-finite -> ``null``.

    Python's ``repr`` yields the same shortest round-trip digits, only the layout differs (``1e+16``,
    ``1e-05``), so the digits are re-laid-out with ryu's rules.
    """
    if not math.isfinite(number):
        return "null"
    sign = "-" if math.copysign(1.0, number) < 0 else ""
    mantissa, _, exp_text = repr(abs(number)).partition("e")
    whole, _, frac = mantissa.partition(".")
    raw = (whole + frac).lstrip("0")
    if not raw:
        return f"{sign}0.0"
    digits = raw.rstrip("0")
    # value = digits * 10**k; `point` is the position of the decimal point relative to the digits' start.
    k = int(exp_text or "0") - len(frac) + len(raw) - len(digits)
    point = len(digits) + k
    return sign + _layout(digits, k, point)


def _layout(digits: str, k: int, point: int) -> str:
    if k >= 0 and point <= 16:  # noqa: PLR2004 - ryu switches to exponent form beyond 16 digits
        return f"{digits}{'0' * k}.0"
    if 0 < point <= 16:  # noqa: PLR2004
        return f"{digits[:point]}.{digits[point:]}"
    if -5 < point <= 0:  # noqa: PLR2004
        return f"0.{'0' * -point}{digits}"
    tail = f".{digits[1:]}" if len(digits) > 1 else ""
    return f"{digits[0]}{tail}e{point - 1}"


def to_text(value: JsonValue) -> str:
    """The server's string representation: strings verbatim, anything else as compact JSON (keys sorted)."""
    if value.__class__ is str:
        return value
    return _json(value)


def _json(value: JsonValue) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int):
        return str(value) if _I64_MIN <= value < _U64_END else _big_int_text(value)
    if isinstance(value, float):
        return rust_float_text(value)
    if isinstance(value, dict):
        items = sorted(value.items(), key=lambda item: str(item[0]))
        return "{" + ",".join(f"{json.dumps(str(k), ensure_ascii=False)}:{_json(v)}" for k, v in items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_json(item) for item in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def _big_int_text(value: int) -> str:
    try:
        return rust_float_text(float(value))
    except OverflowError:
        return "null"


def parse_rust_f64(text: str) -> float | None:
    """Parse ``text`` as Rust's ``parse::<f64>`` would (``"inf"``/``"NaN"`` accepted, ``" 1"``/``"1_0"`` not)."""
    if _RUST_F64.fullmatch(text) is None:
        return None
    return float(text)


def to_f64(value: JsonValue) -> float | None:
    """The server's numeric view: JSON numbers as they are, other values through their text (``"5"`` -> 5.0)."""
    if isinstance(value, float):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:
            return None
    return parse_rust_f64(to_text(value))


def is_bool_like(value: JsonValue) -> bool:
    """Whether ``exact`` compares truthiness: a bool, ``"true"``/``"false"`` in any case, or a list of those."""
    if value is True or value is False:
        return True
    if isinstance(value, str):
        return value.lower() in {"true", "false"}
    if isinstance(value, list):
        return all(is_bool_like(item) for item in value)
    return False


def is_truthy(value: JsonValue) -> bool:
    """Truthiness for ``exact``: ``true``, ``"true"`` in any case, or a list whose items are all truthy."""
    if value is True:
        return True
    if isinstance(value, str):
        return value.lower() == "true"
    if isinstance(value, list):
        return all(is_truthy(item) for item in value)
    return False
