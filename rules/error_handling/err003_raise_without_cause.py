from __future__ import annotations

import re
from fnmatch import fnmatchcase

import libcst as cst

from reviewlint.analysis.calls import code_of
from reviewlint.analysis.handlers import (
    body_statements,
    current_handler,
    explained_by_comment,
    handler_logs,
    handler_type_names,
    nested_small_statements,
)
from reviewlint.engine.context import dotted_name
from reviewlint.rule import Fix, Invalid, Option, Rule, Severity, Valid, Viewpoint

#: exceptions a framework turns into a response, an exit status or a form error without ever
#: showing their chain (matched on the class name or the qualified name; `*` globs)
FRAMEWORK_HANDLED = [
    # HTTP: FastAPI/Starlette, Django, DRF, werkzeug/Flask, aiohttp, graphene-django
    "HTTPException", "WebSocketException", "RequestValidationError", "Http404", "PermissionDenied",
    "SuspiciousOperation", "BadRequest", "NotFound", "Forbidden", "Unauthorized", "MethodNotAllowed", "Conflict",
    "APIException", "AuthenticationFailed", "NotAuthenticated", "ParseError", "HttpError", "werkzeug.exceptions.*",
    "aiohttp.web.HTTP*", "aiohttp.web_exceptions.HTTP*",
    # command-line programs: click/typer and the interpreter itself
    "Abort", "ClickException", "UsageError", "BadParameter", "Exit", "SystemExit", "CommandError",
    # validation errors shown as field/form errors (Django, DRF, marshmallow, pydantic, wtforms, CKAN, voluptuous)
    "ValidationError", "Invalid", "StopValidation", "ValidationFailure",
    # CKAN's action API answers these with 404/403
    "ObjectNotFound", "NotAuthorized",
]
_BROAD = frozenset({"Exception", "BaseException"})
#: the operator of a command-line program sees these: not a lost server-side traceback
_SHOWN_TO_OPERATOR = frozenset({"Abort", "ClickException", "UsageError", "BadParameter", "Exit", "SystemExit",
                                "CommandError"})
#: calls whose failure is a verdict on their input (validators, parsers, conversions)
_VALIDATING = re.compile(r"^_*(validate|valid|check|verify|parse|clean|convert|coerce|decode|loads|load_json|"
                         r"from_|to_|int|float|Decimal|fromisoformat|strptime|literal_eval|b64decode|UUID)", re.IGNORECASE)


class RaiseWithoutCause(Rule):
    """A new exception raised inside `except` without saying what caused it.

    ## What it does
    Flags `raise NewError(...)` (or `raise NewError`) inside an `except` block without a
    `from ...` clause. A bare `raise`, re-raising the caught name (`raise exc`), or raising
    something built from it (`raise exc.with_traceback(tb)`) is fine, as is an explicit
    `from None` that hides the cause on purpose. A `raise` in a function defined inside the
    handler is not judged: it runs later.

    Exceptions a framework consumes without ever showing their chain (HTTP exceptions,
    click's `Abort`/`ClickException`, `SystemExit`, validation errors such as Django's
    `ValidationError` or CKAN's `Invalid`; option `framework-handled-exceptions`) are not
    judged for `from`: nobody sees the chain either way. Instead, when such an exception
    replaces a broad `except Exception` and nothing in the handler logs the error (above debug
    level), the rule reports that a bug's traceback is never recorded: the framework answers
    400/500 or exits quietly, and the `KeyError` that caused it is gone.

    Not flagged either: a new exception built from the caught one (`RuntimeError(f"upload
    failed: {exc}")`, whose text carries it), or raised after the handler logged the traceback.

    ## Why it matters
    Python keeps the original exception either way (as `__context__`, which tracebacks and
    error trackers show), but without `from` the traceback reads "During handling of the above
    exception, another exception occurred", as if the new error were a bug in the handler. `from
    exc` states that the new error is the *direct cause*'s translation, and `from None` says the
    replacement is intentional and drops the noise. Readers of the traceback then know which of
    the two failures to fix.

    ## Example
    ```python
    try:
        resp.raise_for_status()
    except httpx.HTTPStatusError as exc:
        raise PaymentError("charge failed")
    ```

    ## Use instead
    ```python
    try:
        resp.raise_for_status()
    except httpx.HTTPStatusError as exc:
        raise PaymentError("charge failed") from exc
    ```
    The fix adds `from <name>` when the handler binds the exception to a name.
    """

    code = "ERR003"
    name = "raise-without-cause"
    opt_in = True  # judged precision on real code below 0.8: docs/precision.md
    viewpoint = Viewpoint.ERROR_HANDLING
    severity = Severity.INFO
    skip_roles = frozenset({"generated", "migration"})
    peer_codes = frozenset({"B904", "W0707", "raise-missing-from", "TRY200"})
    message = "exception raised in `except` without `from`: the original cause is lost"
    fixable = True
    options = {
        "framework-handled-exceptions": Option("list[str]", list(FRAMEWORK_HANDLED),
                                               "exceptions a framework renders without their chain (class names, "
                                               "qualified names or globs)"),
        "extend-framework-handled-exceptions": Option("list[str]", [], "more framework-handled exceptions"),
    }

    valid = [
        "try:\n    charge()\nexcept KeyError as exc:\n    raise PaymentError('charge failed') from exc\n",
        "try:\n    charge()\nexcept KeyError:\n    raise PaymentError('unknown card') from None\n",
        "try:\n    charge()\nexcept KeyError:\n    cleanup()\n    raise\n",
        "try:\n    charge()\nexcept KeyError as exc:\n    log(exc)\n    raise exc\n",
        "import sys\ntry:\n    charge()\nexcept KeyError as exc:\n    raise exc.with_traceback(sys.exc_info()[2])\n",
        # runs later, not while handling
        "try:\n    charge()\nexcept KeyError:\n    def fail():\n        raise PaymentError('x')\n    callbacks.append(fail)\n",
        # not inside an except block
        "def charge(amount):\n    if amount < 0:\n        raise ValueError('negative amount')\n",
        "try:\n    charge()\nexcept KeyError:\n    pass\nelse:\n    raise PaymentError('x')\n",
        # framework-handled: the chain is never shown, `from` changes nothing anyone sees
        "from fastapi import HTTPException\n\ndef read(store, token):\n    try:\n        return store.page(token)\n"
        "    except store.InvalidToken:\n        raise HTTPException(status_code=403)\n",
        "import click\n\n@click.command()\ndef show(path):\n    try:\n        click.echo(open(path).read())\n"
        "    except OSError as e:\n        raise click.ClickException(str(e))\n",
        "from django.core.exceptions import ValidationError\n\ndef clean(value):\n    try:\n        return int(value)\n"
        "    except ValueError:\n        raise ValidationError('not a number')\n",
        "import sys\ntry:\n    main()\nexcept KeyboardInterrupt:\n    raise SystemExit(130)\n",
        # a broad catch converted after the traceback was logged
        "import logging\nfrom fastapi import HTTPException\nlog = logging.getLogger(__name__)\n\ndef f():\n    try:\n"
        "        run()\n    except Exception as e:\n        log.exception(e)\n        raise HTTPException(500, detail=str(e))\n",
        # a validator's verdict, or a conversion: the failure is about the input
        "from fastapi import HTTPException\n\ndef change(pw):\n    try:\n        validate_password(pw)\n"
        "    except Exception as e:\n        raise HTTPException(400, detail=str(e))\n",
        "import voluptuous as vol\n\ndef timeout(value):\n    try:\n        return float(value)\n"
        "    except Exception as err:\n        raise vol.Invalid(f'bad timeout: {err}') from err\n",
        # `from None` states that the replacement is deliberate
        "from fastapi import HTTPException\n\nasync def call(peer):\n    try:\n        return await peer.call('event')\n"
        "    except Exception:\n        raise HTTPException(504, 'connection lost') from None\n",
        # a command-line program shows the message to the operator
        "import click\n\ndef load(tree):\n    try:\n        return tree.build_defs()\n    except Exception as e:\n"
        "        raise click.ClickException(f'Unable to load definitions: {e}') from e\n",
        Valid("try:\n    charge()\nexcept KeyError:\n    raise PaymentError('unknown card')\n",
              options={"extend-framework-handled-exceptions": ["PaymentError"]}),
        # the new error carries the original, or the traceback was logged first
        "try:\n    s3.delete()\nexcept ClientError as e:\n    raise RuntimeError(f'Error deleting files: {e}')\n",
        "import logging\nlog = logging.getLogger(__name__)\ntry:\n    conn.commit()\nexcept Exception as e:\n"
        "    log.exception(e)\n    raise SearchIndexError('commit failed')\n",
    ]
    invalid = [
        Invalid("try:\n    charge()\nexcept KeyError as exc:\n    raise PaymentError('charge failed')\n", line=4,
                message="add `from exc`", count=1),
        Invalid("try:\n    charge()\nexcept (KeyError, IndexError):\n    raise PaymentError\n", line=4,
                message="`from`"),
        Invalid("def f():\n    try:\n        charge()\n    except KeyError as e:\n        if retry:\n            return charge()\n"
                "        raise self.error('card', code=402)\n", line=7),
        # a nested handler without a name: no fix, still a finding
        Invalid("try:\n    charge()\nexcept OSError as exc:\n    try:\n        rollback()\n    except ValueError:\n"
                "        raise PaymentError('rollback failed')\n", line=7),
        # a broad catch turned into a quiet 400: a bug in validate_connection is never recorded
        Invalid("from rest_framework.exceptions import ValidationError\n\ndef validate(storage):\n    try:\n"
                "        storage.validate_connection()\n    except Exception as exc:\n"
                "        raise ValidationError(str(exc)) from exc\n", line=7, count=1,
                message="`except Exception` is converted to `ValidationError(...)`, which the framework handles "
                "without logging, and nothing here logs it: the traceback of a bug is never recorded"),
        Invalid("import logging\nfrom fastapi import HTTPException\nlog = logging.getLogger(__name__)\n\ndef f():\n    try:\n"
                "        run()\n    except Exception as e:\n        log.debug(e)\n        raise HTTPException(400, detail=str(e))\n",
                line=10, message="logger.exception"),
    ]

    def begin(self) -> None:
        self._handled = [*self.config["framework-handled-exceptions"], *self.config["extend-framework-handled-exceptions"]]

    def _framework_handled(self, exc: cst.BaseExpression) -> bool:
        target = exc.func if isinstance(exc, cst.Call) else exc
        names = {n for n in (self.context.qualname(target), dotted_name(target)) if n}
        names |= {n.rsplit(".", 1)[-1] for n in names}
        return any(fnmatchcase(n, pattern) for n in names for pattern in self._handled)

    def _try_of(self, handler: cst.ExceptHandler) -> cst.Try | None:
        ancestors = self.context.ancestors
        for i, node in enumerate(ancestors):
            if node is handler and i > 0 and isinstance(ancestors[i - 1], cst.Try):
                return ancestors[i - 1]
        return None

    def _validates(self, try_node: cst.Try) -> bool:
        """Every call the ``try`` body makes at statement level validates, parses or converts
        (``validate_password(pw)``, ``float(value)``, ``json.loads(raw)``)."""
        calls = 0
        for stmt in nested_small_statements(try_node.body):
            value = getattr(stmt, "value", None)
            while isinstance(value, cst.Await):
                value = value.expression
            if isinstance(stmt, (cst.Return, cst.Expr, cst.Assign, cst.AnnAssign)) and isinstance(value, cst.Call):
                func = value.func
                name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
                if not _VALIDATING.match(name) or not value.args:
                    return False  # (``storage.validate_connection()`` checks a dependency, not an input)
                calls += 1
            elif isinstance(stmt, (cst.Return, cst.Expr, cst.Assign, cst.AnnAssign)) and value is not None and any(
                    isinstance(n, cst.Call) for n in _calls_in(value)):
                return False
        return calls > 0 and len(body_statements(try_node.body)) <= 3

    def visit_Raise(self, node: cst.Raise) -> None:
        if node.exc is None:
            return
        handler = current_handler(self.context)
        if handler is None or not _inside_handler_body(self.context.ancestors, handler.node):
            return
        if _derived_from(node.exc, handler.name):
            return
        if self._framework_handled(node.exc):
            types = handler_type_names(self.context, handler.node)
            if not any(t.rsplit(".", 1)[-1] in _BROAD for t in types) or handler_logs(self.context, handler)["logged"]:
                return
            if node.cause is not None and isinstance(node.cause.item, cst.Name) and node.cause.item.value == "None":
                return  # `from None`: the replacement is a stated decision
            target = node.exc.func if isinstance(node.exc, cst.Call) else node.exc
            if (dotted_name(target) or "").rsplit(".", 1)[-1] in _SHOWN_TO_OPERATOR:
                return  # a command-line program shows the message to whoever ran it
            try_node = self._try_of(handler.node)
            if explained_by_comment(handler.node, try_node):
                return  # a documented decision
            if try_node is not None and self._validates(try_node):
                return  # the try body judges its input: its failure is the answer, not a bug
            self.report(node, f"`except {'/'.join(t.rsplit('.', 1)[-1] for t in types)}` is converted to "
                              f"`{_short(node.exc)}`, which the framework handles without logging, and nothing here "
                              "logs it: the traceback of a bug is never recorded; log it (logger.exception) or catch "
                              "the specific errors", severity=Severity.WARNING)
            return
        if node.cause is not None:
            return
        if handler_logs(self.context, handler)["traceback"]:
            return  # the original traceback is already logged (logger.exception) before the translation
        if handler.name is not None and isinstance(node.exc, cst.Call) and any(
                handler.name in self.context.names_in(a.value) for a in node.exc.args):
            return  # the new error carries the original one (`RuntimeError(f"...: {e}")`, `SearchIndexError(e)`)
        fix = None
        if handler.name is not None:
            new = node.with_changes(cause=cst.From(item=cst.Name(handler.name)))
            fix = Fix(code_of(new), f"chain the new exception to `{handler.name}`")
            advice = f"add `from {handler.name}`"
        else:
            advice = "bind the caught exception (`except ... as exc`) and add `from exc`, or `from None` to hide it on purpose"
        self.report(node, f"`raise {_short(node.exc)}` inside `except` without `from`: the original error "
                          f"is reported as a failure of the handler; {advice}", fix=fix)


def _calls_in(expr: cst.CSTNode) -> list[cst.CSTNode]:
    out: list[cst.CSTNode] = []
    stack = [expr]
    budget = 40
    while stack and budget:
        budget -= 1
        node = stack.pop()
        if isinstance(node, cst.Call):
            out.append(node)
        stack.extend(node.children)
    return out


def _inside_handler_body(ancestors: list[cst.CSTNode], handler: cst.ExceptHandler) -> bool:
    return any(a is handler.body for a in ancestors)


def _derived_from(exc: cst.BaseExpression, name: str | None) -> bool:
    """``exc`` is the caught exception or built from it (``exc.with_traceback(tb)``)."""
    if name is None:
        return False
    node: cst.BaseExpression = exc
    while True:
        if isinstance(node, cst.Name):
            return node.value == name
        if isinstance(node, cst.Call):
            node = node.func
        elif isinstance(node, cst.Attribute):
            node = node.value
        else:
            return False


def _short(node: cst.CSTNode) -> str:
    text = " ".join(code_of(node).split())
    if isinstance(node, cst.Call):
        text = " ".join(code_of(node.func).split()) + "(...)"
    return text if len(text) <= 40 else text[:39] + "…"
