"""What operators watch: metrics, the access log, log formats, tier states (no business logic here)."""
