"""Quotas and rate limits: usage accounting, the cached quota check, throttles, and the admin use cases."""
