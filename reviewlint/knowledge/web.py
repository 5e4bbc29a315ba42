"""Library knowledge: web (see reviewlint.knowledge for the tables a module may export)."""

from __future__ import annotations

KNOWN_TYPES: frozenset[str] = frozenset()
CONSTRUCTIBLE: frozenset[str] = frozenset()
TYPE_ALIASES: dict[str, str] = {}
RESULT_TYPES: dict[str, str] = {}
