from __future__ import annotations

import re

import libcst as cst

from reviewlint.analysis.calls import code_of, has_star_args, has_star_kwargs, keyword
from reviewlint.analysis.entry_points import entry_point_reason
from reviewlint.analysis.handlers import (
    current_handler,
    handler_logs,
    handler_type_names,
    nested_small_statements,
    raises_after,
)
from reviewlint.analysis.logging_calls import STRUCTLOG, log_call
from reviewlint.engine.context import DEF, IMPORT, FileContext, Handler
from reviewlint.knowledge import logs
from reviewlint.rule import Invalid, Rule, Severity, Viewpoint

_FAILURE_METHODS = frozenset({"warning", "warn", "error", "exception", "critical", "fatal"})
#: parameter names that identify what failed (user, request, URL ...)
_IDENTIFIER = re.compile(
    r"(^|_)(id|ids|pk|uuid|guid|name|url|uri|path|user|username|email|slug|host|hostname|file|filename|"
    r"order|account|tenant|customer|collection|model|table|endpoint|job|task|item|document|doc|chat|channel)(_|$)",
    re.IGNORECASE,
)
#: never suggest logging these
_SECRET = re.compile(r"password|passwd|passphrase|secret|token|credential|api_?key|session_data|cookie|(^|_)auth(_|$)|authoriz|"
                     r"private|signature|(^|_)(pin|otp|form|form_data|user_input|input|payload|body)(_|$)", re.IGNORECASE)
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})
_CANCELLED = frozenset({"CancelledError", "KeyboardInterrupt", "GeneratorExit"})
#: loop variables that hold code, not data: the traceback names them
_CALLABLE_NAME = re.compile(r"(callback|handler|hook|listener|func|fn|cb|coro|task|reader|writer|getter|setter)s?$",
                            re.IGNORECASE)
#: objects that hold what the operator configured
_CONFIG_SOURCES = frozenset({"config", "conf", "configuration", "settings", "options", "entry", "config_entry"})
#: the failing statement is known only in a short ``try`` body
MAX_TRY_STATEMENTS = 3
#: keywords that add no identifiers
_NON_CONTEXT_KEYWORDS = frozenset({"exc_info", "stack_info", "stacklevel", "msg", "event"})


class FailureLogWithoutContext(Rule):
    """A failure logged with a constant message and nothing to find it by.

    ## What it does
    Flags warning/error/exception/critical log calls inside an `except` block whose message
    is a constant with no arguments, no `extra=` and (structlog) no key-value pairs, when there
    is something to include: the failing statements (a `try` body of at most 3 simple
    statements, where the failing one is known) use a name that identifies
    what failed: a parameter or local such as `user_id`, `url`, `order`, `collection_name`, or
    the variable of an enclosing loop (`for row in rows`); never values that may hold secrets
    (`token`, `password`, `credentials`, `user_input`, form data). Failing that, the handler
    catches `Exception`, binds it, and none of its log calls logs it (`exception()` and
    `exc_info=` carry the exception itself; a specific type is the story). All log calls of a handler are judged together: one that carries
    values is the context. Not flagged: handlers of `ImportError`/`ModuleNotFoundError` (the
    message is about the environment) and cancellations; command-line entry points (click/typer commands,
    `main`, scripts) and interactive steps that hand an error code back to the form
    (`errors["base"] = "unknown"`, `return {"base": "cannot_connect"}, None`): the operator
    just typed the identifiers; values read from the configuration a setup was given
    (`host = config.get(CONF_HOST)`);
    `LoggerAdapter`s, which add their context to every message.

    ## Why it matters
    "Failed to sync" appears 4,000 times in the logs: for which user, which order, which URL?
    Without the identifiers the log line proves that something failed but not what, and the
    failing request cannot be traced.

    ## Example
    ```python
    def sync_user(user_id):
        try:
            push(user_id)
        except httpx.HTTPError:
            logger.exception("sync failed")
    ```

    ## Use instead
    ```python
    def sync_user(user_id):
        try:
            push(user_id)
        except httpx.HTTPError:
            logger.exception("sync failed for user %s", user_id)
    ```
    """

    code = "OBS004"
    name = "failure-log-without-context"
    opt_in = True  # judged precision on real code below 0.8: docs/precision.md
    viewpoint = Viewpoint.OBSERVABILITY
    severity = Severity.INFO
    skip_roles = frozenset({"generated", "migration"})
    lower_roles = frozenset({"test"})
    message = "failure logged without identifiers"

    valid = [
        "import logging\nlogger = logging.getLogger(__name__)\n\ndef f(user_id):\n    try:\n        push(user_id)\n"
        "    except OSError:\n        logger.exception('sync failed for user %s', user_id)\n",
        "import logging\nlogger = logging.getLogger(__name__)\n\ndef f(user_id):\n    try:\n        push(user_id)\n"
        "    except OSError:\n        logger.exception('sync failed', extra={'user_id': user_id})\n",
        "import structlog\nlog = structlog.get_logger()\n\ndef f(user_id):\n    try:\n        push(user_id)\n"
        "    except OSError:\n        log.exception('sync_failed', user_id=user_id)\n",
        # info/debug are not failure logs
        "import logging\nlogger = logging.getLogger(__name__)\n\ndef f(user_id):\n    try:\n        push(user_id)\n"
        "    except OSError:\n        logger.info('sync skipped')\n",
        # nothing to include: no parameters, the exception travels in the traceback
        "import logging\nlogger = logging.getLogger(__name__)\n\ndef start():\n    try:\n        connect()\n"
        "    except OSError:\n        logger.exception('could not connect to the broker')\n",
        "import logging\nlogger = logging.getLogger(__name__)\ntry:\n    import ujson\nexcept ImportError:\n"
        "    logger.warning('ujson not installed, using json')\n",
        # a missing package: nothing to identify
        "import logging\nlogger = logging.getLogger(__name__)\n\ndef load(file_path):\n    try:\n        import unstructured\n"
        "    except ImportError:\n        logger.warning('unstructured is not installed')\n",
        # parameters that identify nothing (or must not be logged)
        "import logging\nlogger = logging.getLogger(__name__)\n\ndef decode(session_data, token):\n    try:\n        return loads(session_data)\n"
        "    except BadSignature:\n        logger.warning('Session data corrupted')\n",
        "import logging\nlogger = logging.getLogger(__name__)\n\ndef tick(app):\n    try:\n        run(app)\n"
        "    except Exception:\n        logger.exception('scheduler tick failed')\n",
        # not inside except
        "import logging\nlogger = logging.getLogger(__name__)\n\ndef f(user_id):\n    logger.error('sync failed')\n",
        "import logging\nlogger = logging.getLogger(__name__)\n\ndef f(user_id):\n    try:\n        push(user_id)\n"
        "    except OSError as exc:\n        logger.error('sync failed: %s', exc)\n",
        # a later call of the same handler carries the error
        "import logging\nlogger = logging.getLogger(__name__)\ntry:\n    drop()\nexcept Exception as ex:\n"
        "    logger.warning('Constraint drop failed; drop it manually.')\n    logger.exception(ex)\n",
        # the parameter is not used by the failing statement
        "import logging, os\nlogger = logging.getLogger(__name__)\n\ndef build_env(tracking_uri, session_id):\n"
        "    value = os.environ.get('CREDS')\n    try:\n        creds = open(value).read()\n    except OSError:\n"
        "        logger.warning('CREDS points to an unreadable file')\n",
        # values that may hold secrets are never suggested
        "import logging\nlogger = logging.getLogger(__name__)\n\nclass Flow:\n    async def step_user(self, user_input):\n"
        "        try:\n            await validate(user_input)\n        except Exception:\n"
        "            logger.exception('Unexpected exception')\n",
        # an interactive step: the traceback is logged and the form shows the error to whoever typed the host
        "import logging\nlogger = logging.getLogger(__name__)\n\nclass Flow:\n    async def step_user(self, data):\n"
        "        errors = {}\n        host = data['host']\n        try:\n            await connect(host)\n"
        "        except Exception:\n            logger.exception('Unexpected exception')\n            errors['base'] = 'unknown'\n"
        "        return errors\n",
        # a long try body: which statement failed (and with which values) is not known
        "import logging\nlogger = logging.getLogger(__name__)\n\ndef f(user_id, order_id):\n    try:\n        a = load(user_id)\n"
        "        b = price(order_id)\n        c = tax(b)\n        send(a, c)\n    except Exception:\n"
        "        logger.exception('checkout failed')\n",
        # a cancellation is not a failure; a callback's traceback names it
        "import asyncio, logging\nlogger = logging.getLogger(__name__)\n\nasync def f(job_id):\n    try:\n"
        "        await run(job_id)\n    except asyncio.CancelledError:\n        logger.warning('Task was cancelled!')\n",
        "import logging\nlogger = logging.getLogger(__name__)\n\ndef notify(callbacks):\n    for callback in callbacks:\n"
        "        try:\n            callback()\n        except Exception:\n            logger.warning('callback failed', exc_info=True)\n",
        "import logging\nlogger = logging.getLogger(__name__)\n\nasync def validate(client, email, password):\n    try:\n"
        "        auth = await client.login(email, password)\n    except LoginError:\n        logger.error('login failed')\n"
        "        return {'base': 'invalid_auth'}, None\n    return None, auth\n",
        # a setup reading the operator's configuration: the values are the ones the operator wrote
        "import logging\nlogger = logging.getLogger(__name__)\n\ndef setup(hass, config):\n    host = config.get('host')\n"
        "    try:\n        client = connect(host)\n    except ConnectionRefusedError:\n        logger.error('Failed to connect')\n",
        # a command-line program: the operator just typed the path
        "import logging, sys\nimport click\nlogger = logging.getLogger(__name__)\n\n@click.command()\n"
        "@click.option('--path')\ndef import_dashboards(path):\n    try:\n        run_import(open(path).read())\n"
        "    except Exception:\n        logger.exception('Error when importing dashboard')\n        sys.exit(1)\n",
    ]
    invalid = [
        Invalid("import logging\nlogger = logging.getLogger(__name__)\n\ndef f(user_id):\n    try:\n        push(user_id)\n"
                "    except OSError:\n        logger.exception('sync failed')\n", line=8, message="user_id", count=1),
        Invalid("import logging\nlogger = logging.getLogger(__name__)\n\nclass Sync:\n    def run(self, order):\n        try:\n"
                "            push(order)\n        except OSError:\n            logger.error('push failed', exc_info=True)\n", line=9,
                message="order"),
        Invalid("import logging\nlog = logging.getLogger(__name__)\ntry:\n    connect()\nexcept Exception as exc:\n"
                "    log.warning('broker unavailable')\n", line=6, message="exc"),
        Invalid("import structlog\nlog = structlog.get_logger()\n\ndef f(user_id):\n    try:\n        push(user_id)\n"
                "    except OSError:\n        log.error('sync_failed')\n", line=8),
        # the loop variable identifies the failing item
        Invalid("import json, logging\nlogger = logging.getLogger(__name__)\n\ndef migrate(rows):\n    for row in rows:\n"
                "        try:\n            row.params = json.dumps(json.loads(row.params))\n        except Exception:\n"
                "            logger.exception('could not migrate params')\n", line=9, message="(row)"),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in _FAILURE_METHODS:
            return
        handler = current_handler(self.context)
        if handler is None:
            return
        call = log_call(node, self.context)
        if call is None or call.message is None or call.args:
            return
        if not _constant_message(call.message) or has_star_args(node) or has_star_kwargs(node):
            return
        if any(a.keyword is not None and a.keyword.value not in _NON_CONTEXT_KEYWORDS for a in node.args):
            return  # extra=..., structlog key-values
        types = handler_type_names(self.context, handler.node)
        if types and all(t.rsplit(".", 1)[-1] in _IMPORT_ERRORS for t in types):
            return  # a missing package: the message is about the environment
        if types and all(t.rsplit(".", 1)[-1] in _CANCELLED for t in types):
            return  # a cancellation is not a failure
        if self.context.type_of(func.value) == logs.STDLIB_ADAPTER:
            return  # the adapter adds its context to every message
        logged = handler_logs(self.context, handler)
        if _handler_has_context(self.context, handler, node):
            return  # another log call of the handler carries the values
        if entry_point_reason(self.context) is not None:
            return  # a command-line program: the operator just typed the identifiers
        if _answers_user(handler.node):
            return  # an interactive step: the failure goes back to whoever just entered the values
        method = func.attr.value
        candidates = self._identifiers(handler)
        carries_exception = method == "exception" or keyword(node, "exc_info") is not None
        broad = not types or any(t.rsplit(".", 1)[-1] in ("Exception", "BaseException") for t in types)
        if not candidates and handler.name is not None and broad and not carries_exception and not (
                logged["traceback"] or logged["error"] or raises_after(self.context, handler)):
            # (a specific type is the story: "Authentication failed" for InvalidAuth needs no text)
            candidates = [handler.name]
        if not candidates:
            return
        names = ", ".join(candidates[:3])
        receiver = code_of(func.value).strip()
        hint = (f'{receiver}.{method}("... %s", {candidates[0]})' if call.kind != STRUCTLOG
                else f"{receiver}.{method}(\"event\", {candidates[0]}={candidates[0]})")
        self.report(node, f"failure logged with a constant message and no identifiers: include what makes it "
                          f"findable ({names}), e.g. {hint}")

    def _identifiers(self, handler: Handler) -> list[str]:
        """Names the failing statements use that identify what failed: loop variables first,
        then parameters and locals with identifying names (never secrets)."""
        used = _try_body_names(self.context, handler)
        if used is None:
            return []  # a long try body: which statement failed is not known
        loop_vars = [t for loop in reversed(self.context.loops_in_current_function())
                     for t in sorted(loop.targets) if t in used and not _CALLABLE_NAME.search(t)]
        func = self.context.function
        names: list[str] = []
        if func is not None:
            params = [*func.params.posonly_params, *func.params.params, *func.params.kwonly_params]
            names = [p.name.value for p in params]
            if names and names[0] in ("self", "cls") and self.context.method_class is not None:
                names = names[1:]
        named = [n for n in [*names, *sorted(used - set(names))] if n in used and _IDENTIFIER.search(n)]
        scope = self.context.scopes[-1] if self.context.scopes else None
        local = scope.names if scope is not None and scope.kind == "function" else {}
        out: list[str] = []
        for n in [*loop_vars, *named]:
            if n in out or _SECRET.search(n) or n in ("self", "cls", "_") or n.isupper():
                continue  # (constants such as CONF_HOST are keys, not values)
            binding = local.get(n)
            if binding is None and n not in names and n not in loop_vars:
                continue  # a module-level name or an import: not what failed
            if binding is not None and binding.kind in (IMPORT, DEF):
                continue
            if binding is not None and _from_configuration(binding.origin):
                continue  # the operator wrote it in the configuration this setup reads
            out.append(n)
        return out


_ERROR_CODE = re.compile(r"[a-z][a-z0-9_]*")


def _answers_user(handler: cst.ExceptHandler) -> bool:
    """The handler hands an error code back to the user of a form or flow
    (``errors["base"] = "unknown"``, ``return {"base": "cannot_connect"}``,
    ``return self.async_abort(reason="unknown")``)."""
    def code(expr: cst.BaseExpression | None) -> bool:
        return isinstance(expr, cst.SimpleString) and bool(_ERROR_CODE.fullmatch(expr.value[1:-1]))

    def codes(expr: cst.BaseExpression | None) -> bool:
        """A code, a dict of codes or a tuple holding one (``{"base": "unknown"}, None``)."""
        if code(expr):
            return True
        if isinstance(expr, cst.Dict):
            return any(isinstance(e, cst.DictElement) and code(e.value) for e in expr.elements)
        if isinstance(expr, cst.Tuple):
            return any(code(e.value) or (isinstance(e.value, cst.Dict) and codes(e.value)) for e in expr.elements)
        return False

    for stmt in nested_small_statements(handler.body):
        if isinstance(stmt, cst.Assign) and any(isinstance(t.target, cst.Subscript) for t in stmt.targets) and code(stmt.value):
            return True  # ``errors["base"] = "unknown"``
        if isinstance(stmt, cst.Assign) and isinstance(stmt.value, cst.Dict) and codes(stmt.value):
            return True  # ``errors = {"base": "unknown"}``
        value = stmt.value if isinstance(stmt, cst.Return) else None
        if codes(value):
            return True  # ``return "unknown"``, ``return {"base": "cannot_connect"}, None``
        if isinstance(value, cst.Call) and any(a.keyword is not None and a.keyword.value in ("reason", "error", "errors")
                                               and code(a.value) for a in value.args):
            return True
    return False


def _from_configuration(value: cst.CSTNode | None) -> bool:
    """``config[CONF_HOST]``, ``conf.get(CONF_PORT)``, ``entry.data["host"]``: a value read from
    the configuration a setup function was given."""
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value == "get":
        value = value.func.value
    elif isinstance(value, cst.Subscript):
        value = value.value
    else:
        return False
    for _ in range(4):
        if isinstance(value, cst.Name):
            return value.value in _CONFIG_SOURCES
        if isinstance(value, cst.Attribute):
            if value.attr.value in _CONFIG_SOURCES:
                return True  # self.config[...], hass.config_entry...
            if value.attr.value in ("data", "options") and isinstance(value.value, (cst.Name, cst.Attribute)):
                value = value.value  # entry.data[...]: decided by what holds the data
                continue
            return False
        else:
            return False
    return False


def _try_body_names(ctx: FileContext, handler: Handler) -> set[str] | None:
    """The names the statements of the handler's ``try`` body read (memoised per handler); None
    when the body is too long to tell which statement failed."""
    key = ("obs004.try_names", id(handler.node))
    if key in ctx.memo:
        return ctx.memo[key]
    names: set[str] | None = set()
    ancestors = ctx.ancestors
    for i, node in enumerate(ancestors):
        if node is handler.node and i > 0 and isinstance(ancestors[i - 1], (cst.Try, cst.TryStar)):
            body = ancestors[i - 1].body
            stmts = list(body.body) if isinstance(body, cst.IndentedBlock) else []
            if len(stmts) > MAX_TRY_STATEMENTS or any(isinstance(st, cst.BaseCompoundStatement) for st in stmts):
                names = None
                break
            for stmt in stmts:
                if isinstance(stmt, cst.SimpleStatementLine):
                    for small in stmt.body:  # what the statement reads, not the names it assigns
                        value = getattr(small, "value", None)
                        names |= ctx.names_in(value if isinstance(small, (cst.Assign, cst.AnnAssign, cst.AugAssign))
                                              else small)
                else:
                    names |= ctx.names_in(stmt)
            break
    ctx.memo[key] = names
    return names


def _handler_has_context(ctx: FileContext, handler: Handler, current: cst.Call) -> bool:
    """Another log call of the handler passes values (arguments, ``extra=``, an f-string)."""
    key = ("obs004.context", id(handler.node))
    if key not in ctx.memo:
        found = False
        stack: list[cst.CSTNode] = [handler.node.body]
        budget = 400
        while stack and budget and not found:
            budget -= 1
            node = stack.pop()
            if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
                continue
            if isinstance(node, cst.Call):
                call = log_call(node, ctx)
                if call is not None and call.message is not None and (
                        call.args or not _constant_message(call.message)
                        or any(a.keyword is not None and a.keyword.value not in _NON_CONTEXT_KEYWORDS for a in node.args)):
                    found = True
            stack.extend(node.children)
        ctx.memo[key] = found
    return ctx.memo[key]


def _constant_message(expr: cst.BaseExpression) -> bool:
    if isinstance(expr, cst.SimpleString):
        return True
    if isinstance(expr, cst.ConcatenatedString):
        return _constant_message(expr.left) and _constant_message(expr.right)  # type: ignore[arg-type]
    if isinstance(expr, cst.FormattedString):
        return not any(isinstance(p, cst.FormattedStringExpression) for p in expr.parts)
    return False
