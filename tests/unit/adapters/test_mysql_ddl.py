"""How the shared column types are spelt per database: MySQL gets exact collations, LONGTEXT and microseconds; the
other databases render exactly what they did before MySQL existed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import Dialect

from flagcore.adapters.sqlalchemy import mysql_ddl  # noqa: F401 - registers the hooks under test


def _mariadb() -> Dialect:
    dialect = mysql.dialect()
    dialect.is_mariadb = True
    return dialect


@pytest.mark.parametrize(
    ("type_", "expected"),
    [
        (sa.String(400), "VARCHAR(400) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin"),
        (sa.String(), "LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin"),
        (sa.Text(), "LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin"),
        (sa.DateTime(timezone=True), "DATETIME(6)"),
        (DateTimeUTC(timezone=True), "DATETIME(6)"),
    ],
)
def test_mariadb_spelling(type_: sa.types.TypeEngine[object], expected: str) -> None:
    assert type_.compile(dialect=_mariadb()) == expected


def test_mysql_8_uses_its_own_no_pad_binary_collation() -> None:
    assert sa.String(64).compile(dialect=mysql.dialect()) == (
        "VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_bin"
    )


@pytest.mark.parametrize(
    ("dialect", "type_", "expected"),
    [
        (postgresql.dialect(), sa.String(400), "VARCHAR(400)"),
        (postgresql.dialect(), sa.Text(), "TEXT"),
        (postgresql.dialect(), sa.DateTime(timezone=True), "TIMESTAMP WITH TIME ZONE"),
        (sqlite.dialect(), sa.String(400), "VARCHAR(400)"),
        (sqlite.dialect(), sa.Text(), "TEXT"),
        (sqlite.dialect(), sa.DateTime(timezone=True), "DATETIME"),
    ],
)
def test_other_databases_are_unchanged(dialect: Dialect, type_: sa.types.TypeEngine[object], expected: str) -> None:
    assert type_.compile(dialect=dialect) == expected
