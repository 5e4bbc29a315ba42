"""What libraries mean, as data, keyed by qualified name.

Every rule asks these tables instead of keeping its own list, so that teaching reviewlint a
new HTTP client, ORM or framework is one edit here and every rule learns it at once.

``call_result_type(qualname)`` answers "what does calling this return?" for the object
tracking in :mod:`reviewlint.engine.context` (``s = requests.Session()`` → ``s`` is a
``requests.Session``; ``r = s.get(url)`` → ``r`` is a ``requests.Response``).
"""

from __future__ import annotations

from reviewlint.knowledge import db, http, logs

_RESULT_TYPES: dict[str, str] = {}
_RESULT_TYPES.update(http.RESULT_TYPES)
_RESULT_TYPES.update(db.RESULT_TYPES)
_RESULT_TYPES.update(logs.RESULT_TYPES)

#: qualified names of classes whose instances are tracked (used for annotations)
KNOWN_TYPES: frozenset[str] = frozenset(http.CLIENT_TYPES) | frozenset(http.RESPONSE_TYPES) | db.KNOWN_TYPES | logs.KNOWN_TYPES

#: aliases: other import paths of the same class
TYPE_ALIASES: dict[str, str] = {**http.TYPE_ALIASES, **db.TYPE_ALIASES}


def canonical_type(qualname: str | None) -> str | None:
    if qualname is None:
        return None
    return TYPE_ALIASES.get(qualname, qualname)


def call_result_type(qualname: str | None) -> str | None:
    """The type of the value a call to ``qualname`` returns, when reviewlint knows it."""
    if not qualname:
        return None
    qualname = canonical_type(qualname) or qualname
    if qualname in KNOWN_TYPES and qualname in _CONSTRUCTIBLE:
        return qualname
    return _RESULT_TYPES.get(qualname)


_CONSTRUCTIBLE = frozenset(http.CLIENT_TYPES) | db.CONSTRUCTIBLE | logs.CONSTRUCTIBLE
