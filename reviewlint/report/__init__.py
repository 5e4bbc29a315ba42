"""Reporters: findings → text for a terminal, a CI system or a code-review tool.

One module per format; each has ``render(report: Report) -> str``. Modules are imported only
when their format is used.
"""

from __future__ import annotations

import importlib
import os
import subprocess
from dataclasses import dataclass, field
from typing import Any, Callable

from reviewlint.rule import Finding

#: format name → module under reviewlint.report
FORMATS: dict[str, str] = {
    "text": "text",
    "concise": "concise",
    "json": "json_format",
    "json-lines": "json_lines",
    "github": "github",
    "sarif": "sarif",
    "gitlab": "gitlab",
    "junit": "junit",
    "checklist": "checklist",
}

#: severity → rank (higher is more severe)
SEVERITY_RANK = {"error": 3, "warning": 2, "info": 1}

DOCS_URL = "https://github.com/reviewlint/reviewlint/blob/main/docs/rules.md"


def rule_url(name: str) -> str:
    return f"{DOCS_URL}#{name}"


@dataclass
class Report:
    """What a reporter gets: the findings to show and the run they came from."""

    findings: list[Finding]
    files_checked: int = 0
    rules: list[Any] = field(default_factory=list)
    suppressed: list[Any] = field(default_factory=list)
    show_suppressed: bool = False
    color: bool = False
    statistics: bool = False
    quiet: bool = False
    #: the files that were checked (paths as given to the engine), for reporters that look at them
    paths: list[str] = field(default_factory=list)


def get_renderer(name: str) -> Callable[[Report], str]:
    module = importlib.import_module(f"reviewlint.report.{FORMATS[name]}")
    return module.render  # type: ignore[no-any-return]


def repo_root(cwd: str | None = None) -> str:
    """The repository root that CI systems resolve paths against.

    ``git rev-parse --show-toplevel`` (the checkout the files live in), else
    ``$GITHUB_WORKSPACE`` / ``$CI_PROJECT_DIR``, else the current folder.
    """
    cwd = cwd or os.getcwd()
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], cwd=cwd, capture_output=True, text=True, timeout=10, check=False
        )
        if out.returncode == 0 and out.stdout.strip():
            return os.path.normpath(out.stdout.strip())
    except (OSError, subprocess.SubprocessError):  # reviewlint: ignore[ERR002] -- no git: fall back to the CI workspace below
        pass
    for var in ("GITHUB_WORKSPACE", "CI_PROJECT_DIR"):
        value = os.environ.get(var)  # reviewlint: ignore[MAINT003] -- the CI runner's workspace, read where it is used
        if value and os.path.isdir(value):
            return os.path.normpath(value)
    return os.path.abspath(cwd)


def repo_relative(path: str, root: str) -> str:
    """``path`` relative to ``root`` with POSIX separators (as given when outside it)."""
    abspath = os.path.realpath(os.path.abspath(path))
    real_root = os.path.realpath(root)
    try:
        rel = os.path.relpath(abspath, real_root)
    except ValueError:  # another drive on Windows
        return path.replace(os.sep, "/")
    if rel == ".." or rel.startswith(".." + os.sep):
        return path.replace(os.sep, "/")
    return rel.replace(os.sep, "/")


def most_severe_first(findings: list[Finding]) -> list[Finding]:
    """Findings ordered by severity (errors first), then path and line."""
    return sorted(findings, key=lambda f: (-SEVERITY_RANK.get(f.severity, 0), f.sort_key))
