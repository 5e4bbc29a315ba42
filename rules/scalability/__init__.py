"""scalability rules."""
