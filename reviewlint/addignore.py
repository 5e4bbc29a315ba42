"""``--add-ignore[=REASON]``: write ``# reviewlint: ignore[CODE] -- REASON`` for current findings.

Where the comment goes: where the suppression matcher looks (see :mod:`reviewlint.suppress`):
the reported line, or, when a comment cannot end that line (it is inside a multi-line string
or ends with a backslash continuation), the first line of the statement. An existing
reviewlint directive on that line is merged (codes added, its reason kept); any other
comment stays and the directive is appended after it.

Files are edited safely: a file whose reported lines no longer read as they did when it was
checked is skipped, the new text is written to a temporary file in the same folder and
moved over the original with :func:`os.replace`, and only if the file is still byte for byte
what was read. Encoding (PEP 263 cookie, BOM) and line endings are kept.
"""

from __future__ import annotations

import io
import os
import re
import stat
import tempfile
import tokenize
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from reviewlint.rule import Finding
from reviewlint.suppress import BLANKET_EXEMPT, DIRECTIVE_RE

_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_SKIP_TOKENS = {tokenize.NEWLINE, tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}


@dataclass
class AddIgnoreResult:
    comments: int = 0
    files: list[str] = field(default_factory=list)
    #: (path, why) for files or findings left alone
    skipped: list[tuple[str, str]] = field(default_factory=list)


def _split_lines(text: str) -> list[str]:
    return _LINE_RE.findall(text)


def _body(line: str) -> tuple[str, str]:
    stripped = line.rstrip("\r\n")
    return stripped, line[len(stripped):]


def _analyse(text: str) -> tuple[set[int], dict[int, int]]:
    """(lines a comment cannot end, line → column (0-based) of the comment on it)."""
    blocked: set[int] = set()
    comments: dict[int, int] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                comments[tok.start[0]] = tok.start[1]
            elif tok.type not in _SKIP_TOKENS and tok.end[0] > tok.start[0]:
                blocked.update(range(tok.start[0], tok.end[0]))  # a multi-line string: not its last line
    except (tokenize.TokenError, IndentationError, SyntaxError) as exc:
        raise ValueError(f"cannot tokenize: {exc}") from None
    return blocked, comments


def _directive(codes: Sequence[str], reason: str | None) -> str:
    text = f"# reviewlint: ignore[{', '.join(codes)}]"
    return f"{text} -- {reason}" if reason else text


def _edit_line(line: str, comment_col: int | None, codes: list[str], reason: str | None) -> str | None:
    """The line with the directive added (None: it already covers the codes)."""
    body, newline = _body(line)
    if comment_col is not None:
        comment = body[comment_col:]
        match = DIRECTIVE_RE.search(comment)
        if match and match.group("kind") == "ignore":
            raw = match.group("codes")
            if raw is None:
                # a blanket ignore covers everything but the blanket-suppression rule itself, which
                # wants the codes named: that is for a person to do
                return None
            existing = [c.strip() for c in raw.split(",") if c.strip()]
            merged = existing + [c for c in codes if c not in existing]
            if merged == existing:
                return None
            new = _directive(merged, match.group("reason") or reason)
            start = comment_col + match.start()
            end = comment_col + match.end()
            return body[:start] + new + body[end:] + newline
        return body.rstrip() + "  " + _directive(codes, reason) + newline
    return body.rstrip() + "  " + _directive(codes, reason) + newline


def _encoding(data: bytes) -> str:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        encoding = "utf-8"
    return encoding


def add_ignores_to_file(path: str, findings: Sequence[Finding], reason: str | None) -> tuple[int, str | None]:
    """Add directives for ``findings`` (all in ``path``); (comments written, why skipped or None)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        return 0, f"cannot read: {exc.strerror or exc}"
    encoding = _encoding(data)
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return 0, f"cannot decode as {encoding}"
    lines = _split_lines(text)
    for f in findings:
        if not (0 < f.line <= len(lines)) or _body(lines[f.line - 1])[0] != f.line_text.rstrip("\r\n"):
            return 0, "changed since it was checked (check it again)"
    try:
        blocked, comments = _analyse(text)
    except ValueError as exc:
        return 0, str(exc)
    wanted: dict[int, list[str]] = defaultdict(list)
    unplaced: list[str] = []
    for f in sorted(findings, key=lambda f: f.sort_key):
        target = None
        for candidate in (f.line, f.statement_line):
            if candidate and 0 < candidate <= len(lines) and candidate not in blocked \
                    and not _body(lines[candidate - 1])[0].rstrip().endswith("\\"):
                target = candidate
                break
        if target is None:
            unplaced.append(f"line {f.line}: {f.code} (no line where a comment can go)")
            continue
        if f.code not in wanted[target]:
            wanted[target].append(f.code)
    written = 0
    for line_no, codes in wanted.items():
        new = _edit_line(lines[line_no - 1], comments.get(line_no), codes, reason)
        exempt = [c for c in codes if c in BLANKET_EXEMPT]
        if new is None and exempt:
            unplaced.append(f"line {line_no}: {', '.join(exempt)} reports the blanket `# reviewlint: ignore` there; "
                            "name the codes it should hide instead")
        if new is not None:
            lines[line_no - 1] = new
            written += 1
    note = "; ".join(unplaced) or None
    if not written:
        return 0, note
    new_data = "".join(lines).encode(encoding)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".reviewlint-tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(new_data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode))
        with open(path, "rb") as handle:
            if handle.read() != data:
                os.unlink(tmp)
                return 0, "changed while being edited (left alone)"
        os.replace(tmp, path)
    except OSError as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        return 0, f"cannot write: {exc.strerror or exc}"
    return written, note


def add_ignores(findings: Iterable[Finding], reason: str | None = None) -> AddIgnoreResult:
    """Write suppression comments for ``findings`` (file diagnostics such as E999 are skipped)."""
    by_path: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        if f.viewpoint != "diagnostic":
            by_path[f.path].append(f)
    result = AddIgnoreResult()
    reason = (reason or "").strip().replace("\n", " ").replace("\r", " ") or None
    for path in sorted(by_path):
        written, problem = add_ignores_to_file(path, by_path[path], reason)
        if problem:
            result.skipped.append((path, problem))
        if written:
            result.comments += written
            result.files.append(path)
    return result
