"""Approval routes: change requests and approval policies."""
