"""Use cases for persons and groups: capture, ingestion, and the management API."""
