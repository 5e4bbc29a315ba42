from __future__ import annotations

import dataclasses
from typing import Any

import libcst as cst

from reviewlint.analysis import log_style as style
from reviewlint.analysis.calls import code_of
from reviewlint.analysis.handlers import current_handler
from reviewlint.analysis.logging_calls import LOGURU, STRUCTLOG, log_call
from reviewlint.rule import Fix, Invalid, Option, Rule, Severity, Valid, Viewpoint

#: every log call in a loop, with one lazy call of each logger kind: the fixture for examples
#: that need a project whose convention is lazy/structured logging
_LAZY_HOUSE = "".join(f"logger.info('step %s', n{i})\n" for i in range(4))


class EagerLogFormatting(Rule):
    """A log message with its values formatted into the text, against the project's convention.

    ## What it does
    Flags logging calls whose message is an f-string with placeholders, a `.format()` call,
    a `%`-formatted string or a concatenation with a non-literal part. Loggers are
    recognised on `logging.getLogger(...)` results, the module-level `logger`/`log`/`LOG`
    names, `self.logger`/`self.log`, the `logging` module, structlog and loguru.

    The rule learns the project's convention from all its log calls that carry values (the
    files that were not checked are scanned too): where most of them (75%) pass the values
    apart from the message (`%s` arguments, `extra=`, structlog or loguru keywords), every
    interpolated message is reported as a deviation. Where interpolated messages are the house
    style, or the styles are mixed, only debug-level calls inside a loop whose values call
    something (`{json.dumps(payload)}`, `{item.to_dict()}`) are reported: they are computed on
    every iteration even when debug logging is off. The message says which convention was
    detected. A project with fewer than 4 log calls that carry values has no convention yet:
    logging's default (arguments) applies. Option `convention = "lazy"` reports every
    interpolated message whatever the project does; `"eager"` only the hot-path debug calls.

    ## Why it matters
    Values baked into the text are lost as fields: log aggregation (Sentry, Loki, ELK) cannot
    group "user 17 failed" with "user 18 failed" by template, and nobody can search by the
    value. In a project that logs structured data, one interpolated message is the one line
    its dashboards miss. Below the enabled level (debug, info) the text is also built for nothing.

    ## Example
    ```python
    logger.info("payment accepted for %s", order_id)
    logger.info(f"charged user {user_id} {amount} EUR")  # the house style is arguments
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
    options = {
        "convention": Option(str, "auto", "the project's logging convention: auto (detected from its log calls), "
                             "lazy (values always passed apart) or eager (interpolated messages are fine)",
                             choices=("auto", "lazy", "eager")),
    }

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
        # interpolated messages are the house style: a one-off info/warning line is not worth a comment
        "from loguru import logger\nlogger.info(f'start {a}')\nlogger.info(f'stop {b}')\n"
        "logger.warning(f'slow {c}')\nlogger.error(f'failed {d}')\n",
        # ... nor is a debug line outside a loop, or one whose values cost nothing to format
        "from loguru import logger\nlogger.info(f'start {a}')\nlogger.info(f'stop {b}')\nlogger.warning(f'slow {c}')\n"
        "logger.debug(f'debug {d}')\nfor item in items:\n    logger.debug(f'item {item}')\n",
        # ... nor a debug line on a loop's failure path
        "from loguru import logger\nlogger.info(f'start {a}')\nlogger.info(f'stop {b}')\nlogger.warning(f'slow {c}')\n"
        "for step in steps:\n    try:\n        run(step)\n    except Exception as e:\n"
        "        logger.debug(f'step {step} failed: {str(e)}')\n",
        # mixed styles (half and half): no convention to deviate from
        "import logging\nlogger = logging.getLogger(__name__)\nlogger.info('a %s', a)\nlogger.info('b %s', b)\n"
        "logger.error(f'c {c}')\nlogger.error(f'd {d}')\n",
        Valid("import logging\nlogger = logging.getLogger(__name__)\n" + _LAZY_HOUSE + "logger.error(f'failed {d}')\n",
              options={"convention": "eager"}),
    ]
    invalid = [
        Invalid("import logging\nlogger = logging.getLogger(__name__)\n" + _LAZY_HOUSE + "logger.info(f'user {uid} logged in')\n",
                line=7, message="f-string, formatted even when INFO is disabled and its values are lost as fields; "
                "this project passes log values as arguments in 80% of its log calls with values"),
        # always-on levels: no level-check claim, the real loss is the fields and the grouping
        Invalid("import logging\nlog = logging.getLogger('app')\n" + _LAZY_HOUSE.replace("logger", "log")
                + "log.warning('retry {}'.format(n))\n", line=7,
                message="log message built with str.format(): its values are not available as structured fields "
                "and aggregators cannot group it by its template"),
        Invalid("import logging\nlogging.error('failed for %s' % user)\n", line=2, message="%-formatting",
                options={"convention": "lazy"}),
        # a snippet with nothing to learn from: logging's default applies
        Invalid("import logging\nlogger = logging.getLogger(__name__)\nlogger.info(f'user {uid} logged in')\n", line=3,
                message="no project convention yet"),
        Invalid("from app.log import logger\nlogger.debug('payload: ' + str(payload))\n", line=2, message="concatenat",
                options={"convention": "lazy"}),
        Invalid("import logging\n\nclass Worker:\n    def __init__(self):\n        self.logger = logging.getLogger(__name__)\n\n"
                "    def run(self, job):\n        self.logger.exception(f'job {job.id} failed')\n", line=8,
                options={"convention": "lazy"}),
        Invalid("import logging\nlogger = logging.getLogger(__name__)\nlogger.log(logging.INFO, f'n={n}')\n", line=3,
                options={"convention": "lazy"}),
        Invalid("from loguru import logger\nlogger.info(f'user {uid}')\n", line=2, options={"convention": "lazy"}),
        # the message passed by keyword: reported, with no fix (values cannot follow `msg=`)
        Invalid("import logging\nlogger = logging.getLogger(__name__)\n"
                "logger.log(level=logging.INFO, msg=f'Finished {name} in state {state}')\n", line=3,
                options={"convention": "lazy"}),
        # interpolation is the house style: only a debug line on a hot path is reported, and says why
        Invalid("from loguru import logger\nlogger.info(f'start {a}')\nlogger.info(f'stop {b}')\n"
                "logger.warning(f'slow {c}')\n\ndef sync(items):\n    for item in items:\n"
                "        logger.debug(f'syncing {item}')\n        logger.debug(f'payload {json.dumps(item)}')\n", line=9, count=1,
                message="debug message built with an f-string inside a loop that calls json.dumps(): it is built on "
                "every iteration even when debug logging is off; this project formats log values into the message in 100%"),
    ]

    def begin(self) -> None:
        #: message → (level class, in a loop), for the project pass
        self._candidates: dict[str, list[Any]] = {}

    def visit_Call(self, node: cst.Call) -> None:
        call = log_call(node, self.context)
        if call is None or call.message is None:
            return
        if style.note_log_call(call, self.context) != style.EAGER:
            return
        kind = style.eager_kind(call.message)
        if call.kind == STRUCTLOG:
            advice = "log a constant event name and pass the values as keywords (log.info(\"user_login\", user_id=uid))"
        elif call.kind == LOGURU:
            advice = "pass the values as arguments (logger.info(\"user {}\", uid)) or bind them"
        else:
            advice = "pass the values as arguments (log.info(\"user %s\", uid)) or in extra="
        level = style.level_of(call, self.context)
        # a loop's failure path (an ``except`` inside it) runs rarely: not a hot path
        hot = bool(self.context.loops_in_current_function()) and current_handler(self.context) is None
        low = level in style.LOW_LEVELS or level is None
        if level in style.HIGH_LEVELS:
            what = f"log message built with {kind}: its values are not available as structured fields and " \
                   "aggregators cannot group it by its template"
        elif low and hot:
            costly = style.costly_call(call.message)
            what = f"{level or 'variable-level'} message built with {kind} inside a loop" + (
                f" that calls {costly}()" if costly else "") + \
                f": it is built on every iteration even when {level or 'that level'} logging is off"
        else:
            costly = None
            what = f"log message built with {kind}, formatted even when {(level or 'its level').upper()} is disabled " \
                   "and its values are lost as fields"
        if level in style.HIGH_LEVELS:
            costly = None
        message = f"{what}; {{convention}}: {advice}"
        self._candidates[message] = [low, hot, bool(costly)]
        fix = self._fix(call) if kind == "an f-string" and call.kind not in (STRUCTLOG, LOGURU) else None
        self.report(node, message, fix=fix)

    def leave_Module(self, node: cst.Module) -> None:
        if self._candidates:
            self.context.facts.setdefault(style.FACTS_KEY, {})["obs002"] = self._candidates

    # ------------------------------------------------------------------ project pass
    def finish_project(self, results: Any, project: Any) -> None:
        mine = [r for r in results if r.facts.get(style.FACTS_KEY, {}).get("obs002")]
        if not mine:
            return
        counts = style.LogStyle.of(project.given_facts(style.FACTS_KEY))
        if self.config["convention"] == "auto" and counts.total < style.ENOUGH_CALLS:
            # a few files were given (pre-commit, an editor): the rest of the project shows the
            # convention too (a text scan, no parse: a subset run stays cheap)
            counts = style.LogStyle.of([*project.given_facts(style.FACTS_KEY),
                                        *project.other_text_facts(style.FACTS_KEY, style.count_text, limit=500)])
        convention = counts.convention() if self.config["convention"] == "auto" else \
            (style.LAZY if self.config["convention"] == "lazy" else style.EAGER)
        if self.config["convention"] != "auto":
            detected = "the configured convention is " + (
                "to pass log values as arguments" if convention == style.LAZY else "interpolated messages")
        elif convention is None and counts.total >= style.MIN_CALLS:
            detected = f"this project mixes both styles (it {counts.describe()})"
        elif convention is None:
            # nothing to learn from (a snippet, a new project): logging's own default applies
            convention = style.LAZY
            detected = "no project convention yet, and arguments are logging's default"
        else:
            detected = f"this project {counts.describe()}"
        for result in mine:
            candidates = result.facts[style.FACTS_KEY]["obs002"]

            def decide(message: str) -> str | None:
                low, hot, costly = (list(candidates.get(message, ())) + [False, False, False])[:3]
                if convention != style.LAZY and not (low and hot and costly):
                    return None
                if convention != style.LAZY:
                    return message.replace("{convention}", detected + "; only debug calls in loops that compute "
                                           "their values are reported")
                return message.replace("{convention}", detected)

            kept = []
            for finding in result.findings:
                if finding.code == self.code and finding.message in candidates:
                    message = decide(finding.message)
                    if message is None:
                        continue
                    finding = dataclasses.replace(finding, message=message)
                kept.append(finding)
            result.findings = kept
            suppressed = []
            for finding, sup in result.suppressed:
                if finding.code == self.code and finding.message in candidates:
                    message = decide(finding.message)
                    if message is None:
                        continue
                    finding = dataclasses.replace(finding, message=message)
                suppressed.append((finding, sup))
            result.suppressed = suppressed

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


