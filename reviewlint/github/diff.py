"""Unified-diff hunks (the ``patch`` field of GitHub's pull-request files API) → line numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


@dataclass
class PatchLines:
    """Lines of the new file version: ``added`` ('+' lines) and ``visible`` (every RIGHT-side
    line shown in a hunk: added or context; GitHub accepts review comments only on these)."""

    added: set[int] = field(default_factory=set)
    visible: set[int] = field(default_factory=set)


def parse_patch(patch: str | None) -> PatchLines:
    """Parse a unified diff of one file. Malformed input yields what could be read, never raises."""
    result = PatchLines()
    if not patch:
        return result
    new_line = 0
    in_hunk = False
    for raw in patch.splitlines():
        match = _HUNK.match(raw)
        if match:
            new_line = int(match.group(3))
            in_hunk = True
            continue
        if not in_hunk:
            continue  # headers such as "diff --git", "---", "+++" before the first hunk
        if raw.startswith("\\"):  # "\ No newline at end of file"
            continue
        tag = raw[:1]
        if tag == "+":
            result.added.add(new_line)
            result.visible.add(new_line)
            new_line += 1
        elif tag == "-":
            continue
        else:  # context (" " or an empty line whose trailing space was stripped)
            result.visible.add(new_line)
            new_line += 1
    return result
