from __future__ import annotations

import re
from dataclasses import dataclass, field

import libcst as cst

from reviewlint.analysis.calls import argument, code_of, expr_text, has_star_kwargs, is_false, is_none, keyword, string_value
from reviewlint.analysis.handlers import raises
from reviewlint.analysis.loops import retry_loop
from reviewlint.analysis.routes import route_decorator
from reviewlint.analysis.retry import iter_nodes, tenacity_target
from reviewlint.knowledge import http
from reviewlint.knowledge import retry as kr
from reviewlint.rule import Invalid, Rule, Severity, Valid, Viewpoint

_VERB_METHODS = {"get": "GET", "head": "HEAD", "put": "PUT", "delete": "DELETE", "options": "OPTIONS",
                 "post": "POST", "patch": "PATCH"}
_METHOD_ARG_METHODS = ("request", "stream", "urlopen")
_LOOPBACK_RE = re.compile(r"^(?:https?|wss?)://(?:[^/@]*@)?(?:localhost|127(?:\.\d+){3}|\[::1\]|0\.0\.0\.0|[\w.-]+\.localhost)(?:[:/?#]|$)",
                          re.IGNORECASE)
_RETRY_WORDS = ("retry", "retries", "retrying", "backoff")
_MODULE_FUNCTION_ADVICE = {
    "requests": "use a `requests.Session` with `HTTPAdapter(max_retries=Retry(total=3, backoff_factor=0.5))` mounted",
    "httpx": "use an `httpx.Client(transport=httpx.HTTPTransport(retries=3))` (connect errors)",
    "urllib": "use a `urllib3.PoolManager(retries=Retry(total=3, backoff_factor=0.5))`",
    "urllib3": "use a `urllib3.PoolManager(retries=Retry(total=3, backoff_factor=0.5))`",
    "aiohttp": "use an aiohttp-retry `RetryClient`",
}
#: functions that probe a service: a retry would hide what they exist to find out
_PROBE_RE = re.compile(r"(^|_)(verify|preflight|health|healthcheck|ping|probe|heartbeat|liveness|readiness)|"
                       r"(^|_)(check|test)_?\w*(connection|conn|server|endpoint|reachab|alive)", re.IGNORECASE)


#: polling entry points: the scheduler calls them again, and that is the retry
_POLL_RE = re.compile(r"^(async_)?update$|^_?(async_)?update_data$|^_?(async_)?(poll|refresh)(_|$)|^_?async_update(_|$)",
                      re.IGNORECASE)


@dataclass
class _Use:
    node: cst.Call
    verb: str
    in_retry: bool
    #: the function the call is in (to look one call up for a retry)
    func_key: str | None


@dataclass
class _Client:
    node: cst.Call
    kind: str  # canonical client type
    shown: str
    #: a retry policy is configured (or cannot be judged: a custom transport, **kwargs ...)
    configured: bool = False
    uses: list[_Use] = field(default_factory=list)
    #: (callee key, positional index, keyword) of local functions/classes the client is passed to
    links: list[tuple[str, int | None, str | None]] = field(default_factory=list)


@dataclass
class _Func:
    positional: list[str]
    keyword_only: list[str]


class MissingRetryPolicy(Rule):
    """An HTTP client built without a retry policy, whose idempotent calls are never retried.

    ## What it does
    A retry policy is decided where a client is built, so this rule looks only there. It
    reports (severity info) the construction of an HTTP client, session or pool —
    `requests.Session()`, `httpx.Client()`/`AsyncClient()`, `aiohttp.ClientSession()`,
    `urllib3.PoolManager()` — that is built without retries (no
    `HTTPAdapter(max_retries=Retry(...))` mounted on it, no
    `transport=httpx.HTTPTransport(retries=n)`, no `retries=Retry(...)`, not wrapped in an
    aiohttp-retry `RetryClient`) and that makes idempotent calls (GET, HEAD, PUT, DELETE,
    OPTIONS) in the same module outside any retry loop or retry decorator. The calls are
    followed into the functions and classes of the same file that the client is passed to.
    For module-level functions (`requests.get`, `httpx.get`, `urlopen`) it reports once per
    module, at the first such call.

    Never per call. Not judged: injected clients (parameters, attributes set from outside)
    where they are used — they are judged where they are built; `http.client` connections;
    clients with a transport or adapter it cannot see into (`transport=ASGITransport(app)`,
    a transport or adapter from elsewhere); `**kwargs` pass-throughs. Calls to
    `localhost`/loopback (a literal URL or `base_url`) are not counted, nor calls in a retry
    loop, under a retry decorator (tenacity, backoff, or any decorator named `*retry*`), in a
    function or lambda handed to a `*retry*` helper, or in a helper only called from such
    places, nor calls in connectivity probes (functions named `verify_*`, `*health*`, `*ping*`, `*preflight*`,
    `check_*connection`; URLs ending in `/health`, `/healthz`, `/ping` ...): a retry would
    hide what they exist to find out. Nor calls whose failure is handled where they are made
    (a `try` whose handlers fall back — return a value, log, record an error — instead of
    raising: best effort by choice), calls in polling updates (`update()`, `async_update()`,
    `_async_update_data()`, `poll_*`, `refresh_*`: the next poll is the retry) and in web
    request handlers (the error reaches the user, who retries). Test files, scripts and
    examples are skipped.

    ## Why it matters
    Networks drop connections and services restart: a share of calls fails for reasons that
    are gone a second later. Without a retry policy every such blip becomes an error for the
    user. Deciding it once, where the client is built, covers every call made with it.

    ## Example
    ```python
    session = requests.Session()

    def rates():
        return session.get("https://fx.example.org/rates", timeout=5).json()
    ```

    ## Use instead
    ```python
    session = requests.Session()
    session.mount("https://", HTTPAdapter(max_retries=Retry(total=3, backoff_factor=0.5,
                                                            status_forcelist=[502, 503, 504])))
    ```
    (httpx: `httpx.Client(transport=httpx.HTTPTransport(retries=3))` retries failed connects;
    aiohttp: `aiohttp_retry.RetryClient`; or tenacity around the calls.)
    """

    code = "REL006"
    name = "missing-retry-policy"
    opt_in = True  # judged precision on real code below 0.8: docs/precision.md
    viewpoint = Viewpoint.RELIABILITY
    severity = Severity.INFO
    skip_roles = frozenset({"example", "generated", "migration", "script", "test"})
    message = "HTTP client built without a retry policy"

    valid = [
        # best effort: a short timeout and a fallback value
        "import requests\n\nFALLBACK = {'telemetry': False}\n\ndef fetch_flags(url):\n    try:\n"
        "        resp = requests.get(url, timeout=1)\n        return resp.json() if resp.status_code == 200 else FALLBACK\n"
        "    except Exception:\n        return FALLBACK\n",
        # a polling update: the next poll is the retry
        "import requests\n\nclass Sensor:\n    def update(self):\n        self._state = requests.get(self._url, timeout=10).json()\n",
        # a request handler: the error reaches the user
        "import httpx\nfrom fastapi import APIRouter\n\nrouter = APIRouter()\n\n@router.get('/models')\n"
        "async def models():\n    async with httpx.AsyncClient() as client:\n        return (await client.get('https://up.example.org/models')).json()\n",
        # an adapter with retries is mounted
        "import requests\nfrom requests.adapters import HTTPAdapter\nfrom urllib3.util.retry import Retry\n\n"
        "def make():\n    s = requests.Session()\n    s.mount('https://', HTTPAdapter(max_retries=Retry(total=3, backoff_factor=0.5)))\n"
        "    return s.get('https://x.org/a', timeout=5)\n",
        # httpx transport with retries
        "import httpx\n\nclient = httpx.Client(transport=httpx.HTTPTransport(retries=3))\nclient.get('https://x.org/a')\n",
        # urllib3 pool with retries
        "import urllib3\nhttp = urllib3.PoolManager(retries=urllib3.Retry(3, backoff_factor=0.2))\nhttp.request('GET', 'https://x.org')\n",
        # only non-idempotent calls
        "import httpx\n\nasync def send(msg):\n    async with httpx.AsyncClient() as client:\n        await client.post('https://x.org/m', json=msg)\n",
        # the calls are retried
        "import httpx\nfrom tenacity import retry, stop_after_attempt, wait_exponential\n\nclient = httpx.Client()\n\n"
        "@retry(stop=stop_after_attempt(3), wait=wait_exponential())\ndef rates():\n    return client.get('https://x.org/rates')\n",
        "import time, requests\n\ns = requests.Session()\n\ndef get(url):\n    for attempt in range(3):\n        try:\n"
        "            return s.get(url, timeout=5)\n        except requests.ConnectionError:\n            time.sleep(2 ** attempt)\n",
        # a helper only called from a retry loop
        "import time, requests\n\ns = requests.Session()\n\ndef _get(url):\n    return s.get(url, timeout=5)\n\n"
        "def get(url):\n    for attempt in range(3):\n        try:\n            return _get(url)\n        except requests.ConnectionError:\n"
        "            time.sleep(2 ** attempt)\n",
        # aiohttp-retry wraps the session
        "import aiohttp\nfrom aiohttp_retry import RetryClient, ExponentialRetry\n\nasync def f():\n"
        "    async with aiohttp.ClientSession() as session:\n        client = RetryClient(client_session=session, retry_options=ExponentialRetry(attempts=3))\n"
        "        async with session.get('https://x.org') as r:\n            return await r.text()\n",
        # loopback
        "import requests\nrequests.get('http://localhost:8080/health', timeout=2)\n",
        "import httpx\n\nclient = httpx.Client(base_url='http://127.0.0.1:11434')\nclient.get('/api/tags')\n",
        # injected: judged where it is built
        "import httpx\n\ndef rates(client: httpx.Client):\n    return client.get('https://x.org/rates')\n",
        # a test transport
        "import httpx\n\nclient = httpx.Client(transport=httpx.MockTransport(handler))\nclient.get('https://x.org')\n",
        # a closure handed to a retry helper
        "import requests\n\nclass Loader:\n    def signed_url(self, url):\n        def request():\n"
        "            return requests.get(url, timeout=5)\n        return self._retry_request_sync(request)\n",
        # a connectivity probe: a retry would hide what it exists to find out
        "import aiohttp\n\nasync def verify_connection(url):\n    async with aiohttp.ClientSession() as s:\n"
        "        async with s.get(url) as r:\n            return r.status == 200\n",
        # a health endpoint is a probe
        "import requests\n\ndef is_v1(api):\n    return requests.get(f'{api}/v1/health', timeout=10).ok\n",
        # a Request subclass: the method is unknown (PURGE)
        "from urllib.request import Request, urlopen\n\nclass PurgeRequest(Request):\n    def get_method(self):\n        return 'PURGE'\n\n"
        "def purge(url):\n    urlopen(PurgeRequest(url), timeout=5)\n",
        # http.client is not judged
        "import http.client\nconn = http.client.HTTPSConnection('x.org', timeout=5)\nconn.request('GET', '/')\n",
        # POST through urlopen (data given)
        "from urllib.request import urlopen\nurlopen('https://x.org/hook', data=b'{}', timeout=5)\n",
        # a test file
        Valid("import requests\nrequests.get('https://x.org', timeout=5)\n", path="tests/test_api.py"),
    ]
    invalid = [
        Invalid("import requests\n\nsession = requests.Session()\n\ndef rates():\n    return session.get('https://fx.example.org/rates', timeout=5).json()\n",
                line=3, message="`requests.Session()` is built without a retry policy", count=1),
        Invalid("import httpx\n\nasync def names(ids):\n    async with httpx.AsyncClient() as client:\n"
                "        r = await client.get('https://x.org/names', params={'ids': ids})\n        return r.json()\n",
                line=4, message="`httpx.AsyncClient()`"),
        # once per module, at the first call
        Invalid("import requests as rq\n\ndef a():\n    return rq.get('https://x.org/a', timeout=5)\n\ndef b():\n    return rq.delete('https://x.org/b', timeout=5)\n",
                line=4, message="`rq.get()`", count=1),
        Invalid("from urllib.request import urlopen\n\ndef feed(url):\n    with urlopen(url, timeout=10) as fh:\n        return fh.read()\n",
                line=4, message="`urlopen()`"),
        # followed into the class it is passed to
        Invalid("import requests\n\nclass Api:\n    def __init__(self, session):\n        self.session = session\n\n"
                "    def user(self, uid):\n        return self.session.get(f'https://x.org/u/{uid}', timeout=5)\n\n"
                "def main():\n    api = Api(requests.Session())\n    return api.user(1)\n",
                line=11, message="`requests.Session()`", count=1),
        # followed into the function it is passed to
        Invalid("import aiohttp\n\nasync def fetch(session, url):\n    async with session.get(url) as r:\n        return await r.text()\n\n"
                "async def main(urls):\n    async with aiohttp.ClientSession() as s:\n        return [await fetch(s, u) for u in urls]\n",
                line=8, message="`aiohttp.ClientSession()`"),
        # an adapter without max_retries does not retry
        Invalid("import requests\nfrom requests.adapters import HTTPAdapter\n\ns = requests.Session()\ns.mount('https://', HTTPAdapter(pool_maxsize=50))\n"
                "s.get('https://x.org', timeout=5)\n", line=4),
        Invalid("import urllib3\nhttp = urllib3.PoolManager(timeout=5)\nhttp.request('GET', 'https://x.org')\n", line=2,
                message="urllib3's default"),
    ]

    # ------------------------------------------------------------------ state
    def begin(self) -> None:
        self._clients: dict[int, _Client] = {}
        self._param_uses: dict[tuple[str, str], list[_Use]] = {}
        self._param_keys: dict[int, tuple[str, str]] = {}
        self._funcs: dict[str, _Func] = {}
        self._func_stack: list[str | None] = []
        self._call_sites: dict[str, list[bool]] = {}
        self._module_uses: list[tuple[_Use, str, str]] = []
        #: class name → {attribute: __init__ parameter}
        self._attr_params: dict[str, dict[str, str]] = {}
        #: local classes (HTTPAdapter subclasses) whose code sets up retries
        self._retrying_classes: set[str] = set()
        #: FunctionDef id → its key; functions handed to a ``*retry*`` helper
        self._def_keys: dict[int, str] = {}
        self._retried_callables: set[str] = set()

    # ------------------------------------------------------------------ functions and classes
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if self.context.classes or self.context.functions:
            return
        name = node.name.value
        if any("Adapter" in code_of(base.value) for base in node.bases):
            text = code_of(node)
            if "max_retries" in text or "Retry(" in text:
                self._retrying_classes.add(name)
        body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
        for stmt in body:
            if isinstance(stmt, cst.FunctionDef) and stmt.name.value == "__init__":
                self._scan_init(name, stmt)

    def _scan_init(self, cls: str, init: cst.FunctionDef) -> None:
        params = [p.name.value for p in (*init.params.posonly_params, *init.params.params, *init.params.kwonly_params)]
        if not params:
            return
        self_name, rest = params[0], set(params[1:])
        attrs: dict[str, str] = {}
        block = init.body
        for stmt in block.body if isinstance(block, cst.IndentedBlock) else ():
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                if not isinstance(small, (cst.Assign, cst.AnnAssign)) or small.value is None:
                    continue
                targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
                value = small.value
                if isinstance(value, cst.BooleanOperation):  # ``session or requests.Session()``
                    value = value.left
                if not (isinstance(value, cst.Name) and value.value in rest):
                    continue
                for target in targets:
                    if (isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name)
                            and target.value.value == self_name):
                        attrs[target.attr.value] = value.value
        if attrs:
            self._attr_params[cls] = attrs

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        key = self._function_key(node)
        self._func_stack.append(key)
        if key is None:
            return
        params = node.params
        positional = [p.name.value for p in (*params.posonly_params, *params.params)]
        self._funcs[key] = _Func(positional, [p.name.value for p in params.kwonly_params])
        for p in (*params.posonly_params, *params.params, *params.kwonly_params):
            self._param_keys[id(p)] = (key, p.name.value)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._func_stack.pop()

    def _function_key(self, node: cst.FunctionDef) -> str | None:
        ctx = self.context
        if ctx.functions:
            key = f"<nested {id(node)}>"  # a closure: reached through its binding only
        elif ctx.classes:
            if len(ctx.classes) != 1 or ctx.scopes[-1].kind != "class":
                return None
            key = f"{ctx.classes[-1].node.name.value}.{node.name.value}"
        else:
            key = node.name.value
        self._def_keys[id(node)] = key
        return key

    def _callable_key(self, expr: cst.BaseExpression) -> str | None:
        """The key of a function of this file that ``expr`` names (``helper``, ``self.method``)."""
        ctx = self.context
        if isinstance(expr, cst.Name):
            binding = ctx.lookup(expr.value)
            if binding is None or binding.kind != "def":
                return None
            if isinstance(binding.origin, cst.FunctionDef):
                return self._def_keys.get(id(binding.origin))
            if expr.value in ctx.local_classes:
                return f"{expr.value}.__init__"
            return None
        if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name) and expr.value.value in ("self", "cls"):
            cls = ctx.method_class
            if cls is not None:
                return f"{cls.node.name.value}.{expr.attr.value}"
        return None

    @property
    def _current_key(self) -> str | None:
        return self._func_stack[-1] if self._func_stack else None

    # ------------------------------------------------------------------ calls
    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.context
        qualname = ctx.call_name(node)
        client_kind = http.client_type(qualname)
        if client_kind is not None and client_kind.qualname in kr.RETRY_JUDGED_CLIENTS:
            self._note_client(node, client_kind.qualname)
        func = node.func
        if isinstance(func, cst.Attribute):
            receiver = func.value
            origin = self._origin(receiver)
            if origin is not None and func.attr.value == "mount" and id(origin) in self._clients:
                self._note_mount(self._clients[id(origin)], node)
                return
            verb = self._verb(node, func.attr.value, http.http_call(qualname))
            if verb is not None and func.attr.value != "ws_connect":
                if origin is not None and id(origin) in self._clients:
                    self._clients[id(origin)].uses.append(self._use(node, verb))
                else:
                    param = self._param_of(receiver, origin)
                    if param is not None:
                        self._param_uses.setdefault(param, []).append(self._use(node, verb))
        call = http.http_call(qualname)
        if call is not None and call.module_function and call.library in kr.RETRY_JUDGED_FUNCTION_LIBRARIES:
            verb = self._module_verb(node, call)
            if verb is not None:
                self._module_uses.append((self._use(node, verb), _callee(node), call.library))

    def leave_Call(self, node: cst.Call) -> None:
        # on leaving, so that a client built in the arguments (``Api(requests.Session())``) is known
        self._note_links(node, self.context.call_name(node))

    def _note_client(self, node: cst.Call, kind: str) -> None:
        client = _Client(node, kind, _callee(node))
        client.configured = self._configured_at_construction(node, kind)
        self._clients[id(node)] = client

    def _configured_at_construction(self, node: cst.Call, kind: str) -> bool:
        if has_star_kwargs(node) or any(a.star for a in node.args):
            return True
        base_url = argument(node, None, "base_url")
        if base_url is not None and _is_loopback(base_url):
            return True
        if kind in ("httpx.Client", "httpx.AsyncClient"):
            if keyword(node, "app") is not None or keyword(node, "mounts") is not None:
                return True
            transport = argument(node, None, "transport")
            if transport is None:
                return False
            built = transport if isinstance(transport, cst.Call) else self._origin(transport)
            if not isinstance(built, cst.Call) or self.context.call_name(built) not in kr.HTTPX_TRANSPORTS:
                return True  # a transport we cannot see into (ASGI, mock, custom)
            if keyword(built, "uds") is not None or has_star_kwargs(built):
                return True
            retries = argument(built, None, "retries")
            return retries is not None and not _is_zero(retries)
        if kind in ("urllib3.PoolManager", "urllib3.ProxyManager"):
            return keyword(node, "retries") is not None
        return False

    def _note_mount(self, client: _Client, node: cst.Call) -> None:
        adapter = argument(node, 1, "adapter")
        if adapter is None:
            client.configured = True
            return
        built = adapter if isinstance(adapter, cst.Call) else self._origin(adapter)
        if not isinstance(built, cst.Call):
            client.configured = True  # an adapter from elsewhere: cannot judge
            return
        name = self.context.call_name(built)
        if name in kr.HTTP_ADAPTERS:
            retries = argument(built, None, "max_retries")
            if has_star_kwargs(built) or (retries is not None and not _is_zero(retries)):
                client.configured = True
            return
        if isinstance(built.func, cst.Name) and built.func.value in self.context.local_classes:
            if built.func.value in self._retrying_classes or keyword(built, "max_retries") is not None or has_star_kwargs(built):
                client.configured = True
            return
        client.configured = True  # an adapter class from another module: cannot judge

    def _origin(self, expr: cst.BaseExpression) -> cst.CSTNode | None:
        if isinstance(expr, cst.Call):
            return expr
        binding = self.context.binding(expr)
        if binding is None:
            return None
        origin = binding.origin
        if isinstance(origin, cst.BooleanOperation):
            origin = origin.right
        return origin

    def _param_of(self, receiver: cst.BaseExpression, origin: cst.CSTNode | None) -> tuple[str, str] | None:
        if isinstance(origin, cst.Param):
            return self._param_keys.get(id(origin))
        if (isinstance(receiver, cst.Attribute) and isinstance(receiver.value, cst.Name)
                and receiver.value.value in ("self", "cls")):
            cls = self.context.method_class
            if cls is not None:
                param = self._attr_params.get(cls.node.name.value, {}).get(receiver.attr.value)
                if param is not None:
                    return (f"{cls.node.name.value}.__init__", param)
        return None

    def _verb(self, node: cst.Call, attr: str, call: http.HttpCall | None) -> str | None:
        if call is not None and call.method is not None:
            verb = call.method
            url = argument(node, call.url_index, call.url_keyword)
        elif attr in _VERB_METHODS:
            verb = _VERB_METHODS[attr]
            url = argument(node, 0, "url")
        elif attr in _METHOD_ARG_METHODS:
            method = string_value(argument(node, 0, "method"))
            if method is None:
                return None
            verb = method.upper()
            url = argument(node, 1, "url")
        else:
            return None
        if verb not in kr.IDEMPOTENT_METHODS or (url is not None and _skip_url(url)):
            return None
        return verb

    def _module_verb(self, node: cst.Call, call: http.HttpCall) -> str | None:
        url = argument(node, call.url_index, call.url_keyword)
        if url is not None and _skip_url(url):
            return None
        if call.library == "urllib":
            if argument(node, 1, "data") is not None:
                return None
            request = url if isinstance(url, cst.Call) else (self._origin(url) if url is not None else None)
            if isinstance(request, cst.Call) and self.context.call_name(request) != "urllib.request.Request":
                return None  # a Request subclass or factory: the method is unknown (``PurgeRequest``)
            if isinstance(request, cst.Call):
                method = string_value(argument(request, None, "method"))
                if method is not None:
                    return method.upper() if method.upper() in kr.IDEMPOTENT_METHODS else None
                if argument(request, 1, "data") is not None:
                    return None
                inner = argument(request, 0, "url")
                if inner is not None and _skip_url(inner):
                    return None
            return "GET"
        if call.method is not None:
            verb = call.method
        else:
            method = string_value(argument(node, call.method_index, "method"))
            if method is None:
                return None
            verb = method.upper()
        return verb if verb in kr.IDEMPOTENT_METHODS else None

    def _use(self, node: cst.Call, verb: str) -> _Use:
        excused = self._in_retry() or self._in_probe() or self._failure_handled_here() or self._in_poll_or_route()
        return _Use(node, verb, excused, self._current_key)

    def _failure_handled_here(self) -> bool:
        """Best effort: a ``try`` around the call whose handlers all fall back (return a value,
        log, set an error field) instead of raising: the author chose what a failure means."""
        ctx = self.context
        for anc in reversed(ctx.ancestors[:-1]):
            if isinstance(anc, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
                return False
            if isinstance(anc, cst.Try) and anc.handlers:
                return not any(raises(h.body) for h in anc.handlers)
        return False

    def _in_poll_or_route(self) -> bool:
        """A polling update (the next poll is the retry) or a web request handler (the error
        reaches the user, who retries): a client-side retry would only add latency."""
        ctx = self.context
        for func in ctx.functions:
            if _POLL_RE.search(func.name.value):
                return True
            if any(route_decorator(ctx, dec) is not None for dec in func.decorators):
                return True
        return False

    def _in_probe(self) -> bool:
        return any(_PROBE_RE.search(func.name.value) for func in self.context.functions)

    def _in_retry(self) -> bool:
        ctx = self.context
        for func in ctx.functions:
            for dec in func.decorators:
                target = dec.decorator.func if isinstance(dec.decorator, cst.Call) else dec.decorator
                if _names_retry(expr_text(target)):
                    return True
        for loop in ctx.loops_in_current_function():
            if loop.kind == "comprehension":
                continue
            if retry_loop(loop.node, ctx) is not None:
                return True
            it = loop.iter
            if isinstance(it, cst.Call) and tenacity_target(it.func, ctx) is not None:
                return True
        for anc in ctx.ancestors[:-1]:
            if isinstance(anc, cst.Call) and _names_retry(expr_text(anc.func)):
                return True
        return False

    def _note_links(self, node: cst.Call, qualname: str | None) -> None:
        ctx = self.context
        callee: str | None = None
        offset = 0
        func = node.func
        if qualname in kr.AIOHTTP_RETRY_CLIENTS:
            for arg in node.args:
                origin = self._origin(arg.value)
                if origin is not None and id(origin) in self._clients:
                    self._clients[id(origin)].configured = True
            return
        if _names_retry(expr_text(func)):
            # ``self._retry_request(fetch)``, ``retry_call(fetch)``: the function handed over is retried
            for arg in node.args:
                key = self._callable_key(arg.value)
                if key is not None:
                    self._retried_callables.add(key)
        callee = self._callable_key(func)
        if callee is None:
            return
        if callee.endswith(".__init__") or isinstance(func, cst.Attribute):
            offset = 1
        self._call_sites.setdefault(callee, []).append(self._in_retry())
        position = 0
        for arg in node.args:
            if arg.star:
                break
            origin = self._origin(arg.value)
            if origin is not None and id(origin) in self._clients:
                if arg.keyword is not None:
                    self._clients[id(origin)].links.append((callee, None, arg.keyword.value))
                else:
                    self._clients[id(origin)].links.append((callee, position + offset, None))
            if arg.keyword is None:
                position += 1

    # ------------------------------------------------------------------ decide
    def leave_Module(self, node: cst.Module) -> None:
        for client in self._clients.values():
            if client.configured:
                continue
            uses = [u for u in client.uses if not self._retried(u)]
            for callee, position, kw in client.links:
                func = self._funcs.get(callee)
                if func is None:
                    continue
                if kw is not None:
                    param = kw if kw in func.positional or kw in func.keyword_only else None
                else:
                    param = func.positional[position] if position is not None and position < len(func.positional) else None
                if param is None:
                    continue
                uses.extend(u for u in self._param_uses.get((callee, param), []) if not self._retried(u))
            if not uses:
                continue
            self.report(client.node, self._client_message(client, uses[0]))
        for use, shown, library in self._module_uses:
            if self._retried(use):
                continue
            advice = _MODULE_FUNCTION_ADVICE.get(library, _MODULE_FUNCTION_ADVICE["requests"])
            self.report(use.node, f"`{shown}()` sends a {use.verb} with no retry policy (a module-level function cannot "
                                  f"have one): {advice}, or tenacity around the call (reported once per module)")
            break

    def _retried(self, use: _Use) -> bool:
        if use.in_retry:
            return True
        if use.func_key is None:
            return False
        if use.func_key in self._retried_callables:
            return True
        sites = self._call_sites.get(use.func_key)
        return bool(sites) and all(sites)

    def _client_message(self, client: _Client, first: _Use) -> str:
        where = f"its {first.verb} calls (`{_callee(first.node)}()`) are"
        advice = {
            "requests.Session": "mount `HTTPAdapter(max_retries=Retry(total=3, backoff_factor=0.5))` on it",
            "httpx.Client": "pass `transport=httpx.HTTPTransport(retries=3)` (connect errors) or retry transient errors with tenacity",
            "httpx.AsyncClient": "pass `transport=httpx.AsyncHTTPTransport(retries=3)` (connect errors) or retry transient errors with tenacity",
            "aiohttp.ClientSession": "wrap it in aiohttp-retry's `RetryClient` or retry transient errors with tenacity",
        }.get(client.kind, "pass `retries=Retry(total=3, backoff_factor=0.5)`")
        if client.kind.startswith("urllib3."):
            return (f"`{client.shown}()` relies on urllib3's default retries (3 immediate retries, none for 5xx) and "
                    f"{where} not retried otherwise: {advice}")
        return f"`{client.shown}()` is built without a retry policy and {where} never retried: {advice}"


def _callee(node: cst.Call) -> str:
    text = " ".join(code_of(node.func).split())
    return text if len(text) <= 40 else "…" + text[-39:]


def _names_retry(text: str) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in _RETRY_WORDS)


def _is_zero(expr: cst.BaseExpression) -> bool:
    return is_none(expr) or is_false(expr) or (isinstance(expr, cst.Integer) and int(expr.value, 0) == 0)


_PROBE_PATH_RE = re.compile(r"/(health|healthz|healthcheck|livez|readyz|ping|heartbeat)(?:[/?#]|$)", re.IGNORECASE)


def _skip_url(expr: cst.BaseExpression) -> bool:
    """A loopback URL, or a health/ping endpoint (a probe: a retry would hide what it exists to find out)."""
    if _is_loopback(expr):
        return True
    text = _literal_text(expr)
    return bool(text) and bool(_PROBE_PATH_RE.search(text))


def _literal_text(expr: cst.BaseExpression) -> str:
    """The literal characters of a string, f-string or concatenation (placeholders dropped)."""
    text = string_value(expr)
    if text is not None:
        return text
    if isinstance(expr, cst.FormattedString):
        return "".join(p.value if isinstance(p, cst.FormattedStringText) else "{}" for p in expr.parts)
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
        return _literal_text(expr.left) + _literal_text(expr.right)
    return ""


def _is_loopback(expr: cst.BaseExpression) -> bool:
    text = string_value(expr)
    if text is None and isinstance(expr, cst.FormattedString):
        parts = []
        for part in expr.parts:
            if isinstance(part, cst.FormattedStringText):
                parts.append(part.value)
            else:
                break
        text = "".join(parts)
    if text is None and isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
        return _is_loopback(expr.left)
    return bool(text) and bool(_LOOPBACK_RE.match(text))
