"""Scheduled changes of flags: managing them, running the due ones, and the worker that runs them."""
