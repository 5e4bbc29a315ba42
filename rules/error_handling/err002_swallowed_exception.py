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
#: "not installed" answers of package/plugin lookups: the optional-dependency outcome ImportError is
NOT_INSTALLED = frozenset({"NoSuchModuleError", "PackageNotFoundError", "DistributionNotFound", "EntryPointNotFound"})
#: calls whose failure must never break the caller: analytics, telemetry, metrics
_TELEMETRY = re.compile(r"analytic|telemetr|metric|track|milestone|usage_stat|stats?d|beacon|report_usage|"
                        r"instrument|^_*try_", re.IGNORECASE)
#: conversions and parsers that answer a bad input with an exception (a default is the point)
_CONVERSIONS = frozenset({"int", "float", "complex", "Decimal", "bool", "loads", "fromisoformat", "strptime",
                          "fromtimestamp", "UUID", "parse", "literal_eval", "b64decode", "urlparse", "ip_address",
                          "ip_network", "Version", "parse_version", "getattr", "len", "str"})
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
_PREDICATE_PREFIXES = ("is_", "has_", "can_", "should_", "supports_", "allows_", "check_", "exists", "is", "has",
                       "verify_", "validate_")
#: docstrings of yes/no questions ("Return whether host resolves to ip.")
_PREDICATE_DOC = re.compile(r"^\s*(returns?|checks?|tells?|tests?|determines?)\s+(whether|if)\b", re.IGNORECASE)
#: words that make a function a yes/no question
_PREDICATE_WORDS = ("reachable", "available", "exists", "valid", "supported", "enabled", "alive", "healthy", "ready")
#: function names that promise to swallow (``parse_date_safe``, ``try_load``, ``get_or_none``)
_SWALLOWING_NAME = re.compile(r"(^_*(safe|try|maybe)_)|(_(safe|silently|quietly|or_none|or_default)$)")
#: docstrings that promise the function never fails
_SAFE_DOC = re.compile(r"^\s*(safely|best[- ]effort)\b|\bnever (raises|fails)\b|\bNone (on|if|when) (any |an )?"
                       r"(error|failure|exception)|\bNone (if|when) [^.]{0,60}\b(cannot|can't|could not|fails?|failed|"
                       r"invalid|unavailable|is not|does not|missing)", re.IGNORECASE)
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
    `ModuleNotFoundError` fallbacks around imports and "not installed" answers
    (`PackageNotFoundError`, SQLAlchemy's `NoSuchModuleError`); a probe/fallback chain (`try:
    return new_api()` then another attempt at the same result); best-effort calls (analytics,
    telemetry, metrics) and handlers explained by a comment (on the `except` line, in the
    handler, or right above the `try` when it speaks of failing) or by a docstring that
    promises it ("Safely extract ..."); cleanup races (`close()`, `unlink()`, `hard_kill()`);
    a specific error mapped to an error value (`return "cannot_connect"`). A lookup or
    conversion with a default written as `except Exception` (`return int(text)` → `return 0`)
    is reported at info level with "narrow the exception", not "log it".
    `contextlib.suppress` is out of scope.

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
        # a probe/fallback chain: try the new API, fall back to the old one
        "def session_id(runtime):\n    try:\n        return runtime.client().session_id()\n    except Exception:\n        pass\n"
        "    # older runtimes\n    try:\n        return runtime.context().get('session_id')\n    except Exception:\n        return None\n",
        # best-effort analytics, explained above the try
        "class Pipeline:\n    def __init__(self, fn):\n        # best-effort analytics: must never break user code\n        try:\n"
        "            from mypkg.analytics import mark\n            mark('first_pipeline')\n        except Exception:\n            pass\n",
        "def run(job):\n    try:\n        track_event('job_started', job.kind)\n    except Exception:\n        pass\n",
        # "not installed" is the optional-dependency answer
        "from sqlalchemy.dialects import registry\nfrom sqlalchemy.exc import NoSuchModuleError\n\ndef dialects(names):\n"
        "    found = []\n    for name in names:\n        try:\n            found.append(registry.load(name))\n"
        "        except NoSuchModuleError:\n            continue\n    return found\n",
        # a kill race through a prefixed cleanup method
        "def stop(proc):\n    try:\n        proc.hard_kill()\n    except OSError:\n        return\n",
        # a specific error mapped to an error value the form shows
        "async def validate(host):\n    try:\n        await connect(host)\n    except (OSError, ConnectionError):\n"
        "        return 'cannot_connect'\n    return None\n",
        # a yes/no question, and a docstring that promises None
        "async def resolves_to(loop, host, ip):\n    \"\"\"Return whether host resolves to the given IP address.\"\"\"\n"
        "    try:\n        addresses = await loop.getaddrinfo(host, None)\n    except OSError:\n        return False\n"
        "    return any(a[4][0] == ip for a in addresses)\n",
        "def read_pressure(path):\n    \"\"\"Parse the file.\n\n    Returns: the values, or None if the file cannot be read.\n    \"\"\"\n"
        "    try:\n        with open(path) as f:\n            content = f.read()\n    except OSError:\n        return None\n"
        "    return parse(content)\n",
        # the docstring promises it
        "def item_uuid(item):\n    \"\"\"Safely extract the UUID of an item for logging.\"\"\"\n    try:\n"
        "        return item.item.get('uuid', 'unknown')\n    except Exception:\n        pass\n    return 'unknown'\n",
        # an explanation after the pragma
        "def wrap(func):\n    try:\n        return func()\n    except Exception:  # noqa: BLE001 # the decorator exists to swallow anything\n"
        "        return None\n",
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
        # a comment above the `try` that describes the code does not explain the swallow
        Invalid("def items(client, name):\n    # Query the items of the collection\n    try:\n        col = client.get(name)\n"
                "        return col.items() if col else None\n    except Exception:\n        return None\n", line=6),
        # a lookup/parser with a default written as `except Exception`: narrow it, no need to log
        Invalid("from datetime import datetime\n\ndef parse_ms(text):\n    try:\n        return int(datetime.fromisoformat(text).timestamp() * 1000)\n"
                "    except Exception:\n        return 0\n", line=6, message="narrow it"),
        Invalid("def current_user_id(g):\n    try:\n        return g.user.id\n    except Exception:\n        return None\n", line=4,
                message="narrow it"),
        Invalid("import json\n\ndef events(lines):\n    for line in lines:\n        try:\n            data = json.loads(line)\n"
                "        except Exception:\n            continue\n        yield data\n", line=7, message="narrow it"),
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
        if caught and caught <= NOT_INSTALLED | _IMPORT_ERRORS and caught & NOT_INSTALLED:
            return  # "not installed": an optional dependency's answer, like ImportError
        broad = bool(caught & {"Exception", "BaseException"})
        if not broad and action.startswith("return ") and _is_error_value(action[len("return "):]):
            return  # a specific error mapped to an error value the caller shows: handling, not swallowing
        if action in ("continue", "pass") and self._in_retry_loop(node):
            return
        if catches_only_expected(types):
            return
        if not self.config["all-exception-types"] and not any(_is_failure(t) for t in types):
            return  # a narrow, specific exception: a deliberate outcome more often than a lost failure
        if explained_by_comment(node, try_node):
            return  # a documented decision
        if isinstance(try_node, cst.Try) and is_best_effort_cleanup(try_node):
            return  # nobody can act on a failed close()/unlink()
        if isinstance(try_node, cst.Try) and self._best_effort_call(try_node):
            return  # analytics/telemetry must never break the caller
        if isinstance(try_node, cst.Try) and action in ("pass", "return None", "return") and self._fallback_chain(try_node):
            return  # try the new API, fall back to the old one: the swallow is the control flow
        if isinstance(try_node, cst.Try) and broad and _lookup_with_default(try_node):
            self.report(node, f"`except {_code(node.type)}: {action}` around a lookup/conversion hides bugs as the "
                              "default: narrow it to the errors the lookup raises (AttributeError, KeyError, "
                              "ValueError, TypeError)", severity=Severity.INFO)
            return
        if action in ("return False", "return True") and self._in_predicate():
            return  # a predicate: the exception is the answer
        func = self.context.function
        if func is not None and _SAFE_DOC.search(func.get_docstring() or ""):
            return  # the docstring promises it: "Safely extract ...", "best effort"
        if func is not None and _SWALLOWING_NAME.search(func.name.value):
            return  # the name promises it: parse_http_date_safe, try_load, get_or_none
        if action in ("continue", "pass") and self.context.loops_in_current_function() and any(
            t.rsplit(".", 1)[-1] in ("TimeoutError", "Timeout", "Empty") for t in types
        ):
            return  # polling: a timeout means "nothing yet", go round again
        type_text = _code(node.type)
        self.report(node, f"`except {type_text}: {action}` swallows the failure without a trace: "
                          "log it (with exc_info), re-raise, or handle it explicitly")

    def _best_effort_call(self, try_node: cst.Try) -> bool:
        """Every call of the ``try`` body is to analytics/telemetry/metrics (or an import)."""
        calls = 0
        for stmt in nested_small_statements(try_node.body):
            if isinstance(stmt, (cst.Import, cst.ImportFrom)):
                continue
            value = stmt.value if isinstance(stmt, (cst.Expr, cst.Assign)) else None
            while isinstance(value, cst.Await):
                value = value.expression
            if not isinstance(value, cst.Call):
                return False
            name = self.context.call_name(value) or _code(value.func)
            if not _TELEMETRY.search(name.rsplit(".", 1)[-1]) and not _TELEMETRY.search(name):
                return False
            calls += 1
        return calls > 0

    def _fallback_chain(self, try_node: cst.Try) -> bool:
        """``try: return <attempt>`` followed by another attempt at the same result (another
        ``try`` or a ``return``), or preceded by such a ``try`` that swallowed: one link of a
        chain of fallbacks."""
        ancestors = self.context.ancestors
        block = ancestors[-3] if len(ancestors) >= 3 else None
        if not isinstance(block, (cst.IndentedBlock, cst.Module)):
            return False
        body = list(block.body)
        index = next((i for i, stmt in enumerate(body) if stmt is try_node), None)
        if index is None:
            return False
        if _returns_attempt(try_node) and index + 1 < len(body):
            after = body[index + 1]
            if isinstance(after, cst.Try) and _returns_attempt(after):
                return True
            if isinstance(after, cst.SimpleStatementLine) and any(
                    isinstance(s, cst.Return) and s.value is not None and not _is_constant(s.value) for s in after.body):
                return True
        if index > 0 and _returns_attempt(try_node):
            before = body[index - 1]
            if isinstance(before, cst.Try) and _returns_attempt(before) and all(
                    _only_swallows(h) in ("pass", "continue") for h in before.handlers):
                return True
        return False

    def _in_predicate(self) -> bool:
        func = self.context.function
        if func is None:
            return False
        name = func.name.value.lstrip("_").lower()
        if any(word in name for word in _PREDICATE_WORDS):
            return True
        if _PREDICATE_DOC.search(func.get_docstring() or ""):
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


def _returns_attempt(try_node: cst.Try) -> bool:
    """The ``try`` body ends in ``return <something>``."""
    stmts = body_statements(try_node.body)
    if not stmts or not isinstance(stmts[-1], cst.SimpleStatementLine):
        return False
    last = stmts[-1].body[-1] if stmts[-1].body else None
    return isinstance(last, cst.Return) and last.value is not None and not _is_constant(last.value)


def _is_error_value(text: str) -> bool:
    """``"cannot_connect"``, ``'invalid_auth'``: a string constant naming an error for the caller."""
    value = text.strip("'\"")
    return len(text) > 2 and text[0] in "'\"" and bool(re.fullmatch(r"[a-z][a-z0-9_]*", value)) and "_" in value or \
        value in ("unknown", "error", "failed", "timeout", "unavailable", "offline")


def _lookup_with_default(try_node: cst.Try) -> bool:
    """The ``try`` body is one ``return`` (or assignment to a name) of an attribute chain, a
    subscript or a conversion (``return g.user.id``, ``return d["k"]``, ``data = json.loads(line)``,
    ``return int(datetime.fromisoformat(t).timestamp())``)."""
    stmts = body_statements(try_node.body)
    if len(stmts) != 1 or not isinstance(stmts[0], cst.SimpleStatementLine) or len(stmts[0].body) != 1:
        return False
    ret = stmts[0].body[0]
    if isinstance(ret, cst.Assign) and len(ret.targets) == 1 and isinstance(ret.targets[0].target, cst.Name):
        value = ret.value  # ``data = json.loads(part)``
    elif isinstance(ret, cst.Return) and ret.value is not None:
        value = ret.value
    else:
        return False
    if isinstance(value, cst.Await):  # ``return await response.json()``
        value = value.expression
    return _is_lookup(value, 0)


def _is_lookup(expr: cst.BaseExpression, depth: int) -> bool:
    if depth > 12:
        return False
    if isinstance(expr, (cst.Name, cst.SimpleString, cst.Integer, cst.Float)):
        return True
    if isinstance(expr, cst.Attribute):
        return _is_lookup(expr.value, depth + 1)
    if isinstance(expr, cst.Subscript):
        return _is_lookup(expr.value, depth + 1) and all(
            isinstance(e.slice, cst.Index) and _is_lookup(e.slice.value, depth + 1) for e in expr.slice)
    if isinstance(expr, cst.BinaryOperation):
        return _is_lookup(expr.left, depth + 1) and _is_lookup(expr.right, depth + 1)
    if isinstance(expr, cst.Call):
        func = expr.func
        name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
        if name in _CONVERSIONS or name in ("timestamp", "isoformat", "strip", "lower", "split", "decode", "encode", "json"):
            inner = func.value if isinstance(func, cst.Attribute) and name not in _CONVERSIONS else None
            return (inner is None or _is_lookup(inner, depth + 1)) and all(
                _is_lookup(a.value, depth + 1) for a in expr.args)
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
