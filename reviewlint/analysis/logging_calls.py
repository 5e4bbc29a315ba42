"""Is this call a logging call, and on what kind of logger?"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from reviewlint.engine.context import INSTANCE, FileContext
from reviewlint.knowledge import logs

STDLIB = "stdlib"
STRUCTLOG = "structlog"
LOGURU = "loguru"
ROOT = "root"  # logging.info(...) on the logging module itself


@dataclass(frozen=True)
class LogCall:
    node: cst.Call
    method: str
    kind: str
    #: the message argument (None when absent)
    message: cst.BaseExpression | None
    #: positional arguments after the message
    args: tuple[cst.Arg, ...]


def log_call(node: cst.Call, ctx: FileContext) -> LogCall | None:
    """The logging call ``node`` is, or None. Cached per node."""
    key = ("log_call", id(node))
    if key in ctx.memo:
        return ctx.memo[key]
    result = _log_call(node, ctx)
    ctx.memo[key] = result
    return result


def _log_call(node: cst.Call, ctx: FileContext) -> LogCall | None:
    func = node.func
    if not isinstance(func, cst.Attribute):
        return None
    method = func.attr.value
    if method not in logs.LOG_METHODS:
        return None
    kind = logger_kind(func.value, ctx)
    if kind is None:
        return None
    positional = [a for a in node.args if a.keyword is None and not a.star]
    index = 1 if method in logs.LEVEL_FIRST_METHODS else 0
    message = positional[index].value if len(positional) > index else None
    if message is None:
        msg_kw = next((a for a in node.args if a.keyword is not None and a.keyword.value in ("msg", "event")), None)
        message = msg_kw.value if msg_kw is not None else None
    return LogCall(node, method, kind, message, tuple(positional[index + 1 :]))


def logger_kind(receiver: cst.BaseExpression, ctx: FileContext) -> str | None:
    """What kind of logger ``receiver`` is: stdlib, structlog, loguru, the root logger, or None."""
    typ = ctx.type_of(receiver)
    if typ in (logs.STDLIB_LOGGER, logs.STDLIB_ADAPTER):
        return STDLIB
    if typ == logs.STRUCTLOG_LOGGER:
        return STRUCTLOG
    if typ is not None:
        return None  # a tracked object of another type
    if isinstance(receiver, cst.Name):
        binding = ctx.lookup(receiver.value)
        if binding is not None and binding.kind == "import":
            qual = binding.value or ""
            if qual == "logging":
                return ROOT
            if qual == "loguru.logger":
                return LOGURU
            if qual.startswith("structlog"):
                return STRUCTLOG
            last = qual.rsplit(".", 1)[-1]
            return STDLIB if last in logs.CONVENTIONAL_LOGGER_NAMES else None
        if receiver.value in logs.CONVENTIONAL_LOGGER_NAMES and (binding is None or binding.kind != INSTANCE):
            return STDLIB
        return None
    if isinstance(receiver, cst.Attribute) and isinstance(receiver.value, cst.Name):
        if receiver.value.value in ("self", "cls") and receiver.attr.value in logs.CONVENTIONAL_LOGGER_NAMES | {"logger", "_logger"}:
            return STDLIB
    return None
