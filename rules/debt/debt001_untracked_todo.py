from __future__ import annotations

import re

import libcst as cst

from reviewlint.rule import Invalid, Option, OptionError, Rule, Severity, Valid, Viewpoint

_MARKER = re.compile(r"\b(TODO|FIXME|XXX|HACK)\b")
#: the default accepted reference: ``#123``, ``ABC-123``, a URL, or an owner ``TODO(name)``
DEFAULT_REFERENCE = r"#\d+|\b(?!(?:UTF|ISO|SHA|MD|CP|UCS|WIN|RFC|PEP|TLS|SSL|HTTP)-\d)[A-Z][A-Z0-9]+-\d+\b|https?://\S+|\b(?:TODO|FIXME|XXX|HACK)\s*\(\s*[^)\s][^)]*\)"


class UntrackedTodo(Rule):
    """A TODO/FIXME/XXX/HACK comment that no tracker knows about.

    ## What it does
    Flags `TODO`, `FIXME`, `XXX` and `HACK` markers (upper case, whole words) in comments
    that carry no issue reference (`#123`, `ABC-123`, a URL) and no owner (`TODO(name)`). The
    reference may be on the comment's continuation lines (the comment lines right below it).
    What counts as a reference is the `reference-pattern` option (a regular expression
    searched in the comment). Reported at the marker.

    `UTF-8`, `ISO-8859`, `SHA-256` and similar names are not ticket keys.

    Not flagged: markers in strings and docstrings, lower-case or partial words (`todo`,
    `TODOS`, `XXXL`), and markers with a reference or owner.

    ## Why it matters
    A bare TODO is debt nobody scheduled: it does not show up in planning, it outlives the
    person who knew what it meant, and reviewers cannot tell a new one from a ten-year-old one.
    With a ticket or an owner the debt is visible, can be prioritised, and someone can be asked.

    ## Example
    ```python
    # TODO: handle pagination
    items = client.get("/items").json()
    ```

    ## Use instead
    ```python
    # TODO(PAY-1432): handle pagination once the API returns cursors
    items = client.get("/items").json()
    ```
    """

    code = "DEBT001"
    name = "untracked-todo"
    viewpoint = Viewpoint.TEAM_DEBT
    severity = Severity.INFO
    peer_codes = frozenset({
        "TD001", "TD002", "TD003", "FIX001", "FIX002", "FIX003", "FIX004", "W0511", "fixme",
    })
    message = "TODO without an issue reference or owner: link the ticket or name an owner"
    options = {
        "reference-pattern": Option(str, DEFAULT_REFERENCE,
                                    "regular expression for an accepted reference (default: `#123`, `ABC-123`, a URL, "
                                    "or an owner `TODO(name)`)"),
    }

    valid = [
        "# TODO(#123): handle pagination\nx = 1\n",
        "x = 1  # FIXME PAY-1432 remove after the migration\n",
        "# HACK: see https://github.com/psf/requests/issues/2011\nx = 1\n",
        "# TODO(alice): drop the fallback\nx = 1\n",
        # the reference on the continuation line
        "# TODO: remove this workaround when\n# https://bugs.python.org/issue1234 is fixed\nx = 1\n",
        # not a marker: strings, lower case, partial words
        "def f():\n    '''TODO: document'''\n    return 'FIXME later'\n",
        "# todo: lower case is prose\n# TODOS and XXXL are other words\nx = 1\n",
        # a custom pattern
        Valid("# TODO [[tracker/88]] drop\nx = 1\n", options={"reference-pattern": r"\[\[tracker/\d+\]\]"}),
    ]
    invalid = [
        Invalid("import requests\n\n# TODO: handle pagination\nitems = requests.get(u, timeout=3).json()\n", line=3,
                message="`TODO` without an issue reference or owner"),
        Invalid("x = compute()  # FIXME this is wrong for leap years\n", line=1, message="`FIXME`"),
        Invalid("def f():\n    # XXX: retry here?\n    pass\n", line=2),
        Invalid("# HACK\nx = 1\n# TODO: and this one\ny = 2\n", line=1, count=2),
        # UTF-8 / ISO-8859 / SHA-256 look like ticket keys but are not
        Invalid("# TODO: drop the latin-1 fallback once the exporter writes UTF-8\nx = 1\n", line=1),
        # a reference to a different pattern does not count under a custom pattern
        Invalid("# TODO #123\nx = 1\n", line=1, options={"reference-pattern": r"\[\[tracker/\d+\]\]"}),
    ]

    def __init__(self, options=None, settings=None) -> None:
        super().__init__(options, settings)
        try:
            self._reference = re.compile(self.config["reference-pattern"])
        except re.error as exc:
            raise OptionError(f"reference-pattern: invalid regular expression: {exc}") from exc

    def visit_Module(self, node: cst.Module) -> None:
        ctx = self.context
        if _MARKER.search(ctx.text) is None:
            return  # the common case: no tokenizing at all
        comments = ctx.comments
        for index, comment in enumerate(comments):
            match = _MARKER.search(comment.text)
            if match is None:
                continue
            if self._reference.search(comment.text) or self._continuation_has_reference(comments, index):
                continue
            marker = match.group(1)
            self.report_line(comment.line, comment.column + match.start(),
                             f"`{marker}` without an issue reference or owner: link the ticket (`{marker}(#123)`, "
                             f"`ABC-123`, a URL) or name an owner (`{marker}(name)`), so the debt is tracked")

    def _continuation_has_reference(self, comments: list, index: int) -> bool:
        """The comment lines right below (same column, no new marker) may hold the reference."""
        first = comments[index]
        line = first.line
        ctx = self.context
        for following in comments[index + 1 : index + 8]:
            if following.line != line + 1 or following.column != first.column or _MARKER.search(following.text):
                return False
            if ctx.line_text(following.line)[: following.column - 1].strip():
                return False  # a trailing comment of code, not a continuation
            if self._reference.search(following.text):
                return True
            line = following.line
        return False
