"""SDK-facing routes: ``/flags``, ``/decide`` and the local-evaluation definitions feed."""
