"""error handling rules."""
