"""Flag management use cases."""
