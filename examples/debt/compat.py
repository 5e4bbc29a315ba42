"""Compatibility names for the legacy importer."""

LEGACY_SEPARATOR = ";"  # noqa: E702
