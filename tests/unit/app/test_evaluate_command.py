"""``flagcore evaluate``: one subject, a JSONL file of subjects, and bad input (exit code 2, no traceback)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest

from flagcore.app.evaluate_command import add_parser, run

DEFINITIONS = {
    "flags": [
        {
            "id": 1,
            "key": "beta",
            "active": True,
            "filters": {
                "groups": [
                    {"properties": [{"key": "plan", "type": "person", "value": "pro"}], "rollout_percentage": 100}
                ],
                "payloads": {"true": '{"cta":"go"}'},
            },
        },
        {
            "id": 2,
            "key": "org-flag",
            "active": True,
            "filters": {
                "aggregation_group_type_index": 0,
                "groups": [{"properties": [{"key": "tier", "type": "group", "group_type_index": 0, "value": "gold"}]}],
            },
        },
        {"id": 3, "key": "device", "active": True, "bucketing_identifier": "device_id", "filters": {"groups": [{}]}},
    ],
    "group_type_mapping": {"0": "company"},
}


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="flagcore")
    add_parser(parser.add_subparsers())
    return parser.parse_args(["evaluate", *argv])


@pytest.fixture
def definitions(tmp_path: Path) -> Path:
    path = tmp_path / "definitions.json"
    path.write_text(json.dumps(DEFINITIONS))
    return path


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict[str, Any]], str]:
    args = _parse(argv)
    assert args.handler is run
    code = args.handler(args)
    captured = capsys.readouterr()
    return code, [json.loads(line) for line in captured.out.splitlines()], captured.err


def test_single_subject(definitions: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, (output,), _ = _run(
        [
            "--definitions", str(definitions),
            "--distinct-id", "u1",
            "--person-properties", '{"plan": "pro"}',
            "--groups", '{"company": "acme"}',
            "--group-properties", '{"company": {"tier": "gold"}}',
            "--device-id", "d1",
        ],
        capsys,
    )  # fmt: skip
    assert code == 0
    assert list(output) == ["beta", "device", "org-flag"]
    assert output["beta"] == {
        "enabled": True,
        "variant": None,
        "payload": '{"cta":"go"}',
        "reason": {"code": "condition_match", "condition_index": 0, "description": "Matched condition set 1"},
    }
    assert output["org-flag"]["enabled"] is True
    assert output["device"]["enabled"] is True


def test_single_subject_defaults(definitions: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, (output,), _ = _run(["--definitions", str(definitions), "--distinct-id", "u1"], capsys)
    assert code == 0
    assert output["beta"]["reason"]["code"] == "no_condition_match"
    assert output["org-flag"]["reason"] == {
        "code": "no_group_type",
        "condition_index": 0,
        "description": "No group type",
    }
    assert output["device"]["reason"]["code"] == "out_of_rollout_bound"


def test_subjects_file_prints_one_line_per_subject(
    definitions: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    subjects = tmp_path / "subjects.jsonl"
    subjects.write_text(
        '{"distinct_id": "a", "person_properties": {"plan": "pro"}}\n\n'
        '{"distinct_id": 42, "groups": {"company": "acme"}, "group_properties": {"company": {"tier": "gold"}}}\n'
    )
    code, outputs, _ = _run(
        ["--definitions", str(definitions), "--subjects", str(subjects), "--flag-key", "beta"], capsys
    )
    assert code == 0
    assert [output["beta"]["enabled"] for output in outputs] == [True, False]
    assert all(list(output) == ["beta"] for output in outputs)


def test_failed_flag_is_marked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "definitions.json"
    path.write_text(json.dumps({"flags": [{"key": "bad", "filters": {"groups": "oops"}}]}))
    code, (output,), _ = _run(["--definitions", str(path), "--distinct-id", "u"], capsys)
    assert code == 0
    assert output["bad"]["failed"] is True
    assert output["bad"]["reason"]["code"] == "flag_data_parsing_error"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--person-properties", "{oops"], "--person-properties is not valid JSON"),
        (["--person-properties", '{"a": ' + "[" * 3000 + "]" * 3000 + "}"], "nested deeper than 100 levels"),
        (["--groups", "[1]"], "--groups must be a JSON object"),
        (["--group-properties", '{"company": 3}'], "invalid subject"),
        (["--now", "yesterday"], "--now is not an ISO 8601 instant"),
        (["--timezone", "Mars/Olympus"], "unknown timezone"),
    ],
)
def test_bad_arguments_exit_2(
    definitions: Path, extra: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, outputs, err = _run(["--definitions", str(definitions), "--distinct-id", "u", *extra], capsys)
    assert (code, outputs) == (2, [])
    assert message in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read definitions"),
        ("{not json", "not valid JSON"),
        ('{"flags": 3}', "wrong shape"),
        ('{"flags": ' + "[" * 3000 + "]" * 3000 + "}", "nested deeper than 400 levels"),
    ],
)
def test_bad_definitions_exit_2(
    tmp_path: Path, content: str | None, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "definitions.json"
    if content is not None:
        path.write_text(content)
    code, _, err = _run(["--definitions", str(path), "--distinct-id", "u"], capsys)
    assert code == 2
    assert message in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read subjects"),
        ('{"distinct_id": "a"}\nnope\n', "subjects.jsonl:2"),
        ('{"x": 1}\n', "invalid subject"),
    ],
)
def test_bad_subjects_exit_2(
    definitions: Path, tmp_path: Path, content: str | None, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "subjects.jsonl"
    if content is not None:
        path.write_text(content)
    code, _, err = _run(["--definitions", str(definitions), "--subjects", str(path)], capsys)
    assert code == 2
    assert message in err


def test_distinct_id_and_subjects_are_exclusive(definitions: Path) -> None:
    with pytest.raises(SystemExit):
        _parse(["--definitions", str(definitions), "--distinct-id", "u", "--subjects", "s.jsonl"])


def test_subjects_file_lines_equal_one_subject_runs(
    definitions: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The file path renders shared results from a cache; each line must still be what a one-subject run prints.
    subjects = [
        {"distinct_id": "a", "person_properties": {"plan": "pro"}, "groups": {"company": "acme"}},
        {"distinct_id": "b", "person_properties": {"plan": "free"}},
        {"distinct_id": "a", "person_properties": {"plan": "pro"}, "groups": {"company": "acme"}},
    ]
    path = tmp_path / "subjects.jsonl"
    # CRLF and a line of Unicode whitespace only (skipped, as a text-mode read skips it).
    path.write_text("\r\n".join(json.dumps(subject) for subject in subjects) + "\r\n\u00a0\n", newline="")
    code, outputs, _ = _run(["--definitions", str(definitions), "--subjects", str(path)], capsys)
    assert code == 0
    singles = []
    for subject in subjects:
        argv = ["--definitions", str(definitions), "--distinct-id", subject["distinct_id"]]
        argv += ["--person-properties", json.dumps(subject["person_properties"])]
        argv += ["--groups", json.dumps(subject.get("groups", {}))]
        singles += _run(argv, capsys)[1]
    assert outputs == singles
    assert outputs[0] == outputs[2]


def test_failed_results_are_rendered_per_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A flag naming a missing cohort fails for every subject; each line carries its own failed result.
    definitions = tmp_path / "definitions.json"
    cohort = {"key": "id", "type": "cohort", "value": 99}
    definitions.write_text(json.dumps({"flags": [{"key": "c", "active": True, "filters": {"groups": [
        {"properties": [cohort], "rollout_percentage": 100}]}}]}))  # fmt: skip
    path = tmp_path / "subjects.jsonl"
    path.write_text('{"distinct_id": "a"}\n{"distinct_id": "b"}\n')
    code, outputs, _ = _run(["--definitions", str(definitions), "--subjects", str(path)], capsys)
    assert code == 0
    assert [output["c"]["failed"] for output in outputs] == [True, True]
    assert outputs[0]["c"]["reason"]["code"] == "dependency_not_found_cohort"
