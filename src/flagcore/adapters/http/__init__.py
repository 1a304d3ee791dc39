"""Adapters that reach other services over HTTP."""

from flagcore.adapters.http.flag_evaluator import HttpFlagEvaluator

__all__ = ("HttpFlagEvaluator",)
