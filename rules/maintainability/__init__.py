"""maintainability rules."""
