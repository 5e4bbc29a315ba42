"""Is this call made once per item of a loop?  The shared core of the N+1 rules.

PERF001 (HTTP), PERF002 (DB reads) and PERF003 (DB writes) all ask the same questions about
a call inside a loop:

* which loops of the current function does it depend on (its arguments read the loop
  variable, or a name derived from it)?
* is that loop exempt: a loop over a literal of three items or fewer, a retry loop (the
  loop exists to retry one call), or a pagination loop (the variable is a page/cursor)?
* does the loop follow the result of the call (the next URL, cursor or last id comes from
  the response/rows): then it pages, it does not fan out per item.

The last question can only be answered when the loop has been walked, so
:class:`PerItemCandidates` holds candidates per loop until the rule's ``leave_For`` /
``leave_While`` hands it the loop node.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

import libcst as cst

from reviewlint.analysis.loops import is_literal_collection, looks_like_pagination_variable, retry_loop
from reviewlint.engine.context import FileContext, Loop


def loop_is_exempt(loop: Loop, variables: Iterable[str], ctx: FileContext) -> bool:
    """A loop whose per-item calls are not an N+1: literal ≤3 items, retry loop, pagination."""
    variables = list(variables)
    if loop.kind in ("for", "comprehension") and is_literal_collection(loop.iter):
        return True
    if loop.kind != "comprehension" and retry_loop(loop.node, ctx) is not None:
        return True
    if variables and all(looks_like_pagination_variable(v) for v in variables):
        return True
    return False


def dependent_loops(ctx: FileContext, exprs: Iterable[cst.CSTNode | None]) -> list[tuple[Loop, str]]:
    """Loops of the current function whose variable ``exprs`` read, innermost first.

    Returns ``[]`` when the innermost loop the expressions depend on is exempt (see
    :func:`loop_is_exempt`): a call that pages or retries is not judged per item.
    """
    loops = ctx.loops_in_current_function()
    if not loops:
        return []
    names: set[str] = set()
    for expr in exprs:
        if expr is not None:
            names |= ctx.names_in(expr)
    if not names:
        return []
    out: list[tuple[Loop, str]] = []
    for loop in reversed(loops):
        hit = (names & loop.targets) or (names & loop.derived)
        if not hit:
            continue
        if loop_is_exempt(loop, sorted(hit), ctx):
            return []
        out.append((loop, sorted(hit)[0]))
    return out


def call_argument_values(node: cst.Call) -> list[cst.BaseExpression]:
    return [a.value for a in node.args]


def loop_kind_text(loop: Loop) -> str:
    return {"for": "loop", "while": "while loop", "comprehension": "comprehension"}[loop.kind]


@dataclass
class Candidate:
    node: cst.CSTNode
    loop: Loop
    variable: str
    message: str


@dataclass
class _LoopState:
    candidates: list[Candidate] = field(default_factory=list)
    #: names assigned in the loop from the result of the call (next page URL, cursor, last id)
    followed: set[str] = field(default_factory=set)


class PerItemCandidates:
    """Per-rule, per-file store of loop candidates awaiting the end of their loop.

    Usage in a rule: ``begin()`` creates one; a call found per item is ``add``-ed (a
    comprehension's candidate is final at once, a ``for``/``while`` one waits); assignments
    in a loop whose value reads the call's result are ``follow``-ed; ``leave_For`` /
    ``leave_While`` call ``finish(node)`` and report what it returns.
    """

    def __init__(self) -> None:
        self._states: dict[int, _LoopState] = {}

    def add(self, node: cst.CSTNode, loop: Loop, variable: str, message: str) -> Candidate | None:
        """Record a candidate. Returns it when it is final already (comprehensions)."""
        cand = Candidate(node, loop, variable, message)
        if loop.kind == "comprehension":
            return cand
        self._states.setdefault(id(loop.node), _LoopState()).candidates.append(cand)
        return None

    def follow(self, ctx: FileContext, names: Iterable[str]) -> None:
        """``names`` were assigned, in every enclosing loop, from the result of the call."""
        names = set(names)
        if not names:
            return
        for loop in ctx.loops:
            self._states.setdefault(id(loop.node), _LoopState()).followed |= names

    def finish(self, loop_node: cst.CSTNode) -> list[Candidate]:
        """The loop ended: its candidates whose variable is not followed from a result."""
        state = self._states.pop(id(loop_node), None)
        if state is None:
            return []
        return [c for c in state.candidates if c.variable not in state.followed]


def assigned_names(ctx: FileContext, targets: Iterable[cst.BaseExpression], names_only: bool = False) -> set[str]:
    """The names assignment ``targets`` bind. With ``names_only``, ``x[k] = ...``/``x.a = ...``
    do not count as assigning ``x`` (storing a result into an item is not following it)."""
    out: set[str] = set()
    for target in targets:
        if isinstance(target, cst.Name):
            out.add(target.value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            out |= assigned_names(ctx, [e.value for e in target.elements], names_only)
        elif isinstance(target, cst.StarredElement):
            out |= assigned_names(ctx, [target.value], names_only)
        elif not names_only:
            out |= ctx.names_in(target)
    return out
