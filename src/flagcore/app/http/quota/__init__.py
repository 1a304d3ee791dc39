"""Quota administration routes."""
