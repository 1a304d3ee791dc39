from __future__ import annotations

from typing import Any

import pytest

from flagcore.domain.openfeature import FlagDeclaration, OpenFeatureType
from flagcore.ports.openfeature import FlagDeclarationRepo
from tests.contract.seed import OTHER_PROJECT_ID, PROJECT_ID


def declaration(
    flag_id: int, flag_type: OpenFeatureType, default: Any, project_id: int = PROJECT_ID
) -> FlagDeclaration:
    return FlagDeclaration(project_id=project_id, flag_id=flag_id, flag_type=flag_type, default_value=default)


async def test_get_many_is_empty_without_declarations(flag_declaration_repo: FlagDeclarationRepo) -> None:
    assert await flag_declaration_repo.get_many(PROJECT_ID, [1, 2]) == {}
    assert await flag_declaration_repo.get_many(PROJECT_ID, []) == {}


@pytest.mark.parametrize(
    ("flag_type", "default"),
    [
        ("boolean", False),
        ("string", "blue"),
        ("integer", 2**53 + 1),
        ("float", 1.0),
        ("object", {"nested": [1, "two", None], "ok": True}),
        ("object", None),
    ],
)
async def test_put_then_get_returns_the_value_with_its_json_type(
    flag_declaration_repo: FlagDeclarationRepo,
    flag_type: OpenFeatureType,
    default: Any,
) -> None:
    await flag_declaration_repo.put(declaration(1, flag_type, default))
    found = await flag_declaration_repo.get_many(PROJECT_ID, [1, 2])
    assert found == {1: declaration(1, flag_type, default)}
    assert type(found[1].default_value) is type(default)


async def test_put_replaces_the_previous_declaration(flag_declaration_repo: FlagDeclarationRepo) -> None:
    await flag_declaration_repo.put(declaration(1, "string", "blue"))
    await flag_declaration_repo.put(declaration(1, "integer", 3))
    await flag_declaration_repo.put(declaration(2, "boolean", True))
    assert await flag_declaration_repo.get_many(PROJECT_ID, [1, 2]) == {
        1: declaration(1, "integer", 3),
        2: declaration(2, "boolean", True),
    }


async def test_another_projects_declarations_never_match(flag_declaration_repo: FlagDeclarationRepo) -> None:
    await flag_declaration_repo.put(declaration(3, "string", "x", project_id=OTHER_PROJECT_ID))
    assert await flag_declaration_repo.get_many(PROJECT_ID, [3]) == {}
    assert await flag_declaration_repo.get_many(OTHER_PROJECT_ID, [3]) == {
        3: declaration(3, "string", "x", OTHER_PROJECT_ID)
    }
