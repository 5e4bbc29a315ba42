from __future__ import annotations

import re

import libcst as cst

from reviewlint.analysis.handlers import (
    body_statements,
    catches_only_expected,
    explained_by_comment,
    handler_type_names,
    is_best_effort_cleanup,
    nested_small_statements,
)
from reviewlint.analysis.loops import retry_loop
from reviewlint.rule import Invalid, Option, Rule, Severity, Valid, Viewpoint

_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})
#: types that say "something failed": the broad catches and the failures of dependencies
#: (I/O, network, database, HTTP clients); matched on the last segment of the name
FAILURE_TYPES = frozenset({
    "Exception", "BaseException", "OSError", "IOError", "EnvironmentError", "ConnectionError",
    "ConnectionResetError", "ConnectionRefusedError", "ConnectionAbortedError", "BrokenPipeError", "TimeoutError",
    "DatabaseError", "OperationalError", "InterfaceError", "IntegrityError", "RequestException", "HTTPError",
    "URLError", "ConnectError", "TransportError", "TimeoutException", "HTTPStatusError", "ClientError",
    "ClientResponseError", "ClientConnectionError", "SMTPException", "RedisError", "PyMongoError",
    "BotoCoreError", "SSLError", "gaierror",
})
#: modules whose exceptions are failures of a dependency
FAILURE_MODULES = ("requests.", "httpx.", "aiohttp.", "urllib3.", "urllib.error.", "sqlalchemy.", "psycopg",
                   "redis.", "pymongo.", "botocore.", "boto3.", "django.db.", "smtplib.", "socket.", "ssl.", "grpc.",
                   "asyncpg.", "kombu.", "celery.")
_PREDICATE_PREFIXES = ("is_", "has_", "can_", "should_", "supports_", "allows_", "check_", "exists", "is", "has")
#: words that make a function a yes/no question
_PREDICATE_WORDS = ("reachable", "available", "exists", "valid", "supported", "enabled", "alive", "healthy", "ready")
#: function names that promise to swallow (``parse_date_safe``, ``try_load``, ``get_or_none``)
_SWALLOWING_NAME = re.compile(r"(^_*(safe|try|maybe)_)|(_(safe|silently|quietly|or_none|or_default)$)")
_IMPORT_CALLS = frozenset({"importlib.import_module", "builtins.__import__", "django.utils.module_loading.import_string"})


class SwallowedException(Rule):
    """An `except` that throws the failure away without a trace.

    ## What it does
    Flags a typed `except` clause whose body only does `pass`, `continue`, `...` or
    `return <constant>`: no log call, no re-raise, nothing derived from the exception.
    By default the caught types must say "something failed": a broad catch (`Exception`,
    `BaseException`) or a failure of a dependency (`OSError`/`ConnectionError`/`TimeoutError`,
    database errors, requests/httpx/aiohttp/urllib3 errors ...). Narrow, specific exceptions
    (`except SRSException: return None`) were deliberate outcomes in nearly every case on real
    code; set `all-exception-types = true` to flag every type.

    Not flagged: a bare `except:` (that is ERR001 alone); handlers that log, re-raise, or
    return/raise something derived from the exception (their body is more than a constant);
    `continue`/`pass` in a retry loop (the REL rules judge retries); `except ImportError` /
    `ModuleNotFoundError` fallbacks around imports. `contextlib.suppress` is out of scope.

    ## Why it matters
    When the dependency fails, nothing records that it did: the caller gets a default value
    that looks like success, and the on-call engineer has no log line to start from.

    ## Example
    ```python
    try:
        send_invoice(order)
    except httpx.HTTPError:
        pass
    ```

    ## Use instead
    ```python
    try:
        send_invoice(order)
    except httpx.HTTPError:
        logger.warning("invoice for order %s not sent", order.id, exc_info=True)
    ```
    """

    code = "ERR002"
    name = "swallowed-exception"
    opt_in = True  # judged precision on real code below 0.8: docs/precision.md
    viewpoint = Viewpoint.ERROR_HANDLING
    severity = Severity.WARNING
    skip_roles = frozenset({"generated", "migration"})
    peer_codes = frozenset({
        "S110", "S112", "B110", "B112", "BLE001", "W0718", "broad-exception-caught", "W0703",
        "broad-except",
    })
    message = "exception swallowed: the handler neither logs nor re-raises"

    options = {
        "all-exception-types": Option(bool, False, "flag swallowed handlers of any exception type, not only broad "
                                                   "catches and failures of I/O, network, database and HTTP clients"),
    }

    valid = [
        # reviewed once with ruff/bandit (S110 try-except-pass): not reported again (peer-suppressions)
        Valid("try:\n    send()\nexcept OSError:  # noqa: S110\n    pass\n"),
        # bare except is ERR001's finding
        "try:\n    send()\nexcept:\n    pass\n",
        "import logging\nlogger = logging.getLogger(__name__)\ntry:\n    send()\nexcept OSError:\n    logger.warning('send failed', exc_info=True)\n",
        "try:\n    send()\nexcept OSError:\n    cleanup()\n    raise\n",
        "def f():\n    try:\n        return parse()\n    except ValueError as exc:\n        return {'error': str(exc)}\n",
        "try:\n    send()\nexcept OSError as exc:\n    raise SendError(str(exc)) from exc\n",
        # continue in a retry loop: the REL rules judge retries
        "import requests\n\ndef f(url):\n    for attempt in range(3):\n        try:\n            return requests.get(url, timeout=5)\n"
        "        except requests.ConnectionError:\n            continue\n",
        "def f():\n    while True:\n        try:\n            conn = connect()\n            break\n        except OSError:\n            pass\n",
        # optional dependencies
        "try:\n    import ujson as json\nexcept ImportError:\n    pass\n",
        "try:\n    from yaml import CSafeLoader as Loader\nexcept (ImportError, ModuleNotFoundError):\n    Loader = None\n",
        "import importlib\ntry:\n    importlib.import_module('myapp.signals')\nexcept ImportError:\n    pass\n",
        # contextlib.suppress is out of scope
        "import contextlib, os\nwith contextlib.suppress(FileNotFoundError):\n    os.remove(path)\n",
        # EAFP: the exception is the answer
        "def f(d, k):\n    try:\n        return d[k]\n    except KeyError:\n        return None\n",
        "def f(v):\n    try:\n        return int(v)\n    except (TypeError, ValueError):\n        return None\n",
        "import asyncio\n\nasync def stop(task):\n    task.cancel()\n    try:\n        await task\n    except asyncio.CancelledError:\n        pass\n",
        "def f(pk):\n    try:\n        return User.objects.get(pk=pk)\n    except User.DoesNotExist:\n        return None\n",
        # a predicate answers False
        "def is_reachable(host):\n    try:\n        ping(host)\n        return True\n    except Exception:\n        return False\n",
        "import socket\n\ndef reachable(host, port):\n    try:\n        socket.create_connection((host, port), timeout=1).close()\n"
        "        return True\n    except OSError:\n        return False\n",
        "def parse_http_date_safe(date):\n    try:\n        return parse_http_date(date)\n    except Exception:\n        pass\n",
        # a polling loop
        "import multiprocessing\n\ndef drain(results):\n    while True:\n        try:\n            item = results.next(timeout=0.1)\n"
        "        except multiprocessing.TimeoutError:\n            continue\n        handle(item)\n",
        # best-effort cleanup
        "import os\n\ndef drop(path):\n    try:\n        os.unlink(path)\n    except OSError:\n        pass\n",
        "def done(fh):\n    try:\n        fh.close()\n    except Exception:\n        pass\n",
        "try:\n    send()\n# the broker may be gone already\nexcept ConnectionError:\n    pass\n",
        # a narrow, specific exception is a deliberate outcome (unless all-exception-types)
        "def f(v):\n    try:\n        return parse_srs(v)\n    except SRSException:\n        return None\n",
        # a documented decision
        "import os\n\ndef cleanup(path):\n    try:\n        os.remove(path)\n    except OSError:\n        # best effort: the tmp reaper removes leftovers\n        pass\n",
        "def close(conn):\n    try:\n        conn.close()\n    except ConnectionError:  # already closed by the server\n        pass\n",
        # the handler does real work
        "try:\n    value = cache[key]\nexcept KeyError:\n    value = compute(key)\n",
    ]
    invalid = [
        Invalid("import httpx\ntry:\n    httpx.post(url, json=invoice)\nexcept httpx.HTTPError:\n    pass\n", line=4,
                message="`except httpx.HTTPError: pass`", count=1),
        Invalid("def f(items):\n    for item in items:\n        try:\n            push(item)\n        except Exception:\n            continue\n", line=5,
                message="continue"),
        Invalid("def f(user_id):\n    try:\n        return load(user_id)\n    except (OSError, ValueError):\n        return None\n", line=4,
                message="return None"),
        Invalid("async def delete_note(db, note_id):\n    try:\n        await db.execute(q, note_id)\n        await db.commit()\n"
                "        return True\n    except Exception:\n        return False\n", line=6, message="return False"),
        Invalid("def f():\n    try:\n        import json\n        notify()\n    except Exception:\n        ...\n", line=5),
        Invalid("def f(v):\n    try:\n        return parse_srs(v)\n    except SRSException:\n        return None\n", line=4,
                options={"all-exception-types": True}),
        Invalid("import requests\n\ndef f(url):\n    try:\n        requests.delete(url, timeout=5)\n        audit(url)\n"
                "    except requests.RequestException:\n        pass\n", line=7),
        # another tool's pragma for another problem is not an explanation
        Invalid("try:\n    send()\nexcept OSError:  # noqa: E501\n    pass\n", line=3),
        # an ImportError from something that is not an import is a real failure
        Invalid("try:\n    run_plugin()\nexcept ImportError:\n    pass\n", line=3, options={"all-exception-types": True}),
    ]

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.type is None:
            return  # ERR001
        action = _only_swallows(node)
        if action is None:
            return
        types = handler_type_names(self.context, node)
        caught = {t.rsplit(".", 1)[-1] for t in types}
        try_node = self.context.parent
        if caught & _IMPORT_ERRORS and isinstance(try_node, cst.Try) and self._imports_in(try_node.body):
            return
        if action in ("continue", "pass") and self._in_retry_loop(node):
            return
        if catches_only_expected(types):
            return
        if not self.config["all-exception-types"] and not any(_is_failure(t) for t in types):
            return  # a narrow, specific exception: a deliberate outcome more often than a lost failure
        if explained_by_comment(node):
            return  # a documented decision
        if isinstance(try_node, cst.Try) and is_best_effort_cleanup(try_node):
            return  # nobody can act on a failed close()/unlink()
        if action in ("return False", "return True") and self._in_predicate():
            return  # a predicate: the exception is the answer
        func = self.context.function
        if func is not None and _SWALLOWING_NAME.search(func.name.value):
            return  # the name promises it: parse_http_date_safe, try_load, get_or_none
        if action in ("continue", "pass") and self.context.loops_in_current_function() and any(
            t.rsplit(".", 1)[-1] in ("TimeoutError", "Timeout", "Empty") for t in types
        ):
            return  # polling: a timeout means "nothing yet", go round again
        type_text = _code(node.type)
        self.report(node, f"`except {type_text}: {action}` swallows the failure without a trace: "
                          "log it (with exc_info), re-raise, or handle it explicitly")

    def _in_predicate(self) -> bool:
        func = self.context.function
        if func is None:
            return False
        name = func.name.value.lstrip("_").lower()
        if any(word in name for word in _PREDICATE_WORDS):
            return True
        return name.startswith(_PREDICATE_PREFIXES) and (len(name) > 3 or name in ("is", "has"))

    def _in_retry_loop(self, node: cst.ExceptHandler) -> bool:
        loops = self.context.loops_in_current_function()
        for loop in reversed(loops):
            if loop.kind == "comprehension":
                return False
            found = retry_loop(loop.node, self.context)
            return found is not None and node in found.retrying_handlers
        return False

    def _imports_in(self, block: cst.BaseSuite) -> bool:
        for stmt in nested_small_statements(block):
            if isinstance(stmt, (cst.Import, cst.ImportFrom)):
                return True
            value = getattr(stmt, "value", None)
            while isinstance(value, (cst.Await, cst.Yield)):
                value = value.value if isinstance(value, cst.Yield) else value.expression
            call = value
            if isinstance(call, cst.Call) and self.context.call_name(call) in _IMPORT_CALLS:
                return True
        return False


def _is_failure(qualname: str) -> bool:
    return qualname.rsplit(".", 1)[-1] in FAILURE_TYPES or qualname.startswith(FAILURE_MODULES)


def _is_constant(expr: cst.BaseExpression | None) -> bool:
    if expr is None:
        return True
    if isinstance(expr, cst.Name):
        return expr.value in ("None", "True", "False")
    if isinstance(expr, (cst.Integer, cst.Float, cst.SimpleString, cst.Ellipsis)):
        return True
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.expression, (cst.Integer, cst.Float)):
        return True
    if isinstance(expr, (cst.List, cst.Tuple, cst.Set, cst.Dict)):
        return len(expr.elements) == 0
    return False


def _only_swallows(node: cst.ExceptHandler) -> str | None:
    """``pass`` / ``continue`` / ``...`` / ``return <constant>`` when that is all the body does."""
    smalls: list[cst.BaseSmallStatement] = []
    if isinstance(node.body, cst.SimpleStatementSuite):
        smalls = list(node.body.body)
    else:
        for stmt in body_statements(node.body):
            if not isinstance(stmt, cst.SimpleStatementLine):
                return None
            smalls.extend(stmt.body)
    action = None
    for small in smalls:
        if isinstance(small, cst.Pass):
            action = action or "pass"
        elif isinstance(small, cst.Continue):
            action = "continue"
        elif isinstance(small, cst.Return):
            if not _is_constant(small.value):
                return None
            action = "return" if small.value is None else f"return {_code(small.value)}"
        elif isinstance(small, cst.Expr) and isinstance(small.value, (cst.Ellipsis, cst.SimpleString)):
            action = action or "..."
        else:
            return None
    return action


def _code(node: cst.CSTNode | None) -> str:
    from reviewlint.analysis.calls import code_of

    text = " ".join(code_of(node).split()) if node is not None else ""
    return text if len(text) <= 40 else text[:39] + "…"
