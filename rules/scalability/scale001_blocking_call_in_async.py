from __future__ import annotations

import libcst as cst

from reviewlint.analysis.calls import callee_text
from reviewlint.knowledge import http
from reviewlint.rule import Invalid, Rule, Severity, Viewpoint

_SLEEP = frozenset({"time.sleep"})


class BlockingCallInAsync(Rule):
    """A blocking HTTP call or `time.sleep` inside `async def`.

    ## What it does
    Flags, in the body of an `async def`, a blocking HTTP request (`requests` functions and
    `Session` methods, `urllib.request.urlopen`, `urllib3` pools, `http.client`
    connections, a sync `httpx.Client` or `httpx.get`) and `time.sleep(...)`.

    Not flagged: code in a nested plain `def` or a `lambda` inside the coroutine (it may be
    run in a thread: `await asyncio.to_thread(fetch)`, `run_in_executor(None, lambda: ...)`),
    functions passed uncalled to `asyncio.to_thread`/`run_in_executor`, and async clients.

    ## Why it matters
    An event loop runs one thing at a time. A blocking call inside a coroutine freezes every
    other request the process is serving until it returns: one slow upstream and the whole
    service stalls. The reviewer's "does async code block?".

    ## Example
    ```python
    async def forecast(city):
        time.sleep(1)
        return requests.get(f"https://api.example.org/{city}", timeout=5).json()
    ```

    ## Use instead
    ```python
    async def forecast(client: httpx.AsyncClient, city):
        await asyncio.sleep(1)
        return (await client.get(f"/{city}")).json()
    ```
    """

    code = "SCALE001"
    name = "blocking-call-in-async"
    opt_in = True  # judged precision on real code below 0.8: docs/precision.md
    viewpoint = Viewpoint.SCALABILITY
    severity = Severity.ERROR
    skip_roles = frozenset({"generated", "migration"})
    lower_roles = frozenset({"test"})
    peer_codes = frozenset({"ASYNC210", "ASYNC220", "ASYNC221", "ASYNC222", "ASYNC230", "ASYNC251"})
    message = "blocking call inside `async def`: it stalls the event loop"

    valid = [
        "import httpx\n\nasync def f(url):\n    async with httpx.AsyncClient() as c:\n        return await c.get(url)\n",
        "import asyncio\n\nasync def f():\n    await asyncio.sleep(1)\n",
        # in a thread
        "import asyncio, requests\n\nasync def f(url):\n    return await asyncio.to_thread(requests.get, url, timeout=5)\n",
        "import asyncio, requests\n\nasync def f(url):\n    loop = asyncio.get_running_loop()\n"
        "    return await loop.run_in_executor(None, lambda: requests.get(url, timeout=5))\n",
        # a nested plain def (run in a thread or in sync code)
        "import asyncio, time, requests\n\nasync def f(url):\n    def work():\n        time.sleep(1)\n"
        "        return requests.get(url, timeout=5)\n    return await asyncio.to_thread(work)\n",
        # sync code is fine
        "import time, requests\n\ndef f(url):\n    time.sleep(1)\n    return requests.get(url, timeout=5)\n",
        # aiohttp is async
        "import aiohttp\n\nasync def f(s: aiohttp.ClientSession, url):\n    async with s.get(url) as r:\n        return await r.text()\n",
        # unknown objects are not guessed at
        "async def f(client, url):\n    return client.get(url)\n",
    ]
    invalid = [
        Invalid(
            "import requests\n\nasync def f(url):\n    return requests.get(url, timeout=5).json()\n",
            line=4, message="`requests.get()` blocks the event loop", count=1,
        ),
        Invalid("import time\n\nasync def poll():\n    time.sleep(2)\n", line=4, message="`await asyncio.sleep(...)`"),
        Invalid("from time import sleep as nap\n\nasync def poll():\n    nap(2)\n", line=4, message="`nap()`"),
        Invalid(
            "import httpx\n\nclass Api:\n    def __init__(self):\n        self.client = httpx.Client()\n\n"
            "    async def user(self, uid):\n        return self.client.get(f'/users/{uid}')\n",
            line=8, message="httpx.AsyncClient",
        ),
        Invalid(
            "from urllib.request import urlopen\n\nasync def f(url):\n    with urlopen(url, timeout=5) as r:\n        return r.read()\n",
            line=4,
        ),
        Invalid(
            "import urllib3\nhttp = urllib3.PoolManager(timeout=3)\n\nasync def f(url):\n    return http.request('GET', url)\n",
            line=5,
        ),
        Invalid(
            "import requests\n\nasync def f(urls):\n    s = requests.Session()\n"
            "    return [s.post(u, timeout=5) for u in urls]\n",
            line=5, message="`s.post()`",
        ),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.context
        if not ctx.in_async or self._in_lambda():
            return
        qualname = ctx.call_name(node)
        if qualname in _SLEEP:
            self.report(
                node,
                f"`{callee_text(node)}()` blocks the event loop inside `async def {ctx.function.name.value}`: "  # type: ignore[union-attr]
                "use `await asyncio.sleep(...)`",
            )
            return
        call = http.http_call(qualname)
        if call is None or call.is_async:
            return
        alternative = http.ASYNC_ALTERNATIVE.get(call.library, "an async HTTP client")
        self.report(
            node,
            f"`{callee_text(node)}()` blocks the event loop inside `async def {ctx.function.name.value}`: "  # type: ignore[union-attr]
            f"use {alternative} (or `await asyncio.to_thread(...)`)",
        )

    def _in_lambda(self) -> bool:
        func = self.context.function
        for node in reversed(self.context.ancestors):
            if node is func:
                return False
            if isinstance(node, cst.Lambda):
                return True
        return False
