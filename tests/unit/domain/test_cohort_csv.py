"""Static cohort CSV uploads: PostHog's layouts and messages, and the size bound."""

from __future__ import annotations

import pytest

from flagcore.domain.cohorts.csv_import import (
    EMPTY_FILE,
    ENCODING_ERROR,
    MAX_CSV_BYTES,
    MAX_CSV_IDS,
    NO_VALID_IDS,
    TOO_LARGE,
    CohortCsvError,
    CsvIds,
    parse_cohort_csv,
)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"u1\nu2\n\n u3 \nu1\n", CsvIds(kind="distinct_id", ids=["u1", "u2", "u3"])),
        (b"\xef\xbb\xbfu1\r\nu2\r\n", CsvIds(kind="distinct_id", ids=["u1", "u2"])),  # BOM, CRLF
        (b"person_id\nabc\n", CsvIds(kind="person_id", ids=["abc"])),
        (b"Person .id\nabc\n", CsvIds(kind="person_id", ids=["abc"])),
        (b"Email\na@x.io\n", CsvIds(kind="email", ids=["a@x.io"])),
        (b"distinct_id\nu1\n", CsvIds(kind="distinct_id", ids=["distinct_id", "u1"])),  # one column: kept
        (b"name,distinct_id,email\nA,u1,a@x\nB\nC,u2,c@x\n", CsvIds(kind="distinct_id", ids=["u1", "u2"])),
        (b"email,person_id\na@x,p1\n", CsvIds(kind="person_id", ids=["p1"])),
        (b"name,e-mail\nA,a@x\n", CsvIds(kind="email", ids=["a@x"])),
        (b'"u,1"\n', CsvIds(kind="distinct_id", ids=["u,1"])),
    ],
)
def test_layouts(data: bytes, expected: CsvIds) -> None:
    assert parse_cohort_csv(data) == expected


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", EMPTY_FILE),
        (b"\n\n", EMPTY_FILE),
        (b"\xff\xfe\x00", ENCODING_ERROR),
        (b"person_id\n\n", NO_VALID_IDS),
        (b"name,age\nA,3\n", None),  # no id column: the message names the columns
        (b"x" * (MAX_CSV_BYTES + 1), TOO_LARGE),
        ("\n".join(f"u{i}" for i in range(MAX_CSV_IDS + 1)).encode(), TOO_LARGE),
    ],
)
def test_refusals_name_the_csv_field(data: bytes, message: str | None) -> None:
    with pytest.raises(CohortCsvError) as raised:
        parse_cohort_csv(data)
    assert raised.value.attr == "csv"
    if message is None:
        assert raised.value.detail.endswith("Found columns: name, age")
    else:
        assert raised.value.detail == message
