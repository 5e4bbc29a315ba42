"""What a loop is for: retrying one call, following pages, or iterating over items.

Shared by the N+1 rules (PERF001/PERF002/PERF003, which must not flag retry and
pagination loops) and the retry rules (REL002/REL003/REL005, which judge retry loops).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

import libcst as cst

from reviewlint.engine.context import FileContext, Loop


@dataclass(frozen=True)
class RetryLoop:
    """A loop that exists to retry: ``try`` a call, on failure go round again."""

    loop: cst.CSTNode
    #: the ``try`` statement in the loop body
    try_node: cst.Try
    #: handlers that let the loop go round again (fall through or ``continue``)
    retrying_handlers: tuple[cst.ExceptHandler, ...]
    #: ``while True`` (or another constant-true test)
    infinite: bool


def _body_statements(block: cst.BaseSuite) -> list[cst.CSTNode]:
    if isinstance(block, cst.IndentedBlock):
        return list(block.body)
    if isinstance(block, cst.SimpleStatementSuite):
        return list(block.body)
    return []


def _small_statements(block: cst.BaseSuite) -> Iterator[cst.BaseSmallStatement]:
    for stmt in _body_statements(block):
        if isinstance(stmt, cst.SimpleStatementLine):
            yield from stmt.body
        elif isinstance(stmt, cst.BaseSmallStatement):
            yield stmt


def _exits(block: cst.BaseSuite | None, kinds: tuple[type, ...]) -> bool:
    """Does the block contain (not inside nested loops or functions) a statement of ``kinds``?"""
    if block is None:
        return False
    stack: list[Any] = [block]
    while stack:
        node = stack.pop()
        if isinstance(node, kinds):
            return True
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda, cst.For, cst.While)):
            continue
        if isinstance(node, (cst.IndentedBlock, cst.SimpleStatementSuite, cst.SimpleStatementLine)):
            stack.extend(node.body)
        elif isinstance(node, cst.If):
            stack.append(node.body)
            if node.orelse is not None:
                stack.append(node.orelse)
        elif isinstance(node, (cst.Else, cst.Finally)):
            stack.append(node.body)
        elif isinstance(node, (cst.With, cst.Try)):
            stack.append(node.body)
            if isinstance(node, cst.Try):
                stack.extend(h.body for h in node.handlers)
                if node.orelse is not None:
                    stack.append(node.orelse)
    return False


def _ends_by_leaving(block: cst.BaseSuite) -> bool:
    """The handler's last statement leaves the loop for good (raise/return/break)."""
    stmts = _body_statements(block)
    if not stmts:
        return False
    last = stmts[-1]
    if isinstance(last, cst.SimpleStatementLine) and last.body:
        return isinstance(last.body[-1], (cst.Raise, cst.Return, cst.Break))
    return False


def is_constant_true(test: cst.BaseExpression) -> bool:
    if isinstance(test, cst.Name) and test.value == "True":
        return True
    if isinstance(test, cst.Integer) and test.value not in ("0",):
        return True
    return False


def retry_loop(loop_node: cst.CSTNode, ctx: FileContext | None = None) -> RetryLoop | None:
    """The retry structure of a ``for``/``while`` loop, or None when it is not a retry loop.

    A retry loop has a ``try`` in its body whose success path leaves the loop (``break``,
    ``return``, or ``else: break``), and at least one handler that goes round again.
    """
    key = ("retry_loop", id(loop_node))
    if ctx is not None and key in ctx.memo:
        return ctx.memo[key]
    result = _retry_loop(loop_node)
    if ctx is not None:
        ctx.memo[key] = result
    return result


def _retry_loop(loop_node: cst.CSTNode) -> RetryLoop | None:
    if not isinstance(loop_node, (cst.For, cst.While)):
        return None
    infinite = isinstance(loop_node, cst.While) and is_constant_true(loop_node.test)
    for stmt in _body_statements(loop_node.body):
        if not isinstance(stmt, cst.Try):
            continue
        success_exits = (
            _exits(stmt.body, (cst.Break, cst.Return))
            or _exits(stmt.orelse.body if stmt.orelse is not None else None, (cst.Break, cst.Return))
        )
        if not success_exits:
            # ``while True: try: ...; except: continue`` followed by a break after the try
            after = _body_statements(loop_node.body)
            idx = after.index(stmt)
            success_exits = any(
                isinstance(s, cst.SimpleStatementLine) and any(isinstance(b, (cst.Break, cst.Return)) for b in s.body)
                for s in after[idx + 1 :]
            )
        if not success_exits:
            continue
        # a handler goes round again when it falls through, or ``continue``s on some path
        # (``if can_retry: continue`` followed by ``raise``)
        retrying = tuple(
            h for h in stmt.handlers if not _ends_by_leaving(h.body) or _exits(h.body, (cst.Continue,))
        )
        if retrying:
            return RetryLoop(loop_node, stmt, retrying, infinite)
    return None


def is_literal_collection(expr: cst.BaseExpression | None, max_items: int = 3) -> bool:
    """A list/tuple/set literal of at most ``max_items`` plain elements."""
    if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
        return len(expr.elements) <= max_items and not any(isinstance(e, cst.StarredElement) for e in expr.elements)
    return False


PAGINATION_WORDS = ("page", "cursor", "offset", "next", "marker", "continuation", "after", "start")


def looks_like_pagination_variable(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in PAGINATION_WORDS)


def loop_kind_for_message(loop: Loop) -> str:
    return {"for": "loop", "while": "while loop", "comprehension": "comprehension"}[loop.kind]
