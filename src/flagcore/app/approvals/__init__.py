"""Approvals use cases: the gate on flag writes, change requests and approval policies."""
