"""Project-level passes: decisions that need facts from more than one file.

Per file, rules record JSON-serialisable facts in ``context.facts`` during the one walk
(they travel in ``FileResult.facts``, so workers and the cache keep them). After every file
has been checked, each rule that defines ``finish_project(results, project)`` gets all
results and a :class:`Project`, and may drop or adjust its findings there (findings keep the
positions computed in the per-file pass: the modules are gone by then).

When only some files of a project are checked (pre-commit passes the changed files), a
decision must still equal the full-run decision. :meth:`Project.other_facts` supplies the
facts of the project's other files: it finds the project root(s), text-prefilters the other
``.py`` files for the constructs a rule names (``project_keywords``) and extracts facts from
only those, by running that one rule on them; :meth:`Project.module_facts` loads the file of
a module a decision refers to (``from app.deps import get_user``). Nothing is read when every
file of the project was given.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Iterable, Sequence


_ROOT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", "reviewlint.toml", ".git")
_SKIP_DIRS = frozenset({".git", "__pycache__", "node_modules", ".venv", "venv", ".tox", ".nox", "build", "dist",
                        ".mypy_cache", ".ruff_cache", ".pytest_cache", ".reviewlint_cache", "site-packages"})
#: facts extracted from files that were not given, by (path, mtime, size, rule key): one run
#: of a long-lived process (tests, an editor) does not parse them twice
_FACT_CACHE: dict[tuple, dict[str, Any]] = {}


def finish_project(results: Sequence[Any], engine: Any) -> None:
    project = None
    for rule in engine.rules:
        hook = getattr(rule, "finish_project", None)
        if hook is None:
            continue
        if project is None:
            project = Project(results, engine)
        hook(results, project)


class Project:
    """The files of this run, and (lazily) the project they belong to."""

    def __init__(self, results: Sequence[Any], engine: Any) -> None:
        self.results = results
        self.engine = engine
        self.settings = engine.settings
        self._given = {os.path.normcase(os.path.abspath(r.path)) for r in results}
        self._on_disk = [r.path for r in results if os.path.isfile(r.path)]
        self._roots: list[str] | None = None
        self._module_roots: list[str] | None = None
        self._listing: list[str] | None = None

    # ------------------------------------------------------------------ where
    @property
    def roots(self) -> list[str]:
        """The project folders the checked files belong to (none for in-memory sources)."""
        if self._roots is None:
            roots: list[str] = []
            settings_root = os.path.abspath(self.settings.root) if self.settings is not None and self.settings.root else None
            for path in self._on_disk:
                root = _root_for(os.path.abspath(path), settings_root)
                if root not in roots:
                    roots.append(root)
            # a root inside another root is covered by it
            self._roots = [r for r in roots if not any(o != r and _inside(r, o) for o in roots)]
        return self._roots

    @property
    def module_roots(self) -> list[str]:
        """Folders that module names are relative to (``pkg.mod`` → ``<folder>/pkg/mod.py``)."""
        if self._module_roots is None:
            out: list[str] = []
            for path in self._on_disk:
                name = project_module_name(path)
                if not name:
                    continue
                folder = os.path.dirname(os.path.abspath(path))
                depth = name.count(".") + (1 if os.path.basename(path) == "__init__.py" else 0)
                for _ in range(depth):
                    folder = os.path.dirname(folder)
                if folder not in out:
                    out.append(folder)
            for root in self.roots:
                for candidate in (root, os.path.join(root, "src")):
                    if os.path.isdir(candidate) and candidate not in out:
                        out.append(candidate)
            self._module_roots = out
        return self._module_roots

    def _files(self) -> list[str]:
        if self._listing is None:
            listing: list[str] = []
            for root in self.roots:
                for dirpath, dirnames, filenames in os.walk(root):
                    dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS and not d.startswith(".")
                                         and not os.path.isfile(os.path.join(dirpath, d, "pyvenv.cfg")))
                    for name in sorted(filenames):
                        if name.endswith(".py"):
                            listing.append(os.path.join(dirpath, name))
            self._listing = listing
        return self._listing

    def is_given(self, path: str) -> bool:
        return os.path.normcase(os.path.abspath(path)) in self._given

    # ------------------------------------------------------------------ facts
    def given_facts(self, key: str) -> list[Any]:
        return [r.facts[key] for r in self.results if r.facts.get(key)]

    def other_facts(self, rule: Any, key: str, keywords: Iterable[str],
                    also: Callable[[str], bool] | None = None, limit: int | None = None) -> list[Any]:
        """Facts (``key``) of the project's files that were not given and whose text contains
        one of ``keywords`` (or satisfies ``also``), extracted by running ``rule`` on them.

        ``limit``: read at most this many of the other files, spread evenly over the sorted
        listing (for a project-wide statistic, where a sample of a large project tells as much
        as every file and parsing them all would make a subset run cost a full run)."""
        keywords = tuple(keywords)
        others = [path for path in self._files() if not self.is_given(path)]
        if limit is not None and len(others) > limit:
            step = len(others) / max(limit, 1)
            others = [others[int(i * step)] for i in range(limit)]
        out = []
        for path in others:
            fact = self._facts_of(path, rule, key, lambda text: any(k in text for k in keywords) or
                                  (also is not None and also(text)))
            if fact:
                out.append(fact)
        return out

    def other_text_facts(self, key: str, extract: Callable[[str], Any], limit: int | None = None) -> list[Any]:
        """``extract(text)`` of the project's files that were not given (test files and files the
        settings exclude left out), without parsing them: for a statistic a cheap text scan can
        estimate. ``limit``: at most this many files, spread evenly over the sorted listing."""
        others = [path for path in self._files() if not self.is_given(path)
                  and not (self.settings is not None and (self.settings.is_test_path(path)
                                                          or self.settings.is_excluded(path)))]
        if limit is not None and len(others) > limit:
            step = len(others) / max(limit, 1)
            others = [others[int(i * step)] for i in range(limit)]
        out = []
        for path in others:
            try:
                stat = os.stat(path)
            except OSError:  # reviewlint: ignore[ERR002] -- removed since it was listed: no facts
                continue
            cache_key = (os.path.abspath(path), stat.st_mtime_ns, stat.st_size, "text:" + key)
            if cache_key not in _FACT_CACHE:
                from reviewlint.engine import source as src

                try:
                    text = src.decode(src.read_bytes(path))
                except Exception:  # noqa: BLE001
                    continue  # an unreadable file has no facts (its own check reports it)
                _FACT_CACHE[cache_key] = {key: extract(text)}
            fact = _FACT_CACHE[cache_key].get(key)
            if fact:
                out.append(fact)
        return out

    def module_facts(self, rule: Any, key: str, modules: Iterable[str]) -> list[Any]:
        """Facts of the files that define ``modules`` (when they are in the project and not given)."""
        out = []
        for module in modules:
            for path in self._module_files(module):
                if self.is_given(path):
                    continue
                fact = self._facts_of(path, rule, key, None)
                if fact:
                    out.append(fact)
        return out

    def _module_files(self, module: str) -> list[str]:
        parts = module.split(".")
        found = []
        for base in self.module_roots:
            for candidate in (os.path.join(base, *parts) + ".py", os.path.join(base, *parts, "__init__.py")):
                if os.path.isfile(candidate) and (not self.roots or any(_inside(candidate, r) for r in self.roots)):
                    found.append(candidate)
                    break
            if found:
                break
        return found

    def _facts_of(self, path: str, rule: Any, key: str, prefilter: Callable[[str], bool] | None) -> Any:
        """Facts of one file that was not given. Extra facts only bring a subset run closer to
        the full run (where every file has facts), so a file parsed once is reused whatever
        the prefilter; a file the prefilter rejects is not remembered (the next prefilter may differ)."""
        try:
            stat = os.stat(path)
        except OSError:
            return None  # the file vanished since the listing: it has no facts
        cache_key = (os.path.abspath(path), stat.st_mtime_ns, stat.st_size, rule.code, repr(sorted(rule.config.items())))
        if cache_key in _FACT_CACHE:
            return _FACT_CACHE[cache_key].get(key)
        from reviewlint.engine import source as src

        try:
            text = src.decode(src.read_bytes(path))
        except Exception:  # noqa: BLE001
            return None  # an unreadable file has no facts (its own check reports it)
        if prefilter is not None and not prefilter(text):
            return None
        facts = self._extract(path, text, rule)
        _FACT_CACHE[cache_key] = facts
        return facts.get(key)

    def _extract(self, path: str, text: str, rule: Any) -> dict[str, Any]:
        from reviewlint.engine.runner import Engine

        engines = getattr(self, "_engines", None)
        if engines is None:
            engines = self._engines = {}
        engine = engines.get(rule.code)
        if engine is None:
            fresh = type(rule)(dict(rule.config), self.settings)
            engine = engines[rule.code] = Engine([fresh], self.settings)
        result = engine.check_text(text, path, path)
        return result.facts


_NAME_CACHE: dict[str, str | None] = {}


def project_module_name(path: str) -> str | None:
    """The dotted module name of ``path``, namespace packages included: the folders from the
    highest one (at most 6 up) that has an ``__init__.py``, down to the file
    (``open_webui/utils/auth.py`` with only ``open_webui/__init__.py`` → ``open_webui.utils.auth``).
    None for a file outside any package."""
    abspath = os.path.abspath(path)
    if abspath in _NAME_CACHE:
        return _NAME_CACHE[abspath]
    directory, filename = os.path.split(abspath)
    stem = os.path.splitext(filename)[0]
    folders: list[str] = []
    top = -1
    probe = directory
    for level in range(6):
        name = os.path.basename(probe)
        if not name or not name.isidentifier():
            break
        folders.append(name)
        if os.path.isfile(os.path.join(probe, "__init__.py")):
            top = level
        parent = os.path.dirname(probe)
        if parent == probe:
            break
        probe = parent
    if top < 0:
        result = None
    else:
        parts = list(reversed(folders[: top + 1]))
        if stem != "__init__":
            parts.append(stem)
        result = ".".join(parts)
    _NAME_CACHE[abspath] = result
    return result


def _inside(path: str, folder: str) -> bool:
    folder = folder.rstrip(os.sep) + os.sep
    return path.startswith(folder)


_ROOT_CACHE: dict[tuple[str, str | None], str] = {}


def _root_for(path: str, settings_root: str | None) -> str:
    """The project root of ``path``: the run's root when the file is under it, else the nearest
    folder upward with a project marker, else the folder above the file's top-level package.
    (The same for every file of a folder: cached per folder.)"""
    key = (os.path.dirname(path), settings_root)
    root = _ROOT_CACHE.get(key)
    if root is None:
        root = _ROOT_CACHE[key] = _find_root(path, settings_root)
    return root


def _find_root(path: str, settings_root: str | None) -> str:
    if settings_root and _inside(path, settings_root) and any(
            os.path.exists(os.path.join(settings_root, m)) for m in _ROOT_MARKERS):
        return settings_root  # (without a marker, the run's root is just the current folder)
    directory = os.path.dirname(path)
    top_package = directory
    name = project_module_name(path)
    if name:
        for _ in range(name.count(".") + (1 if os.path.basename(path) == "__init__.py" else 0)):
            top_package = os.path.dirname(top_package)
    probe = directory
    while True:
        if any(os.path.exists(os.path.join(probe, m)) for m in _ROOT_MARKERS):
            return probe
        parent = os.path.dirname(probe)
        if parent == probe:
            return top_package
        probe = parent
