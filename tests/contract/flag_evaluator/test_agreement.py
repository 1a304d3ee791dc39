"""Both adapters give the same results for the same flags (the in-process engine vs ``/flags?v=2`` of a server)."""

from __future__ import annotations

import pytest

from tests.contract.flag_evaluator.conftest import EvaluatorUnderTest


@pytest.mark.e2e
@pytest.mark.xdist_group("evaluator_server")
async def test_local_and_http_adapters_agree_on_many_subjects(
    local_remote_evaluator: EvaluatorUnderTest, http_remote_evaluator: EvaluatorUnderTest
) -> None:
    for n in range(150):
        distinct_id = f"subject-{n}"
        groups = {"organization": f"org-{n % 7}"}
        local = await local_remote_evaluator.evaluate(distinct_id, groups)
        remote = await http_remote_evaluator.evaluate(distinct_id, groups)
        assert local == remote, distinct_id
