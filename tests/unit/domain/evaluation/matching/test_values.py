import math

import pytest

from flagcore.domain.evaluation.matching.values import ascii_lower, parse_rust_f64, rust_float_text, to_f64, to_text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("plain", "plain"),
        (True, "true"),
        (False, "false"),
        (None, "null"),
        (5, "5"),
        (-7, "-7"),
        (5.0, "5.0"),
        (1.5, "1.5"),
        ([1, "a", None], '[1,"a",null]'),
        ({"b": 1, "a": [True]}, '{"a":[true],"b":1}'),
        ({"x": 'q"\n'}, '{"x":"q\\"\\n"}'),
        ({"é": "ü"}, '{"é":"ü"}'),
        (2**64, "1.8446744073709552e19"),
        (2**63 - 1, "9223372036854775807"),
    ],
)
def test_to_text_is_compact_json_for_non_strings(value, text):
    assert to_text(value) == text


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (1.0, "1.0"),
        (0.0, "0.0"),
        (-0.0, "-0.0"),
        (100.0, "100.0"),
        (0.1, "0.1"),
        (1e15, "1000000000000000.0"),
        (1e16, "1e16"),
        (1.2345e20, "1.2345e20"),
        (0.0001, "0.0001"),
        (1e-5, "0.00001"),
        (1.5e-7, "1.5e-7"),
        (5e-324, "5e-324"),
        (float("inf"), "null"),
        (float("nan"), "null"),
    ],
)
def test_float_text_follows_serde_json_layout(number, text):
    assert rust_float_text(number) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5", 5.0),
        ("+5", 5.0),
        ("-2.5", -2.5),
        (".5", 0.5),
        ("5.", 5.0),
        ("1e3", 1000.0),
        ("1E-2", 0.01),
        ("inf", math.inf),
        ("-Infinity", -math.inf),
        ("1e400", math.inf),
        (" 5", None),
        ("5 ", None),
        ("1_000", None),
        ("0x10", None),
        ("", None),
        (".", None),
        ("1e", None),
        ("abc", None),
    ],
)
def test_parse_rust_f64_grammar(text, expected):
    assert parse_rust_f64(text) == expected


def test_parse_rust_f64_accepts_nan_in_any_case():
    for text in ("nan", "NaN", "-NAN"):
        parsed = parse_rust_f64(text)
        assert parsed is not None
        assert math.isnan(parsed)


@pytest.mark.parametrize(
    ("value", "expected"), [(3, 3.0), (2.5, 2.5), ("7", 7.0), (True, None), (None, None), ([1], None)]
)
def test_to_f64_reads_numbers_and_numeric_text_only(value, expected):
    assert to_f64(value) == expected


def test_ascii_lower_leaves_non_ascii_letters_alone():
    assert ascii_lower("ÀBÇd") == "ÀbÇd"
    assert ascii_lower("HELLO") == "hello"
