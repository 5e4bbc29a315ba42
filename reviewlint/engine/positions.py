"""Line/column of reported nodes, computed only for files that have findings.

One code-generation pass over the module with LibCST's position-recording state (the same
mechanism as ``PositionProvider``, without ``MetadataWrapper``'s deep copy of the module)
gives the range of every node; we keep the reported ones and the first line of the
statement around each (a suppression comment may sit there).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

import libcst as cst
from libcst.metadata.position_provider import PositionProvidingCodegenState


@dataclass(frozen=True, slots=True)
class Span:
    line: int
    column: int  # 1-based
    end_line: int
    end_column: int  # 1-based, exclusive
    statement_line: int


class _Recorder:
    """Stands in for the metadata provider the codegen state writes to."""

    def __init__(self) -> None:
        self._computed: dict[cst.CSTNode, Any] = {}


_STATEMENT_TYPES = (cst.SimpleStatementLine, cst.BaseCompoundStatement)


class _State(PositionProvidingCodegenState):  # type: ignore[misc]
    """Records every node's range, and the innermost statement around each wanted node."""

    def __init__(self, module: cst.Module, provider: _Recorder, wanted: set[int]) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline, provider=provider)
        self.wanted = wanted
        self.statements: list[cst.CSTNode] = []
        self.statement_of: dict[int, cst.CSTNode] = {}

    def before_codegen(self, node: cst.CSTNode) -> None:
        if isinstance(node, _STATEMENT_TYPES):
            self.statements.append(node)
        elif id(node) in self.wanted and self.statements:
            self.statement_of[id(node)] = self.statements[-1]
        super().before_codegen(node)

    def after_codegen(self, node: cst.CSTNode) -> None:
        super().after_codegen(node)
        if isinstance(node, _STATEMENT_TYPES) and self.statements and self.statements[-1] is node:
            self.statements.pop()


def compute_spans(module: cst.Module, nodes: Iterable[cst.CSTNode]) -> dict[int, Span]:
    """``id(node)`` → its span, for each node in ``nodes``."""
    wanted = {id(n) for n in nodes}
    recorder = _Recorder()
    state = _State(module, recorder, wanted)
    module._codegen(state)
    statement_of = state.statement_of

    computed = recorder._computed
    out: dict[int, Span] = {}
    by_id = {id(node): node for node in computed}
    for node_id in wanted:
        node = by_id.get(node_id)
        if node is None:
            continue
        rng = computed[node]
        stmt = statement_of.get(node_id)
        if stmt is None and isinstance(node, _STATEMENT_TYPES):
            stmt = node
        stmt_line = computed[stmt].start.line if stmt is not None and stmt in computed else rng.start.line
        out[node_id] = Span(rng.start.line, rng.start.column + 1, rng.end.line, rng.end.column + 1, stmt_line)
    return out
