"""Glob patterns for paths, as used by every path option (``exclude``, ``per-file-ignores``,
``test-paths``, ``config-modules`` ...).

Patterns match POSIX paths relative to the project root. ``*`` and ``?`` stay within one
path segment, ``**`` spans any number of segments. A pattern without a ``/`` also matches
the file's (or any parent folder's) name, so ``build`` excludes ``a/build/x.py`` and
``test_*.py`` matches ``pkg/test_x.py``. A pattern that matches a folder matches
everything below it.
"""

from __future__ import annotations

import functools
import re
from typing import Iterable


@functools.lru_cache(maxsize=1024)
def _compile(pattern: str) -> re.Pattern[str]:
    pattern = pattern.strip()
    if pattern.startswith("./"):
        pattern = pattern[2:]
    anchored = "/" in pattern.rstrip("/")
    pattern = pattern.strip("/")
    out = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif ch == "*":
            out.append("[^/]*")
            i += 1
        elif ch == "?":
            out.append("[^/]")
            i += 1
        elif ch == "[":
            close = pattern.find("]", i + 1)
            if close == -1:
                out.append(re.escape(ch))
                i += 1
            else:
                body = pattern[i + 1 : close]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = close + 1
        else:
            out.append(re.escape(ch))
            i += 1
    body = "".join(out)
    prefix = "" if anchored else "(?:.*/)?"
    return re.compile(f"^{prefix}{body}(?:/.*)?$")


def match(path: str, pattern: str) -> bool:
    """Does the relative POSIX ``path`` match ``pattern``?"""
    return _compile(pattern).match(path) is not None


def match_any(path: str, patterns: Iterable[str]) -> bool:
    return _combined(tuple(patterns)).match(path) is not None


@functools.lru_cache(maxsize=256)
def _combined(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for a set of patterns: a path is matched once, not once per pattern."""
    if not patterns:
        return re.compile(r"(?!)")
    return re.compile("|".join(f"(?:{_compile(p).pattern})" for p in patterns))


def validate(pattern: str) -> str | None:
    """A reason the pattern is unusable, or None."""
    if not isinstance(pattern, str) or not pattern.strip():
        return "empty pattern"
    try:
        _compile(pattern)
    except re.error as exc:
        return f"invalid pattern: {exc}"
    return None
