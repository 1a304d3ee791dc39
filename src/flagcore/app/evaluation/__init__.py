"""Evaluation-side use cases: the definitions feed, and (later) flag evaluation for SDKs."""
