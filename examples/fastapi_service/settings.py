"""Configuration, read from the environment."""

import os

JWT_KEY = os.environ.get("JWT_KEY", "")
SEARCH_URL = os.environ.get("SEARCH_URL", "https://search.example.com")
