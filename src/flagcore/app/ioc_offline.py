"""Composition of ``flagcore evaluate``: the evaluation pipeline with no database (part of the composition root).

A module of its own, beside ``ioc.py``, because importing ``ioc.py`` imports the server's whole provider graph
(dishka and every adapter module), about 1 s of start-up for a command that needs two in-memory adapters.
"""

from __future__ import annotations

from flagcore.adapters.memory.clock import SystemClock
from flagcore.adapters.memory.hash_key_overrides import MemoryHashKeyOverrideRepo
from flagcore.app.evaluation.pipeline import EvaluationPipeline


def offline_pipeline() -> EvaluationPipeline:
    """The evaluation pipeline of ``flagcore evaluate``: no database, hash keys kept in memory for one run."""
    return EvaluationPipeline(MemoryHashKeyOverrideRepo(), SystemClock())
