"""Questions about ``except`` handlers, shared by the ERR and OBS rules."""

from __future__ import annotations

import re
from typing import Any, Iterator

import libcst as cst

from reviewlint.engine.context import FileContext, Handler, dotted_name

_SCOPE_BREAKS = (cst.FunctionDef, cst.Lambda, cst.ClassDef)

#: exceptions that are the expected answer of a lookup, conversion, validation or cancellation
#: (EAFP control flow), not a failure of a dependency; matched on the class name's last segment
EXPECTED_OUTCOMES: frozenset[str] = frozenset({
    "KeyError", "IndexError", "AttributeError", "LookupError", "ValueError", "TypeError", "StopIteration",
    "StopAsyncIteration", "NotImplementedError", "UnicodeError", "UnicodeDecodeError", "UnicodeEncodeError",
    "JSONDecodeError", "OverflowError", "FileNotFoundError", "FileExistsError", "NotADirectoryError",
    "IsADirectoryError", "ProcessLookupError", "KeyboardInterrupt", "GeneratorExit", "CancelledError",
    "InvalidOperation", "UnsupportedOperation",
    # Django's lookup/validation outcomes
    "DoesNotExist", "ObjectDoesNotExist", "FieldDoesNotExist", "MultipleObjectsReturned", "NoReverseMatch",
    "Resolver404", "Http404", "ValidationError", "EmptyResultSet", "FullResultSet", "SkipField",
    "TemplateDoesNotExist", "ImproperlyConfigured", "SuspiciousOperation", "DisallowedHost", "PermissionDenied",
    "FieldError", "BadSignature", "SignatureExpired", "EOFError",
})


def is_expected_outcome(type_name: str) -> bool:
    """A lookup/conversion/validation outcome (``KeyError``, ``User.DoesNotExist``, ``Suspicious*``)."""
    last = type_name.rsplit(".", 1)[-1]
    if last == "ModuleNotFoundError":
        return False  # an import fallback, judged by the import guard
    return (last in EXPECTED_OUTCOMES or last.endswith(("DoesNotExist", "NotFound", "NotFoundError"))
            or last.startswith("Suspicious"))


def catches_only_expected(types: tuple[str, ...] | list[str]) -> bool:
    """Every caught type is an expected outcome (and the clause is typed)."""
    return bool(types) and all(is_expected_outcome(t) for t in types)


def current_handler(ctx: FileContext) -> Handler | None:
    """The innermost ``except`` clause whose body the current node runs in.

    None when a ``def``/``lambda``/``class`` sits between the handler and the node (that code
    runs later, not while the exception is being handled).
    """
    handler = ctx.handler
    if handler is None:
        return None
    for node in reversed(ctx.ancestors):
        if node is handler.node:
            return handler
        if isinstance(node, _SCOPE_BREAKS):
            return None
    return None


def body_statements(block: cst.BaseSuite | None) -> list[cst.CSTNode]:
    if isinstance(block, (cst.IndentedBlock, cst.SimpleStatementSuite)):
        return list(block.body)
    return []


def small_statements(block: cst.BaseSuite | None) -> list[cst.BaseSmallStatement]:
    """The small statements directly in ``block`` (not inside compound statements)."""
    out: list[cst.BaseSmallStatement] = []
    for stmt in body_statements(block):
        if isinstance(stmt, cst.SimpleStatementLine):
            out.extend(stmt.body)
        elif isinstance(stmt, cst.BaseSmallStatement):
            out.append(stmt)
    return out


def nested_small_statements(block: cst.BaseSuite | None) -> Iterator[cst.BaseSmallStatement]:
    """Small statements of ``block``, descending into compound statements but not into
    nested ``def``/``class`` bodies."""
    stack: list[Any] = [block] if block is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.IndentedBlock, cst.SimpleStatementSuite)):
            stack.extend(reversed(node.body))
        elif isinstance(node, cst.SimpleStatementLine):
            yield from node.body
        elif isinstance(node, cst.BaseSmallStatement):
            yield node
        elif isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            continue
        elif isinstance(node, cst.If):
            stack.append(node.orelse)
            stack.append(node.body)
        elif isinstance(node, cst.Try):
            stack.extend(reversed([node.body, *node.handlers, node.orelse, node.finalbody]))
        elif isinstance(node, (cst.TryStar,)):
            stack.extend(reversed([node.body, *node.handlers, node.orelse, node.finalbody]))
        elif isinstance(node, (cst.For, cst.While)):
            stack.append(node.orelse)
            stack.append(node.body)
        elif isinstance(node, (cst.With, cst.Else, cst.Finally, cst.ExceptHandler, cst.ExceptStarHandler)):
            stack.append(node.body)
        elif isinstance(node, cst.Match):
            stack.extend(reversed([c.body for c in node.cases]))


def raises(block: cst.BaseSuite | None) -> list[cst.Raise]:
    """``raise`` statements in ``block`` (not in nested functions)."""
    return [s for s in nested_small_statements(block) if isinstance(s, cst.Raise)]


def reraises(handler: cst.ExceptHandler, name: str | None = None) -> bool:
    """The handler re-raises what it caught: a bare ``raise`` or ``raise <name>``."""
    for stmt in raises(handler.body):
        if stmt.exc is None:
            return True
        if name is not None and isinstance(stmt.exc, cst.Name) and stmt.exc.value == name:
            return True
    return False


def caught_names(handler: Handler) -> set[str]:
    """The last segment of each caught type (``requests.ConnectionError`` → ``ConnectionError``)."""
    return {t.rsplit(".", 1)[-1] for t in handler.types}


def handler_type_names(ctx: FileContext, node: cst.ExceptHandler) -> tuple[str, ...]:
    """Qualified names of the types an ``except`` clause catches (usable in ``visit_ExceptHandler``,
    before the walk has entered the handler)."""
    if node.type is None:
        return ()
    exprs = [e.value for e in node.type.elements] if isinstance(node.type, cst.Tuple) else [node.type]
    return tuple(ctx.qualname(e) or dotted_name(e) or "?" for e in exprs)


_TOOL_COMMENT_PREFIXES = ("noqa", "pragma", "type:", "reviewlint", "pylint", "nosec", "fmt:", "mypy", "pyright", "ruff",
                          "expect:")


def _explains(comment: cst.Comment | None) -> bool:
    """A comment that says something (``# noqa: BLE001 # the decorator exists to swallow`` does:
    its second part is prose)."""
    if comment is None:
        return False
    for part in comment.value.split("#"):
        text = part.strip().lower()
        if text and not text.startswith(_TOOL_COMMENT_PREFIXES):
            return True
    return False


#: words of a comment that explains why a failure may pass
_ABOUT_FAILING = re.compile(
    r"best[- ]effort|ignor|never (break|fail|raise|crash|block)|must ?n[o']t (break|fail|raise|crash|block)|optional|"
    r"may (fail|not)|might (fail|not)|can fail|could fail|harmless|not critical|non-?critical|non-?fatal|silent|"
    r"swallow|don'?t care|doesn'?t matter|fine if|ok if|okay if|fall ?back|if (it|this|that) fails|not installed|"
    r"not available|unavailable|already (gone|closed|removed|deleted|exists)|race|telemetry|analytics|"
    r"not (be )?fatal|nothing to do|no[- ]op", re.IGNORECASE)


def explained_by_comment(handler: cst.ExceptHandler, try_node: cst.CSTNode | None = None) -> bool:
    """The handler carries a comment saying why (``except KeyError:  # optional``, a comment
    line in its body or just above the ``except``), or the ``try`` it belongs to does (a comment
    just above the ``try`` or on its line: ``# best-effort analytics: must never break user
    code``): a documented decision, not an accident."""
    if any(_explains(line.comment) for line in handler.leading_lines):
        return True  # a comment just above the ``except`` line
    if isinstance(try_node, (cst.Try, cst.TryStar)):
        # the comment block right above the ``try`` (or on its line), when it speaks of failing:
        # "# Query the items" describes the code, "# best-effort: must never break" the decision
        comments = []
        for line in reversed(try_node.leading_lines):
            if line.comment is None:
                break
            comments.append(line.comment)
        body = try_node.body
        if isinstance(body, cst.IndentedBlock) and body.header.comment is not None:
            comments.append(body.header.comment)
        if any(_explains(c) and _ABOUT_FAILING.search(c.value) for c in comments):
            return True
    body = handler.body
    if isinstance(body, cst.SimpleStatementSuite):
        return _explains(body.trailing_whitespace.comment)
    if not isinstance(body, cst.IndentedBlock):
        return False
    if _explains(body.header.comment):
        return True
    if any(_explains(line.comment) for line in body.footer):
        return True
    for stmt in body.body:
        if any(_explains(line.comment) for line in stmt.leading_lines):
            return True
        trailing = getattr(stmt, "trailing_whitespace", None)
        if trailing is not None and _explains(trailing.comment):
            return True
    return False


#: calls whose failure nobody can act on: releasing or removing something
CLEANUP_METHODS: frozenset[str] = frozenset({
    "close", "aclose", "unlink", "remove", "rmdir", "rmtree", "removedirs", "kill", "terminate", "shutdown",
    "cleanup", "release", "disconnect", "flush", "cancel", "stop", "join", "wait", "unregister", "delete",
    "setsockopt", "chmod", "chown", "utime", "killpg",
})


def is_best_effort_cleanup(try_node: cst.Try) -> bool:
    """The ``try`` body is one cleanup step (``f.close()``, ``os.unlink(p)``, ``del d[k]``)."""
    smalls = list(nested_small_statements(try_node.body))
    if len(smalls) != 1 or len(body_statements(try_node.body)) != 1:
        return False
    stmt = smalls[0]
    if isinstance(stmt, cst.Del):
        return True
    value = stmt.value if isinstance(stmt, (cst.Expr, cst.Return)) else None
    while isinstance(value, cst.Await):
        value = value.expression
    if isinstance(value, cst.Call):
        func = value.func
        name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
        # ``hard_kill``, ``graceful_shutdown``, ``force_close``: the last word decides
        return name in CLEANUP_METHODS or name.rsplit("_", 1)[-1] in CLEANUP_METHODS
    return False


#: calls that record the exception with its traceback somewhere a developer will see it
_RECORDING_CALLS = frozenset({"traceback.print_exc", "traceback.print_exception", "traceback.format_exc",
                              "traceback.format_exception", "sentry_sdk.capture_exception", "capture_exception",
                              "sys.excepthook"})
_LOW_LOG_LEVELS = frozenset({"debug", "trace"})
#: calls that show the error to whoever runs a command-line program
_SHOWING_CALLS = frozenset({"print", "warnings.warn"})


def handler_logs(ctx: FileContext, handler: Handler) -> dict[str, Any]:
    """What the log calls of one ``except`` handler (all of them, judged together) record:

    * ``logged``: some call logs at info level or above (or prints/captures the traceback);
    * ``traceback``: some call attaches the traceback (``exception()``, ``exc_info=`` other than
      False, ``traceback.format_exc()``, ``capture_exception``);
    * ``error``: some call passes the bound exception itself (``logger.exception(ex)``,
      ``"...: %s", ex``, an f-string with ``{ex}``).

    Memoised per handler (rules ask from each of its calls)."""
    key = ("handler_logs", id(handler.node))
    if key in ctx.memo:
        return ctx.memo[key]
    from reviewlint.analysis.logging_calls import log_call

    out = {"logged": False, "traceback": False, "error": False}
    name = handler.name
    budget = 400
    stack: list[Any] = [handler.node.body]
    while stack and budget:
        budget -= 1
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if isinstance(node, cst.Call):
            call = log_call(node, ctx)
            qual = ctx.call_name(node) or ""
            if call is not None:
                if call.method not in _LOW_LOG_LEVELS:
                    out["logged"] = True
                exc_info = next((a.value for a in node.args if a.keyword is not None and a.keyword.value == "exc_info"), None)
                if call.method == "exception" or (exc_info is not None and not (
                        isinstance(exc_info, cst.Name) and exc_info.value in ("False", "None"))):
                    out["traceback"] = True
                if any(isinstance(a.value, cst.Call) and "traceback" in (ctx.call_name(a.value) or "").lower()
                       for a in node.args):
                    out["traceback"] = True  # log.error(traceback.format_exc()), a project's text_traceback()
                if name is not None and any(name in ctx.names_in(a.value) for a in node.args):
                    out["error"] = True
            elif qual in _RECORDING_CALLS or qual.rsplit(".", 1)[-1] in ("capture_exception", "print_exc"):
                out["logged"] = out["traceback"] = True
            elif qual in _SHOWING_CALLS or qual.rsplit(".", 1)[-1] in ("echo", "secho", "error_shout") or \
                    qual.endswith("stderr.write"):
                out["logged"] = True  # shown to the operator of a command-line program
        stack.extend(_children(node))
    ctx.memo[key] = out
    return out


def _children(node: Any) -> list[Any]:
    try:
        return list(node.children)
    except Exception:  # noqa: BLE001
        return []


def raises_after(ctx: FileContext, handler: Handler) -> bool:
    """The current node (a statement of ``handler``'s body) is followed by an unconditional
    ``raise`` on its way out of the handler: the exception (and its traceback) travels on from
    this path. A ``raise`` under another branch (``if attempt == last: raise``) does not count."""
    ancestors = ctx.ancestors
    for i in range(len(ancestors) - 1, 0, -1):
        block = ancestors[i - 1]
        if block is handler.node:
            return False
        if not isinstance(block, cst.IndentedBlock):
            continue
        child = ancestors[i]
        try:
            index = next(k for k, stmt in enumerate(block.body) if stmt is child)
        except StopIteration:
            continue
        for stmt in block.body[index + 1:]:
            if isinstance(stmt, cst.SimpleStatementLine) and any(isinstance(s, cst.Raise) for s in stmt.body):
                return True
        if block is handler.node.body:
            return False
    return False


def in_polling_loop(ctx: FileContext) -> bool:
    """The current node runs in a ``while`` loop of the current function that sleeps or waits
    on each pass (a ticker, a poller, a worker loop): whatever it logs repeats every tick."""
    for loop in ctx.loops_in_current_function():
        node = loop.node
        if not isinstance(node, cst.While):
            continue
        key = ("polling_loop", id(node))
        if key not in ctx.memo:
            found = False
            for stmt in nested_small_statements(node.body):
                value = stmt.value if isinstance(stmt, (cst.Expr, cst.Assign)) else None
                while isinstance(value, cst.Await):
                    value = value.expression
                if isinstance(value, cst.Call):
                    func = value.func
                    last = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
                    if last in ("sleep", "wait", "wait_for", "get") and (last != "get" or "queue" in code_name(func)):
                        found = True
                        break
            ctx.memo[key] = found
        if ctx.memo[key]:
            return True
    return False


def code_name(func: cst.BaseExpression) -> str:
    return (dotted_name(func) or "").lower()
