"""How a project passes values to its log calls: lazily (as arguments, ``extra=``, structlog or
loguru keywords) or eagerly (an f-string, ``.format()``, ``%`` or ``+`` baked into the message).

The convention is a project-level fact. Per file, :func:`note_log_call` counts the log calls
that carry values, by style, into ``ctx.facts[FACTS_KEY]`` during the one walk (the counts travel
with the file's result through workers and the cache); :class:`LogStyle` sums the counts of
every file of the project and says which style is the house style.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import libcst as cst

from reviewlint.analysis.calls import string_pieces
from reviewlint.analysis.logging_calls import LOGURU, STRUCTLOG, LogCall
from reviewlint.engine.context import FileContext

FACTS_KEY = "log_style"
LAZY = "lazy"
EAGER = "eager"

#: below this many value-carrying log calls in the project, no convention is claimed
MIN_CALLS = 4
#: with this many value-carrying log calls in the checked files, their convention is the
#: project's; below it, the project's other files are scanned too
ENOUGH_CALLS = 20
#: share of value-carrying calls that must be lazy for lazy/structured logging to be the convention
LAZY_SHARE = 0.75

#: levels that may be switched off in production (formatting them eagerly can be wasted work)
LOW_LEVELS = frozenset({"debug", "trace"})
#: levels that are effectively always on
HIGH_LEVELS = frozenset({"warning", "warn", "error", "exception", "critical", "fatal"})
_LEVEL_CONSTANTS = {"DEBUG": "debug", "INFO": "info", "WARNING": "warning", "WARN": "warning",
                    "ERROR": "error", "CRITICAL": "critical", "FATAL": "critical"}


def eager_kind(message: cst.BaseExpression) -> str | None:
    """How ``message`` is formatted eagerly ("an f-string", "str.format()", ...), or None."""
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


#: calls too cheap to matter in a debug message
_CHEAP_CALLS = frozenset({"len", "type", "id", "int", "float", "bool", "round", "abs", "isinstance", "min", "max",
                          "getattr", "hasattr", "time", "monotonic", "perf_counter", "get", "upper", "lower", "strip"})


def costly_call(message: cst.BaseExpression) -> str | None:
    """The name of a call the message's values make (``json.dumps`` in ``f"{json.dumps(p)}"``),
    None when they are names, attributes and cheap builtins: what an eager message costs."""
    stack: list[cst.CSTNode] = [message]
    budget = 60
    while stack and budget:
        budget -= 1
        node = stack.pop()
        if isinstance(node, cst.Call):
            func = node.func
            name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
            is_format = name == "format" and _is_string(func.value) if isinstance(func, cst.Attribute) else False
            if name and name not in _CHEAP_CALLS and not is_format:
                from reviewlint.analysis.calls import code_of

                return " ".join(code_of(func).split())[:40]
            stack.extend(a.value for a in node.args)
            if isinstance(func, cst.Attribute) and not is_format:
                stack.append(func.value)
        elif isinstance(node, (cst.FormattedString, cst.ConcatenatedString, cst.BinaryOperation, cst.Attribute,
                               cst.Subscript, cst.FormattedStringExpression, cst.Tuple, cst.Element, cst.Dict,
                               cst.DictElement, cst.Index, cst.SubscriptElement, cst.IfExp)):
            stack.extend(node.children)
    return None


def style_of(call: LogCall) -> str | None:
    """LAZY when the call passes values apart from its message, EAGER when it bakes them into the
    message, None when it carries no values (a constant message)."""
    if call.message is not None and eager_kind(call.message) is not None:
        return EAGER
    if call.args:
        return LAZY
    skip = {"exc_info", "stack_info", "stacklevel", "msg", "event", "level"}
    for arg in call.node.args:
        if arg.keyword is None or arg.keyword.value in skip:
            continue
        if arg.keyword.value == "extra" or call.kind in (STRUCTLOG, LOGURU):
            return LAZY
    return None


def level_of(call: LogCall, ctx: FileContext) -> str | None:
    """The level name of the call ("debug", "info", ...), None when it is chosen at run time."""
    if call.method != "log":
        return call.method
    positional = [a for a in call.node.args if a.keyword is None and not a.star]
    level = positional[0].value if positional else next(
        (a.value for a in call.node.args if a.keyword is not None and a.keyword.value == "level"), None)
    if level is None:
        return None
    name = ctx.qualname(level) or ""
    return _LEVEL_CONSTANTS.get(name.rsplit(".", 1)[-1])


def note_log_call(call: LogCall, ctx: FileContext) -> str | None:
    """Count ``call`` in the file's facts; returns its style (see :func:`style_of`)."""
    style = style_of(call)
    if style is not None:
        counts = ctx.facts.setdefault(FACTS_KEY, {LAZY: 0, EAGER: 0})
        counts[style] += 1
    return style


@dataclass(frozen=True)
class LogStyle:
    """The project's log-call counts and the convention they show."""

    lazy: int = 0
    eager: int = 0

    @classmethod
    def of(cls, facts: Iterable[Mapping[str, Any] | None]) -> "LogStyle":
        lazy = eager = 0
        for fact in facts:
            if isinstance(fact, Mapping):
                lazy += int(fact.get(LAZY, 0) or 0)
                eager += int(fact.get(EAGER, 0) or 0)
        return cls(lazy, eager)

    @property
    def total(self) -> int:
        return self.lazy + self.eager

    @property
    def lazy_share(self) -> float:
        return self.lazy / self.total if self.total else 0.0

    def convention(self, share: float = LAZY_SHARE) -> str | None:
        """LAZY when most value-carrying calls pass their values apart, EAGER when most format
        them into the message, None when there is too little to tell or the styles are mixed."""
        if self.total < MIN_CALLS:
            return None
        if self.lazy >= share * self.total:
            return LAZY
        if self.eager >= share * self.total:
            return EAGER
        return None

    def describe(self) -> str:
        """``passes log values as arguments in 83% of its log calls`` (of the calls with values)."""
        if self.lazy * 2 >= self.total:
            return f"passes log values as arguments in {100 * self.lazy // self.total}% of its log calls with values"
        return f"formats log values into the message in {100 * self.eager // self.total}% of its log calls with values"


_TEXT_CALL = re.compile(
    r"\b[A-Za-z_]*(?:log|LOG|Log)[A-Za-z_]*\s*\.\s*(?:debug|info|warning|warn|error|exception|critical|fatal)\(\s*"
    r"([rRfFuU]{0,2})(['\"])")
_NO_VALUE_KEYWORDS = ("exc_info", "stack_info", "stacklevel")


def count_text(text: str) -> dict[str, int] | None:
    """An estimate of the facts :func:`note_log_call` records, from the text alone (for the
    project's files that were not given: a scan, not a parse). Recognises
    ``<name with log>.<level>("...", ...)`` calls and how their values are passed."""
    if "log" not in text and "LOG" not in text and "Log" not in text:
        return None
    counts = {LAZY: 0, EAGER: 0}
    for match in _TEXT_CALL.finditer(text):
        style = _text_style(text, match.start(1))
        if style is not None:
            counts[style] += 1
    return counts if counts[LAZY] or counts[EAGER] else None


def _text_style(text: str, pos: int) -> str | None:
    for _ in range(8):  # adjacent literals ("a" "b"), bounded
        prefix = ""
        while pos < len(text) and text[pos] in "rRfFuUbB":
            prefix += text[pos]
            pos += 1
        if pos >= len(text) or text[pos] not in "'\"":
            break
        quote = text[pos] * 3 if text.startswith(text[pos] * 3, pos) else text[pos]
        end = pos + len(quote)
        while end < len(text) and not text.startswith(quote, end):
            if text[end] == "\\":
                end += 1
            elif len(quote) == 1 and text[end] == "\n":
                return None  # not a literal we can follow
            end += 1
        body = text[pos + len(quote):end]
        if "f" in prefix.lower() and re.search(r"(?<!\{)\{(?!\{)", body):
            return EAGER
        pos = end + len(quote)
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
    rest = text[pos:pos + 40]
    if rest.startswith(("%", "+", ".format(")):
        return EAGER
    if rest.startswith(","):
        after = rest[1:].lstrip()
        if after.startswith(")") or after.startswith(_NO_VALUE_KEYWORDS):
            return None
        return LAZY
    return None


def _has_placeholders(node: cst.BaseExpression) -> bool:
    return any(
        isinstance(piece, cst.FormattedString) and any(isinstance(p, cst.FormattedStringExpression) for p in piece.parts)
        for piece in string_pieces(node)
    )


def _is_string(node: cst.BaseExpression) -> bool:
    return isinstance(node, (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString))


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
