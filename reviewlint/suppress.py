"""``# reviewlint: ignore[...]`` comments.

* ``# reviewlint: ignore[REL001, PERF001] -- reason`` on the reported line, or on the first
  line of the statement that contains it, hides those codes there (codes, prefixes or
  rule names);
* a bare ``# reviewlint: ignore`` hides every finding of the line, except DEBT002, the rule
  that reports blanket suppressions;
* ``# reviewlint: ignore-file`` / ``ignore-file[CODES]`` in the file's first comment block
  hides the codes (or everything) in the whole file.

Only reviewlint's own comments count: ``# noqa`` and ``# type: ignore`` do not.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass
from typing import Iterable

from reviewlint.rule import Finding

DIRECTIVE_RE = re.compile(
    r"#\s*reviewlint\s*:\s*(?P<kind>ignore-file|ignore)\b(?:\s*\[(?P<codes>[^\]]*)\])?(?:\s*--\s*(?P<reason>.*\S))?"
)
BLANKET_EXEMPT = frozenset({"DEBT002"})


@dataclass(frozen=True)
class Suppression:
    line: int
    column: int
    #: None: every code
    codes: frozenset[str] | None
    reason: str | None
    file_level: bool
    text: str

    def covers(self, finding: Finding) -> bool:
        if self.codes is None:
            return finding.code not in BLANKET_EXEMPT
        for selector in self.codes:
            if selector == finding.code or selector == finding.name or finding.code.startswith(selector):
                return True
        return False


def _parse_codes(raw: str | None) -> frozenset[str] | None:
    if raw is None:
        return None
    codes = frozenset(c.strip() for c in raw.split(",") if c.strip())
    return codes or None


def iter_comments(text: str) -> Iterable[tuple[int, int, str]]:
    """(line, 1-based column, text) of every real comment (not ``#`` inside strings)."""
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                yield tok.start[0], tok.start[1] + 1, tok.string
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return


def parse_suppressions(text: str) -> list[Suppression]:
    if "reviewlint" not in text:
        return []
    out: list[Suppression] = []
    last_header_line = 0
    lines = text.splitlines()
    # the first comment block: leading lines that are blank or comments
    for index, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            break
        last_header_line = index
    for line, column, comment in iter_comments(text):
        match = DIRECTIVE_RE.search(comment)
        if match is None:
            continue
        file_level = match.group("kind") == "ignore-file"
        if file_level and line > last_header_line:
            continue  # ignore-file only counts in the first comment block
        out.append(
            Suppression(
                line=line,
                column=column + match.start(),
                codes=_parse_codes(match.group("codes")),
                reason=match.group("reason"),
                file_level=file_level,
                text=match.group(0),
            )
        )
    return out


class SuppressionIndex:
    """Look up which suppression (if any) hides a finding."""

    def __init__(self, suppressions: Iterable[Suppression]) -> None:
        self.by_line: dict[int, list[Suppression]] = {}
        self.file_level: list[Suppression] = []
        for sup in suppressions:
            if sup.file_level:
                self.file_level.append(sup)
            else:
                self.by_line.setdefault(sup.line, []).append(sup)

    def find(self, finding: Finding) -> Suppression | None:
        for sup in self.file_level:
            if sup.covers(finding):
                return sup
        lines = {finding.line}
        if finding.statement_line:
            lines.add(finding.statement_line)
        for line in sorted(lines):
            for sup in self.by_line.get(line, ()):
                if sup.covers(finding):
                    return sup
        return None
