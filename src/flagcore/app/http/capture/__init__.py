"""PostHog capture endpoints: ``/batch``, ``/e``, ``/i/v0/e``, ``/capture``, ``/track``, ``/engage``."""
