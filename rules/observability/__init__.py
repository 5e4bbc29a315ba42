"""observability rules."""
