from __future__ import annotations

import re

import libcst as cst

from reviewlint.analysis.calls import code_of, has_star_args, has_star_kwargs, keyword
from reviewlint.analysis.handlers import current_handler, handler_type_names
from reviewlint.analysis.logging_calls import STRUCTLOG, log_call
from reviewlint.rule import Invalid, Rule, Severity, Viewpoint

_FAILURE_METHODS = frozenset({"warning", "warn", "error", "exception", "critical", "fatal"})
#: parameter names that identify what failed (user, request, URL ...)
_IDENTIFIER = re.compile(
    r"(^|_)(id|ids|pk|uuid|guid|name|url|uri|path|user|username|email|slug|host|hostname|file|filename|"
    r"order|account|tenant|customer|collection|model|table|endpoint|job|task|item|document|doc|chat|channel)(_|$)",
    re.IGNORECASE,
)
#: never suggest logging these
_SECRET = re.compile(r"password|passwd|secret|token|credential|api_?key|session_data|cookie", re.IGNORECASE)
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})
#: keywords that add no identifiers
_NON_CONTEXT_KEYWORDS = frozenset({"exc_info", "stack_info", "stacklevel", "msg", "event"})


class FailureLogWithoutContext(Rule):
    """A failure logged with a constant message and nothing to find it by.

    ## What it does
    Flags warning/error/exception/critical log calls inside an `except` block whose message
    is a constant with no arguments, no `extra=` and (structlog) no key-value pairs, when there
    is something to include: the enclosing function has parameters that identify what failed
    (`user_id`, `url`, `order`, `collection_name` ...; never secrets such as `token` or
    `password`), or the handler binds the exception and the call does not log it
    (`exception()` and `exc_info=` carry the exception itself). Not flagged: handlers of
    `ImportError`/`ModuleNotFoundError` (the message is about the environment).

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
    ]
    invalid = [
        Invalid("import logging\nlogger = logging.getLogger(__name__)\n\ndef f(user_id):\n    try:\n        push(user_id)\n"
                "    except OSError:\n        logger.exception('sync failed')\n", line=8, message="user_id", count=1),
        Invalid("import logging\nlogger = logging.getLogger(__name__)\n\nclass Sync:\n    def run(self, order):\n        try:\n"
                "            push(order)\n        except OSError:\n            logger.error('push failed', exc_info=True)\n", line=9,
                message="order"),
        Invalid("import logging\nlog = logging.getLogger(__name__)\ntry:\n    connect()\nexcept OSError as exc:\n"
                "    log.warning('broker unavailable')\n", line=6, message="exc"),
        Invalid("import structlog\nlog = structlog.get_logger()\n\ndef f(user_id):\n    try:\n        push(user_id)\n"
                "    except OSError:\n        log.error('sync_failed')\n", line=8),
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
        method = func.attr.value
        candidates = self._identifiers()
        carries_exception = method == "exception" or keyword(node, "exc_info") is not None
        if not candidates and handler.name is not None and not carries_exception:
            candidates = [handler.name]
        if not candidates:
            return
        names = ", ".join(candidates[:3])
        receiver = code_of(func.value).strip()
        hint = (f'{receiver}.{method}("... %s", {candidates[0]})' if call.kind != STRUCTLOG
                else f"{receiver}.{method}(\"event\", {candidates[0]}={candidates[0]})")
        self.report(node, f"failure logged with a constant message and no identifiers: include what makes it "
                          f"findable ({names}), e.g. {hint}")

    def _identifiers(self) -> list[str]:
        func = self.context.function
        if func is None:
            return []
        params = [*func.params.posonly_params, *func.params.params, *func.params.kwonly_params]
        names = [p.name.value for p in params]
        if names and names[0] in ("self", "cls") and self.context.method_class is not None:
            names = names[1:]
        return [n for n in names if _IDENTIFIER.search(n) and not _SECRET.search(n)]


def _constant_message(expr: cst.BaseExpression) -> bool:
    if isinstance(expr, cst.SimpleString):
        return True
    if isinstance(expr, cst.ConcatenatedString):
        return _constant_message(expr.left) and _constant_message(expr.right)  # type: ignore[arg-type]
    if isinstance(expr, cst.FormattedString):
        return not any(isinstance(p, cst.FormattedStringExpression) for p in expr.parts)
    return False
