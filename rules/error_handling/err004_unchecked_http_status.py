from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from reviewlint.analysis.calls import callee_text, code_of
from reviewlint.analysis.responses import STATUS_ATTRS, body_access, origin_checks_status
from reviewlint.rule import Invalid, Rule, Severity, Valid, Viewpoint

#: calls that look at a response without judging it
_NEUTRAL_CALLS = frozenset({"builtins.print", "builtins.len", "builtins.isinstance", "builtins.repr", "builtins.str",
                            "builtins.id", "builtins.type"})


@dataclass
class _Frame:
    #: response name → the first body access (node to report, text for the message)
    pending: dict[str, tuple[cst.CSTNode, str]] = field(default_factory=dict)
    checked: set[str] = field(default_factory=set)
    #: names handed on (returned, passed to a helper, stored): someone else may check them
    escaped: set[str] = field(default_factory=set)


class UncheckedHttpStatus(Rule):
    """An HTTP response body used without looking at the status.

    ## What it does
    Flags `.json()`, `.text`, `.content`, `.read()` (and urllib3's `.data`) on a response
    from requests, httpx, aiohttp, urllib3 or http.client when nothing in the function checks
    its status: `raise_for_status()`, `.status_code`, `.status`, `.ok`, `.is_success` /
    `.is_error`, or a truth test of a requests response. The check may come before or after
    the body access. Responses are followed through `r = client.get(...)`,
    `resp = await client.get(...)` and `async with session.get(...) as resp`.

    Not flagged: a response returned to the caller or handed to another function (which may
    check it); a response received as a parameter (the caller made the request); clients created with `raise_for_status=True` (aiohttp) or an httpx response
    event hook; requests made with `raise_for_status=True`; `urllib.request.urlopen`, which
    raises `HTTPError` on 4xx/5xx itself. Reported at the body access, once per response.

    ## Why it matters
    The reviewer's "what if it answers 500?": the error page (HTML, or an error JSON) is
    parsed as if it were the data, and the failure surfaces far away as a `KeyError` or a
    `JSONDecodeError`, or is silently stored.

    ## Example
    ```python
    def exchange_rate(currency):
        resp = httpx.get(f"https://rates.example.org/{currency}")
        return resp.json()["rate"]
    ```

    ## Use instead
    ```python
    def exchange_rate(currency):
        resp = httpx.get(f"https://rates.example.org/{currency}")
        resp.raise_for_status()
        return resp.json()["rate"]
    ```
    """

    code = "ERR004"
    name = "unchecked-http-status"
    opt_in = True  # judged precision on real code below 0.8: docs/precision.md
    viewpoint = Viewpoint.ERROR_HANDLING
    severity = Severity.WARNING
    skip_roles = frozenset({"generated", "migration"})
    lower_roles = frozenset({"script", "test"})
    message = "response body used without checking the HTTP status"

    valid = [
        "import requests\n\ndef f(url):\n    r = requests.get(url, timeout=5)\n    r.raise_for_status()\n    return r.json()\n",
        # the check may come after the body access
        "import requests\n\ndef f(url):\n    r = requests.get(url, timeout=5)\n    data = r.json()\n"
        "    if r.status_code != 200:\n        raise ApiError(data)\n    return data\n",
        "import httpx\n\nasync def f(client: httpx.AsyncClient, url):\n    resp = await client.get(url)\n"
        "    if resp.is_error:\n        return None\n    return resp.json()\n",
        "import aiohttp\n\nasync def f(url):\n    async with aiohttp.ClientSession() as session:\n"
        "        async with session.get(url) as resp:\n            if resp.status == 404:\n                return None\n"
        "            return await resp.json()\n",
        "import requests\n\ndef f(url):\n    r = requests.get(url, timeout=5)\n    if not r.ok:\n        return None\n    return r.text\n",
        "import requests\n\ndef f(url):\n    r = requests.get(url, timeout=5)\n    if r:\n        return r.json()\n",
        # returned to the caller: the caller checks it
        "import requests\n\ndef fetch(url):\n    r = requests.get(url, timeout=5)\n    print(r.text)\n    return r\n",
        # handed to a helper that checks it
        "import requests\n\ndef f(url):\n    r = requests.get(url, timeout=5)\n    check(r)\n    return r.json()\n",
        # the client raises on 4xx/5xx
        "import aiohttp\n\nasync def f(url):\n    async with aiohttp.ClientSession(raise_for_status=True) as s:\n"
        "        async with s.get(url) as resp:\n            return await resp.json()\n",
        "import aiohttp\n\nasync def f(s: aiohttp.ClientSession, url):\n    async with s.get(url, raise_for_status=True) as resp:\n"
        "        return await resp.json()\n",
        "import httpx\n\ndef raise_on_4xx_5xx(response):\n    response.raise_for_status()\n\n"
        "client = httpx.Client(event_hooks={'response': [raise_on_4xx_5xx]})\n\ndef f(url):\n"
        "    return client.get(url).json()\n",
        # urlopen raises HTTPError for 4xx/5xx
        "from urllib.request import urlopen\n\ndef f(url):\n    with urlopen(url, timeout=5) as fh:\n        return fh.read()\n",
        # a response handed in as a parameter: the caller owns the check
        "import requests\n\ndef decode(r: requests.Response) -> str:\n    return r.content.decode('utf-8')\n",
        # not a tracked response
        "def f(resp):\n    return resp.json()\n",
        "import json\n\ndef f(path):\n    with open(path) as fh:\n        return json.loads(fh.read())\n",
    ]
    invalid = [
        Invalid("import httpx\n\ndef rate(currency):\n    resp = httpx.get(f'https://rates.example.org/{currency}')\n"
                "    return resp.json()['rate']\n", line=5, message="`resp.json()`", count=1),
        Invalid("import requests\n\ndef f(url):\n    return requests.get(url, timeout=5).json()\n", line=4,
                message="`requests.get(...).json()`"),
        Invalid("import httpx\n\nasync def f(client: httpx.AsyncClient, url):\n    resp = await client.get(url)\n"
                "    data = resp.json()\n    return data['items']\n", line=5),
        Invalid("import aiohttp\n\nasync def f(url):\n    async with aiohttp.ClientSession() as session:\n"
                "        async with session.get(url) as resp:\n            return await resp.text()\n", line=6,
                message="`resp.text()`"),
        Invalid("import requests\n\ndef save(url, path):\n    r = requests.get(url, timeout=5)\n    with open(path, 'wb') as fh:\n"
                "        fh.write(r.content)\n    with open(path + '.txt', 'w') as fh:\n        fh.write(r.text)\n",
                line=6, message="`r.content`", count=1),
        Invalid("import urllib3\nhttp = urllib3.PoolManager(timeout=5)\n\ndef f(url):\n    r = http.request('GET', url)\n"
                "    return r.data\n", line=6),
        # a different response's check does not count
        "import requests\n\ndef f(a, b):\n    r1 = requests.get(a, timeout=5)\n    r1.raise_for_status()\n"
        "    r2 = requests.get(b, timeout=5)\n    return r1.json(), r2.json()\n",
    ]

    def begin(self) -> None:
        self._frames: list[_Frame] = [_Frame()]

    # -- scopes -------------------------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._frames.append(_Frame())

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._finish(self._frames.pop())

    def leave_Module(self, node: cst.Module) -> None:
        self._finish(self._frames.pop())
        self._frames = [_Frame()]

    def _finish(self, frame: _Frame) -> None:
        for name, (node, text) in frame.pending.items():
            if name in frame.checked or name in frame.escaped:
                continue
            self._report(node, text)

    def _report(self, node: cst.CSTNode, text: str) -> None:
        self.report(node, f"`{text}` uses the response body without checking the HTTP status: a 4xx/5xx "
                          "error page is read as data; call raise_for_status() or check the status first")

    # -- events -------------------------------------------------------------------------
    def visit_Attribute(self, node: cst.Attribute) -> None:
        frame = self._frames[-1]
        attr = node.attr.value
        if attr in STATUS_ATTRS and isinstance(node.value, cst.Name):
            frame.checked.add(node.value.value)
            return
        receiver = body_access(self.context, node)
        if receiver is None:
            return
        parent = self.context.parent
        target: cst.CSTNode = parent if isinstance(parent, cst.Call) and parent.func is node else node
        text = _describe(receiver, node, target)
        if isinstance(receiver, cst.Name):
            binding = self.context.binding(receiver)
            if binding is not None and binding.injected:
                return  # a response handed in: the caller made the request and owns the check
            if receiver.value not in frame.pending and not origin_checks_status(self.context, receiver):
                frame.pending[receiver.value] = (target, text)
        elif not origin_checks_status(self.context, receiver):
            self._report(target, text)

    def visit_Return(self, node: cst.Return) -> None:
        self._escape(node.value)

    def visit_Yield(self, node: cst.Yield) -> None:
        if isinstance(node.value, cst.BaseExpression):
            self._escape(node.value)

    def visit_Assign(self, node: cst.Assign) -> None:
        # stored on an object or aliased: followed no further
        if isinstance(node.value, cst.Name) or any(not isinstance(t.target, cst.Name) for t in node.targets):
            self._escape(node.value)

    def visit_Call(self, node: cst.Call) -> None:
        if not any(isinstance(a.value, cst.Name) for a in node.args):
            return
        if self.context.call_name(node) in _NEUTRAL_CALLS:
            return
        for arg in node.args:
            if isinstance(arg.value, cst.Name):
                self._frames[-1].escaped.add(arg.value.value)

    def visit_If(self, node: cst.If) -> None:
        self._truth_test(node.test)

    def visit_While(self, node: cst.While) -> None:
        self._truth_test(node.test)

    def visit_Assert(self, node: cst.Assert) -> None:
        self._truth_test(node.test)

    def visit_IfExp(self, node: cst.IfExp) -> None:
        self._truth_test(node.test)

    def _truth_test(self, test: cst.BaseExpression) -> None:
        # ``if resp:`` / ``if not resp:``: a requests response is truthy when ok
        while isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            test = test.expression
        if isinstance(test, cst.BooleanOperation):
            self._truth_test(test.left)
            self._truth_test(test.right)
        elif isinstance(test, cst.Name):
            self._frames[-1].checked.add(test.value)

    def _escape(self, value: cst.BaseExpression | None) -> None:
        if value is None:
            return
        frame = self._frames[-1]
        if isinstance(value, cst.Name):
            frame.escaped.add(value.value)
        elif isinstance(value, (cst.Tuple, cst.List)):
            for element in value.elements:
                if isinstance(element.value, cst.Name):
                    frame.escaped.add(element.value.value)


def _describe(receiver: cst.BaseExpression, attr: cst.Attribute, target: cst.CSTNode) -> str:
    """``resp.json()`` / ``requests.get(...).json()`` for messages."""
    inner = receiver.expression if isinstance(receiver, cst.Await) else receiver
    if isinstance(inner, cst.Call):
        base = f"{callee_text(inner)}(...)"
        base = f"(await {base})" if isinstance(receiver, cst.Await) else base
    else:
        base = _short(receiver)
    return f"{base}.{attr.attr.value}" + ("()" if target is not attr else "")


def _short(node: cst.CSTNode) -> str:
    text = " ".join(code_of(node).split())
    return text if len(text) <= 40 else text[:39] + "…"
