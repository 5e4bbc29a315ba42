"""Retries, hand-written and configured: what is retried, how often, how fast, on what.

Shared by the retry rules (REL002 retry-without-backoff, REL003 unbounded-retry, REL004
retry-config-without-backoff, REL005 retry-on-any-error, REL006 missing-retry-policy).

* :func:`hand_retry` looks at a ``for``/``while`` loop the rule was handed (at its
  ``leave_``) and says whether it is a hand-written retry of a remote call, which call it
  retries, whether it sleeps (not at all, a constant, or something that grows with the
  attempt), whether a ``while True`` has an attempt or time bound, and which handlers
  retry every failure.
* :func:`tenacity_config`, :func:`backoff_config` and :func:`urllib3_retry` read a
  configured retry (decorator or constructor call).

Everything is computed from the loop/call node (a bounded look into it) plus the
per-file name resolution of :class:`~reviewlint.engine.context.FileContext`, and cached in
``ctx.memo``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

import libcst as cst

from reviewlint.analysis.calls import argument, code_of, has_star_args, has_star_kwargs, is_false, is_none, keyword
from reviewlint.analysis.loops import RetryLoop, _body_statements, _exits, retry_loop
from reviewlint.engine.context import FileContext
from reviewlint.knowledge import http
from reviewlint.knowledge import retry as kr

# sleep kinds
NO_SLEEP = "none"
CONSTANT_SLEEP = "constant"
GROWING_SLEEP = "growing"  # grows with the attempt, or is jittered / computed elsewhere

_PURE_BUILTINS = frozenset({"builtins.min", "builtins.max", "builtins.int", "builtins.float", "builtins.round", "builtins.abs"})
_SCOPE_BARRIERS = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


def _children(node: Any) -> list[Any]:
    from reviewlint.engine.walk import children

    return children(node)


def iter_nodes(root: cst.CSTNode | None, *, skip: tuple[type, ...] = _SCOPE_BARRIERS) -> Iterator[cst.CSTNode]:
    """Pre-order nodes under ``root`` (itself included), not entering nested defs/lambdas."""
    if root is None:
        return
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        yield node
        if node is not root and isinstance(node, skip):
            continue
        stack.extend(reversed(_children(node)))


def dotted_texts(expr: cst.CSTNode) -> set[str]:
    """``a.b.c`` chains and plain names an expression reads (``self.delay * 2`` → {self.delay, self})."""
    out: set[str] = set()
    for node in iter_nodes(expr):
        if isinstance(node, (cst.Name, cst.Attribute)):
            text = _dotted(node)
            if text:
                out.add(text)
    return out


def _dotted(node: cst.CSTNode) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


# ====================================================================== hand-written loops


@dataclass
class HandRetry:
    """A hand-written loop that retries a remote call."""

    loop: RetryLoop
    #: the call the loop retries (where REL002/REL003 report)
    call: cst.Call
    #: text of the retried call, for messages
    call_text: str
    #: NO_SLEEP, CONSTANT_SLEEP or GROWING_SLEEP
    sleep: str
    #: the constant sleep call, when sleep == CONSTANT_SLEEP
    sleep_call: cst.Call | None
    #: a ``while True`` loop
    infinite: bool
    #: an attempt counter or a deadline leaves the loop
    bounded: bool
    #: retrying handlers that catch every exception (``Exception``, ``BaseException``, bare)
    #: and do not filter what they retry
    catch_all: list[cst.ExceptHandler] = field(default_factory=list)
    #: the number of attempts when the loop is ``for _ in range(<literals>)``
    attempts: int | None = None
    #: what is retried needs no wait: a local resource (file system, subprocess, sqlite, a
    #: serial port) or a conflict (a unique-key race is resolved by re-reading, not waiting)
    no_wait_needed: bool = False


def hand_retry(loop_node: cst.CSTNode, ctx: FileContext) -> HandRetry | None:
    """The hand-written retry of a remote call that ``loop_node`` is, or None."""
    key = ("hand_retry", id(loop_node))
    if key in ctx.memo:
        return ctx.memo[key]
    try:
        result = _hand_retry(loop_node, ctx)
    except RecursionError:  # pragma: no cover - pathological nesting
        result = None
    ctx.memo[key] = result
    return result


def _hand_retry(loop_node: cst.CSTNode, ctx: FileContext) -> HandRetry | None:
    shape = retry_loop(loop_node, ctx)
    if shape is None:
        return None
    targets: set[str] = set()
    if isinstance(loop_node, cst.For):
        if not _is_attempt_iterable(loop_node.iter, ctx):
            return None  # ``for backend in backends``: a fallback chain, not a retry
        targets = set(dotted_texts(loop_node.target))
    try_node = shape.try_node
    if not _leaves_on_success(loop_node, try_node):
        return None  # a poll loop: it goes round on success too, until a condition holds
    if _exits(try_node.body, (cst.Continue,)):
        return None  # a timer loop: the healthy path goes round again (``if ok: continue``)
    body_names = _names_passed(try_node.body)
    if (targets - {"_"}) & body_names and not any(kr.RETRY_NAME_RE.search(t) for t in targets):
        return None  # ``for port in range(...)``: the loop tries different values, it does not retry
    handler_types = [_caught(h, ctx) for h in shape.retrying_handlers]
    flat = [t for types in handler_types for t in types]
    if flat and all(kr.is_non_transient_exception(t) for t in flat):
        return None  # collision/parse loops (IntegrityError, ValueError ...) are not retries of a failure
    call, remote = _retried_call(try_node.body, ctx)
    if call is None:
        return None
    if not remote:
        remote = any(kr.is_transient_exception(t) for t in flat) or _named_as_retry(loop_node, targets, ctx)
    if not remote:
        return None
    varying = _varying(loop_node, targets)
    sleep, sleep_call = _sleep_kind(loop_node, try_node, varying, ctx)
    bounded = not shape.infinite or _has_bound(loop_node, ctx)
    catch_all = _catch_all_handlers(shape, handler_types, ctx)
    attempts = _literal_attempts(loop_node.iter, ctx) if isinstance(loop_node, cst.For) else None
    no_wait = _local_call(call, ctx) or (bool(flat) and all(_local_exception(t) for t in flat)) or any(
        _conflict_only(h) for h in shape.retrying_handlers
    )
    return HandRetry(shape, call, _call_text(call), sleep, sleep_call, shape.infinite, bounded, catch_all, attempts,
                     no_wait)


#: calls on local resources: retrying them protects no remote service
_LOCAL_PREFIXES = ("os.", "shutil.", "pathlib.", "subprocess.", "sqlite3.", "serial.", "fcntl.", "tempfile.",
                   "builtins.open", "io.open", "filelock.", "portalocker.")
_LOCAL_EXCEPTIONS = frozenset({
    "builtins.FileNotFoundError", "builtins.FileExistsError", "builtins.PermissionError", "builtins.IsADirectoryError",
    "builtins.NotADirectoryError", "builtins.BlockingIOError", "builtins.InterruptedError", "builtins.ChildProcessError",
    "subprocess.CalledProcessError", "subprocess.TimeoutExpired", "sqlite3.OperationalError",
    "sqlite3.DatabaseError", "serial.SerialException", "serial.serialutil.SerialException",
    "filelock.Timeout", "portalocker.LockException",
})
#: a handler that retries only a conflict (optimistic concurrency, a unique-key race)
_CONFLICT_WORDS = ("integrityerror", "conflict", "already_exists", "alreadyexists", "409", "unique", "stale")


def _local_call(call: cst.Call, ctx: FileContext) -> bool:
    name = ctx.call_name(call) or ""
    return name.startswith(_LOCAL_PREFIXES)


def _local_exception(qualname: str) -> bool:
    return qualname in _LOCAL_EXCEPTIONS


def _conflict_only(handler: cst.ExceptHandler) -> bool:
    """``except StoreError as e: if not isinstance(e.__cause__, IntegrityError) ...: raise``:
    the handler goes round only for a conflict, which re-reading resolves."""
    for node in iter_nodes(handler.body):
        if isinstance(node, cst.If) and _exits(node.body, (cst.Raise,)):
            text = code_of(node.test).lower()
            if any(word in text for word in _CONFLICT_WORDS):
                return True
    return False


def _int_literal(expr: cst.BaseExpression, ctx: FileContext | None = None, depth: int = 0) -> int | None:
    """An integer literal, a local name bound to one (``retry_count = 1``), or a sum/difference
    of those (``retry_count + 1``)."""
    if depth > 4:
        return None
    if isinstance(expr, cst.Integer):
        return int(expr.value, 0)
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Minus) and isinstance(expr.expression, cst.Integer):
        return -int(expr.expression.value, 0)
    if ctx is not None and isinstance(expr, cst.Name):
        binding = ctx.lookup(expr.value)
        if binding is not None and isinstance(binding.origin, cst.Integer):
            return int(binding.origin.value, 0)
        return None
    if ctx is not None and isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, (cst.Add, cst.Subtract)):
        left, right = _int_literal(expr.left, ctx, depth + 1), _int_literal(expr.right, ctx, depth + 1)
        if left is None or right is None:
            return None
        return left + right if isinstance(expr.operator, cst.Add) else left - right
    return None


def _literal_attempts(expr: cst.BaseExpression, ctx: FileContext | None = None) -> int | None:
    if isinstance(expr, (cst.Tuple, cst.List)):
        return len(expr.elements)
    if not (isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value == "range"):
        return None
    values = [_int_literal(a.value, ctx) for a in expr.args]
    if not values or len(values) > 3 or any(v is None for v in values) or any(a.keyword for a in expr.args):
        return None
    try:
        return len(range(*values))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _leaves_on_success(loop_node: cst.CSTNode, try_node: cst.Try) -> bool:
    """The loop is left (``return``/``break``) whenever the tried call succeeds: a
    ``return``/``break`` not behind an ``if`` in the try body (or its ``with`` blocks), its
    ``else:``, or the loop body after the try."""
    blocks: list[cst.BaseSuite] = [try_node.body]
    if try_node.orelse is not None:
        blocks.append(try_node.orelse.body)
    while blocks:
        block = blocks.pop()
        for stmt in _body_statements(block):
            if isinstance(stmt, cst.SimpleStatementLine) and any(isinstance(b, (cst.Return, cst.Break)) for b in stmt.body):
                return True
            if isinstance(stmt, cst.With):
                blocks.append(stmt.body)
    after = _body_statements(loop_node.body)
    for stmt in after[after.index(try_node) + 1 :] if try_node in after else []:
        if isinstance(stmt, cst.SimpleStatementLine) and any(isinstance(b, (cst.Return, cst.Break)) for b in stmt.body):
            return True
    return False


def _is_attempt_iterable(expr: cst.BaseExpression, ctx: FileContext) -> bool:
    if isinstance(expr, cst.Call):
        name = ctx.call_name(expr)
        if name == "builtins.range":
            # ``range(len(items))`` walks items
            return not any(isinstance(n, cst.Name) and n.value == "len" for n in iter_nodes(expr))
        return name in ("itertools.count", "itertools.repeat")
    if isinstance(expr, (cst.Tuple, cst.List)):
        # a schedule of delays: ``for delay in (1, 2, 4)``
        return bool(expr.elements) and all(isinstance(e.value, (cst.Integer, cst.Float)) for e in expr.elements)
    return False


def _names_passed(block: cst.CSTNode) -> set[str]:
    """Names the block passes to calls or uses as an index (``sock.bind(('', port))``), not
    those it only tests (``if i > 0: reconnect()`` retries; it does not try values)."""
    out: set[str] = set()
    for node in iter_nodes(block):
        parts: list[cst.CSTNode] = []
        if isinstance(node, cst.Call):
            parts = [a.value for a in node.args]
        elif isinstance(node, cst.Subscript):
            parts = list(node.slice)
        elif isinstance(node, (cst.Assign, cst.Return)) and node.value is not None:
            parts = [node.value] if not isinstance(node.value, (cst.Call, cst.Await)) else []
        for part in parts:
            for sub in iter_nodes(part):
                if isinstance(sub, cst.Name):
                    out.add(sub.value)
    return out


def _names_read(block: cst.CSTNode, ctx: FileContext) -> set[str]:
    out: set[str] = set()
    for node in iter_nodes(block):
        if isinstance(node, cst.Name):
            out.add(node.value)
    return out


def _caught(handler: cst.ExceptHandler, ctx: FileContext) -> list[str]:
    """Qualified names of the types a handler catches (``builtins.BaseException`` for bare ``except:``)."""
    if handler.type is None:
        return ["builtins.BaseException"]
    exprs = [e.value for e in handler.type.elements] if isinstance(handler.type, cst.Tuple) else [handler.type]
    return [ctx.qualname(e) or "?" for e in exprs]


def _retried_call(block: cst.BaseSuite, ctx: FileContext) -> tuple[cst.Call | None, bool]:
    """The call a try body exists to make: an HTTP/client call if any, else its main call
    (returned, awaited or entered by ``with``; else the first one not behind an ``if``)."""
    first: cst.Call | None = None
    for node in iter_nodes(block):
        if not isinstance(node, cst.Call):
            continue
        name = ctx.call_name(node)
        if http.http_call(name) is not None:
            return node, True
        if isinstance(node.func, cst.Attribute) and http.client_type(ctx.type_of(node.func.value)) is not None:
            return node, True
    main: list[tuple[int, cst.Call]] = []
    for root, primary, nested in _statements(block):
        if isinstance(root, cst.Call) and ctx.call_name(root) == "builtins.getattr":
            continue  # ``method = getattr(client(), name)`` looks the call up; ``method(...)`` makes it
        for node in iter_nodes(root):
            if isinstance(node, cst.Call) and not _trivial_call(node, ctx.call_name(node)):
                main.append(((0 if primary else 1) + (2 if nested else 0), node))
                break
    if main:
        main.sort(key=lambda item: item[0])
        call = main[0][1]
        # ``urlopen(url).read()``: the request is the inner call
        while (isinstance(call.func, cst.Attribute) and isinstance(call.func.value, cst.Call)
               and not _trivial_call(call.func.value, ctx.call_name(call.func.value))):
            call = call.func.value
        return call, False
    for node in iter_nodes(block):
        if isinstance(node, cst.Call) and not _trivial_call(node, ctx.call_name(node)):
            first = node
            break
    return first, False


def _statements(block: cst.CSTNode, nested: bool = False) -> Iterator[tuple[cst.CSTNode, bool, bool]]:
    """(expression, primary, nested) in order: the values of small statements, with-items and
    ``for`` iterables; primary: returned, awaited, yielded or entered; nested: behind an if/loop/try."""
    for stmt in _body_statements(block) if isinstance(block, cst.BaseSuite) else []:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                value = getattr(small, "value", None)
                if isinstance(small, (cst.Return, cst.Expr, cst.Assign, cst.AnnAssign, cst.AugAssign)) and value is not None:
                    primary = isinstance(small, cst.Return) or isinstance(value, (cst.Await, cst.Yield))
                    yield value, primary, nested
        elif isinstance(stmt, cst.With):
            # the body is what the ``with`` exists for (``with session_maker() as s: s.merge(...)``)
            yield from _statements(stmt.body, nested)
            for item in stmt.items:
                yield item.item, False, nested
        elif isinstance(stmt, cst.For):
            yield stmt.iter, True, nested
            yield from _statements(stmt.body, True)
        elif isinstance(stmt, cst.If):
            yield from _statements(stmt.body, True)
        elif isinstance(stmt, (cst.While, cst.Try)):
            yield from _statements(stmt.body, True)


_TRIVIAL_PREFIXES = ("logging.", "json.", "time.", "asyncio.sleep", "random.", "io.", "base64.", "copy.", "re.",
                     "os.path.", "functools.", "itertools.", "collections.", "dataclasses.", "typing.", "uuid.")


def _trivial_call(node: cst.Call, name: str | None) -> bool:
    if name is None:
        return False
    if name.startswith("builtins."):
        return True
    if name.startswith(_TRIVIAL_PREFIXES) or name in kr.SLEEP_FUNCTIONS:
        return True
    func = node.func
    if isinstance(func, cst.Attribute):
        base = _dotted(func.value) or ""
        if base.split(".")[-1] in ("log", "logger", "logging", "LOG", "LOGGER", "_log", "_logger", "log_"):
            return True
    return False


def _call_text(call: cst.Call) -> str:
    from reviewlint.analysis.calls import callee_text

    return callee_text(call)


def _named_as_retry(loop_node: cst.CSTNode, targets: set[str], ctx: FileContext) -> bool:
    """The code says it retries: ``for attempt in range(MAX_RETRIES)``, ``retries += 1``."""
    texts: set[str] = set(targets)
    if isinstance(loop_node, cst.For):
        texts |= dotted_texts(loop_node.iter)
    elif isinstance(loop_node, cst.While):
        texts |= dotted_texts(loop_node.test)
    for node in iter_nodes(loop_node.body):
        if isinstance(node, cst.AugAssign) and isinstance(node.target, cst.Name):
            texts.add(node.target.value)  # ``retries += 1`` (not ``challenge.attempts += 1``)
    return any(kr.RETRY_NAME_RE.search(t.rsplit(".", 1)[-1]) for t in texts if t != "_")


def _varying(loop_node: cst.CSTNode, targets: set[str]) -> set[str]:
    """Names/attribute chains whose value changes from one go round the loop to the next."""
    varying = set(targets)
    assigns: list[tuple[set[str], cst.BaseExpression]] = []
    for node in iter_nodes(loop_node.body):
        if isinstance(node, cst.AugAssign):
            varying |= _target_texts(node.target)
        elif isinstance(node, cst.Assign):
            for t in node.targets:
                assigns.append((_target_texts(t.target), node.value))
        elif isinstance(node, cst.AnnAssign) and node.value is not None:
            assigns.append((_target_texts(node.target), node.value))
        elif isinstance(node, (cst.For, cst.CompFor)) and node is not loop_node:
            varying |= _target_texts(node.target)
        elif isinstance(node, cst.WithItem) and node.asname is not None:
            varying |= _target_texts(node.asname.name)
        elif isinstance(node, cst.NamedExpr):
            varying |= _target_texts(node.target)
    for _ in range(4):
        changed = False
        for names, value in assigns:
            if names <= varying:
                continue
            reads = dotted_texts(value)
            if reads & varying or reads & names or _has_impure_call(value):
                varying |= names
                changed = True
        if not changed:
            break
    return varying


def _target_texts(target: cst.CSTNode) -> set[str]:
    if isinstance(target, (cst.Name, cst.Attribute)):
        text = _dotted(target)
        return {text} if text else set()
    out: set[str] = set()
    if isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            out |= _target_texts(element.value)
    elif isinstance(target, cst.StarredElement):
        out |= _target_texts(target.value)
    return out


def _has_impure_call(expr: cst.CSTNode) -> bool:
    for node in iter_nodes(expr):
        if isinstance(node, cst.Call):
            func = node.func
            if isinstance(func, cst.Name) and func.value in ("min", "max", "int", "float", "round", "abs"):
                continue
            return True
    return False


_SLEEPY_WORDS = ("sleep", "backoff", "delay", "wait", "pause", "cooldown", "throttle")
#: a retry handler/strategy object that prepares the next attempt (it usually waits too)
_DELEGATE_WORDS = ("next_attempt", "prepare_for_retry", "before_retry", "on_retry", "retry_handler")


def _sleep_kind(loop_node: cst.CSTNode, try_node: cst.Try, varying: set[str], ctx: FileContext) -> tuple[str, cst.Call | None]:
    """How the loop waits between attempts: an explicit sleep decides; without one, a helper
    that may wait (``self._sleep(attempt)``, ``handler.prepare_for_next_attempt()``,
    ``stop_event.wait(5)``) is trusted."""
    sleeps: list[tuple[str, cst.Call]] = []
    helpers: list[tuple[str, cst.Call]] = []
    try_body_ids = {id(n) for n in iter_nodes(try_node.body)}
    assigned: dict[str, cst.BaseExpression] = {}
    for node in iter_nodes(loop_node.body):
        if isinstance(node, cst.Assign) and len(node.targets) == 1:
            for text in _target_texts(node.targets[0].target):
                assigned[text] = node.value
    for node in iter_nodes(loop_node.body):
        if not isinstance(node, cst.Call):
            continue
        name = ctx.call_name(node)
        if name in kr.SLEEP_FUNCTIONS:
            delay = argument(node, 0, "seconds") or argument(node, 0, "delay")
            sleeps.append((_delay_kind(delay, varying, ctx, assigned), node))
            continue
        if id(node) in try_body_ids or name in ("asyncio.wait_for", "asyncio.wait"):
            continue
        last = (name or _dotted(node.func) or "").rsplit(".", 1)[-1].lower()
        if any(word in last for word in _SLEEPY_WORDS):
            if not node.args or node.args[0].keyword is not None or has_star_args(node) or has_star_kwargs(node):
                # no positional delay: a wait for something (``wait_for_connection(timeout=t)``),
                # trusted like any helper that may wait
                helpers.append((GROWING_SLEEP, node))
            else:
                helpers.append((_delay_kind(node.args[0].value, varying, ctx), node))
        elif any(word in last for word in _DELEGATE_WORDS):
            helpers.append((GROWING_SLEEP, node))  # a retry strategy object decides (and waits)
    kinds = sleeps or helpers
    if not kinds:
        return NO_SLEEP, None
    if any(kind == GROWING_SLEEP for kind, _node in kinds):
        return GROWING_SLEEP, None
    return CONSTANT_SLEEP, kinds[0][1]


_SERVER_WAIT_WORDS = ("retry_after", "retry-after", "retryafter", "ratelimit-reset", "rate_limit_reset", "x-ratelimit",
                      "reset_after", "resets_at", "reset_at")
_CONFIG_WORDS = ("config", "settings", "options", "conf", ".env", "environ")


def _delay_kind(delay: cst.BaseExpression | None, varying: set[str], ctx: FileContext,
                assigned: dict[str, cst.BaseExpression] | None = None) -> str:
    if delay is None:
        return GROWING_SLEEP  # ``sleep(**kw)``: unknown
    if _server_directed(delay, assigned or {}) or _configured(delay, ctx):
        return GROWING_SLEEP  # the server says when (Retry-After), or the user chose the wait
    for node in iter_nodes(delay):
        if isinstance(node, cst.Call):
            name = ctx.call_name(node) or ""
            if name in _PURE_BUILTINS:
                continue
            return GROWING_SLEEP  # jitter (random.uniform) or a computed delay: not a constant
    reads = dotted_texts(delay)
    if reads & varying:
        return GROWING_SLEEP
    return CONSTANT_SLEEP


def _server_directed(delay: cst.BaseExpression, assigned: dict[str, cst.BaseExpression]) -> bool:
    """``sleep(retry_after)`` / ``sleep(float(resp.headers["Retry-After"]))``: a wait the server chose."""
    texts = [code_of(delay).lower()]
    for name in dotted_texts(delay):
        value = assigned.get(name)
        if value is not None:
            texts.append(code_of(value).lower())
    return any(word in text for text in texts for word in _SERVER_WAIT_WORDS)


def _configured(delay: cst.BaseExpression, ctx: FileContext) -> bool:
    """A wait someone configured: ``self.retry_wait``, a parameter, ``settings.RETRY_DELAY``,
    or a name imported from a configuration module (``from app.env import RECONNECT_DELAY``)."""
    for node in iter_nodes(delay):
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
            base = node.value.value
            if base in ("self", "cls") or any(word in base.lower() for word in _CONFIG_WORDS):
                return True
            binding = ctx.lookup(base)
            if binding is not None and binding.kind != "import" and ctx.scopes and ctx.scopes[0].names.get(base) is not binding:
                # ``registration.interval`` / ``instance.db_retry_wait``: a value carried by an
                # object of this call (a server's polling interval, a user's setting)
                return True
        elif isinstance(node, cst.Name):
            binding = ctx.lookup(node.value)
            if binding is None:
                continue
            if binding.injected:
                return True
            if binding.kind == "import" and any(word in (binding.value or "").lower() for word in _CONFIG_WORDS):
                return True
    return False


def _has_bound(loop_node: cst.CSTNode, ctx: FileContext) -> bool:
    """Something in a ``while True`` retry loop gives up: a counter or a deadline check that leaves."""
    counters: set[str] = set()
    for node in iter_nodes(loop_node.body):
        if isinstance(node, cst.AugAssign):
            counters |= _target_texts(node.target)
        elif isinstance(node, cst.Assign) and _increments(node):
            for t in node.targets:
                counters |= _target_texts(t.target)
    # ``except E: if attempts < MAX: sleep(...); continue`` then ``raise``: the handler gives
    # up unless the counter is under the bound
    giving_up: set[int] = set()
    for node in iter_nodes(loop_node.body):
        if isinstance(node, cst.ExceptHandler) and _handler_ends_by_raising(node):
            giving_up |= {id(n) for n in _body_statements(node.body) if isinstance(n, cst.If)}
    for node in iter_nodes(loop_node.body):
        test = None
        leaves = False
        if isinstance(node, cst.If):
            test = node.test
            leaves = _exits(node.body, (cst.Raise, cst.Return, cst.Break)) or (
                id(node) in giving_up and _exits(node.body, (cst.Continue,))
            )
        elif isinstance(node, cst.Assert):
            test, leaves = node.test, True
        if test is None or not leaves:
            continue
        reads = dotted_texts(test)
        if reads & counters:
            return True
        if any(kr.RETRY_NAME_RE.search(r.rsplit(".", 1)[-1]) or kr.DEADLINE_NAME_RE.search(r.rsplit(".", 1)[-1]) for r in reads):
            return True
        for sub in iter_nodes(test):
            if isinstance(sub, cst.Call):
                name = ctx.call_name(sub) or ""
                if name in kr.TIME_FUNCTIONS or name.endswith((".time", ".monotonic")):
                    return True
    return False


def _handler_ends_by_raising(handler: cst.ExceptHandler) -> bool:
    stmts = _body_statements(handler.body)
    last = stmts[-1] if stmts else None
    return isinstance(last, cst.SimpleStatementLine) and bool(last.body) and isinstance(last.body[-1], cst.Raise)


def _increments(node: cst.Assign) -> bool:
    if len(node.targets) != 1:
        return False
    target = _dotted(node.targets[0].target)
    value = node.value
    return (
        target is not None
        and isinstance(value, cst.BinaryOperation)
        and isinstance(value.operator, (cst.Add, cst.Subtract))
        and target in dotted_texts(value)
    )


def _catch_all_handlers(shape: RetryLoop, handler_types: list[list[str]], ctx: FileContext) -> list[cst.ExceptHandler]:
    """Retrying handlers that retry every failure, with nothing before or inside them filtering."""
    try_node = shape.try_node
    retrying_ids = {id(h) for h in shape.retrying_handlers}
    # an earlier handler that gives up on some errors is a filter: those are not retried
    for handler in try_node.handlers:
        if id(handler) in retrying_ids:
            break
        return []
    out = []
    for handler, types in zip(shape.retrying_handlers, handler_types):
        if not any(t in kr.BROAD_EXCEPTIONS for t in types):
            continue
        if _filters(handler, ctx):
            continue
        out.append(handler)
    return out


def _filters(handler: cst.ExceptHandler, ctx: FileContext) -> bool:
    """The handler looks at the error and gives up on some: a ``raise``/``return``/``break``
    under a test that reads the exception (``isinstance(e, ...)``, ``e.response.status_code``,
    ``is_retryable(e)``, or a name computed from it)."""
    name = handler.name.name.value if handler.name is not None and isinstance(handler.name.name, cst.Name) else None
    derived: set[str] = {name} if name else set()
    for node in iter_nodes(handler.body):
        if isinstance(node, cst.Call) and ctx.call_name(node) in ("sys.exc_info", "sys.exception"):
            return True
    if not derived:
        return False
    assigns = [n for n in iter_nodes(handler.body) if isinstance(n, cst.Assign)]
    for _ in range(3):
        for node in assigns:
            if dotted_texts(node.value) & derived:
                for t in node.targets:
                    derived |= _target_texts(t.target)
    for node in iter_nodes(handler.body):
        if isinstance(node, cst.If) and _if_leaves(node):
            if {r.split(".", 1)[0] for r in dotted_texts(node.test)} & derived:
                return True
    return False


def _if_leaves(node: cst.If) -> bool:
    kinds = (cst.Raise, cst.Return, cst.Break)
    if _exits(node.body, kinds):
        return True
    orelse = node.orelse
    if isinstance(orelse, cst.Else):
        return _exits(orelse.body, kinds)
    if isinstance(orelse, cst.If):
        return _if_leaves(orelse)
    return False


# ====================================================================== configured retries


@dataclass(frozen=True)
class RetryConfig:  # noqa: D101
    """What a tenacity/backoff decorator or controller call configures."""

    library: str  # "tenacity" | "backoff"
    #: the decorator/controller is used with no arguments at all
    bare: bool
    #: a ``**kwargs`` pass-through: anything may be configured
    opaque: bool
    has_stop: bool
    has_wait: bool
    #: the retry condition retries every exception
    retries_everything: bool
    #: the node to report (the decorator expression or the call)
    node: cst.CSTNode
    shown: str
    #: the catch-all exception argument as written (backoff)
    broad: str = ""
    #: the retry condition names only errors that are never transient (validation/parse
    #: errors: a re-ask, not a retry of a failing service)
    non_transient_only: bool = False


def tenacity_target(expr: cst.BaseExpression, ctx: FileContext) -> str | None:
    """``tenacity.retry`` / ``tenacity.Retrying`` ... when ``expr`` names one."""
    name = ctx.qualname(expr)
    return name if name in kr.TENACITY_ALL else None


def tenacity_config(node: cst.BaseExpression, ctx: FileContext) -> RetryConfig | None:
    """A tenacity ``retry``/``Retrying``/``AsyncRetrying`` (a decorator expression or a call)."""
    if isinstance(node, cst.Call):
        target = tenacity_target(node.func, ctx)
        if target is None:
            return None
        shown = code_of(node.func).strip()
        keywords = {a.keyword.value: a.value for a in node.args if a.keyword is not None}
        positional = [a for a in node.args if a.keyword is None and not a.star]
        opaque = has_star_kwargs(node) or has_star_args(node)
        # ``retry(fn)``: tenacity's decorator applied to a function, i.e. a bare ``@retry``;
        # ``@retry(reraise=True)`` lacks the same three parts: one finding (REL003), not three
        bare = (not opaque and not {"stop", "wait", "retry"} & keywords.keys()
                and (not positional or (target in kr.TENACITY_DECORATORS and len(positional) == 1)))
        retry_value = keywords.get("retry")
        return RetryConfig(
            "tenacity",
            bare,
            opaque,
            "stop" in keywords,
            "wait" in keywords,
            retry_value is None or _tenacity_condition_is_everything(retry_value, ctx),
            node,
            shown,
            non_transient_only=retry_value is not None and _tenacity_condition_is_non_transient(retry_value, ctx),
        )
    target = tenacity_target(node, ctx)
    if target is None or target not in kr.TENACITY_DECORATORS:
        return None
    return RetryConfig("tenacity", True, False, False, False, True, node, code_of(node).strip())


def _tenacity_condition_is_everything(expr: cst.BaseExpression, ctx: FileContext) -> bool:
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.BitOr):
        return _tenacity_condition_is_everything(expr.left, ctx) or _tenacity_condition_is_everything(expr.right, ctx)
    if not isinstance(expr, cst.Call):
        return False
    name = ctx.call_name(expr)
    if name not in kr.TENACITY_RETRY_ON_TYPE:
        return False
    types = argument(expr, 0, "exception_types")
    if types is None:
        return not expr.args  # the default is Exception
    return _is_broad_types(types, ctx)


def _tenacity_condition_is_non_transient(expr: cst.BaseExpression, ctx: FileContext) -> bool:
    """``retry_if_exception_type(ValidationError)``: only errors that waiting cannot fix."""
    if not (isinstance(expr, cst.Call) and ctx.call_name(expr) in kr.TENACITY_RETRY_ON_TYPE):
        return False
    types = argument(expr, 0, "exception_types")
    if types is None:
        return False
    if isinstance(types, cst.Name):  # a module-level tuple of exception types
        binding = ctx.binding(types)
        origin = binding.origin if binding is not None else None
        if isinstance(origin, (cst.Tuple, cst.List)):
            types = origin
    elements = [e.value for e in types.elements] if isinstance(types, (cst.Tuple, cst.List)) else [types]
    names = [ctx.qualname(e) for e in elements]
    return bool(names) and all(kr.is_non_transient_exception(n) for n in names)


def _is_broad_types(expr: cst.BaseExpression, ctx: FileContext) -> bool:
    if isinstance(expr, (cst.Tuple, cst.List)):
        return any(_is_broad_types(e.value, ctx) for e in expr.elements)
    return ctx.qualname(expr) in kr.BROAD_EXCEPTIONS


def backoff_config(node: cst.Call, ctx: FileContext) -> RetryConfig | None:
    """``backoff.on_exception(wait_gen, exception, ...)`` / ``backoff.on_predicate(wait_gen, ...)``."""
    name = ctx.call_name(node)
    if name not in kr.BACKOFF_DECORATORS:
        return None
    opaque = has_star_kwargs(node) or has_star_args(node)
    keywords = {a.keyword.value: a.value for a in node.args if a.keyword is not None}
    everything = False
    broad = ""
    if name in kr.BACKOFF_ON_EXCEPTION and "giveup" not in keywords:
        exc = argument(node, 1, "exception")
        everything = exc is not None and _is_broad_types(exc, ctx)
        if everything and exc is not None:
            broad = " ".join(code_of(exc).split())
    return RetryConfig(
        "backoff",
        False,
        opaque,
        "max_tries" in keywords or "max_time" in keywords,
        True,
        everything,
        node,
        code_of(node.func).strip(),
        broad,
    )


@dataclass(frozen=True)
class Urllib3Retry:
    node: cst.Call
    shown: str
    #: backoff_factor is missing (or a literal 0)
    no_backoff: bool
    #: the configuration never retries more than once (``Retry(0)``, ``Retry(total=False)``, ``Retry(1)``)
    trivial: bool
    opaque: bool


_RETRY_COUNT_FIELDS = ("connect", "read", "status", "other")


def urllib3_retry(node: cst.Call, ctx: FileContext) -> Urllib3Retry | None:
    """A urllib3 ``Retry(...)`` (also as re-exported by requests)."""
    name = ctx.call_name(node)
    if name not in kr.URLLIB3_RETRY:
        return None
    opaque = has_star_kwargs(node) or has_star_args(node) or len([a for a in node.args if a.keyword is None]) > 7
    factor = argument(node, None, "backoff_factor")
    no_backoff = factor is None or (isinstance(factor, (cst.Integer, cst.Float)) and float(factor.value) == 0.0)
    total = argument(node, 0, "total")
    trivial = False
    if total is not None and (is_false(total) or (isinstance(total, cst.Integer) and int(total.value, 0) <= 1)):
        others = [keyword(node, f) for f in _RETRY_COUNT_FIELDS]
        trivial = all(o is None or is_none(o.value) or is_false(o.value) or
                      (isinstance(o.value, cst.Integer) and int(o.value.value, 0) <= 1) for o in others)
    return Urllib3Retry(node, code_of(node.func).strip(), no_backoff, trivial, opaque)
