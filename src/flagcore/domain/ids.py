"""Integer ids as they arrive in URLs, query strings and flag references.

``str.isdigit`` accepts Unicode digits (superscript two, Arabic-Indic one) that ``int`` rejects or reads
differently, and ids must fit the databases' 32-bit integer columns; every textual id goes through :func:`parse_id`.
"""

from __future__ import annotations

import re
from typing import Final

#: The largest id a 32-bit signed INTEGER column (PostgreSQL ``integer``) holds.
MAX_ID: Final = 2**31 - 1
_ASCII_DIGITS: Final = re.compile(r"[0-9]{1,10}")


def parse_id(text: str) -> int | None:
    """The id written in ``text`` (ASCII digits only, at most ``MAX_ID``), or None if it is not one."""
    if not _ASCII_DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if value <= MAX_ID else None


def is_valid_id(value: int) -> bool:
    """Whether an integer id can exist in storage (ids start at 1)."""
    return 0 < value <= MAX_ID
