from __future__ import annotations

from typing import Any

import pytest

from flagcore.domain.openfeature.ofrep import OfrepRequestError, parse_context


def test_context_attributes_are_person_properties_with_their_types() -> None:
    context = parse_context(
        {
            "context": {
                "targetingKey": "u1",
                "age": 30,
                "beta": True,
                "groups": {"company": "acme", "team": 7},
                "group_properties": {"company": {"seats": 10}},
                "groupProperties": {"team": {"size": 3}},
            }
        }
    )
    assert context.targeting_key == "u1"
    assert context.person_properties == {"age": 30, "beta": True}
    assert context.groups == {"company": "acme", "team": "7"}
    assert context.group_properties == {"company": {"seats": 10}, "team": {"size": 3}}


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (None, "PARSE_ERROR"),
        ("x", "PARSE_ERROR"),
        ({}, "INVALID_CONTEXT"),
        ({"context": []}, "INVALID_CONTEXT"),
        ({"context": {}}, "TARGETING_KEY_MISSING"),
        ({"context": {"targetingKey": None}}, "TARGETING_KEY_MISSING"),
        ({"context": {"targetingKey": ["u"]}}, "INVALID_CONTEXT"),
        ({"context": {"targetingKey": "u", "groups": {"c": True}}}, "INVALID_CONTEXT"),
        ({"context": {"targetingKey": "u", "groupProperties": []}}, "INVALID_CONTEXT"),
    ],
)
def test_bad_contexts_have_ofrep_error_codes(body: Any, code: str) -> None:
    with pytest.raises(OfrepRequestError) as raised:
        parse_context(body)
    assert raised.value.code == code
