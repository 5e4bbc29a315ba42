"""Baselines: record today's findings, then report only new ones.

``reviewlint check --write-baseline .reviewlint-baseline.json`` records every current finding;
``--baseline FILE`` (or ``baseline = "..."`` in the config) hides the recorded ones.

A finding is keyed on its file (relative to the project root), its code, the normalised
source text of the reported line (whitespace collapsed, trailing comment dropped) and its
occurrence order among findings with the same file, code and text. Line numbers are not
part of the key, so inserting or deleting lines elsewhere in a file does not resurrect old
findings; editing the reported line itself (or adding another identical finding) does
report it, which is the point.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tokenize
from collections import Counter
from typing import Callable, Iterable, Sequence

from reviewlint.rule import Finding

Relative = Callable[[str], str]
FORMAT = "reviewlint-baseline"
FORMAT_VERSION = 1
_SPACE = re.compile(r"\s+")


class BaselineError(Exception):
    """The baseline file is missing, corrupt or not a reviewlint baseline."""


def normalise(line_text: str) -> str:
    """The reported line without indentation, spacing differences and trailing comment."""
    text = line_text.strip()
    if "#" in text:
        cut = None
        try:
            for tok in tokenize.generate_tokens(io.StringIO(text + "\n").readline):
                if tok.type == tokenize.COMMENT:
                    cut = tok.start[1]
                    break
        except (tokenize.TokenError, IndentationError, SyntaxError):  # reviewlint: ignore[ERR002] -- an unclosed bracket: comments seen so far still count
            pass
        if cut is not None:
            text = text[:cut]
    return _SPACE.sub(" ", text).strip()


def keys(findings: Sequence[Finding], relative: Relative = lambda p: p) -> list[tuple[str, str, str, int]]:
    """(file, code, normalised text, occurrence) of each finding, in the order given.

    Occurrences are counted in line order within (file, code, text).
    """
    order = sorted(range(len(findings)), key=lambda i: findings[i].sort_key)
    seen: Counter[tuple[str, str, str]] = Counter()
    out: list[tuple[str, str, str, int] | None] = [None] * len(findings)
    for i in order:
        f = findings[i]
        base = (relative(f.path), f.code, normalise(f.line_text))
        out[i] = (*base, seen[base])
        seen[base] += 1
    return out  # type: ignore[return-value]


def fingerprint(key: tuple[str, str, str, int]) -> str:
    """A stable hex fingerprint of a finding key (GitLab Code Quality, SARIF)."""
    return hashlib.sha256(json.dumps(list(key), ensure_ascii=False).encode("utf-8")).hexdigest()


def fingerprints(findings: Sequence[Finding], relative: Relative = lambda p: p) -> list[str]:
    return [fingerprint(k) for k in keys(findings, relative)]


def relative_to(root: str | None) -> Relative:
    if root is None:
        return lambda p: p.replace(os.sep, "/")

    def rel(path: str) -> str:
        abspath = os.path.abspath(path)
        try:
            out = os.path.relpath(abspath, root)
        except ValueError:
            return abspath.replace(os.sep, "/")
        if out == ".." or out.startswith(".." + os.sep):
            return abspath.replace(os.sep, "/")
        return out.replace(os.sep, "/")

    return rel


def write_baseline(path: str, findings: Iterable[Finding], root: str | None = None, version: str = "",
                   checked: Iterable[str] | None = None) -> int:
    """Write ``findings`` to ``path`` (atomically); returns how many were recorded.

    ``checked``: the files this run checked. Entries of an existing baseline for other files
    are kept, so recording a subset of the project does not forget the rest.
    """
    items = [f for f in findings if f.viewpoint != "diagnostic"]  # a syntax error is never "accepted"
    entries = []
    if checked is not None and os.path.exists(path):
        rel = relative_to(root)
        replaced = {rel(p) for p in checked}
        try:
            with open(path, encoding="utf-8") as handle:
                old = json.load(handle)
        except (OSError, ValueError):
            old = None  # unreadable or corrupt: replaced by this run's findings
        if isinstance(old, dict) and old.get("format") == FORMAT and isinstance(old.get("findings"), list):
            entries = [e for e in old["findings"] if isinstance(e, dict) and e.get("file") not in replaced]
    for f, (file, code, text, occurrence) in sorted(zip(items, keys(items, relative_to(root))), key=lambda p: p[1]):
        entries.append(
            {"file": file, "code": code, "text": text, "occurrence": occurrence, "line": f.line, "message": f.message}
        )
    entries.sort(key=lambda e: (e.get("file", ""), e.get("code", ""), e.get("text", ""), e.get("occurrence", 0)))
    data = {"format": FORMAT, "version": FORMAT_VERSION, "generated-by": f"reviewlint {version}".strip(), "findings": entries}
    directory = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(directory, f".{os.path.basename(path)}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
        json.dump(data, handle, indent=2, ensure_ascii=False)
        handle.write("\n")
    os.replace(tmp, path)
    return len(items)


def read_baseline(path: str) -> set[tuple[str, str, str, int]]:
    """The finding keys recorded in ``path``; :class:`BaselineError` when it is not a baseline."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        raise BaselineError(f"{path}: baseline file not found (create it with --write-baseline {path})") from None
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read the baseline: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{path}: not a reviewlint baseline: invalid JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BaselineError(
            f"{path}: not a reviewlint baseline (expected a JSON object with \"format\": \"{FORMAT}\"; "
            f"write one with --write-baseline)"
        )
    if data.get("version") != FORMAT_VERSION:
        raise BaselineError(f"{path}: unsupported baseline version {data.get('version')!r} (this reviewlint reads {FORMAT_VERSION})")
    entries = data.get("findings")
    if not isinstance(entries, list):
        raise BaselineError(f"{path}: corrupt baseline: \"findings\" must be a list")
    out: set[tuple[str, str, str, int]] = set()
    for index, entry in enumerate(entries):
        try:
            key = (entry["file"], entry["code"], entry["text"], entry["occurrence"])
        except (KeyError, TypeError):
            raise BaselineError(f"{path}: corrupt baseline: entry {index} lacks file/code/text/occurrence") from None
        if not (isinstance(key[0], str) and isinstance(key[1], str) and isinstance(key[2], str) and isinstance(key[3], int)):
            raise BaselineError(f"{path}: corrupt baseline: entry {index} has values of the wrong type")
        out.add(key)
    return out


def filter_baseline(findings: Sequence[Finding], baseline: set[tuple[str, str, str, int]],
                    root: str | None = None) -> tuple[list[Finding], int]:
    """(findings not in the baseline, number hidden)."""
    kept: list[Finding] = []
    hidden = 0
    for f, key in zip(findings, keys(findings, relative_to(root))):
        if f.viewpoint != "diagnostic" and key in baseline:
            hidden += 1
        else:
            kept.append(f)
    return kept, hidden
