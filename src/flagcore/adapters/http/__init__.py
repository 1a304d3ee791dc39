"""Adapters that reach other services over HTTP."""

from flagcore.adapters.http.remote_evaluator import HttpRemoteEvaluator

__all__ = ("HttpRemoteEvaluator",)
