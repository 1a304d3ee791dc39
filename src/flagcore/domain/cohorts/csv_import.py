"""Reading a static cohort's CSV upload (persons spec §3.5), with PostHog's rules and messages.

One column: every non-empty cell is a distinct id, unless the first cell is a ``person_id`` or ``email`` header.
Several columns: the first ``person_id`` header wins, then ``distinct_id``, then ``email``; short rows are skipped.
The upload is bounded (:data:`MAX_CSV_BYTES`, :data:`MAX_CSV_IDS`) so one request's work is bounded too.
"""

from __future__ import annotations

import csv
from typing import Final, Literal

import msgspec

from flagcore.domain.errors import InvalidInputError

MAX_CSV_BYTES: Final = 2 * 1024 * 1024
MAX_CSV_IDS: Final = 100_000

IdKind = Literal["person_id", "distinct_id", "email"]
_PERSON_ID_HEADERS: Final = ("person_id", "person-id", "person .id")
_DISTINCT_ID_HEADERS: Final = ("distinct_id", "distinct-id")
_EMAIL_HEADERS: Final = ("email", "e-mail")

EMPTY_FILE: Final = "CSV file is empty. Please upload a CSV file with at least one row of data."
MISSING_ID_COLUMN: Final = (
    "Multi-column CSV must contain at least one column with a supported ID header: 'person_id', 'Person .id' "
    "(PostHog export format), 'distinct_id', 'distinct-id', or 'email'. Found columns: {columns}"
)
NO_VALID_IDS: Final = (
    "CSV file contains no valid person IDs, distinct IDs, or email addresses. Please ensure your file has data rows "
    "with person IDs, distinct IDs, or email addresses."
)
ENCODING_ERROR: Final = "CSV file encoding is not supported. Please save your file as UTF-8 and try again."
FORMAT_ERROR: Final = "CSV file format is invalid. Please check your file format and try again."
TOO_LARGE: Final = f"CSV file is too large: at most {MAX_CSV_BYTES} bytes and {MAX_CSV_IDS} IDs per upload."


class CohortCsvError(InvalidInputError):
    def __init__(self, detail: str) -> None:
        super().__init__(detail, attr="csv")


class CsvIds(msgspec.Struct, frozen=True, kw_only=True):
    """What an upload names: person UUIDs, distinct ids or emails, in file order without repeats."""

    kind: IdKind
    ids: list[str]


def parse_cohort_csv(data: bytes) -> CsvIds:
    """The ids a CSV upload names.

    Raises:
        CohortCsvError: empty, too large, not UTF-8, malformed, no id column, or no ids (PostHog's messages).
    """
    if len(data) > MAX_CSV_BYTES:
        raise CohortCsvError(TOO_LARGE)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CohortCsvError(ENCODING_ERROR) from exc
    if "\x00" in text:
        raise CohortCsvError(FORMAT_ERROR)
    try:
        rows = [row for row in csv.reader(text.splitlines()) if row]
    except csv.Error as exc:
        raise CohortCsvError(FORMAT_ERROR) from exc
    if not rows:
        raise CohortCsvError(EMPTY_FILE)
    first, rest = rows[0], rows[1:]
    kind, column, body = _layout(first, rest)
    ids = list(dict.fromkeys(cell for row in body if len(row) > column and (cell := row[column].strip())))
    if not ids:
        raise CohortCsvError(NO_VALID_IDS)
    if len(ids) > MAX_CSV_IDS:
        raise CohortCsvError(TOO_LARGE)
    return CsvIds(kind=kind, ids=ids)


def _layout(first: list[str], rest: list[list[str]]) -> tuple[IdKind, int, list[list[str]]]:
    """The kind of ids, their column, and the rows holding them."""
    if len([cell for cell in first if cell.strip()]) <= 1:
        header = first[0].strip().lower() if first else ""
        if header in _PERSON_ID_HEADERS:
            return "person_id", 0, rest
        if header in _EMAIL_HEADERS:
            return "email", 0, rest
        return "distinct_id", 0, [first, *rest]
    headers = [cell.strip().lower() for cell in first]
    for kind, names in (
        ("person_id", _PERSON_ID_HEADERS),
        ("distinct_id", _DISTINCT_ID_HEADERS),
        ("email", _EMAIL_HEADERS),
    ):
        for index, header in enumerate(headers):
            if header in names:
                return kind, index, rest  # type: ignore[return-value]  # kind is one of IdKind's values
    found = ", ".join(cell for cell in first if cell.strip()) or "none"
    raise CohortCsvError(MISSING_ID_COLUMN.format(columns=found))
