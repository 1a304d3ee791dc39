"""Tenant routes: organizations, projects and their keys, members, personal API keys, the current user."""
