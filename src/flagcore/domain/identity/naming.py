"""Validation of what users name: organization and project names, project timezones (IANA zones)."""

from __future__ import annotations

import functools
import zoneinfo
from typing import Final

from flagcore.domain.errors import InvalidInputError

MAX_NAME_LENGTH: Final = 200
MAX_LABEL_LENGTH: Final = 40


def validate_name(value: str, *, attr: str = "name", max_length: int = MAX_NAME_LENGTH) -> str:
    """``value`` stripped; refused when blank or too long (DRF's messages)."""
    name = value.strip()
    if not name:
        raise InvalidInputError("This field may not be blank.", code="blank", attr=attr)
    if len(name) > max_length:
        raise InvalidInputError(
            f"Ensure this field has no more than {max_length} characters.", code="max_length", attr=attr
        )
    if "\x00" in name:
        raise InvalidInputError("Null characters are not allowed.", code="null_characters_not_allowed", attr=attr)
    return name


@functools.cache
def _zones() -> frozenset[str]:
    # Read once: the set of zone names the tz database installed with Python knows.
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(value: str) -> str:
    """``value`` if it names an IANA timezone (``Europe/Paris``, ``UTC``), else a 400 like PostHog's choice field."""
    if value not in _zones():
        raise InvalidInputError(f'"{value}" is not a valid choice.', code="invalid_choice", attr="timezone")
    return value


MAX_EMAIL_LENGTH: Final = 254


def validate_email(value: str) -> str:
    """``value`` stripped, if it looks like an email address (one ``@``, something on both sides, no spaces)."""
    email = value.strip()
    local, at, domain = email.rpartition("@")
    if (
        not at
        or not local
        or "." not in domain
        or len(email) > MAX_EMAIL_LENGTH
        or any(c.isspace() or c == "\x00" for c in email)
    ):
        raise InvalidInputError("Enter a valid email address.", code="invalid", attr="email")
    return email
