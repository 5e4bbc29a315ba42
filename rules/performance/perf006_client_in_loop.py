from __future__ import annotations

import libcst as cst

from reviewlint.analysis.calls import callee_text
from reviewlint.analysis.loops import retry_loop
from reviewlint.analysis.per_item import loop_kind_text
from reviewlint.knowledge import http
from reviewlint.rule import Invalid, Rule, Severity, Viewpoint


class ClientInLoop(Rule):
    """A new HTTP client or session built on every pass of a loop.

    ## What it does
    Flags the construction of an HTTP client, session or pool (`requests.Session()`,
    `httpx.Client()`, `httpx.AsyncClient()`, `aiohttp.ClientSession()`,
    `urllib3.PoolManager()`) inside the body of a `for`/`async for` loop or a comprehension.

    Not flagged: `while` loops (reconnect and polling loops build a fresh client on
    purpose, once per reconnect or poll), retry loops, and clients whose constructor
    arguments depend on the loop variable (one client per tenant/base URL/credential is a
    configuration, not a waste). This rule, not TEST001, reports a client built in a loop.

    ## Why it matters
    A client owns a connection pool. A new one per item opens a new TCP (and TLS) connection
    per item, throws it away, and can exhaust sockets or file descriptors under load:
    keep-alive, HTTP/2 and the pool only help when the client is reused.

    ## Example
    ```python
    for url in urls:
        with httpx.Client() as client:
            pages.append(client.get(url).text)
    ```

    ## Use instead
    ```python
    with httpx.Client() as client:
        for url in urls:
            pages.append(client.get(url).text)
    ```
    """

    code = "PERF006"
    name = "client-in-loop"
    opt_in = True  # judged precision on real code below 0.8: docs/precision.md
    viewpoint = Viewpoint.PERFORMANCE
    severity = Severity.WARNING
    skip_roles = frozenset({"generated", "migration", "test"})
    lower_roles = frozenset({"script"})
    message = "HTTP client created inside a loop: create it once and reuse its connection pool"

    valid = [
        "import httpx\n\ndef f(urls):\n    with httpx.Client() as client:\n        return [client.get(u).text for u in urls]\n",
        # the iterable is evaluated once
        "import requests\n\ndef f():\n    for x in make(requests.Session()):\n        print(x)\n",
        # reconnect loop
        "import aiohttp, asyncio\n\nasync def listen(url):\n    while True:\n"
        "        async with aiohttp.ClientSession() as session:\n            async with session.ws_connect(url) as ws:\n"
        "                async for msg in ws:\n                    print(msg)\n        await asyncio.sleep(5)\n",
        # retry loop
        "import requests\n\ndef f(url):\n    for attempt in range(3):\n        try:\n"
        "            with requests.Session() as s:\n                return s.get(url, timeout=5)\n"
        "        except requests.ConnectionError:\n            continue\n",
        # one client per tenant: its configuration depends on the item
        "import httpx\n\ndef f(tenants):\n    for t in tenants:\n"
        "        with httpx.Client(base_url=t.url, auth=(t.user, t.key)) as c:\n            c.post('/sync', timeout=5)\n",
        # a factory function in a loop is not judged (what it returns is unknown)
        "def f(items):\n    for i in items:\n        s = make_session()\n        s.get(i)\n",
        # a request made in a loop on a reused session is PERF001's business
        "import requests\ns = requests.Session()\nfor u in urls:\n    s.get(u, timeout=5)\n",
    ]
    invalid = [
        Invalid(
            "import httpx\n\ndef f(urls):\n    out = []\n    for url in urls:\n        with httpx.Client() as client:\n"
            "            out.append(client.get(url).text)\n    return out\n",
            line=6, message="`httpx.Client()` is created once per `url`", count=1,
        ),
        Invalid(
            "import requests as rq\n\ndef f(ids):\n    for i in ids:\n        s = rq.Session()\n"
            "        s.get(f'https://x.org/{i}', timeout=5)\n",
            line=5, message="`rq.Session()`",
        ),
        Invalid(
            "from aiohttp import ClientSession\n\nasync def f(urls):\n    for u in urls:\n"
            "        async with ClientSession() as session:\n            async with session.get(u) as r:\n"
            "                print(await r.text())\n",
            line=5,
        ),
        Invalid(
            "import urllib3\n\ndef f(hosts):\n    return [urllib3.PoolManager().request('GET', h) for h in hosts]\n",
            line=4, message="comprehension",
        ),
        Invalid(
            "import requests\n\ndef f(ids):\n    for i in ids:\n        requests.session().post('https://x.org', json=i, timeout=5)\n",
            line=5,
        ),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.context
        loops = ctx.loops_in_current_function()
        if not loops:
            return
        qualname = ctx.call_name(node)
        if qualname is None or http.client_type(qualname) is None or qualname in http.HTTP_CALLS:
            return
        if any(loop.kind == "while" or (loop.kind == "for" and retry_loop(loop.node, ctx) is not None) for loop in loops):
            return
        if node.args and ctx.depends_on_loop(cst.Tuple([cst.Element(a.value) for a in node.args]), loops):
            return
        loop = loops[-1]
        variables = sorted(loop.targets)
        per = f" once per `{variables[0]}`" if variables else " on every pass"
        self.report(
            node,
            f"`{callee_text(node)}()` is created{per} in this {loop_kind_text(loop)}: "
            "create the client once, outside the loop, and reuse its connection pool",
        )
