"""Line/column of reported nodes, computed only for files that have findings.

One code-generation pass over the module gives positions (the mechanism behind LibCST's
``PositionProvider``, without ``MetadataWrapper``'s deep copy of the module). The state
below is lean: it records ranges only for the reported nodes and for the statements and
blocks whose ranges statements hoist, uses a plain context manager instead of
``contextlib``, and stops generating code once every reported node has been placed.
Positions are the same as ``PositionProvider``'s (syntactic, whitespace excluded).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

import libcst as cst
from libcst._nodes.internal import CodegenState



def _concrete(*bases: type) -> frozenset[type]:
    out: set[type] = set()
    stack = list(bases)
    while stack:
        cls = stack.pop()
        out.add(cls)
        stack.extend(cls.__subclasses__())
    return frozenset(out)


#: statements (a suppression may sit on their first line)
_STATEMENT_TYPES = _concrete(cst.SimpleStatementLine, cst.BaseCompoundStatement)
#: nodes whose ranges statements hoist as their start/end (``end_node=self.body`` ...)
_RANGE_TYPES = _STATEMENT_TYPES | _concrete(
    cst.BaseSuite, cst.BaseSmallStatement, cst.Else, cst.Finally, cst.ExceptHandler, cst.ExceptStarHandler, cst.MatchCase
)
_NEWLINE = re.compile(r"\r\n?|\n")


@dataclass(frozen=True, slots=True)
class Span:
    line: int
    column: int  # 1-based
    end_line: int
    end_column: int  # 1-based, exclusive
    statement_line: int


class _Done(Exception):
    """Every wanted node is placed: stop generating code."""


class _Record:
    """``with state.record_syntactic_position(node, start_node=, end_node=)`` without contextlib."""

    __slots__ = ("state", "node", "start_node", "end_node", "start")

    def __init__(self, state: "_State", node: Any, start_node: Any, end_node: Any) -> None:
        self.state = state
        self.node = node
        self.start_node = start_node
        self.end_node = end_node

    def __enter__(self) -> None:
        self.start = (self.state.line, self.state.column)

    def __exit__(self, *exc: Any) -> None:
        state = self.state
        if exc[0] is not None:
            return
        computed = state.computed
        here = (state.line, state.column)
        start = computed.get(id(self.start_node), (self.start, here))[0] if self.start_node is not None else self.start
        end = computed.get(id(self.end_node), (here, here))[1] if self.end_node is not None else here
        computed[id(self.node)] = (start, end)
        state.placed(self.node)


class _NoRecord:
    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        return None


_NO_RECORD = _NoRecord()


class _State(CodegenState):  # type: ignore[misc]
    def __init__(self, module: cst.Module, wanted: set[int]) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.wanted = wanted
        self.remaining = set(wanted)
        self.line = 1
        self.column = 0
        self.last_was_newline = False
        self.before_newline = (1, 0)
        self.computed: dict[int, tuple[tuple[int, int], tuple[int, int]]] = {}
        self.starts: dict[int, tuple[int, int]] = {}
        self.statements: list[Any] = []
        self.statement_of: dict[int, Any] = {}

    # -- position tracking (as WhitespaceInclusivePositionProvidingCodegenState) --
    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self._advance(token)

    def add_token(self, value: str) -> None:
        self._advance(value)

    def _advance(self, value: str) -> None:
        if "\n" not in value and "\r" not in value:
            self.column += len(value)
            self.last_was_newline = False
            return
        self.before_newline = (self.line, self.column)
        self.last_was_newline = True
        segments = _NEWLINE.split(value)
        self.line += len(segments) - 1
        self.column = len(segments[-1])

    def pop_trailing_newline(self) -> None:
        if self.last_was_newline:  # as CodegenState drops the last token (a newline)
            self.line, self.column = self.before_newline

    # -- which nodes get a range --
    def before_codegen(self, node: Any) -> None:
        node_type = type(node)
        if node_type in _STATEMENT_TYPES:
            self.statements.append(node)
        key = id(node)
        if key in self.wanted:
            if self.statements:
                self.statement_of[key] = self.statements[-1]
            self.starts[key] = (self.line, self.column)
        elif node_type in _RANGE_TYPES:
            self.starts[key] = (self.line, self.column)

    def after_codegen(self, node: Any) -> None:
        key = id(node)
        if key not in self.computed and key in self.starts:
            # nodes without a syntactic range of their own get the whitespace-inclusive one
            self.computed[key] = (self.starts[key], (self.line, self.column))
            self.placed(node)
        if self.statements and self.statements[-1] is node:
            self.statements.pop()
        if not self.remaining and not self.statements:
            raise _Done

    def record_syntactic_position(self, node: Any, *, start_node: Any = None, end_node: Any = None) -> Any:
        key = id(node)
        if key in self.wanted or type(node) in _RANGE_TYPES:
            return _Record(self, node, start_node, end_node)
        return _NO_RECORD

    def placed(self, node: Any) -> None:
        self.remaining.discard(id(node))


def compute_spans(module: cst.Module, nodes: Iterable[cst.CSTNode]) -> dict[int, Span]:
    """``id(node)`` → its span, for each node in ``nodes``."""
    wanted = {id(n) for n in nodes}
    state = _State(module, wanted)
    try:
        module._codegen(state)
    except _Done:
        pass
    computed = state.computed
    out: dict[int, Span] = {}
    for key in wanted:
        rng = computed.get(key)
        if rng is None:
            continue
        (line, col), (end_line, end_col) = rng
        stmt = state.statement_of.get(key)
        stmt_range = computed.get(id(stmt)) if stmt is not None else None
        stmt_line = stmt_range[0][0] if stmt_range is not None else line
        out[key] = Span(line, col + 1, end_line, end_col + 1, stmt_line)
    return out
