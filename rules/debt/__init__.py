"""debt rules."""
