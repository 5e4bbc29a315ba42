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

from reviewlint.analysis.calls import code_of
from reviewlint.analysis.loops import is_literal_collection, looks_like_pagination_variable, retry_loop
from reviewlint.engine.context import FileContext, Loop
from reviewlint.rule import Severity


#: a literal (or a module constant bound to one) of at most this many items is a fixed,
#: small set of things (settings keys, two tables), not data whose size grows
SMALL_FIXED_COLLECTION = 5


def loop_is_exempt(loop: Loop, variables: Iterable[str], ctx: FileContext) -> bool:
    """A loop whose per-item calls are not an N+1: a small fixed collection, a retry or
    attempts loop, pagination or batching, a queue consumer."""
    variables = list(variables)
    if loop.kind in ("for", "comprehension") and is_small_fixed_collection(loop.iter, ctx):
        return True
    if loop.kind != "comprehension" and retry_loop(loop.node, ctx) is not None:
        return True
    if loop.kind == "while" and (_counts_attempts(loop.node) or _consumes(loop, variables, ctx)):
        return True
    if variables and all(looks_like_pagination_variable(v) or looks_like_batch(v) for v in variables):
        return True
    if loop.iter is not None and (_iterates_batches(loop.iter) or _steps_through(loop.iter, ctx)):
        return True
    return False


def is_small_fixed_collection(expr: cst.BaseExpression | None, ctx: FileContext,
                              max_items: int = SMALL_FIXED_COLLECTION) -> bool:
    """``('vat', 'currency')``, ``{"a": 1, "b": 2}.items()``, or a module constant bound to such
    a literal (``MODELS = [(Query, "db_id"), (Saved, "db_id")]``): a handful of fixed items."""
    depth = 0
    while depth < 4 and expr is not None:
        depth += 1
        if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
            return is_literal_collection(expr, max_items)
        if isinstance(expr, cst.Dict):
            return len(expr.elements) <= max_items and not any(isinstance(e, cst.StarredDictElement) for e in expr.elements)
        if isinstance(expr, cst.Call):
            func = expr.func
            if isinstance(func, cst.Attribute) and func.attr.value in ("items", "keys", "values") and not expr.args:
                expr = func.value
                continue
            if ctx.call_name(expr) in ("builtins.enumerate", "builtins.sorted", "builtins.reversed") and expr.args:
                expr = expr.args[0].value
                continue
            return False
        if isinstance(expr, cst.Name):
            expr = _module_constant(expr.value, ctx)
            continue
        return False
    return False


def _module_constant(name: str, ctx: FileContext) -> cst.BaseExpression | None:
    """The literal a module-level name is bound to (and not rebound in the current function)."""
    binding = ctx.lookup(name)
    if binding is None or not ctx.scopes or ctx.scopes[0].names.get(name) is not binding:
        return None
    origin = binding.origin
    # ``CACHE = {}`` / ``SEEN = []`` are filled at run time: not a fixed collection
    if isinstance(origin, (cst.List, cst.Tuple, cst.Set, cst.Dict)) and origin.elements:
        return origin
    return None


_ATTEMPT_WORDS = ("retry", "retries", "attempt", "tries", "tried", "success", "succeeded")


def _counts_attempts(loop_node: cst.CSTNode) -> bool:
    """``while not success and retry_num <= max_retries``: a loop that repeats one call
    until it works, counted by its test (a retry loop written without ``try``)."""
    if not isinstance(loop_node, cst.While):
        return False
    names: set[str] = set()
    stack: list[cst.CSTNode] = [loop_node.test]
    steps = 0
    while stack and steps < 200:
        steps += 1
        node = stack.pop()
        if isinstance(node, cst.Name):
            names.add(node.value.lower())
        elif isinstance(node, cst.Attribute):
            names.add(node.attr.value.lower())
            stack.append(node.value)
        else:
            stack.extend(node.children)
    return any(word in name for name in names for word in _ATTEMPT_WORDS)


#: calls that take the next message of a queue/stream/iterator: a loop over them consumes a
#: stream of work one message at a time (each message often a batch already)
_CONSUMER_METHODS = frozenset({"get", "get_nowait", "recv", "receive", "receive_json", "receive_text", "read_message"})


def _consumes(loop: Loop, variables: list[str], ctx: FileContext) -> bool:
    """``while running: records = queue.get(); process(records)``: a consumer loop."""
    for variable in variables:
        seen: set[str] = set()
        todo = [variable]
        while todo and len(seen) < 4:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            value = loop.sources.get(name)
            if value is None:
                continue
            if _is_consumer_call(value, ctx):
                return True
            todo.extend(sorted(ctx.names_in(value) & loop.derived))
    return False


def _is_consumer_call(value: cst.CSTNode, ctx: FileContext) -> bool:
    if isinstance(value, cst.Await):
        value = value.expression
    if not isinstance(value, cst.Call):
        return False
    if ctx.call_name(value) in ("builtins.next", "builtins.anext"):
        return True
    func = value.func
    if not isinstance(func, cst.Attribute) or func.attr.value not in _CONSUMER_METHODS:
        return False
    # ``queue.get()`` / ``queue.get(timeout=1)`` / ``queue.get(True, 5)``; ``d.get(key)`` is a lookup
    positional = [a for a in value.args if a.keyword is None]
    if func.attr.value == "get":
        return not positional or (isinstance(positional[0].value, cst.Name) and positional[0].value.value in ("True", "False"))
    return True


def guarded_off_the_item_path(ctx: FileContext, loop: Loop) -> bool:
    """The node being visited runs only for some items, by design, between ``loop`` and it:
    in an ``except`` handler (the error path), or under ``if key not in cache:`` (a memoised
    lookup, once per distinct key)."""
    ancestors = ctx.ancestors
    for i in range(len(ancestors) - 1, -1, -1):
        node = ancestors[i]
        if node is loop.node or isinstance(node, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            return False
        if loop.kind == "comprehension" and isinstance(node, (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)):
            return False
        if isinstance(node, cst.ExceptHandler):
            return True
        if isinstance(node, cst.If) and i + 1 < len(ancestors) and ancestors[i + 1] is node.body and _is_cache_miss(node, ctx):
            return True
    return False


def _is_cache_miss(node: cst.If, ctx: FileContext) -> bool:
    """``if key not in cache: cache[key] = ...`` / ``if cache.get(key) is None: cache[key] = ...``:
    the body fills the container the test looks in (a filter such as ``if x not in keep:
    x.delete()`` is not a memo)."""
    key = ("cache_miss", id(node))
    if key not in ctx.memo:
        containers = _tested_containers(node.test)
        ctx.memo[key] = bool(containers) and bool(containers & _filled_containers(node.body))
    return ctx.memo[key]


def _tested_containers(test: cst.BaseExpression) -> set[str]:
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        return _tested_containers(test.left) | _tested_containers(test.right)
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return set()
    target = test.comparisons[0]
    if isinstance(target.operator, cst.NotIn):
        return {code_of(target.comparator).strip()}
    if isinstance(target.operator, cst.Is) and isinstance(target.comparator, cst.Name) and target.comparator.value == "None":
        left = test.left
        if isinstance(left, cst.Call) and isinstance(left.func, cst.Attribute) and left.func.attr.value == "get":
            return {code_of(left.func.value).strip()}
    return set()


def _filled_containers(block: cst.CSTNode) -> set[str]:
    """Containers a block stores into: ``c[k] = ...``, ``c.add(...)``, ``c.setdefault(...)``."""
    out: set[str] = set()
    stack: list[cst.CSTNode] = [block]
    steps = 0
    while stack and steps < 500:
        steps += 1
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if isinstance(node, cst.Assign):
            for t in node.targets:
                if isinstance(t.target, cst.Subscript):
                    out.add(code_of(t.target.value).strip())
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in (
            "add", "setdefault", "update", "append", "__setitem__"
        ):
            out.add(code_of(node.func.value).strip())
        stack.extend(node.children)
    return out


def _steps_through(expr: cst.BaseExpression, ctx: FileContext) -> bool:
    """``for i in range(0, len(rows), 100)``: the loop walks a collection in slices."""
    if not isinstance(expr, cst.Call) or ctx.call_name(expr) != "builtins.range":
        return False
    args = [a for a in expr.args if a.keyword is None and not a.star]
    if len(args) != 3:
        return False
    step = args[2].value
    return not (isinstance(step, cst.Integer) and step.value in ("1", "-1"))


def stops_at_first_success(loop_node: cst.CSTNode, ctx: FileContext) -> bool:
    """A search or fallback loop (``for url in mirrors: ... return resp`` / ``break``): it tries
    items until one answers, so it does not make one call per item of the collection."""
    key = ("stops_at_first_success", id(loop_node))
    if key not in ctx.memo:
        from reviewlint.analysis.loops import _exits

        body = getattr(loop_node, "body", None)
        ctx.memo[key] = _exits(body, (cst.Break, cst.Return)) if body is not None else False
    return ctx.memo[key]


_BATCH_WORDS = ("batch", "chunk", "bulk")


def looks_like_batch(name: str) -> bool:
    """``batch`` / ``chunk`` / ``rows_chunk``: the loop already works in batches."""
    lowered = name.lower()
    return any(word in lowered for word in _BATCH_WORDS)


def _iterates_batches(expr: cst.BaseExpression) -> bool:
    """``for b in chunks(rows, 500)`` / ``itertools.batched(rows, 100)`` / ``for b in batches``."""
    if isinstance(expr, cst.Call):
        expr = expr.func
    if isinstance(expr, cst.Attribute):
        return looks_like_batch(expr.attr.value)
    if isinstance(expr, cst.Name):
        return looks_like_batch(expr.value)
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
        if loop_is_exempt(loop, sorted(hit), ctx) or guarded_off_the_item_path(ctx, loop):
            return []
        out.append((loop, loop_variable(loop, hit)))
    return out


def loop_variable(loop: Loop, names: Iterable[str]) -> str:
    """The loop's own variable behind ``names`` (a header target, not a name derived from it)."""
    names = sorted(names)
    direct = [n for n in names if n in loop.targets]
    if direct:
        return direct[0]
    for name in names:
        origin = loop.origins.get(name)
        if origin is not None:
            return origin
    return names[0]


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
    #: the names the call reads (a call fed by the previous call's result is a chain, not N+1)
    reads: frozenset[str] = frozenset()


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

    def add(self, node: cst.CSTNode, loop: Loop, variable: str, message: str,
            reads: frozenset[str] = frozenset()) -> Candidate | None:
        """Record a candidate. Returns it when it is final already (comprehensions)."""
        cand = Candidate(node, loop, variable, message, reads)
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
        if state.followed and isinstance(loop_node, cst.While):
            return []  # a while loop that feeds a result back into itself pages through results
        return [c for c in state.candidates if c.variable not in state.followed and not (c.reads & state.followed)]


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


# ---------------------------------------------------------------------- one call away
@dataclass
class HelperCall:
    """A call, in a loop, of a function of this module that makes the judged call itself."""

    node: cst.Call
    key: str
    loops: list[tuple[Loop, str]]
    shown: str
    awaited: bool


@dataclass
class HelperFinding:
    node: cst.Call
    shown: str  # the helper as called: ``load_customer``
    target: str  # the call the helper makes: ``Customer.objects.get``
    loop: Loop
    variable: str
    #: what the rule stored with the target (a library name, for the message)
    extra: str | None = None


#: findings through a helper of the module rest on partial evidence (the helper's call is seen,
#: not the loop's own): reported at info, and the message says so
ONE_CALL_AWAY_SEVERITY = Severity.INFO
ONE_CALL_AWAY_NOTE = " (seen one call away, inside the helper: reported as info)"

class OneCallAway:
    """The N+1 "one call away": ``for o in orders: load_customer(o.customer_id)`` where
    ``load_customer`` (a module-level function or a method of the same class, defined in this
    file) makes the query/request with its parameters.

    A rule calls ``enter_function``/``leave_function`` from ``visit_FunctionDef`` /
    ``leave_FunctionDef``, ``note_target`` for each judged call (with the expressions that
    decide it), ``note_call`` for every other call, and ``finish()`` in ``leave_Module``.
    """

    def __init__(self) -> None:
        self._helpers: dict[str, tuple[str, str | None]] = {}
        self._async_helpers: set[str] = set()
        self._calls: list[HelperCall] = []
        self._stack: list[tuple[str | None, frozenset[str]]] = []

    def enter_function(self, ctx: FileContext, node: cst.FunctionDef) -> None:
        params = node.params
        names = frozenset(p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params))
        key = _function_key(ctx, node)
        if key is not None and _is_memoised(ctx, node):
            key = None  # ``@functools.cache``: one call per distinct argument, not per item
        self._stack.append((key, names))
        if key is not None and node.asynchronous is not None:
            self._async_helpers.add(key)

    def leave_function(self) -> None:
        if self._stack:
            self._stack.pop()

    def note_target(self, ctx: FileContext, inputs: Iterable[cst.CSTNode | None], shown: str,
                    extra: str | None = None) -> None:
        """The current function makes the judged call; it is a helper when ``inputs`` read its parameters."""
        if not self._stack:
            return
        key, params = self._stack[-1]
        if key is None or key in self._helpers:
            return
        names: set[str] = set()
        for expr in inputs:
            if expr is not None:
                names |= ctx.names_in(expr)
        if names & params:
            self._helpers[key] = (shown, extra)

    def note_call(self, ctx: FileContext, node: cst.Call, shown: str) -> None:
        if not ctx.loops:
            return
        key = _helper_key(ctx, node)
        if key is None:
            return
        if self._stack and self._stack[-1][0] == key:
            return  # a recursive call: the helper's own statement is what runs per item
        loops = dependent_loops(ctx, [a.value for a in node.args])
        if loops:
            self._calls.append(HelperCall(node, key, loops, shown, isinstance(ctx.parent, cst.Await)))

    def finish(self) -> list[HelperFinding]:
        out = []
        for call in self._calls:
            found = self._helpers.get(call.key)
            if found is None:
                continue
            if call.key in self._async_helpers and not call.awaited:
                continue  # a coroutine fanned out by gather/create_task: SCALE002 judges it
            loop, variable = call.loops[0]
            out.append(HelperFinding(call.node, call.shown, found[0], loop, variable, found[1]))
        return out


_MEMOISING_DECORATORS = frozenset({
    "functools.cache", "functools.lru_cache", "functools.cached_property", "cachetools.cached",
    "async_lru.alru_cache", "cachetools.func.ttl_cache", "cachetools.func.lru_cache",
})


def _is_memoised(ctx: FileContext, node: cst.FunctionDef) -> bool:
    for dec in node.decorators:
        expr = dec.decorator.func if isinstance(dec.decorator, cst.Call) else dec.decorator
        if ctx.qualname(expr) in _MEMOISING_DECORATORS:
            return True
    return False


def _function_key(ctx: FileContext, node: cst.FunctionDef) -> str | None:
    # the walker has not entered the function yet when visit_FunctionDef runs
    if ctx.functions:
        return None  # nested function: not a helper others can call by name
    if ctx.classes:
        if ctx.scopes[-1].kind != "class":
            return None
        return f"{ctx.classes[-1].node.name.value}.{node.name.value}"
    return node.name.value


def _helper_key(ctx: FileContext, node: cst.Call) -> str | None:
    func = node.func
    if isinstance(func, cst.Name):
        binding = ctx.lookup(func.value)
        if binding is None or binding.kind == "def":
            return func.value
        return None
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
        cls = ctx.method_class
        if cls is not None and func.value.value in ("self", "cls"):
            return f"{cls.node.name.value}.{func.attr.value}"
    return None
