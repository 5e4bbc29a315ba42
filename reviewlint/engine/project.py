"""Project-level passes: decisions that need facts from more than one file.

Per file, rules record JSON-serialisable facts in ``context.facts`` during the one walk
(they travel in ``FileResult.facts``, so workers and the cache keep them). After every file
has been checked, each rule that defines ``finish_project(results)`` gets all results and
may add or drop findings there.
"""

from __future__ import annotations

from typing import Any, Sequence


def finish_project(results: Sequence[Any], engine: Any) -> None:
    for rule in engine.rules:
        hook = getattr(rule, "finish_project", None)
        if hook is not None:
            hook(results)
