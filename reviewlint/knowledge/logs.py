"""Logging: which objects are loggers and which of their methods emit a record."""

from __future__ import annotations

#: methods of a stdlib logger (and of the ``logging`` module) that emit a record
LOG_METHODS: frozenset[str] = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log"}
)
#: methods whose message may carry no ``%`` arguments by design (``log(level, msg, *args)``)
LEVEL_FIRST_METHODS: frozenset[str] = frozenset({"log"})

STDLIB_LOGGER = "logging.Logger"
STDLIB_ADAPTER = "logging.LoggerAdapter"
STRUCTLOG_LOGGER = "structlog.BoundLogger"
LOGURU_LOGGER = "loguru.Logger"

KNOWN_TYPES: frozenset[str] = frozenset({STDLIB_LOGGER, STDLIB_ADAPTER, STRUCTLOG_LOGGER, LOGURU_LOGGER})
CONSTRUCTIBLE: frozenset[str] = frozenset({STDLIB_ADAPTER})

RESULT_TYPES: dict[str, str] = {
    "logging.getLogger": STDLIB_LOGGER,
    "logging.Logger.getChild": STDLIB_LOGGER,
    "logging.LoggerAdapter": STDLIB_ADAPTER,
    "structlog.get_logger": STRUCTLOG_LOGGER,
    "structlog.getLogger": STRUCTLOG_LOGGER,
    "structlog.stdlib.get_logger": STRUCTLOG_LOGGER,
    "structlog.BoundLogger.bind": STRUCTLOG_LOGGER,
    "structlog.BoundLogger.new": STRUCTLOG_LOGGER,
}

#: names that, at module level or as ``self.<name>``, conventionally hold a stdlib logger
#: even when it was built elsewhere (``from app.log import logger``)
CONVENTIONAL_LOGGER_NAMES: frozenset[str] = frozenset({"logger", "log", "LOG", "LOGGER", "_logger", "_log"})
