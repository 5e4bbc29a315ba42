"""A small Django project: settings, views, a DRF API."""
