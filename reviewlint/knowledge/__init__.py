"""What libraries mean, as data, keyed by qualified name.

Every rule asks these tables instead of keeping its own list, so that teaching reviewlint a
new HTTP client, ORM or framework is one edit here and every rule learns it at once.

Each submodule may export, for the object tracking in :mod:`reviewlint.engine.context`:

* ``KNOWN_TYPES``: classes whose instances are tracked (and may be named in annotations);
* ``CONSTRUCTIBLE``: those of them that calling the class itself constructs;
* ``TYPE_ALIASES``: other import paths of the same classes;
* ``RESULT_TYPES``: what calling a qualified name returns (``requests.Session.get`` →
  ``requests.Response``; ``logging.getLogger`` → ``logging.Logger``).
"""

from __future__ import annotations

from reviewlint.knowledge import db, http, logs, retry, security, web

_MODULES = (http, db, logs, web, security, retry)

KNOWN_TYPES: frozenset[str] = frozenset(http.CLIENT_TYPES) | frozenset(http.RESPONSE_TYPES)
_CONSTRUCTIBLE: frozenset[str] = frozenset(http.CLIENT_TYPES)
TYPE_ALIASES: dict[str, str] = {}
_RESULT_TYPES: dict[str, str] = {}
for _module in _MODULES:
    KNOWN_TYPES |= frozenset(getattr(_module, "KNOWN_TYPES", ()))
    _CONSTRUCTIBLE |= frozenset(getattr(_module, "CONSTRUCTIBLE", ()))
    TYPE_ALIASES.update(getattr(_module, "TYPE_ALIASES", {}))
    _RESULT_TYPES.update(getattr(_module, "RESULT_TYPES", {}))


def canonical_type(qualname: str | None) -> str | None:
    if qualname is None:
        return None
    return TYPE_ALIASES.get(qualname, qualname)


def call_result_type(qualname: str | None) -> str | None:
    """The type of the value a call to ``qualname`` returns, when reviewlint knows it."""
    if not qualname:
        return None
    canonical = TYPE_ALIASES.get(qualname, qualname)
    if canonical in _CONSTRUCTIBLE:
        return canonical
    return _RESULT_TYPES.get(qualname) or _RESULT_TYPES.get(canonical)
