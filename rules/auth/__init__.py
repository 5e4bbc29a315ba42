"""auth rules."""
