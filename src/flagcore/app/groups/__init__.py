"""Group type use cases."""
