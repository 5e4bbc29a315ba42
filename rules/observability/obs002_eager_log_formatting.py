from __future__ import annotations

import libcst as cst

from reviewlint.analysis.calls import code_of, string_pieces
from reviewlint.analysis.logging_calls import LOGURU, STRUCTLOG, log_call
from reviewlint.rule import Fix, Invalid, Rule, Severity, Valid, Viewpoint


class EagerLogFormatting(Rule):
    """A log message formatted before the logger decides to emit it.

    ## What it does
    Flags logging calls whose message is an f-string with placeholders, a `.format()` call,
    a `%`-formatted string or a concatenation with a non-literal part. Loggers are
    recognised on `logging.getLogger(...)` results, the module-level `logger`/`log`/`LOG`
    names, `self.logger`/`self.log`, the `logging` module, structlog and loguru.

    ## Why it matters
    The string is built even when the level is disabled, and every message becomes unique:
    log aggregation cannot group "user 17 failed" with "user 18 failed", and the values are
    lost as fields. With arguments, the logger formats lazily and handlers, Sentry and log
    pipelines keep the template and the values apart.

    ## Example
    ```python
    logger.info(f"charged user {user_id} {amount} EUR")
    ```

    ## Use instead
    ```python
    logger.info("charged user %s %s EUR", user_id, amount)
    # or structured: logger.info("charged user", extra={"user_id": user_id, "amount": amount})
    ```
    The fix rewrites simple f-strings into `%s` arguments.
    """

    code = "OBS002"
    name = "eager-log-formatting"
    opt_in = True  # judged precision on real code below 0.8: docs/precision.md
    viewpoint = Viewpoint.OBSERVABILITY
    severity = Severity.INFO
    skip_roles = frozenset({"generated", "migration", "test"})
    lower_roles = frozenset({"script"})
    peer_codes = frozenset({
        "G001", "G002", "G003", "G004", "W1201", "W1202", "W1203", "logging-not-lazy",
        "logging-format-interpolation", "logging-fstring-interpolation",
    })
    message = "log message formatted eagerly"
    fixable = True

    valid = [
        "import logging\nlogger = logging.getLogger(__name__)\nlogger.info('user %s logged in', uid)\n",
        "import logging\nlogger = logging.getLogger(__name__)\nlogger.info(f'static message')\n",
        "import logging\nlogger = logging.getLogger(__name__)\nlogger.info('part one ' 'part two')\n",
        "import logging\nlogger = logging.getLogger(__name__)\nlogger.info('login', extra={'user_id': uid})\n",
        # structlog's event + keywords is the recommended structured style
        "import structlog\nlog = structlog.get_logger()\nlog.info('user_logged_in', user_id=uid)\n",
        # not a logger
        "import warnings\nwarnings.warn(f'deprecated {name}')\n",
        "results = []\nresults.append(f'{x}')\n",
        "class Report:\n    def info(self, text): ...\n\nreport = Report()\nreport.info(f'{x}')\n",
    ]
    invalid = [
        Invalid("import logging\nlogger = logging.getLogger(__name__)\nlogger.info(f'user {uid} logged in')\n",
                line=3, message="f-string"),
        Invalid("import logging\nlog = logging.getLogger('app')\nlog.warning('retry {}'.format(n))\n", line=3, message=".format()"),
        Invalid("import logging\nlogging.error('failed for %s' % user)\n", line=2, message="%"),
        Invalid("from app.log import logger\nlogger.debug('payload: ' + str(payload))\n", line=2, message="concatenat"),
        Invalid("import logging\n\nclass Worker:\n    def __init__(self):\n        self.logger = logging.getLogger(__name__)\n\n"
                "    def run(self, job):\n        self.logger.exception(f'job {job.id} failed')\n", line=8),
        Invalid("import logging\nlogger = logging.getLogger(__name__)\nlogger.log(logging.INFO, f'n={n}')\n", line=3),
        Invalid("from loguru import logger\nlogger.info(f'user {uid}')\n", line=2),
        # the message passed by keyword: reported, with no fix (values cannot follow `msg=`)
        Invalid("import logging\nlogger = logging.getLogger(__name__)\n"
                "logger.log(level=logging.INFO, msg=f'Finished {name} in state {state}')\n", line=3),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        call = log_call(node, self.context)
        if call is None or call.message is None:
            return
        kind = _eager_kind(call.message)
        if kind is None:
            return
        if call.kind == STRUCTLOG:
            advice = "log a constant event name and pass the values as keywords (log.info(\"user_login\", user_id=uid))"
        elif call.kind == LOGURU:
            advice = "pass the values as arguments (logger.info(\"user {}\", uid)) or bind them"
        else:
            advice = "pass the values as arguments (log.info(\"user %s\", uid)) or in extra="
        fix = self._fix(call) if kind == "an f-string" and call.kind not in (STRUCTLOG, LOGURU) else None
        self.report(node, f"log message built with {kind} before the level check: {advice}", fix=fix)

    def _fix(self, call) -> Fix | None:  # type: ignore[no-untyped-def]
        message = call.message
        if call.args or not isinstance(message, cst.FormattedString):
            return None
        if message.prefix.lower() != "f" or len(message.start) != 2:
            return None  # raw or triple-quoted strings are left alone
        quote = message.start[-1]
        template: list[str] = []
        values: list[cst.BaseExpression] = []
        for part in message.parts:
            if isinstance(part, cst.FormattedStringText):
                template.append(part.value.replace("%", "%%"))
            elif isinstance(part, cst.FormattedStringExpression):
                if part.format_spec or part.equal is not None:
                    return None
                conversion = part.conversion or "s"
                if conversion not in ("s", "r", "a"):
                    return None
                template.append(f"%{conversion}")
                values.append(part.expression)
            else:
                return None
        text = "".join(template)
        if quote in text or "{{" in text or "}}" in text:
            return None
        new_message = cst.SimpleString(f"{quote}{text}{quote}")
        node = call.node
        index = next((i for i, arg in enumerate(node.args) if arg.value is message), None)
        if index is None or any(arg.keyword is not None or arg.star for arg in node.args[: index + 1]):
            return None  # `msg=f"..."`: positional values cannot follow a keyword argument
        new_args = []
        for arg in node.args:
            if arg.value is message:
                new_args.append(arg.with_changes(value=new_message, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))))
                for i, value in enumerate(values):
                    last = i == len(values) - 1
                    new_args.append(cst.Arg(value=value, comma=arg.comma if last else cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))))
            else:
                new_args.append(arg)
        if not values:
            return None
        return Fix(code_of(node.with_changes(args=new_args)), "pass the f-string's values as logging arguments")


def _has_placeholders(node: cst.BaseExpression) -> bool:
    return any(
        isinstance(piece, cst.FormattedString) and any(isinstance(p, cst.FormattedStringExpression) for p in piece.parts)
        for piece in string_pieces(node)
    )


def _is_string(node: cst.BaseExpression) -> bool:
    return isinstance(node, (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString))


def _eager_kind(message: cst.BaseExpression) -> str | None:
    if isinstance(message, (cst.FormattedString, cst.ConcatenatedString)) and _has_placeholders(message):
        return "an f-string"
    if (isinstance(message, cst.Call) and isinstance(message.func, cst.Attribute)
            and message.func.attr.value == "format" and _is_string(message.func.value)):
        return "str.format()"
    if isinstance(message, cst.BinaryOperation):
        if isinstance(message.operator, cst.Modulo) and _is_string(message.left):
            return "%-formatting"
        if isinstance(message.operator, cst.Add) and _concatenates_value(message):
            return "string concatenation"
    return None


def _concatenates_value(node: cst.BaseExpression) -> bool:
    """``"a" + x`` (some part is a string literal, some part is not a literal)."""
    parts: list[cst.BaseExpression] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, cst.BinaryOperation) and isinstance(n.operator, cst.Add):
            stack.extend((n.left, n.right))
        else:
            parts.append(n)
    has_literal = any(_is_string(p) for p in parts)
    has_value = any(not isinstance(p, (cst.SimpleString, cst.ConcatenatedString)) or _has_placeholders(p) for p in parts)
    return has_literal and has_value
