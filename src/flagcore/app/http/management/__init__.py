"""Management API routes: flags, their actions and group types (PostHog's Django API)."""
