"""How the shared schema is spelt on MySQL 8 and MariaDB 10.11, so that it behaves as it does on PostgreSQL.

The ORM rows and the migrations use portable types; these compile hooks change only what the ``mysql`` dialect
renders (PostgreSQL and SQLite render exactly what they did):

- strings compare exactly, as PostgreSQL's ``text`` does: a binary collation that also does not pad (MySQL's
  ``utf8mb4_bin`` would find ``'a'`` and ``'a '`` equal, so two keys differing by a trailing space would clash);
- ``Text`` is ``LONGTEXT`` (4 GiB), not ``TEXT`` (64 KiB), so large values fit as on PostgreSQL;
- timestamps keep microseconds (``DATETIME(6)``; plain ``DATETIME`` drops them, and orderings by time would tie).

The emulations of what MySQL lacks (unique indexes among non-deleted rows, unique keys over unbounded text) are in
the migrations that create those tables; ``EMULATION_COLUMNS`` names their extra columns for schema comparisons.
"""

from __future__ import annotations

from typing import Final

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import TypeCompiler

#: Generated columns that exist on MySQL only, per table: the ORM never reads or writes them.
EMULATION_COLUMNS: Final = {
    "feature_flags": frozenset({"live_key"}),
    "hash_key_overrides": frozenset({"override_key"}),
}
#: Indexes spelt differently on MySQL (over the columns above: a partial index, a primary key over text elsewhere).
EMULATION_INDEXES: Final = frozenset(
    {"uq_feature_flags_project_id_key_live", "uq_hash_key_overrides_override_key", "ix_hash_key_overrides_distinct_id"}
)


def include_in_comparison(obj: object, name: str | None, type_: str, *_rest: object) -> bool:
    """Alembic's ``include_object`` for comparing a MySQL schema with the ORM rows: leaves out the emulations."""
    if type_ == "index":
        return name not in EMULATION_INDEXES
    if type_ == "column" and isinstance(obj, sa.Column):
        return name not in EMULATION_COLUMNS.get(obj.table.name, frozenset())
    return True


def binary_collation(dialect: Dialect) -> str:
    """The exact, no-pad collation of utf8mb4 on this server (the two servers name it differently)."""
    return binary_collation_for(mariadb=bool(getattr(dialect, "is_mariadb", False)))


def binary_collation_for(*, mariadb: bool) -> str:
    return "utf8mb4_nopad_bin" if mariadb else "utf8mb4_0900_bin"


def _text_type(base: str, dialect: Dialect) -> str:
    return f"{base} CHARACTER SET utf8mb4 COLLATE {binary_collation(dialect)}"


@compiles(sa.String, "mysql")
@compiles(sa.VARCHAR, "mysql")
@compiles(sa.Unicode, "mysql")
def _compile_string(type_: sa.String, compiler: TypeCompiler, **_kw: object) -> str:
    if type_.length is None:  # MySQL has no VARCHAR without a length: an unbounded string is text
        return _text_type("LONGTEXT", compiler.dialect)
    return _text_type(f"VARCHAR({type_.length})", compiler.dialect)


@compiles(sa.Text, "mysql")
@compiles(sa.UnicodeText, "mysql")
def _compile_text(_type: sa.Text, compiler: TypeCompiler, **_kw: object) -> str:
    return _text_type("LONGTEXT", compiler.dialect)


@compiles(sa.DateTime, "mysql")
def _compile_datetime(_type: sa.DateTime, _compiler: TypeCompiler, **_kw: object) -> str:
    return "DATETIME(6)"
