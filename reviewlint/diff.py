"""Diff mode: report only what a change adds (``--diff-base REF``, the pull-request view).

A finding is kept when a line of its reported construct was added or changed since
``git merge-base REF HEAD`` (the working tree is compared, so uncommitted edits and new
untracked files count as changes). For constructs longer than a few lines (a whole function)
only the first line and the statement's first line count, so touching a function's body does
not resurface an old finding on its ``def``.

Project-level findings (rules that decide in ``finish_project`` from facts of several files,
such as AUTH001) can be caused by a change elsewhere: removing an auth hook in one file makes
routes in unchanged files public. Those are kept when they are on changed lines, or when they
do not exist at the merge base (checked by running the same rules on the merge base's tree).
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Sequence

from reviewlint.baseline import normalise
from reviewlint.rule import Finding

#: constructs spanning more lines than this count only by their first lines
LONG_SPAN = 10
_HUNK_RE = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


class DiffError(Exception):
    """git is missing, this is not a repository, or REF is unknown."""


@dataclass
class ChangedLines:
    base: str  # the merge-base commit
    toplevel: str  # the repository root
    #: absolute path → added/changed line numbers (None: the whole file is new)
    lines: dict[str, set[int] | None] = field(default_factory=dict)
    #: absolute path → its path at the base, relative to the repository root (renames, edits)
    old_paths: dict[str, str] = field(default_factory=dict)
    #: files deleted since the base, relative to the repository root
    deleted: list[str] = field(default_factory=list)

    def touches(self, finding: Finding) -> bool:
        key = os.path.normcase(os.path.realpath(os.path.abspath(finding.path)))
        if key not in self.lines:
            return False
        changed = self.lines[key]
        if changed is None:
            return True
        first = min(finding.line, finding.statement_line or finding.line)
        last = max(finding.end_line, finding.line)
        if last - first + 1 > LONG_SPAN:
            wanted = {finding.line, finding.statement_line or finding.line}
        else:
            wanted = set(range(first, last + 1))
        return bool(wanted & changed)

    @property
    def files(self) -> list[str]:
        return sorted(self.lines)


def _git(args: Sequence[str], cwd: str) -> str:
    try:
        out = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8",
                             errors="surrogateescape", check=False)
    except OSError as exc:
        raise DiffError(f"cannot run git: {exc}") from None
    if out.returncode != 0:
        raise DiffError(f"git {' '.join(args)}: {out.stderr.strip() or 'failed'}")
    return out.stdout


def _unquote(path: str) -> str:
    """A path as git prints it in a patch header (C-quoted when unusual)."""
    if path.startswith('"') and path.endswith('"'):
        raw = path[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")
        return raw.encode("latin-1").decode("utf-8", "surrogateescape")
    return path


def changed_lines(ref: str, cwd: str | None = None) -> ChangedLines:
    """Lines added or changed in the working tree since ``git merge-base REF HEAD``."""
    cwd = os.path.abspath(cwd or os.getcwd())
    toplevel = os.path.realpath(_git(["rev-parse", "--show-toplevel"], cwd).strip())
    try:
        base = _git(["merge-base", ref, "HEAD"], cwd).strip()
    except DiffError as exc:
        raise DiffError(f"--diff-base {ref}: no merge base with HEAD ({exc}); is {ref!r} fetched?") from None
    patch = _git(["-c", "core.quotepath=off", "diff", "--no-color", "--no-ext-diff", "--unified=0", "-M", base, "--"], toplevel)
    result = ChangedLines(base=base, toplevel=toplevel)
    current: str | None = None
    old: str | None = None
    for line in patch.splitlines():
        if line.startswith("--- "):
            source = _unquote(line[4:])
            old = None if source == "/dev/null" else (source[2:] if source.startswith("a/") else source)
        elif line.startswith("+++ "):
            target = line[4:]
            if target == "/dev/null":
                current = None
                if old is not None:
                    result.deleted.append(old)
                continue
            target = _unquote(target)
            current = os.path.normcase(os.path.join(toplevel, target[2:] if target.startswith("b/") else target))
            result.lines.setdefault(current, set())
            if old is not None:
                result.old_paths[current] = old
        elif line.startswith("@@") and current is not None:
            match = _HUNK_RE.match(line)
            if match:
                start, count = int(match.group(1)), int(match.group(2) if match.group(2) is not None else 1)
                lines = result.lines[current]
                if lines is not None:
                    lines.update(range(start, start + count))
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], toplevel)
    for name in untracked.split("\0"):
        if name:
            result.lines[os.path.normcase(os.path.join(toplevel, name))] = None
    return result


def project_level_codes(engine: Any) -> set[str]:
    return {rule.code for rule in engine.rules if callable(getattr(rule, "finish_project", None))}


def _key(f: Finding, toplevel: str) -> tuple[str, str, str]:
    return (os.path.relpath(os.path.realpath(os.path.abspath(f.path)), toplevel), f.code, normalise(f.line_text))


def _base_project_findings(changes: ChangedLines, paths: Sequence[str], settings: Any, codes: set[str]) -> Counter:
    """Project-level findings at the merge base, keyed like :func:`_key` (relative to the repo root)."""
    from reviewlint.api import build_engine, check_paths

    tmp = tempfile.mkdtemp(prefix="reviewlint-base-")
    try:
        archive = os.path.join(tmp, "base.tar")
        _git(["archive", "--format=tar", "-o", archive, changes.base], changes.toplevel)
        tree = os.path.join(tmp, "tree")
        os.mkdir(tree)
        with tarfile.open(archive) as tar:
            tar.extractall(tree, filter="data") if hasattr(tarfile, "data_filter") else tar.extractall(tree)  # noqa: S202
        cwd = os.path.realpath(os.getcwd())

        def mapped(path: str) -> str:
            real = os.path.realpath(os.path.abspath(path))
            rel = os.path.relpath(real, changes.toplevel)
            return real if rel.startswith("..") else os.path.join(tree, rel)

        base_settings = copy.copy(settings)
        base_settings.values = copy.deepcopy(settings.values)
        base_settings.root = mapped(settings.root)
        engine = build_engine(base_settings)
        base_paths = [mapped(p) for p in paths if os.path.exists(mapped(p))]
        old_cwd = os.getcwd()
        os.chdir(mapped(cwd))
        try:
            result = check_paths(base_paths, base_settings, engine=engine)
        finally:
            os.chdir(old_cwd)
        out: Counter = Counter()
        for f in result.findings:
            if f.code in codes:
                real = os.path.realpath(f.path if os.path.isabs(f.path) else os.path.join(mapped(cwd), f.path))
                out[(os.path.relpath(real, os.path.realpath(tree)), f.code, normalise(f.line_text))] += 1
        return out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _normal(facts: Any) -> Any:
    return json.loads(json.dumps(facts, sort_keys=True, default=str))


def project_facts_changed(changes: ChangedLines, results: Sequence[Any], engine: Any) -> bool:
    """Whether a changed Python file's project-level facts differ from the base's (the only way a
    change can alter a project-level decision). Conservative: unsure means changed."""
    head = {os.path.normcase(os.path.realpath(os.path.abspath(r.path))): r for r in results}
    python = (".py", ".pyi")
    for path in changes.files:
        if not path.endswith(python):
            continue
        result = head.get(path)
        if result is None:
            return True  # changed but not checked in this run: cannot compare
        old = changes.old_paths.get(path)
        base_facts: Any = {}
        if old is not None:
            try:
                text = _git(["show", f"{changes.base}:{old}"], changes.toplevel)
            except DiffError:  # reviewlint: ignore[ERR002] -- not at the base: unsure, so "changed"
                return True
            base_facts = engine.check_text(text, result.path, result.display_path).facts
        if _normal(base_facts) != _normal(result.facts):
            return True
    for old in changes.deleted:
        if old.endswith(python):
            try:
                text = _git(["show", f"{changes.base}:{old}"], changes.toplevel)
            except DiffError:  # reviewlint: ignore[ERR002] -- not at the base: unsure, so "changed"
                return True
            if engine.check_text(text, os.path.join(changes.toplevel, old), old).facts:
                return True
    return False


def restrict_to_diff(findings: Sequence[Finding], changes: ChangedLines, *, engine: Any = None,
                     settings: Any = None, paths: Sequence[str] = (), results: Sequence[Any] | None = None) -> list[Finding]:
    """The findings a change adds: on changed lines, or project-level and new since the base."""
    codes = project_level_codes(engine) if engine is not None else set()
    kept: list[Finding] = []
    undecided: list[Finding] = []
    for f in findings:
        if changes.touches(f):
            kept.append(f)
        elif f.code in codes:
            undecided.append(f)
    if undecided and results is not None and engine is not None:
        try:
            if not project_facts_changed(changes, results, engine):
                undecided = []  # no project facts changed: every project-level decision is as before
        except (DiffError, OSError):  # reviewlint: ignore[ERR002] -- cannot tell cheaply: the base run below decides
            pass
    if undecided and (changes.lines or changes.deleted) and settings is not None:
        try:
            base = _base_project_findings(changes, list(paths) or ["."], settings, {f.code for f in undecided})
        except (DiffError, OSError, tarfile.TarError):
            base = None  # cannot tell: precision first, drop them
        if base is not None:
            for f in sorted(undecided, key=lambda f: f.sort_key):
                key = _key(f, changes.toplevel)
                if base[key] > 0:
                    base[key] -= 1
                else:
                    kept.append(f)
    kept.sort(key=lambda f: f.sort_key)
    return kept
