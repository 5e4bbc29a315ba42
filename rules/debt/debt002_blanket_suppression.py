from __future__ import annotations

import re

import libcst as cst

from reviewlint.analysis.project_tools import NARROW_IGNORE, type_checker
from reviewlint.rule import Invalid, Rule, Severity, Valid, Viewpoint
from reviewlint.suppress import DIRECTIVE_RE

#: cheap pre-check on the file text: no candidate, no tokenizing
_CANDIDATE = re.compile(r"noqa|type:\s*ignore|reviewlint|pyright|pylint|mypy|ty:\s*ignore", re.IGNORECASE)
#: other checkers' blanket forms: a bare ``# pyright: ignore`` / ``# ty: ignore`` (rules go in
#: brackets), ``# pylint: disable=all`` / ``# pylint: skip-file``, file-level ``# mypy: ignore-errors``
_PYRIGHT_TY = re.compile(r"#\s*(?P<tool>pyright|ty)\s*:\s*ignore\b(?P<codes>\s*\[)?")
_PYLINT_ALL = re.compile(r"#\s*pylint\s*:\s*(?:disable\s*=\s*all\b|skip-file\b)")
_MYPY_FILE = re.compile(r"#\s*mypy\s*:\s*ignore-errors\b")
#: a line that holds one imported name (`import x`, `from m import y as z`, `    NAME,` in a list):
#: a blanket ignore there can only be about that one import
_ONE_NAME_LINE = re.compile(
    r"^\s*(?:import\s+[\w.]+|from\s+[\w.]+\s+import\s+\w+|\w+)(?:\s+as\s+\w+)?\s*,?\s*$"
)
#: flake8/ruff ``# noqa`` (codes need a colon: ``# noqa E501`` is blanket for flake8 too)
_NOQA = re.compile(r"#\s*(?:(?P<file>flake8|ruff)\s*:\s*)?noqa\b(?P<codes>\s*:\s*[A-Z]+[0-9]+)?", re.IGNORECASE)
#: mypy ``# type: ignore`` (codes in brackets)
_TYPE_IGNORE = re.compile(r"#\s*type:\s*ignore\b(?P<codes>\s*\[)?")


class BlanketSuppression(Rule):
    """A suppression comment that silences everything on its line (or file).

    ## What it does
    Flags `# noqa` without codes (including `# noqa E501` without the colon, which flake8 and
    ruff read as blanket, and the file-level `# flake8: noqa` / `# ruff: noqa`), `# type: ignore`
    without error codes, and `# reviewlint: ignore` / `# reviewlint: ignore-file` without codes.
    When the `require-reason` setting is true, also a reviewlint suppression with codes but
    without a reason (`# reviewlint: ignore[REL001] -- why`). Reported at the comment.

    A blanket `# reviewlint: ignore` still hides the line's other findings, but never this
    rule's: the blanket suppression itself is what it reports.

    Other checkers' blanket forms too: a bare `# pyright: ignore` or `# ty: ignore`,
    `# pylint: disable=all` / `# pylint: skip-file`, and the file-level `# mypy: ignore-errors`
    (file-wide forms are reported as warnings). The suggested spelling follows the type checker
    the project configures (pyright, ty or mypy).

    Not flagged: suppressions with codes (`# noqa: E501`, `# type: ignore[attr-defined]`,
    `# pyright: ignore[reportCallIssue]`, `# reviewlint: ignore[REL001]`), a blanket ignore on
    a line that holds a single imported name (it can only be about that import), and the words
    in strings or in prose (`# we do not noqa here`).

    ## Why it matters
    A blanket suppression hides the problem it was written for and every problem added to
    that line later, by anyone, for any checker. The debt is invisible: nobody can grep which
    rule was silenced, or tell whether the reason still holds.

    ## Example
    ```python
    data = pickle.loads(blob)  # noqa
    value = payload.user  # type: ignore
    ```

    ## Use instead
    ```python
    data = pickle.loads(blob)  # noqa: S301 - blob is signed by us
    value = payload.user  # type: ignore[union-attr]
    ```
    """

    code = "DEBT002"
    name = "blanket-suppression"
    viewpoint = Viewpoint.TEAM_DEBT
    severity = Severity.INFO
    peer_codes = frozenset({"PGH003", "PGH004"})
    message = "blanket suppression: name the codes it is for"

    valid = [
        "import os  # noqa: F401\n",
        "x = f()  # noqa:E501,W291\n",
        "x = f()  # type: ignore[attr-defined]\n",
        "x = f()  # reviewlint: ignore[REL001] -- the vendor API has no timeout option\n",
        "x = f()  # reviewlint: ignore[REL001]\n",  # a reason is only required with require-reason = true
        "# we do not noqa or type-ignore here\ns = '# noqa'\nt = '# type: ignore'\n",
        "x = f()  # noqa: S101 - TODO: replace with an explicit check\n",
        "x = f()  # pyright: ignore[reportCallIssue]\n",
        "x = f()  # ty: ignore[unresolved-attribute]\n",
        "def f(x):  # pylint: disable=unused-argument\n    return 1\n",
        # one imported name per line: the ignore can only be about that import
        "from . import signals  # noqa\n",
        "from pkg.ops import (\n    # upstream leaves these unannotated\n    CONTAINS,  # type: ignore\n)\n",
    ]
    invalid = [
        Invalid("data = pickle.loads(blob)  # noqa\n", line=1, message="`# noqa` without codes"),
        Invalid("x = f()  # NOQA\n", line=1),
        Invalid("x = f()  # noqa E501\n", line=1, message="colon"),
        Invalid("# flake8: noqa\nimport os\n", line=1, message="whole file"),
        Invalid("x = f()  # type: ignore\n", line=1, message="`# type: ignore` without error codes"),
        Invalid("x = f()  # type: ignore  # noqa\n", line=1, count=2),
        Invalid("import requests\nrequests.get(u)  # reviewlint: ignore\n", line=2, message="`# reviewlint: ignore` without codes"),
        Invalid("# reviewlint: ignore-file\nx = 1\n", line=1, message="ignore-file"),
        Invalid("x = f()  # pyright: ignore\n", line=1, message="`# pyright: ignore` without rules"),
        Invalid("def legacy(x):  # pylint: disable=all\n    return x.y\n", line=1, message="every pylint message"),
        Invalid("# mypy: ignore-errors\nimport os\n", line=1, message="whole file"),
        Invalid("import os, sys  # noqa\n", line=1),
        # an attribute in an expression is not an imported name
        Invalid("send(\n    user.email,  # type: ignore\n)\n", line=2),
        Invalid("x = (\n    q.statement.with_only_columns(  # type: ignore\n        a))\n", line=2),
    ]

    def visit_Module(self, node: cst.Module) -> None:
        ctx = self.context
        if _CANDIDATE.search(ctx.text) is None:
            return  # the common case: no tokenizing at all
        require_reason = bool(self.settings.get("require-reason", False)) if self.settings is not None else False
        self._narrow = NARROW_IGNORE[type_checker(self.settings)]
        for comment in ctx.comments:
            text = comment.text
            lowered = text.lower()
            if "noqa" in lowered or "type:" in text:
                code = ctx.line_text(comment.line)[: comment.column - 1]
                if _ONE_NAME_LINE.match(code) and code.strip():
                    continue  # a line of one imported name: the ignore can only be about it
            if "noqa" in lowered:
                self._noqa(comment, text)
            if "type:" in text:
                self._type_ignore(comment, text)
            if "reviewlint" in lowered:
                self._reviewlint(comment, text, require_reason)
            if "pyright" in lowered or "ty:" in lowered or "pylint" in lowered or "mypy" in lowered:
                self._other_checkers(comment, text)

    def _other_checkers(self, comment, text: str) -> None:
        for match in _PYRIGHT_TY.finditer(text):
            if not match.group("codes"):
                tool = match.group("tool")
                example = "reportAttributeAccessIssue" if tool == "pyright" else "unresolved-attribute"
                self.report_line(comment.line, comment.column + match.start(),
                                 f"`# {tool}: ignore` without rules hides every type error on this line: "
                                 f"name them (`# {tool}: ignore[{example}]`)")
        for match in _PYLINT_ALL.finditer(text):
            self.report_line(comment.line, comment.column + match.start(),
                             f"`{match.group(0).lstrip('#').strip()}` silences every pylint message here: "
                             "disable the specific messages (`# pylint: disable=broad-except`)",
                             severity=Severity.WARNING)
        for match in _MYPY_FILE.finditer(text):
            self.report_line(comment.line, comment.column + match.start(),
                             "`# mypy: ignore-errors` turns type checking off for the whole file: ignore the "
                             "specific errors on their lines", severity=Severity.WARNING)

    def _noqa(self, comment, text: str) -> None:
        for match in _NOQA.finditer(text):
            if match.group("codes"):
                continue
            column = comment.column + match.start()
            if match.group("file"):
                self.report_line(comment.line, column,
                                 f"`# {match.group('file').lower()}: noqa` silences the whole file for every rule: "
                                 "remove it and suppress the specific codes on their lines", severity=Severity.WARNING)
                continue
            after = text[match.end():]
            if re.match(r"\s+[A-Z]+[0-9]+", after):
                self.report_line(comment.line, column,
                                 "`# noqa` codes need a colon: without it (`# noqa E501`) flake8 and ruff silence "
                                 "every code on this line; write `# noqa: E501`")
            else:
                self.report_line(comment.line, column,
                                 "`# noqa` without codes silences every finding on this line, including future ones: "
                                 "name them (`# noqa: E501`)")

    def _type_ignore(self, comment, text: str) -> None:
        for match in _TYPE_IGNORE.finditer(text):
            if match.group("codes"):
                continue
            self.report_line(comment.line, comment.column + match.start(),
                             "`# type: ignore` without error codes hides every type error on this line: "
                             f"name them ({self._narrow})")

    def _reviewlint(self, comment, text: str, require_reason: bool) -> None:
        match = DIRECTIVE_RE.search(text)
        if match is None:
            return
        kind = match.group("kind")
        column = comment.column + match.start()
        codes = [c for c in (match.group("codes") or "").split(",") if c.strip()]
        if not codes:
            where = "the whole file" if kind == "ignore-file" else "this line"
            self.report_line(comment.line, column,
                             f"`# reviewlint: {kind}` without codes hides every finding of {where}: name the rules "
                             f"(`# reviewlint: {kind}[REL001] -- why`)")
        elif require_reason and not match.group("reason"):
            self.report_line(comment.line, column,
                             f"`{match.group(0).strip()}` gives no reason (require-reason = true): "
                             "add `-- why` so the next reader knows whether it still holds")
