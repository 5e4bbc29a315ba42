from __future__ import annotations

import re

import libcst as cst

from reviewlint.analysis.calls import code_of, has_star_kwargs, keyword
from reviewlint.analysis.handlers import (
    catches_only_expected,
    current_handler,
    handler_logs,
    handler_type_names,
    in_polling_loop,
    raises_after,
)
from reviewlint.analysis.logging_calls import LOGURU, log_call
from reviewlint.rule import Fix, Invalid, Rule, Severity, Viewpoint

_METHODS = frozenset({"error", "warning", "warn"})
#: calls whose result carries the traceback into the message
_TRACEBACK_CALLS = frozenset({"traceback.format_exc", "traceback.format_exception", "traceback.format_tb",
                              "traceback.format_stack", "sys.exc_info"})


#: failures whose traceback says nothing the message does not: a missing package, a timeout
_NO_TRACEBACK_NEEDED = frozenset({"ImportError", "ModuleNotFoundError", "TimeoutError", "Timeout", "TimeoutException",
                                  "ReadTimeout", "ConnectTimeout", "ReadTimeoutError", "ConnectTimeoutError"})
_BROAD = frozenset({"Exception", "BaseException"})
#: messages that declare the failure expected or harmless
_EXPECTED = re.compile(r"\bexpected\b|\bignor|\bmay fail\b|\bmight fail\b|\bsafe to\b|\bharmless\b|non-?fatal|"
                       r"non-?critical|best[- ]effort|\bskipping\b|\bwill retry\b|\bretrying\b|\btreating (it )?as\b|"
                       r"fall(ing)? ?back|\bretaining\b|\busing (the )?default|\bdefaulting\b|\bcontinuing\b|\bproceeding\b|"
                       # a failure while releasing something: nobody acts on its traceback
                       r"\bclos(e|ing)\b|\bclean(ing)?[ -]?up\b|\bshutting down\b|\bdisconnect(ing)?\b|\bteardown\b",
                       re.IGNORECASE)


class ExceptionLoggedWithoutTraceback(Rule):
    """An exception logged inside `except` without its traceback.

    ## What it does
    Flags `log.error(...)` / `log.warning(...)` calls inside an `except` block that pass no
    `exc_info`. Loggers are stdlib loggers (`logging.getLogger(...)`, module-level
    `logger`/`log`/`LOG`, `self.logger`/`self.log`, the `logging` module), structlog and
    loguru.

    Not flagged: calls with `exc_info=` (any value: `exc_info=False` is a decision) or
    `**kwargs`; messages that already include `traceback.format_exc()`; handlers where another
    log call records the traceback (`logger.exception(ex)` after a warning); calls followed by
    a `raise` on every path (the traceback travels with the exception; a handler that raises
    only on the last retry is still flagged for the earlier attempts); handlers of specific
    exception types (`OSError`, `ConnectionError`, a library's `ApiError` caught by its type:
    the type and the message are the whole story; the rule is about broad `except Exception`
    handlers, where only the traceback tells which bug it was); messages that say the failure
    is expected, ignored or handled by a fallback ("expected if the run already ended",
    "ignoring", "retrying", "treating it as", "falling back", "defaulting to", "continuing")
    or a failure while releasing something ("error closing page", "cleanup failed"); handlers in a `while` loop that sleeps or waits on every pass (a traceback per
    tick floods the log); handlers that only catch expected
    lookup/conversion/validation outcomes (`ValueError`, `KeyError`, `JSONDecodeError`,
    Django's `ValidationError`, `SuspiciousOperation` ..., the set ERR002 also accepts),
    where the traceback adds nothing to the message; `ImportError`/`ModuleNotFoundError`
    handlers ("package X is not installed") and timeout handlers (`TimeoutError`,
    `httpx.TimeoutException`, `requests.Timeout` ...); `log.exception(...)`; calls in a function
    defined inside the handler.

    ## Why it matters
    "payment failed: timed out" says *what* but not *where*: without the traceback nobody
    can tell which call timed out, through which code path. `logger.exception()` (or
    `exc_info=True`) attaches it, and error trackers group by it.

    ## Example
    ```python
    try:
        charge(order)
    except Exception as exc:
        logger.error("charge failed for order %s: %s", order.id, exc)
    ```

    ## Use instead
    ```python
    try:
        charge(order)
    except Exception:
        logger.exception("charge failed for order %s", order.id)
    ```
    The fix turns `error(...)` into `exception(...)`, and adds `exc_info=True` to
    `warning(...)` (keeping its level).
    """

    code = "OBS003"
    name = "exception-logged-without-traceback"
    opt_in = True  # judged precision on real code below 0.8: docs/precision.md
    viewpoint = Viewpoint.OBSERVABILITY
    severity = Severity.WARNING
    skip_roles = frozenset({"generated", "migration"})
    peer_codes = frozenset({"TRY400"})
    message = "exception logged without its traceback"
    fixable = True

    valid = [
        "import logging\nlogger = logging.getLogger(__name__)\ntry:\n    charge()\nexcept OSError:\n    logger.exception('charge failed')\n",
        "import logging\nlogger = logging.getLogger(__name__)\ntry:\n    charge()\nexcept OSError:\n    logger.error('charge failed', exc_info=True)\n",
        "import logging\nlogger = logging.getLogger(__name__)\ntry:\n    charge()\nexcept OSError as e:\n    logger.warning('charge failed', exc_info=e)\n",
        # explicit decision
        "import logging\nlogger = logging.getLogger(__name__)\ntry:\n    charge()\nexcept OSError:\n    logger.warning('cache offline', exc_info=False)\n",
        # the traceback travels with the re-raised exception
        "import logging\nlogger = logging.getLogger(__name__)\ntry:\n    charge()\nexcept OSError as e:\n    logger.error('charge failed: %s', e)\n    raise\n",
        "import logging\nlogger = logging.getLogger(__name__)\ntry:\n    charge()\nexcept OSError as e:\n    logger.error('charge failed')\n    raise PaymentError() from e\n",
        "import logging, traceback\nlogger = logging.getLogger(__name__)\ntry:\n    charge()\nexcept OSError:\n    logger.error('charge failed: %s', traceback.format_exc())\n",
        "import logging\nlogger = logging.getLogger(__name__)\n\ndef f(**kw):\n    try:\n        charge()\n    except OSError:\n        logger.error('charge failed', **kw)\n",
        # an expected validation outcome: the message says it all
        "import json, logging\nlogger = logging.getLogger(__name__)\ntry:\n    params = json.loads(raw)\nexcept (json.JSONDecodeError, TypeError):\n"
        "    logger.warning('OAUTH_PARAMS is not valid JSON, ignoring')\n",
        "import logging\nlogger = logging.getLogger(__name__)\ntry:\n    from unstructured import Loader\nexcept ImportError:\n"
        "    logger.warning('install unstructured to load .pptx files')\n",
        "import asyncio, logging\nlogger = logging.getLogger(__name__)\n\nasync def f(task):\n    try:\n        await asyncio.wait_for(task, 5)\n"
        "    except asyncio.TimeoutError:\n        logger.warning('license check still pending, starting without it')\n",
        # outside except, or info level
        "import logging\nlogger = logging.getLogger(__name__)\nlogger.error('startup failed')\n",
        "import logging\nlogger = logging.getLogger(__name__)\ntry:\n    charge()\nexcept OSError:\n    logger.info('charge skipped')\n",
        "import logging\nlogger = logging.getLogger(__name__)\ntry:\n    charge()\nexcept OSError:\n    def later():\n        logger.error('x')\n",
        # not a logger
        "try:\n    charge()\nexcept OSError:\n    messages.error(request, 'charge failed')\n",
        # a specific error whose text is in the message
        "import logging\nlogger = logging.getLogger(__name__)\n\ndef ns(config):\n    try:\n        return config.active()['ns']\n"
        "    except (OSError, ConfigError) as e:\n        logger.warning('Could not read kubeconfig: %s', e)\n",
        # a project helper that formats the traceback
        "import logging\nlogger = logging.getLogger(__name__)\ntry:\n    index()\nexcept Exception:\n    logger.error(text_traceback())\n",
        # a failure while releasing something
        "import logging\nlogger = logging.getLogger(__name__)\n\nasync def done(page, url):\n    try:\n        await page.close()\n"
        "    except Exception as e:\n        logger.warning(f'Error closing page for {url}: {e}')\n",
        # a specific library error: the type says what failed
        "import logging, requests\nlogger = logging.getLogger(__name__)\n\ndef update(url):\n    try:\n        requests.get(url, timeout=5)\n"
        "    except requests.ConnectionError:\n        logger.warning('No route to device %s', url)\n",
        # declared expected
        "import logging\nlogger = logging.getLogger(__name__)\n\ndef publish(client, metrics):\n    try:\n        client.log_batch(metrics)\n"
        "    except Exception as e:\n        logger.warning('Failed to log metrics: %s; expected if the run already ended', e)\n",
        # another call of the handler logs the traceback
        "import logging\nlogger = logging.getLogger(__name__)\ntry:\n    drop()\nexcept Exception as ex:\n"
        "    logger.warning('Constraint drop failed; drop it manually.')\n    logger.exception(ex)\n",
        # a ticker: a traceback per pass would flood the log
        "import logging, time\nlogger = logging.getLogger(__name__)\n\ndef ticker(jobs):\n    while True:\n        try:\n"
        "            schedule(jobs)\n        except Exception as e:\n            logger.error(f'schedule failed: {e}')\n"
        "        time.sleep(1)\n",
    ]
    invalid = [
        Invalid("import logging\nlogger = logging.getLogger(__name__)\ntry:\n    charge()\nexcept Exception as exc:\n"
                "    logger.error('charge failed: %s', exc)\n", line=6, message="logger.exception", count=1),
        Invalid("import logging\nlog = logging.getLogger('billing')\n\ndef f(order):\n    try:\n        charge(order)\n"
                "    except Exception:\n        log.warning('charge for %s failed', order.id)\n", line=8, message="exc_info=True"),
        Invalid("import logging\n\nclass Billing:\n    def f(self):\n        try:\n            charge()\n        except Exception as e:\n"
                "            self.logger.error('charge failed: %s', e)\n", line=8),
        Invalid("import structlog\nlog = structlog.get_logger()\ntry:\n    charge()\nexcept (OSError, Exception):\n"
                "    log.error('charge_failed', order_id=oid)\n", line=6),
        Invalid("from loguru import logger\ntry:\n    charge()\nexcept Exception as e:\n    logger.error('charge failed: {}', e)\n", line=5),
        # raised only on the last attempt: the earlier failures are logged without the error
        Invalid("import logging\nlogger = logging.getLogger(__name__)\n\ndef create(store, name, retries=3):\n"
                "    for attempt in range(retries):\n        try:\n            return store.create(name)\n"
                "        except Exception as e:\n            logger.warning('create failed (name=%s)', name)\n"
                "            if attempt == retries - 1:\n                raise RuntimeError(name) from e\n", line=9),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in _METHODS:
            return
        handler = current_handler(self.context)
        if handler is None:
            return
        call = log_call(node, self.context)
        if call is None:
            return
        if keyword(node, "exc_info") is not None or has_star_kwargs(node):
            return
        if any(self._carries_traceback(a.value) for a in node.args):
            return
        if raises_after(self.context, handler) or handler_logs(self.context, handler)["traceback"]:
            return  # the traceback travels with the exception, or another call logs it
        types = handler_type_names(self.context, handler.node)
        broad = not types or any(t.rsplit(".", 1)[-1] in _BROAD for t in types)
        if not broad:
            return  # a specific error type (OSError, a library's ApiError) tells what failed: the whole story
        if call.message is not None and any(_EXPECTED.search(p) for p in _texts(call.message)):
            return  # the message declares the failure expected or ignored
        if in_polling_loop(self.context):
            return  # runs every tick: a traceback per pass would flood the log
        if catches_only_expected(types):
            return  # a validation/lookup outcome: the traceback adds nothing to the message
        if types and all(t.rsplit(".", 1)[-1] in _NO_TRACEBACK_NEEDED for t in types):
            return  # "package X is not installed" / "timed out": the traceback adds nothing
        method = func.attr.value
        receiver = code_of(func.value).strip()
        if method == "error" or call.kind == LOGURU:
            advice = f"use {receiver}.exception(...)"
            fix = Fix(code_of(node.with_changes(func=func.with_changes(attr=cst.Name("exception")))),
                      f"log with {receiver}.exception()", safe=True) if method == "error" else None
        else:
            advice = "pass exc_info=True"
            fix = Fix(code_of(_add_exc_info(node)), "add exc_info=True")
        self.report(node, f"`{receiver}.{method}()` inside `except` logs the failure without its traceback: {advice}",
                    fix=fix)

    def _carries_traceback(self, expr: cst.BaseExpression) -> bool:
        # ``traceback.format_exc()`` directly or inside a concatenation / format call
        stack = [expr]
        budget = 50
        while stack and budget:
            budget -= 1
            node = stack.pop()
            if isinstance(node, cst.Call):
                name = self.context.call_name(node) or ""
                last = name.rsplit(".", 1)[-1].lower()
                if name in _TRACEBACK_CALLS or "traceback" in last or "format_exc" in last:
                    return True  # (a project's own ``text_traceback()`` helper too)
                stack.extend(a.value for a in node.args)
                stack.append(node.func)
            elif isinstance(node, cst.BinaryOperation):
                stack.extend((node.left, node.right))
            elif isinstance(node, cst.Attribute):
                stack.append(node.value)
            elif isinstance(node, cst.FormattedString):
                stack.extend(p.expression for p in node.parts if isinstance(p, cst.FormattedStringExpression))
        return False


def _texts(expr: cst.BaseExpression) -> list[str]:
    """The literal text of a message (string pieces of f-strings and concatenations)."""
    out: list[str] = []
    stack = [expr]
    budget = 30
    while stack and budget:
        budget -= 1
        node = stack.pop()
        if isinstance(node, cst.SimpleString):
            out.append(node.value)
        elif isinstance(node, cst.FormattedString):
            out.extend(p.value for p in node.parts if isinstance(p, cst.FormattedStringText))
        elif isinstance(node, cst.ConcatenatedString):
            stack.extend((node.left, node.right))
        elif isinstance(node, cst.BinaryOperation):
            stack.append(node.left)
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            stack.append(node.func.value)
    return out


def _add_exc_info(node: cst.Call) -> cst.Call:
    args = list(node.args)
    if args:
        last = args[-1]
        if isinstance(last.comma, cst.MaybeSentinel):
            args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
    args.append(cst.Arg(keyword=cst.Name("exc_info"), value=cst.Name("True"),
                        equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))))
    return node.with_changes(args=args)
