"""Operator routes: liveness and status."""
