from __future__ import annotations

import libcst as cst

from reviewlint.analysis.calls import argument, callee_text, code_of, has_star_kwargs, is_none, keyword
from reviewlint.knowledge import http
from reviewlint.rule import Fix, Invalid, Option, Rule, Severity, Valid, Viewpoint


class HttpCallWithoutTimeout(Rule):
    """An HTTP call that can wait forever.

    ## What it does
    Flags HTTP requests that have no timeout: `requests` functions and `Session` methods
    without `timeout=` (requests has no default) or with `timeout=None`; httpx calls and
    clients with `timeout=None` (httpx's 5-second default is fine); `aiohttp.ClientTimeout()`
    that sets no bound; urllib3 requests without `timeout=` on a pool built without one;
    `urllib.request.urlopen` without `timeout`; `http.client.HTTPConnection` without
    `timeout`. A `**kwargs` pass-through is not flagged: the timeout may be in there.

    ## Why it matters
    A server that accepts the connection and never answers holds the calling thread (or
    worker, or request) forever. A handful of such calls exhaust a worker pool and the whole
    service stops answering: the reviewer's "what if it never answers?".

    ## Example
    ```python
    import requests

    def fetch_user(user_id):
        return requests.get(f"https://api.example.org/users/{user_id}")
    ```

    ## Use instead
    ```python
    import requests

    def fetch_user(user_id):
        return requests.get(f"https://api.example.org/users/{user_id}", timeout=(3.05, 10))
    ```
    The fix (opt-in, unsafe) adds `timeout=<default-timeout>`.
    """

    code = "REL001"
    name = "http-call-without-timeout"
    viewpoint = Viewpoint.RELIABILITY
    severity = Severity.ERROR
    lower_roles = frozenset({"test"})
    peer_codes = frozenset({"S113", "B113", "W3101", "missing-timeout"})
    message = "HTTP call without a timeout: if the server never answers, it waits forever"
    fixable = True
    options = {
        "default-timeout": Option(float, 10.0, "seconds the fix writes as `timeout=`"),
    }

    valid = [
        "import requests\nrequests.get('https://api.example.org/items', timeout=5)\n",
        # httpx has a 5 s default: only an explicit None is a problem
        "import httpx\nhttpx.get('https://api.example.org/items')\n",
        "import httpx\n\nasync def f(url):\n    async with httpx.AsyncClient() as client:\n        return await client.get(url)\n",
        # a pass-through may carry the timeout
        "import requests\n\ndef get(url, **kwargs):\n    return requests.get(url, **kwargs)\n",
        # urllib3 pool-level timeout covers its requests
        "import urllib3\nhttp = urllib3.PoolManager(timeout=urllib3.Timeout(connect=2, read=5))\nhttp.request('GET', 'https://x.org')\n",
        "from urllib.request import urlopen\nurlopen('https://x.org', timeout=10)\n",
        "from urllib.request import urlopen\nurlopen('https://x.org', None, 10)\n",
        "import http.client\nconn = http.client.HTTPSConnection('x.org', timeout=10)\nconn.request('GET', '/')\n",
        "import aiohttp\nt = aiohttp.ClientTimeout(total=30)\nt2 = aiohttp.ClientTimeout(total=None, sock_read=10)\n",
        # aiohttp sessions have a 5-minute default; per-call timeouts are judged via ClientTimeout
        "import aiohttp\n\nasync def f(url):\n    async with aiohttp.ClientSession() as s:\n        async with s.get(url) as r:\n            return await r.text()\n",
        # unknown objects are not guessed at
        "def f(session, url):\n    return session.get(url)\n",
        # a dict's get is not an HTTP call
        "import requests\nd = {}\nd.get('x')\n",
        "import requests\ns = requests.Session()\ns.get('https://x.org', timeout=TIMEOUT)\n",
    ]
    invalid = [
        Invalid("import requests\nrequests.get('https://api.example.org/items')\n", line=2, message="`requests.get()` has no timeout"),
        Invalid("import requests as rq\nrq.post('https://x.org', json={})\n", line=2, message="`rq.post()` has no timeout"),
        Invalid("from requests import request\nrequest('GET', 'https://x.org')\n", line=2),
        Invalid("import requests\nrequests.get('https://x.org', timeout=None)\n", line=2, message="timeout=None"),
        Invalid("import requests\ns = requests.Session()\ns.get('https://x.org')\n", line=3),
        Invalid("import requests\n\nwith requests.Session() as s:\n    s.put('https://x.org/1', data=b'')\n", line=4),
        Invalid(
            "import requests\n\nclass Api:\n    def __init__(self):\n        self.session = requests.Session()\n\n"
            "    def user(self, uid):\n        return self.session.get(f'https://x.org/u/{uid}')\n",
            line=8,
        ),
        Invalid("import requests\n\ndef f(s: requests.Session):\n    return s.delete('https://x.org/1')\n", line=4),
        Invalid("import httpx\nhttpx.get('https://x.org', timeout=None)\n", line=2, message="timeout=None"),
        Invalid("from httpx import AsyncClient as AC\nclient = AC(timeout=None)\n", line=2, message="timeout=None"),
        Invalid("import aiohttp\nt = aiohttp.ClientTimeout()\n", line=2, message="ClientTimeout"),
        Invalid("import aiohttp\nt = aiohttp.ClientTimeout(total=None)\n", line=2),
        Invalid("import urllib3\nhttp = urllib3.PoolManager()\nhttp.request('GET', 'https://x.org')\n", line=3),
        Invalid("import urllib3\nurllib3.request('GET', 'https://x.org')\n", line=2),
        Invalid("import urllib.request\nurllib.request.urlopen('https://x.org')\n", line=2),
        Invalid("from http.client import HTTPConnection\nconn = HTTPConnection('x.org')\n", line=2, message="HTTPConnection"),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.context
        qualname = ctx.call_name(node)
        if qualname is None:
            return
        call = http.http_call(qualname)
        if call is not None:
            self._check_request(node, call)
            return
        canonical = http.TYPE_ALIASES.get(qualname, qualname)
        if canonical in ("httpx.Client", "httpx.AsyncClient"):
            timeout = keyword_value(node, "timeout")
            if is_none(timeout):
                self.report(node, f"`{callee_text(node)}(timeout=None)` disables httpx's default timeout: "
                                  "every request of this client can wait forever")
        elif canonical in ("aiohttp.ClientTimeout", "aiohttp.client.ClientTimeout"):
            self._check_client_timeout(node)
        elif canonical in ("http.client.HTTPConnection", "http.client.HTTPSConnection"):
            if has_star_kwargs(node):
                return
            timeout = argument(node, 2, "timeout")
            if timeout is None or is_none(timeout):
                self.report(node, f"`{callee_text(node)}()` without a timeout: its requests wait forever "
                                  "for a server that never answers", fix=self._fix(node))

    def _check_request(self, node: cst.Call, call: http.HttpCall) -> None:
        if has_star_kwargs(node):
            return
        timeout = argument(node, call.timeout_index, "timeout")
        name = callee_text(node)
        if timeout is not None and is_none(timeout) and call.timeout != http.TIMEOUT_FROM_SESSION:
            self.report(node, f"`{name}()` passes timeout=None, which disables the timeout: "
                              "if the server never answers, this call waits forever")
            return
        if timeout is not None:
            return
        if call.timeout == http.TIMEOUT_REQUIRED:
            self.report(node, f"`{name}()` has no timeout: if the server never answers, this call waits forever; "
                              "pass timeout=(connect, read)", fix=self._fix(node))
        elif call.timeout == http.TIMEOUT_FROM_POOL:
            origin = self._pool_origin(node)
            if isinstance(origin, cst.Call) and not _has_timeout(origin):
                self.report(node, f"`{name}()` has no timeout and its pool was built without one: "
                                  "if the server never answers, this call waits forever", fix=self._fix(node))

    def _pool_origin(self, node: cst.Call) -> cst.CSTNode | None:
        func = node.func
        if not isinstance(func, cst.Attribute):
            return None
        if isinstance(func.value, cst.Call):
            return func.value
        binding = self.context.binding(func.value)
        return binding.origin if binding is not None else None

    def _check_client_timeout(self, node: cst.Call) -> None:
        if has_star_kwargs(node) or any(a.star for a in node.args):
            return
        values = [a.value for a in node.args]
        if not node.args:
            self.report(node, "`aiohttp.ClientTimeout()` sets no bound at all: requests using it can wait forever")
        elif all(is_none(v) for v in values):
            self.report(node, "`aiohttp.ClientTimeout()` with every field None disables the timeout: "
                              "requests using it can wait forever")

    def _fix(self, node: cst.Call) -> Fix | None:
        value = self.config["default-timeout"]
        literal = repr(int(value)) if float(value).is_integer() else repr(value)
        new_arg = cst.Arg(keyword=cst.Name("timeout"), value=cst.parse_expression(literal),
                          equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")))
        args = list(node.args)
        if args:
            last = args[-1]
            if last.comma is cst.MaybeSentinel.DEFAULT or isinstance(last.comma, cst.MaybeSentinel):
                args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        args.append(new_arg)
        return Fix(code_of(node.with_changes(args=args)), f"add timeout={literal}", safe=False)


def keyword_value(node: cst.Call, name: str) -> cst.BaseExpression | None:
    arg = keyword(node, name)
    return arg.value if arg is not None else None


def _has_timeout(call: cst.Call) -> bool:
    timeout = keyword_value(call, "timeout")
    return has_star_kwargs(call) or (timeout is not None and not is_none(timeout))
