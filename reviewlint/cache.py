"""Results cache: a file's result is reused while nothing that shaped it changed.

Key: the file's bytes and its path relative to the project root, and a *run key* made of the
reviewlint version, the effective configuration, the enabled rules (with their options and
severities) and the code of the engine and of every rule module (size and mtime of each file,
so an edited plugin or local rule is a miss). Entries live in
``<cache-dir>/v1/<run key>/<file key>.json`` (default ``.reviewlint_cache/`` in the project
root, with a ``CACHEDIR.TAG`` and a ``.gitignore``). Writes are atomic (temporary file +
``os.replace``), so concurrent runs never see half an entry; an unreadable or malformed entry
is a miss, never a crash or a wrong answer.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import tempfile
from typing import Any

from reviewlint import __version__
from reviewlint.engine.runner import FileResult
from reviewlint.rule import Finding
from reviewlint.suppress import Suppression

SCHEMA = 1
CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by reviewlint.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)


def _code_fingerprint(paths: list[str]) -> list[Any]:
    out = []
    for path in sorted(set(paths)):
        try:
            st = os.stat(path)
            out.append((path, st.st_size, st.st_mtime_ns))
        except OSError:
            out.append((path, None, None))
    return out


def _engine_files() -> list[str]:
    base = os.path.dirname(os.path.abspath(__file__))
    files = []
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        files.extend(os.path.join(dirpath, f) for f in filenames if f.endswith(".py"))
    return files


def run_key(engine: Any, settings: Any) -> str:
    """Everything except the file itself that decides a file's result."""
    rule_files = []
    rules = []
    for rule in engine.rules:
        cls = type(rule)
        try:
            rule_files.append(inspect.getfile(cls))
        except (TypeError, OSError):
            pass  # a rule defined in memory has no file: its code is keyed by name only
        rules.append([cls.__module__, cls.__qualname__, rule.code, rule.config, str(engine.severities.get(rule.code, rule.severity))])
    values = {k: v for k, v in settings.values.items() if k not in ("output-format", "fail-on", "cache-dir", "baseline")}
    # rules may read project files besides the checked one (OBS001: [project.scripts])
    project_files = [settings.config_file, os.path.join(settings.root, "pyproject.toml")]
    payload = {
        "project": [_digest(p) for p in project_files if p],
        "schema": SCHEMA,
        "version": __version__,
        "root": settings.root,
        "settings": values,
        "rules": rules,
        "code": _code_fingerprint(_engine_files() + rule_files),
    }
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _digest(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return None  # no such file: its absence is part of the key


def file_key(relpath: str, data: bytes) -> str:
    digest = hashlib.sha256()
    digest.update(relpath.encode("utf-8", "surrogateescape"))
    digest.update(b"\0")
    digest.update(data)
    return digest.hexdigest()


# ---------------------------------------------------------------------- (de)serialisation


def result_to_json(result: FileResult) -> dict[str, Any]:
    return {
        "findings": [f.to_dict() for f in result.findings],
        "diagnostics": [f.to_dict() for f in result.diagnostics],
        "suppressed": [[f.to_dict(), _sup_to_json(s)] for f, s in result.suppressed],
        "facts": result.facts,
        "parsed": result.parsed,
    }


def _sup_to_json(sup: Suppression) -> dict[str, Any]:
    return {
        "line": sup.line,
        "column": sup.column,
        "codes": sorted(sup.codes) if sup.codes is not None else None,
        "reason": sup.reason,
        "file_level": sup.file_level,
        "text": sup.text,
    }


def _finding(d: dict[str, Any], display: str) -> Finding:
    d = dict(d)
    d["path"] = display
    return Finding.from_dict(d)


def result_from_json(data: dict[str, Any], path: str, display: str) -> FileResult:
    result = FileResult(path, display)
    result.findings = [_finding(d, display) for d in data["findings"]]
    result.diagnostics = [_finding(d, display) for d in data["diagnostics"]]
    result.suppressed = [
        (
            _finding(f, display),
            Suppression(
                line=s["line"],
                column=s["column"],
                codes=frozenset(s["codes"]) if s["codes"] is not None else None,
                reason=s["reason"],
                file_level=s["file_level"],
                text=s["text"],
            ),
        )
        for f, s in data["suppressed"]
    ]
    result.facts = data["facts"]
    result.parsed = bool(data.get("parsed", True))
    return result


class ResultCache:
    """One run's view of the cache folder."""

    def __init__(self, directory: str, key: str) -> None:
        self.root = directory
        self.directory = os.path.join(directory, f"v{SCHEMA}", key)
        self.hits = 0
        self.misses = 0
        self._ready = False

    def _prepare(self) -> bool:
        if self._ready:
            return True
        try:
            os.makedirs(self.directory, exist_ok=True)
            tag = os.path.join(self.root, "CACHEDIR.TAG")
            if not os.path.exists(tag):
                _atomic_write(tag, CACHEDIR_TAG)
            ignore = os.path.join(self.root, ".gitignore")
            if not os.path.exists(ignore):
                _atomic_write(ignore, "# created by reviewlint\n*\n")
        except OSError:
            return False  # a read-only tree: run without writing the cache
        self._ready = True
        return True

    def get(self, key: str, path: str, display: str) -> FileResult | None:
        entry = os.path.join(self.directory, key[:2], key + ".json")
        try:
            with open(entry, encoding="utf-8") as handle:
                data = json.load(handle)
            result = result_from_json(data, path, display)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self.misses += 1
            return None
        self.hits += 1
        return result

    def put(self, key: str, result: FileResult) -> None:
        if result.internal_error:
            return  # a crash may be transient (or fixed by the next release): never cache it
        if not self._prepare():
            return
        folder = os.path.join(self.directory, key[:2])
        try:
            os.makedirs(folder, exist_ok=True)
            _atomic_write(os.path.join(folder, key + ".json"), json.dumps(result_to_json(result), separators=(",", ":")))
        except (OSError, TypeError, ValueError):
            pass  # a cache that cannot be written is only slower


def _atomic_write(path: str, text: str) -> None:
    folder = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def default_cache_dir(settings: Any) -> str:
    configured = settings.get("cache-dir")
    if configured:
        base = os.path.dirname(settings.config_file) if settings.config_file else settings.root
        return os.path.normpath(os.path.join(base, configured))
    return os.path.join(settings.root, ".reviewlint_cache")
