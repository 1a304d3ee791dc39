"""The evaluation engine run in process, behind the ports that serve evaluations."""

from flagcore.adapters.engine.local_evaluator import LocalRemoteEvaluator

__all__ = ("LocalRemoteEvaluator",)
