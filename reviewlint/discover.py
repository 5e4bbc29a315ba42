"""Paths → the files to check.

Folders are searched recursively for ``*.py`` and ``*.pyi``; excluded folders are pruned
(``.git``, virtualenvs, ``__pycache__``, ``build``, ``dist``, ``node_modules`` and the
``exclude``/``extend-exclude`` globs), and files git ignores are dropped. Files named on
the command line are always checked, unless ``force-exclude`` is set.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field

from reviewlint.config import Settings

PYTHON_SUFFIXES = (".py", ".pyi")


@dataclass
class Discovery:
    files: list[str] = field(default_factory=list)
    #: paths given on the command line that do not exist
    missing: list[str] = field(default_factory=list)
    #: one-line warnings, e.g. a folder given on the command line that holds nothing to check
    warnings: list[str] = field(default_factory=list)


def _is_virtualenv(path: str) -> bool:
    return os.path.isfile(os.path.join(path, "pyvenv.cfg"))


def discover(paths: list[str], settings: Settings, force_exclude: bool | None = None) -> Discovery:
    """The files to check, in a stable order, without duplicates."""
    force = settings.get("force-exclude", False) if force_exclude is None else force_exclude
    result = Discovery()
    explicit: set[str] = set()
    found: list[str] = []
    #: folder given → (files found there, Python files or folders left out by excludes)
    folders: dict[str, tuple[list[str], int]] = {}
    for given in paths:
        if not os.path.exists(given):
            result.missing.append(given)
            continue
        if os.path.isfile(given):
            if force and settings.is_excluded(given):
                continue
            found.append(given)
            explicit.add(os.path.normpath(given))
            continue
        if settings.is_excluded(given) and os.path.abspath(given) != os.path.abspath(settings.root) and force:
            folders[given] = ([], 1)
            continue
        here: list[str] = []
        left_out = 0
        for dirpath, dirnames, filenames in os.walk(given):
            kept = sorted(
                d
                for d in dirnames
                if not settings.is_excluded(os.path.join(dirpath, d), given)
                and not _is_virtualenv(os.path.join(dirpath, d))
            )
            left_out += len(dirnames) - len(kept)
            dirnames[:] = kept
            for name in sorted(filenames):
                if name.endswith(PYTHON_SUFFIXES):
                    path = os.path.join(dirpath, name)
                    if settings.is_excluded(path, given):
                        left_out += 1
                    else:
                        here.append(path)
        found.extend(here)
        folders[given] = (here, left_out)
    if settings.get("respect-gitignore", True):
        ignored = git_ignored([f for f in found if force or os.path.normpath(f) not in explicit])
        found = [f for f in found if f not in ignored]
    else:
        ignored = set()
    for given, (here, left_out) in folders.items():
        if here and not all(f in ignored for f in here):
            continue
        if here or left_out:
            why = []
            if here:
                why.append(f"{len(here)} git-ignored")
            if left_out:
                why.append(f"{left_out} files or folders excluded by `exclude`/`extend-exclude`")
            result.warnings.append(f"no Python files found under {given} ({' and '.join(why)})")
        else:
            result.warnings.append(f"no Python files found under {given}")
    seen: set[str] = set()
    for path in found:
        key = os.path.normcase(os.path.abspath(path))
        if key not in seen:
            seen.add(key)
            result.files.append(path)
    return result


def git_ignored(paths: list[str]) -> set[str]:
    """The subset of ``paths`` that git ignores (empty when git or a repository is missing)."""
    if not paths:
        return set()
    by_dir: dict[str, list[str]] = {}
    for path in paths:
        by_dir.setdefault(_git_toplevel_key(path), []).append(path)
    ignored: set[str] = set()
    for cwd, group in by_dir.items():
        if not cwd:
            continue
        try:
            proc = subprocess.run(
                ["git", "check-ignore", "--stdin", "-z"],
                input="\0".join(os.path.abspath(p) for p in group).encode() + b"\0",
                cwd=cwd,
                capture_output=True,
                timeout=30,
            )
        except (OSError, subprocess.SubprocessError):
            continue  # no git: nothing is git-ignored
        if proc.returncode not in (0, 1):
            continue
        hits = {os.path.normcase(p) for p in proc.stdout.decode(errors="replace").split("\0") if p}
        for path in group:
            if os.path.normcase(os.path.abspath(path)) in hits:
                ignored.add(path)
    return ignored


_TOPLEVEL_CACHE: dict[str, str] = {}


def _git_toplevel_key(path: str) -> str:
    """The folder above ``path`` that holds ``.git`` ("" when none)."""
    directory = os.path.dirname(os.path.abspath(path))
    probe = directory
    visited = []
    while True:
        if probe in _TOPLEVEL_CACHE:
            found = _TOPLEVEL_CACHE[probe]
            break
        visited.append(probe)
        if os.path.exists(os.path.join(probe, ".git")):
            found = probe
            break
        parent = os.path.dirname(probe)
        if parent == probe:
            found = ""
            break
        probe = parent
    for v in visited:
        _TOPLEVEL_CACHE[v] = found
    return found
