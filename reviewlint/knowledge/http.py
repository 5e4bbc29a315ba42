"""HTTP client libraries: which calls send a request, where their URL and timeout go.

Keys are qualified names. Calls on an instance are keyed ``<Class>.<method>`` (the engine
resolves ``s.get`` to ``requests.Session.get`` when ``s = requests.Session()``).
"""

from __future__ import annotations

from dataclasses import dataclass

# How a library treats a request without an explicit timeout.
TIMEOUT_REQUIRED = "required"  # no default: a missing timeout waits forever (requests, urllib)
TIMEOUT_HAS_DEFAULT = "default"  # a finite default: only an explicit None is a problem (httpx)
TIMEOUT_FROM_POOL = "pool"  # the pool/manager's timeout applies when the call has none (urllib3)
TIMEOUT_FROM_SESSION = "session"  # set on the session (aiohttp: ClientTimeout)
TIMEOUT_AT_CONSTRUCTION = "construction"  # http.client: the connection's timeout


@dataclass(frozen=True)
class HttpCall:
    """A call that sends an HTTP request."""

    qualname: str
    library: str
    #: HTTP method, or None when it is an argument (``request(method, url)``)
    method: str | None
    #: positional index of the URL argument, and its keyword name
    url_index: int | None
    url_keyword: str | None
    #: positional index of the method argument when ``method`` is None
    method_index: int | None
    timeout: str
    #: positional index at which ``timeout`` may be passed positionally (None: keyword only)
    timeout_index: int | None
    is_async: bool
    #: a module-level function (not a method on a client object)
    module_function: bool


@dataclass(frozen=True)
class ClientType:
    """A class whose instances send HTTP requests (a session, client, pool or connection)."""

    qualname: str
    library: str
    is_async: bool
    timeout: str
    response_type: str


_VERBS = ("get", "post", "put", "patch", "delete", "head", "options")

CLIENT_TYPES: dict[str, ClientType] = {
    "requests.Session": ClientType("requests.Session", "requests", False, TIMEOUT_REQUIRED, "requests.Response"),
    "httpx.Client": ClientType("httpx.Client", "httpx", False, TIMEOUT_HAS_DEFAULT, "httpx.Response"),
    "httpx.AsyncClient": ClientType("httpx.AsyncClient", "httpx", True, TIMEOUT_HAS_DEFAULT, "httpx.Response"),
    "aiohttp.ClientSession": ClientType(
        "aiohttp.ClientSession", "aiohttp", True, TIMEOUT_FROM_SESSION, "aiohttp.ClientResponse"
    ),
    "urllib3.PoolManager": ClientType("urllib3.PoolManager", "urllib3", False, TIMEOUT_FROM_POOL, "urllib3.BaseHTTPResponse"),
    "urllib3.ProxyManager": ClientType("urllib3.ProxyManager", "urllib3", False, TIMEOUT_FROM_POOL, "urllib3.BaseHTTPResponse"),
    "urllib3.HTTPConnectionPool": ClientType(
        "urllib3.HTTPConnectionPool", "urllib3", False, TIMEOUT_FROM_POOL, "urllib3.BaseHTTPResponse"
    ),
    "urllib3.HTTPSConnectionPool": ClientType(
        "urllib3.HTTPSConnectionPool", "urllib3", False, TIMEOUT_FROM_POOL, "urllib3.BaseHTTPResponse"
    ),
    "http.client.HTTPConnection": ClientType(
        "http.client.HTTPConnection", "http.client", False, TIMEOUT_AT_CONSTRUCTION, "http.client.HTTPResponse"
    ),
    "http.client.HTTPSConnection": ClientType(
        "http.client.HTTPSConnection", "http.client", False, TIMEOUT_AT_CONSTRUCTION, "http.client.HTTPResponse"
    ),
}

#: other import paths of the same classes
TYPE_ALIASES: dict[str, str] = {
    "requests.sessions.Session": "requests.Session",
    "requests.session": "requests.Session",  # factory function
    "requests.sessions.session": "requests.Session",
    "httpx._client.Client": "httpx.Client",
    "httpx._client.AsyncClient": "httpx.AsyncClient",
    "aiohttp.client.ClientSession": "aiohttp.ClientSession",
    "urllib3.poolmanager.PoolManager": "urllib3.PoolManager",
    "urllib3.poolmanager.ProxyManager": "urllib3.ProxyManager",
    "urllib3.connectionpool.HTTPConnectionPool": "urllib3.HTTPConnectionPool",
    "urllib3.connectionpool.HTTPSConnectionPool": "urllib3.HTTPSConnectionPool",
    "http.client.HTTPSConnection": "http.client.HTTPSConnection",
    "requests.models.Response": "requests.Response",
    "httpx._models.Response": "httpx.Response",
    "aiohttp.client_reqrep.ClientResponse": "aiohttp.ClientResponse",
}

RESPONSE_TYPES: frozenset[str] = frozenset(
    {
        "requests.Response",
        "httpx.Response",
        "aiohttp.ClientResponse",
        "urllib3.BaseHTTPResponse",
        "urllib3.HTTPResponse",
        "http.client.HTTPResponse",
    }
)

HTTP_CALLS: dict[str, HttpCall] = {}


def _add(call: HttpCall) -> None:
    HTTP_CALLS[call.qualname] = call


for _verb in _VERBS:
    _add(HttpCall(f"requests.{_verb}", "requests", _verb.upper(), 0, "url", None, TIMEOUT_REQUIRED, None, False, True))
    _add(HttpCall(f"requests.api.{_verb}", "requests", _verb.upper(), 0, "url", None, TIMEOUT_REQUIRED, None, False, True))
    _add(HttpCall(f"requests.Session.{_verb}", "requests", _verb.upper(), 0, "url", None, TIMEOUT_REQUIRED, None, False, False))
    _add(HttpCall(f"httpx.{_verb}", "httpx", _verb.upper(), 0, "url", None, TIMEOUT_HAS_DEFAULT, None, False, True))
    _add(HttpCall(f"httpx.Client.{_verb}", "httpx", _verb.upper(), 0, "url", None, TIMEOUT_HAS_DEFAULT, None, False, False))
    _add(HttpCall(f"httpx.AsyncClient.{_verb}", "httpx", _verb.upper(), 0, "url", None, TIMEOUT_HAS_DEFAULT, None, True, False))
    _add(
        HttpCall(
            f"aiohttp.ClientSession.{_verb}", "aiohttp", _verb.upper(), 0, "url", None, TIMEOUT_FROM_SESSION, None, True, False
        )
    )

_add(HttpCall("requests.request", "requests", None, 1, "url", 0, TIMEOUT_REQUIRED, None, False, True))
_add(HttpCall("requests.api.request", "requests", None, 1, "url", 0, TIMEOUT_REQUIRED, None, False, True))
_add(HttpCall("requests.Session.request", "requests", None, 1, "url", 0, TIMEOUT_REQUIRED, 8, False, False))
_add(HttpCall("httpx.request", "httpx", None, 1, "url", 0, TIMEOUT_HAS_DEFAULT, None, False, True))
_add(HttpCall("httpx.stream", "httpx", None, 1, "url", 0, TIMEOUT_HAS_DEFAULT, None, False, True))
for _cls, _async in (("httpx.Client", False), ("httpx.AsyncClient", True)):
    _add(HttpCall(f"{_cls}.request", "httpx", None, 1, "url", 0, TIMEOUT_HAS_DEFAULT, None, _async, False))
    _add(HttpCall(f"{_cls}.stream", "httpx", None, 1, "url", 0, TIMEOUT_HAS_DEFAULT, None, _async, False))
_add(HttpCall("aiohttp.ClientSession.request", "aiohttp", None, 1, "url", 0, TIMEOUT_FROM_SESSION, None, True, False))
_add(HttpCall("aiohttp.ClientSession.ws_connect", "aiohttp", "GET", 0, "url", None, TIMEOUT_FROM_SESSION, None, True, False))
_add(HttpCall("aiohttp.request", "aiohttp", None, 1, "url", 0, TIMEOUT_FROM_SESSION, None, True, True))
for _cls in ("urllib3.PoolManager", "urllib3.ProxyManager", "urllib3.HTTPConnectionPool", "urllib3.HTTPSConnectionPool"):
    for _meth in ("request", "urlopen", "request_encode_url", "request_encode_body"):
        _add(HttpCall(f"{_cls}.{_meth}", "urllib3", None, 1, "url", 0, TIMEOUT_FROM_POOL, None, False, False))
_add(HttpCall("urllib3.request", "urllib3", None, 1, "url", 0, TIMEOUT_REQUIRED, None, False, True))
_add(HttpCall("urllib.request.urlopen", "urllib", None, 0, "url", None, TIMEOUT_REQUIRED, 2, False, True))
for _cls in ("http.client.HTTPConnection", "http.client.HTTPSConnection"):
    _add(HttpCall(f"{_cls}.request", "http.client", None, 1, "url", 0, TIMEOUT_AT_CONSTRUCTION, None, False, False))

#: module-level calls whose "client" is built on the fly, keyed like HTTP_CALLS
RESULT_TYPES: dict[str, str] = {}
for _name, _call in HTTP_CALLS.items():
    if _call.library == "aiohttp" and _name.endswith(".ws_connect"):
        RESULT_TYPES[_name] = "aiohttp.ClientWebSocketResponse"
        continue
    if _call.library == "requests":
        RESULT_TYPES[_name] = "requests.Response"
    elif _call.library == "httpx":
        RESULT_TYPES[_name] = "httpx.Response"
    elif _call.library == "aiohttp":
        RESULT_TYPES[_name] = "aiohttp.ClientResponse"
    elif _call.library == "urllib3":
        RESULT_TYPES[_name] = "urllib3.BaseHTTPResponse"
    elif _call.library == "urllib":
        RESULT_TYPES[_name] = "http.client.HTTPResponse"
RESULT_TYPES["http.client.HTTPConnection.getresponse"] = "http.client.HTTPResponse"
RESULT_TYPES["http.client.HTTPSConnection.getresponse"] = "http.client.HTTPResponse"
RESULT_TYPES["requests.session"] = "requests.Session"
RESULT_TYPES["requests.sessions.session"] = "requests.Session"

#: the async client a blocking call should be replaced with (used in messages)
ASYNC_ALTERNATIVE = {
    "requests": "httpx.AsyncClient or aiohttp",
    "httpx": "httpx.AsyncClient",
    "urllib": "httpx.AsyncClient or aiohttp",
    "urllib3": "httpx.AsyncClient or aiohttp",
    "http.client": "httpx.AsyncClient or aiohttp",
}


def http_call(qualname: str | None) -> HttpCall | None:
    """The HTTP call that ``qualname`` names, if it sends a request."""
    if not qualname:
        return None
    return HTTP_CALLS.get(qualname)


def client_type(qualname: str | None) -> ClientType | None:
    """The client class that ``qualname`` (a class, alias or factory) constructs."""
    if not qualname:
        return None
    return CLIENT_TYPES.get(TYPE_ALIASES.get(qualname, qualname))
