"""Seeded, disposable servers: a seed file (organizations, projects, keys, flags) applied through the use cases."""
