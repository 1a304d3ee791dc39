"""Use cases of the cohorts API."""
