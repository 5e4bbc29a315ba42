"""Library knowledge: retry policies (tenacity, backoff, urllib3/requests, httpx, aiohttp-retry).

Keys are qualified names as :meth:`FileContext.qualname` resolves them (import aliases and
re-exports included), so ``from tenacity import retry as r`` and ``import tenacity as t;
t.retry`` both resolve to ``tenacity.retry``.
"""

from __future__ import annotations

import re

# ---------------------------------------------------------------------- tenacity
#: the decorator (``@retry`` / ``@retry(...)``)
TENACITY_DECORATORS: frozenset[str] = frozenset({"tenacity.retry"})
#: retry controllers used as ``for attempt in Retrying(...)`` / ``await AsyncRetrying(...)(fn)``
TENACITY_CONTROLLERS: frozenset[str] = frozenset(
    {
        "tenacity.Retrying",
        "tenacity.AsyncRetrying",
        "tenacity.asyncio.AsyncRetrying",
        "tenacity.TornadoRetrying",
        "tenacity.tornadoweb.TornadoRetrying",
    }
)
TENACITY_ALL: frozenset[str] = TENACITY_DECORATORS | TENACITY_CONTROLLERS
#: ``stop=`` strategies, ``wait=`` strategies and ``retry=`` conditions are module members
TENACITY_STOP_PREFIX = "tenacity.stop_"
TENACITY_WAIT_PREFIX = "tenacity.wait_"
TENACITY_RETRY_PREFIX = "tenacity.retry_"
#: ``wait=`` strategies that grow with the attempt (anything else, e.g. ``wait_fixed``, is constant)
TENACITY_GROWING_WAITS: frozenset[str] = frozenset(
    {
        "tenacity.wait_exponential",
        "tenacity.wait_exponential_jitter",
        "tenacity.wait_random_exponential",
        "tenacity.wait_full_jitter",
        "tenacity.wait_incrementing",
        "tenacity.wait_random",
        "tenacity.wait_chain",
        "tenacity.wait_combine",
    }
)
#: ``retry=`` conditions that retry every exception when given ``Exception`` (or nothing)
TENACITY_RETRY_ON_TYPE: frozenset[str] = frozenset({"tenacity.retry_if_exception_type"})

# ---------------------------------------------------------------------- backoff
BACKOFF_ON_EXCEPTION: frozenset[str] = frozenset({"backoff.on_exception", "backoff._decorator.on_exception"})
BACKOFF_ON_PREDICATE: frozenset[str] = frozenset({"backoff.on_predicate", "backoff._decorator.on_predicate"})
BACKOFF_DECORATORS: frozenset[str] = BACKOFF_ON_EXCEPTION | BACKOFF_ON_PREDICATE

# ---------------------------------------------------------------------- urllib3 / requests
URLLIB3_RETRY: frozenset[str] = frozenset(
    {
        "urllib3.Retry",
        "urllib3.util.Retry",
        "urllib3.util.retry.Retry",
        "requests.adapters.Retry",
        "requests.packages.urllib3.Retry",
        "requests.packages.urllib3.util.Retry",
        "requests.packages.urllib3.util.retry.Retry",
        "botocore.vendored.requests.packages.urllib3.util.retry.Retry",
    }
)
HTTP_ADAPTERS: frozenset[str] = frozenset(
    {"requests.adapters.HTTPAdapter", "requests.HTTPAdapter", "requests.sessions.HTTPAdapter"}
)

# ---------------------------------------------------------------------- httpx
HTTPX_TRANSPORTS: frozenset[str] = frozenset(
    {
        "httpx.HTTPTransport",
        "httpx.AsyncHTTPTransport",
        "httpx._transports.default.HTTPTransport",
        "httpx._transports.default.AsyncHTTPTransport",
    }
)

# ---------------------------------------------------------------------- aiohttp-retry
AIOHTTP_RETRY_CLIENTS: frozenset[str] = frozenset(
    {"aiohttp_retry.RetryClient", "aiohttp_retry.client.RetryClient"}
)

# ---------------------------------------------------------------------- the clients REL006 judges
#: canonical client type → the keyword that configures its retries at construction
RETRY_JUDGED_CLIENTS: dict[str, str | None] = {
    "requests.Session": None,  # retries come from a mounted HTTPAdapter(max_retries=...)
    "httpx.Client": "transport",
    "httpx.AsyncClient": "transport",
    "aiohttp.ClientSession": None,  # retries come from aiohttp-retry's RetryClient
    "urllib3.PoolManager": "retries",
    "urllib3.ProxyManager": "retries",
}
#: module-level request functions judged once per module
RETRY_JUDGED_FUNCTION_LIBRARIES: frozenset[str] = frozenset({"requests", "httpx", "urllib", "urllib3", "aiohttp"})
IDEMPOTENT_METHODS: frozenset[str] = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})

# ---------------------------------------------------------------------- sleeping
SLEEP_FUNCTIONS: frozenset[str] = frozenset(
    {
        "time.sleep",
        "asyncio.sleep",
        "anyio.sleep",
        "trio.sleep",
        "gevent.sleep",
        "eventlet.sleep",
        "eventlet.greenthread.sleep",
    }
)
#: calls whose result is a random number: jitter (``random.uniform``) makes a sleep non-constant
RANDOM_PREFIXES: tuple[str, ...] = ("random.", "secrets.", "numpy.random.")

# ---------------------------------------------------------------------- exceptions
#: catching one of these means "retry on everything"
BROAD_EXCEPTIONS: frozenset[str] = frozenset({"builtins.Exception", "builtins.BaseException"})
#: exceptions that are never transient: a loop retrying only these is a collision/parse
#: loop (pick another name, read another line), not a retry of a remote call
NON_TRANSIENT_EXCEPTIONS: frozenset[str] = frozenset(
    {
        "builtins.ValueError",
        "builtins.KeyError",
        "builtins.IndexError",
        "builtins.LookupError",
        "builtins.TypeError",
        "builtins.AttributeError",
        "builtins.FileExistsError",
        "builtins.FileNotFoundError",
        "builtins.IsADirectoryError",
        "builtins.NotADirectoryError",
        "builtins.PermissionError",
        "builtins.StopIteration",
        "builtins.StopAsyncIteration",
        "builtins.ImportError",
        "builtins.ModuleNotFoundError",
        "builtins.UnicodeDecodeError",
        "builtins.UnicodeEncodeError",
        "builtins.UnicodeError",
        "builtins.NotImplementedError",
        "builtins.AssertionError",
        "builtins.NameError",
        "builtins.RecursionError",
        "builtins.ZeroDivisionError",
        "builtins.OverflowError",
        "builtins.EOFError",
        "builtins.KeyboardInterrupt",
        "builtins.GeneratorExit",
        "builtins.SystemExit",
        "json.JSONDecodeError",
        "json.decoder.JSONDecodeError",
    }
)
_NON_TRANSIENT_SUFFIXES = ("IntegrityError", "DoesNotExist", "ValidationError", "MultipleObjectsReturned",
                           "ParseError", "ParsingError", "DecodeError")

#: exception types that name a transient failure of a remote dependency
TRANSIENT_EXCEPTIONS: frozenset[str] = frozenset(
    {
        "builtins.ConnectionError",
        "builtins.ConnectionResetError",
        "builtins.ConnectionRefusedError",
        "builtins.ConnectionAbortedError",
        "builtins.BrokenPipeError",
        "builtins.TimeoutError",
        "socket.timeout",
        "socket.error",
        "socket.gaierror",
        "asyncio.TimeoutError",
        "urllib.error.URLError",
        "urllib.error.HTTPError",
        "http.client.HTTPException",
        "http.client.RemoteDisconnected",
        "smtplib.SMTPException",
        "ssl.SSLError",
    }
)
#: modules whose exceptions are all about a remote dependency
TRANSIENT_EXCEPTION_MODULES: tuple[str, ...] = (
    "requests.",
    "httpx.",
    "httpcore.",
    "aiohttp.",
    "urllib3.",
    "websockets.",
    "grpc.",
    "botocore.exceptions.",
    "redis.",
    "openai.",
    "anthropic.",
    "google.api_core.exceptions.",
    "kombu.exceptions.",
    "pika.exceptions.",
    "elasticsearch.",
    "pymongo.errors.",
)
_TRANSIENT_SUFFIXES = (".OperationalError", ".InterfaceError", ".ServiceUnavailable", ".Timeout", ".TimeoutError")

#: names that say "this loop exists to retry"
RETRY_NAME_RE = re.compile(r"attempt|retr(y|ies|ied)|tries|(^|_)tries?($|_)|backoff|n_try", re.IGNORECASE)
#: names that say "this is a time bound"
DEADLINE_NAME_RE = re.compile(r"deadline|timeout|elapsed|time_?left|remaining|expir|until|give_?up|budget|max_wait|end_?time|start", re.IGNORECASE)
TIME_FUNCTIONS: frozenset[str] = frozenset(
    {
        "time.time",
        "time.monotonic",
        "time.perf_counter",
        "time.monotonic_ns",
        "time.time_ns",
        "datetime.datetime.now",
        "datetime.datetime.utcnow",
        "django.utils.timezone.now",
    }
)


def is_broad_exception(qualname: str | None) -> bool:
    return qualname in BROAD_EXCEPTIONS


def is_non_transient_exception(qualname: str | None) -> bool:
    if not qualname:
        return False
    return qualname in NON_TRANSIENT_EXCEPTIONS or qualname.endswith(_NON_TRANSIENT_SUFFIXES)


def is_transient_exception(qualname: str | None) -> bool:
    if not qualname:
        return False
    if qualname in TRANSIENT_EXCEPTIONS or qualname.endswith(_TRANSIENT_SUFFIXES):
        return True
    return qualname.startswith(TRANSIENT_EXCEPTION_MODULES)


def is_tenacity_wait(qualname: str | None) -> bool:
    return bool(qualname) and qualname.startswith(TENACITY_WAIT_PREFIX)  # type: ignore[union-attr]


KNOWN_TYPES: frozenset[str] = frozenset()
CONSTRUCTIBLE: frozenset[str] = frozenset()
TYPE_ALIASES: dict[str, str] = {}
RESULT_TYPES: dict[str, str] = {}
