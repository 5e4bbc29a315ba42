"""Reporters: findings → text for a terminal, a CI system or a code-review tool.

One module per format; each has ``render(report: Report) -> str``. Modules are imported only
when their format is used.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Callable

from reviewlint.rule import Finding

#: format name → module under reviewlint.report
FORMATS: dict[str, str] = {
    "text": "text",
    "concise": "concise",
    "json": "json_format",
}

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


def get_renderer(name: str) -> Callable[[Report], str]:
    module = importlib.import_module(f"reviewlint.report.{FORMATS[name]}")
    return module.render  # type: ignore[no-any-return]
