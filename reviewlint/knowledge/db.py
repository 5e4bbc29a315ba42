"""Database libraries: which calls read, which write, and what they return.

Filled in by the performance/scalability rule pack (PERF002-PERF005). Keys are qualified
names; instance methods are keyed ``<Class>.<method>``.
"""

from __future__ import annotations

#: classes whose instances are tracked (cursors, sessions, connections)
KNOWN_TYPES: frozenset[str] = frozenset()
#: classes (or factories) that construct a tracked instance when called
CONSTRUCTIBLE: frozenset[str] = frozenset()
#: other import paths of the same classes
TYPE_ALIASES: dict[str, str] = {}
#: what calling a qualified name returns
RESULT_TYPES: dict[str, str] = {}
