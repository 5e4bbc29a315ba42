"""``# reviewlint: ignore[...]`` comments.

* ``# reviewlint: ignore[REL001, PERF001] -- reason`` on the reported line, or on the first
  line of the statement that contains it, hides those codes there (codes, prefixes or
  rule names);
* a bare ``# reviewlint: ignore`` hides every finding of the line, except DEBT002, the rule
  that reports blanket suppressions;
* ``# reviewlint: ignore-file`` / ``ignore-file[CODES]`` in the file's first comment block
  hides the codes (or everything) in the whole file.

A peer linter's suppression of the *same problem* counts too (``peer-suppressions``, on by
default): each rule lists the codes other linters give that problem (``Rule.peer_codes``:
REL001 ↔ ruff/bandit ``S113``/``B113`` and pylint ``missing-timeout``, ERR001 ↔ ``E722`` …).
``# noqa: S113``, ``# nosec B113`` and ``# pylint: disable=missing-timeout`` on the reported
line (or the statement's first line) hide REL001 there; a bare ``# nosec`` hides every rule
that bandit also has. A bare ``# noqa`` hides nothing: it names no problem (DEBT002 reports it).
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


#: ``# noqa: A1, B2`` (flake8, ruff), ``# nosec`` / ``# nosec B602, B607`` (bandit),
#: ``# pylint: disable=name,W0702`` (pylint)
_NOQA_RE = re.compile(r"#\s*noqa\s*:\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*)", re.IGNORECASE)
_NOSEC_RE = re.compile(r"#\s*nosec\b(?::?\s*(?P<codes>B[0-9]+(?:[\s,]+B[0-9]+)*))?", re.IGNORECASE)
_PYLINT_RE = re.compile(r"#\s*pylint\s*:\s*disable\s*=\s*(?P<codes>[\w-]+(?:\s*,\s*[\w-]+)*)")
_PEER_HINTS = ("noqa", "nosec", "NOQA", "NOSEC", "pylint")
#: a bare ``# nosec``: every rule whose peer codes include a bandit code
BANDIT_ANY = "B*"


@dataclass(frozen=True)
class Suppression:
    line: int
    column: int
    #: None: every code
    codes: frozenset[str] | None
    reason: str | None
    file_level: bool
    text: str
    #: a peer linter's comment: ``codes`` are that linter's codes
    peer: bool = False

    def covers(self, finding: Finding, peers: "dict[str, frozenset[str]] | None" = None) -> bool:
        if self.peer:
            mine = (peers or {}).get(finding.code)
            if not mine or self.codes is None:
                return False
            if BANDIT_ANY in self.codes:
                return any(c.startswith("B") and c[1:].isdigit() for c in mine)
            return not self.codes.isdisjoint(mine)
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


def parse_peer_suppressions(text: str) -> list[Suppression]:
    """Other linters' line suppressions that name codes (and bandit's bare ``# nosec``)."""
    if not any(hint in text for hint in _PEER_HINTS):
        return []
    out: list[Suppression] = []
    for line, column, comment in iter_comments(text):
        for regex in (_NOQA_RE, _NOSEC_RE, _PYLINT_RE):
            for match in regex.finditer(comment):
                raw = match.group("codes")
                if regex is _NOSEC_RE and raw is None:
                    codes = frozenset({BANDIT_ANY})
                else:
                    codes = frozenset(c.upper() if regex is not _PYLINT_RE else c for c in re.split(r"[\s,]+", raw or "") if c)
                if codes:
                    out.append(Suppression(line, column + match.start(), codes, None, False, match.group(0), peer=True))
    return out


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

    def __init__(self, suppressions: Iterable[Suppression], peers: "dict[str, frozenset[str]] | None" = None) -> None:
        #: rule code → the peer linters' codes for the same problem
        self.peers = peers or {}
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
                if sup.covers(finding, self.peers):
                    return sup
        return None
