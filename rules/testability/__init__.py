"""testability rules."""
