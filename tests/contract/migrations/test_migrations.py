"""The Alembic migrations: idempotent, reversible, and producing exactly the schema of the ORM metadata."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from flagcore.adapters.sqlalchemy import alembic_config, create_engine, run_migrations, upgrade_database
from flagcore.adapters.sqlalchemy.migrate import VERSION_TABLE
from flagcore.adapters.sqlalchemy.mysql_ddl import include_in_comparison
from flagcore.adapters.sqlalchemy.orm import Base


def _schema_state(sync_connection: sa.Connection, metadata: sa.MetaData) -> tuple[str | None, list[Any], set[str]]:
    opts: dict[str, Any] = {"compare_type": True, "version_table": VERSION_TABLE}
    if sync_connection.dialect.name == "mysql":
        opts["include_object"] = include_in_comparison
    context = MigrationContext.configure(sync_connection, opts=opts)
    tables = set(sa.inspect(sync_connection).get_table_names())
    return context.get_current_revision(), compare_metadata(context, metadata), tables


async def _inspect(url: str, metadata: sa.MetaData = Base.metadata) -> tuple[str | None, list[Any], set[str]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_schema_state, metadata)
    finally:
        await engine.dispose()


def _sync_inspect(url: str, metadata: sa.MetaData = Base.metadata) -> tuple[str | None, list[Any], set[str]]:
    # run_migrations is the synchronous entry point (it runs its own event loop), so these tests are synchronous too.
    return asyncio.run(_inspect(url, metadata))


def _head(url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def _with_extra_table() -> sa.MetaData:
    metadata = sa.MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(metadata)
    sa.Table("unmigrated", metadata, sa.Column("id", sa.Integer, primary_key=True))
    return metadata


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sql:sqlite"),
        pytest.param("postgres", id="sql:postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb", id="sql:mariadb", marks=pytest.mark.mariadb),
    ]
)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        # A directory that does not exist yet: migrating must create it.
        return f"sqlite+aiosqlite:///{tmp_path / 'data' / 'nested' / 'flagcore.db'}"
    create: Callable[[str], str] = request.getfixturevalue(f"{request.param}_database")
    return create(f"migrations_{uuid.uuid4().hex[:12]}")


def test_upgrade_twice_reaches_head_and_matches_orm(empty_database_url: str) -> None:
    run_migrations(empty_database_url)
    run_migrations(empty_database_url)
    revision, diffs, tables = _sync_inspect(empty_database_url)
    assert revision == _head(empty_database_url)
    assert diffs == []
    assert tables == {*Base.metadata.tables, VERSION_TABLE}


def test_schema_comparison_detects_drift(empty_database_url: str) -> None:
    run_migrations(empty_database_url)
    _, diffs, _ = _sync_inspect(empty_database_url, _with_extra_table())
    assert [diff[0] for diff in diffs] == ["add_table"]


async def _downgrade_to_base(url: str) -> None:
    config = alembic_config(url)
    engine = create_engine(url)

    def downgrade(sync_connection: sa.Connection) -> None:
        config.attributes["connection"] = sync_connection
        command.downgrade(config, "base")

    try:
        async with engine.begin() as connection:
            await connection.run_sync(downgrade)
    finally:
        await engine.dispose()


async def test_downgrade_to_base_then_upgrade_again(empty_database_url: str) -> None:
    await upgrade_database(empty_database_url)
    await _downgrade_to_base(empty_database_url)
    revision, _, tables = await _inspect(empty_database_url)
    assert revision is None
    assert tables == {VERSION_TABLE}
    await upgrade_database(empty_database_url)
    revision, diffs, _ = await _inspect(empty_database_url)
    assert revision == _head(empty_database_url)
    assert diffs == []


async def test_0006_backfills_is_rolled_out_from_the_stored_filters(empty_database_url: str) -> None:
    await upgrade_database(empty_database_url, "0004")
    engine = create_engine(empty_database_url)
    at = datetime(2026, 1, 1, tzinfo=UTC)
    full = '{"groups": [{"properties": [], "rollout_percentage": 100}]}'
    half = '{"groups": [{"properties": [], "rollout_percentage": 50}]}'
    try:
        async with engine.begin() as conn:
            await conn.execute(
                sa.text("INSERT INTO organizations (id, name, created_at) VALUES ('o', 'o', :t)"), {"t": at}
            )
            await conn.execute(
                sa.text(
                    "INSERT INTO projects (id, organization_id, name, api_token, timezone, created_at)"
                    " VALUES (1, 'o', 'p', 'phc_x', 'UTC', :t)"
                ),
                {"t": at},
            )
            key_column = conn.dialect.identifier_preparer.quote("key")  # a reserved word on MySQL
            for key, filters in (("full", full), ("half", half)):
                await conn.execute(
                    sa.text(
                        f"INSERT INTO feature_flags (project_id, {key_column}, name, filters, is_multivariate, active,"  # noqa: S608
                        " deleted, version, ensure_experience_continuity, evaluation_runtime, bucketing_identifier,"
                        " is_remote_configuration, has_encrypted_payloads, tags, evaluation_tags, created_at)"
                        " VALUES (1, :key, '', :filters, false, true, false, 1, false, 'all', 'distinct_id', false,"
                        " false, '[]', '[]', :t)"
                    ),
                    {"key": key, "filters": filters, "t": at},
                )
        await upgrade_database(empty_database_url)
        async with engine.connect() as conn:
            key_column = conn.dialect.identifier_preparer.quote("key")
            query = f"SELECT {key_column}, is_rolled_out FROM feature_flags ORDER BY {key_column}"  # noqa: S608
            rows = (await conn.execute(sa.text(query))).all()
        assert [(key, bool(value)) for key, value in rows] == [("full", True), ("half", False)]
    finally:
        await engine.dispose()
