"""The programmatic API: what the CLI, pre-commit, the PR review command and tests call.

>>> from reviewlint.api import check_source
>>> [f.code for f in check_source("import requests\\nrequests.get('https://x.org')\\n")]
['REL001', ...]
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from reviewlint.config import Settings, load_settings
from reviewlint.discover import discover
from reviewlint.engine.runner import Engine, FileResult, relative_display
from reviewlint.plugins import (
    PluginError,
    check_rule_tables,
    check_selectors,
    load_rules,
    options_for,
    select_rules,
    severity_for,
)
from reviewlint.rule import Finding, Rule


@dataclass
class RunResult:
    files: list[FileResult] = field(default_factory=list)
    rules: list[type[Rule]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    #: one-line warnings about the paths given (e.g. a folder with nothing to check)
    warnings: list[str] = field(default_factory=list)
    #: the results cache used (None when off): ``hits``/``misses``
    cache: Any = None

    @property
    def findings(self) -> list[Finding]:
        """Rule findings and file diagnostics, in path/line order."""
        out = [f for r in self.files for f in (*r.diagnostics, *r.findings)]
        out.sort(key=lambda f: f.sort_key)
        return out

    @property
    def suppressed(self) -> list[Any]:
        return [s for r in self.files for s in r.suppressed]

    @property
    def internal_error(self) -> bool:
        return any(r.internal_error for r in self.files)

    @property
    def files_checked(self) -> int:
        return len(self.files)


def available_rules(settings: Settings | None = None) -> list[type[Rule]]:
    """Every rule class of every installed pack (and the project's local rules)."""
    local = settings.get("local-rules", []) if settings is not None else []
    return [item.cls for item in load_rules(local)]


def _where(settings: Settings) -> str:
    if settings.config_file is None:
        return "command line"
    return os.path.relpath(settings.config_file) if not os.path.relpath(settings.config_file).startswith("..") else settings.config_file


def enabled_rule_classes(settings: Settings, classes: Sequence[type[Rule]] | None = None) -> list[type[Rule]]:
    classes = list(classes) if classes is not None else available_rules(settings)
    where = _where(settings)
    for key in ("select", "extend-select", "ignore", "extend-ignore"):
        values = settings.get(key) or []
        check_selectors(values, classes, f"{settings.sources.get(key, where)}: {key}")
    check_selectors(settings.get("severity", {}).keys(), classes, f"{where}: severity")
    check_selectors(settings.get("peer-codes", {}).keys(), classes, f"{where}: peer-codes")
    for selectors in settings.get("per-file-ignores", {}).values():
        check_selectors(selectors, classes, f"{where}: per-file-ignores")
    check_rule_tables(settings.get("rules", {}), classes, where)
    return select_rules(
        classes,
        settings.get("select"),
        settings.get("extend-select", []),
        list(settings.get("ignore", [])) + list(settings.get("extend-ignore", [])),
        preview=settings.get("preview", False),
    )


def build_engine(settings: Settings, classes: Sequence[type[Rule]] | None = None) -> Engine:
    """Load the rule packs, select and configure the rules: once per run."""
    enabled = enabled_rule_classes(settings, classes)
    where = _where(settings)
    rules = [cls(options_for(cls, settings.get("rules", {}), where), settings) for cls in enabled]
    severities = {cls.code: severity_for(cls, settings.get("severity", {})) for cls in enabled}
    return Engine(rules, settings, severities)


def check_paths(paths: Sequence[str], settings: Settings | None = None, *, force_exclude: bool | None = None,
                engine: Engine | None = None, jobs: int | None = 1, cache: bool = False,
                shard: tuple[int, int] | None = None, progress: bool = False) -> RunResult:
    """Check files and folders; never raises for a bad file (see ``FileResult.diagnostics``).

    ``jobs``: worker processes (None or 0: one per CPU); ``cache``: reuse and store results
    under the cache folder; ``shard=(k, n)``: check only the k-th (1-based) of n
    deterministic slices of the files (project-level facts still come from the whole project).
    """
    from reviewlint.engine.pool import run_files, shard_of

    settings = settings or load_settings()
    engine = engine or build_engine(settings)
    found = discover(list(paths), settings, force_exclude)
    files = found.files
    if shard is not None:
        k, n = shard
        files = [f for f in files if shard_of(settings.relative(f), n) == k - 1]
    result = RunResult(rules=[type(r) for r in engine.rules], missing=found.missing, warnings=found.warnings)
    result_cache = None
    if cache:
        from reviewlint.cache import ResultCache, default_cache_dir, run_key

        result_cache = ResultCache(default_cache_dir(settings), run_key(engine, settings))
    result.files = run_files(
        [(path, relative_display(path)) for path in files],
        engine,
        jobs=jobs,
        cache=result_cache,
        relpath=settings.relative,
        progress=progress,
    )
    result.cache = result_cache
    from reviewlint.engine.project import finish_project

    finish_project(result.files, engine)
    return result


def check_source(source: str, path: str = "example.py", *, select: Iterable[str] | None = None,
                 options: Mapping[str, Mapping[str, Any]] | None = None, settings: Settings | None = None,
                 classes: Sequence[type[Rule]] | None = None) -> list[Finding]:
    """Check one piece of source text as if it were the file ``path``.

    ``select``: rule codes/prefixes/names (default: all rules); ``options``: per-rule options
    keyed by code or name. Returns the unsuppressed findings and diagnostics.
    """
    overrides: dict[str, Any] = {}
    if select is not None:
        overrides["select"] = list(select)
    if options:
        overrides["rules"] = {k: dict(v) for k, v in options.items()}
    if settings is None:
        settings = load_settings(overrides=overrides, isolated=True)
        settings.root = os.getcwd()  # paths in examples are relative to here
    engine = build_engine(settings, classes)
    file_result = engine.check_text(source, path, path)
    from reviewlint.engine.project import finish_project

    finish_project([file_result], engine)
    return sorted([*file_result.diagnostics, *file_result.findings], key=lambda f: f.sort_key)


__all__ = ["check_paths", "check_source", "build_engine", "RunResult", "PluginError", "available_rules"]
