from __future__ import annotations

import libcst as cst

from reviewlint.analysis.calls import callee_text
from reviewlint.analysis.per_item import (
    ONE_CALL_AWAY_NOTE,
    ONE_CALL_AWAY_SEVERITY,
    OneCallAway,
    PerItemCandidates,
    assigned_names,
    dependent_loops,
    loop_kind_text,
    stops_at_first_success,
)
from reviewlint.engine.context import Loop
from reviewlint.knowledge import http
from reviewlint.rule import Invalid, Rule, Severity, Valid, Viewpoint


class NPlusOneHttp(Rule):
    """An HTTP call per item of a loop (N+1 requests).

    ## What it does
    Flags an HTTP call inside the body of a loop (`for`, `async for`, `while`, a
    comprehension or generator expression) whose arguments depend on the loop variable,
    including a call one step away: a helper function of the same module that makes the
    request, called per item (reported at the call in the loop, naming the helper).

    Not flagged: pagination loops that follow a cursor or next link, retry loops (the loop
    exists to retry one call), fallback chains that stop at the first item that answers
    (`break`/`return` in the loop, also through a helper), `while` loops counted by attempts
    (`while not success and retries < 3`), queue consumers (`records = queue.get()`, `next(it)`:
    each message is one unit of work), calls only on the error path or under `if key not in
    cache:`, loops over a literal or a module constant of five items or fewer, and un-awaited
    async calls collected for `asyncio.gather` (SCALE002 judges those).

    ## Why it matters
    One request per item turns a page of 50 orders into 51 round trips; latency grows with
    the data and a slow dependency multiplies it. The reviewer's "is this an N+1 loop of API
    calls?".

    ## Example
    ```python
    for user_id in user_ids:
        profile = client.get(f"/users/{user_id}").json()
    ```

    ## Use instead
    ```python
    profiles = client.get("/users", params={"ids": ",".join(user_ids)}).json()
    # or, with an async client, bounded concurrency:
    async with asyncio.TaskGroup() as tg: ...  # with a Semaphore
    ```
    """

    code = "PERF001"
    name = "n-plus-one-http"
    opt_in = True  # judged precision on real code below 0.8: docs/precision.md
    viewpoint = Viewpoint.PERFORMANCE
    severity = Severity.WARNING
    skip_roles = frozenset({"generated", "migration", "script", "test"})
    message = "HTTP call inside a loop, once per item (N+1)"

    valid = [
        # a queue consumer: each message is one unit of work (often a batch already)
        "import requests\n\nclass Uploader:\n    def _process(self, records):\n"
        "        requests.post('https://ingest.example.com/v1', json={'records': records}, timeout=1)\n\n"
        "    def _consumer(self):\n        while not self._stopped:\n            records = self._queue.get()\n"
        "            self._process(records)\n",
        # a while loop that retries one upload until it works
        "import requests\n\ndef upload(path):\n    retry_num, success = 0, False\n"
        "    while not success and retry_num <= 3:\n        data = open(path, 'rb').read()\n"
        "        r = requests.post('https://t.example.com', data=data, timeout=5)\n"
        "        if r.status_code == 200:\n            success = True\n        retry_num += 1\n",
        # a failover chain through a helper: it stops at the first mirror that answers
        "import requests\n\nclass M:\n    def _get(self, url):\n        return requests.get(url, timeout=5)\n\n"
        "    def fetch(self, bases, path):\n        for base in bases:\n            r = self._get(f'{base}/{path}')\n"
        "            if r.ok:\n                return r.content\n",
        # a chain: each call is fed the previous call's result, so the calls cannot be batched
        "import requests\n\ndef run_filters(filters, payload):\n    for f in filters:\n"
        "        body = {'user': 1, 'body': payload}\n"
        "        resp = requests.post(f'https://pipes.x.org/{f}/inlet', json=body, timeout=5)\n"
        "        payload = resp.json()\n    return payload\n",
        # batches: the loop steps through the collection in slices
        "import requests\n\ndef load(urls):\n    for i in range(0, len(urls), 20):\n        part = urls[i : i + 20]\n"
        "        requests.post('https://x.org/scrape', json={'urls': part}, timeout=5)\n",
        # a while loop paging with a cursor taken from each response
        "import requests\n\ndef models(url):\n    after = None\n    while True:\n        params = {'limit': 100}\n"
        "        if after:\n            params['after_id'] = after\n        resp = requests.get(url, params=params, timeout=5)\n"
        "        data = resp.json()\n        after = data.get('last_id')\n        if not data.get('has_more'):\n            break\n",
        # a fallback chain stops at the first URL that answers: not one call per item
        "import requests\n\ndef discover(urls):\n    for url in urls:\n        resp = requests.get(url, timeout=5)\n"
        "        if resp.status_code == 200:\n            return resp.json()\n    return None\n",
        # not in the loop body: the iterable is evaluated once
        "import requests\nfor item in requests.get('https://x.org/items', timeout=5).json():\n    print(item)\n",
        # does not depend on the loop variable
        "import requests\nfor i in range(3):\n    print(i)\nfor item in items:\n    requests.get('https://x.org/ping', timeout=5)\n",
        # pagination: the next URL comes from the response
        "import requests\n\ndef all_pages(url):\n    out = []\n    while url:\n        resp = requests.get(url, timeout=5)\n"
        "        out.extend(resp.json()['results'])\n        url = resp.json().get('next')\n    return out\n",
        "import httpx\n\ndef pages(client: httpx.Client):\n    for page in range(1, 10):\n        yield client.get('/items', params={'page': page})\n",
        # retry loop
        "import time, requests\n\ndef get(url):\n    for attempt in range(5):\n        try:\n            return requests.get(url, timeout=5)\n"
        "        except requests.ConnectionError:\n            time.sleep(2 ** attempt)\n",
        # literal of three items or fewer
        "import requests\nfor env in ('dev', 'staging', 'prod'):\n    requests.post(f'https://deploy.x.org/{env}', timeout=5)\n",
        # coroutines collected for gather are not sequential requests
        "import asyncio, httpx\n\nasync def f(client: httpx.AsyncClient, ids):\n"
        "    return await asyncio.gather(*(client.get(f'/u/{i}') for i in ids))\n",
        # unknown objects are not guessed at
        "for uid in ids:\n    api.get(uid)\n",
        # an async helper fanned out by gather: SCALE002's business, not an N+1
        "import asyncio, httpx\n\nasync def one(client: httpx.AsyncClient, i):\n    return await client.get(f'/u/{i}')\n\n"
        "async def f(client: httpx.AsyncClient, ids):\n    return await asyncio.gather(*(one(client, i) for i in ids))\n",
        # a helper that does not make HTTP calls
        "def load(x):\n    return x * 2\n\nfor x in xs:\n    load(x)\n",
    ]
    invalid = [
        Invalid("import requests\n\nfor user_id in user_ids:\n    requests.get(f'https://x.org/users/{user_id}', timeout=5)\n",
                line=4, message="per `user_id` in this loop"),
        Invalid("import httpx\n\nasync def f(client: httpx.AsyncClient, ids):\n    out = []\n    async for i in ids:\n"
                "        out.append(await client.get(f'/u/{i}'))\n    return out\n", line=6),
        Invalid("import requests as rq\n\ndef names(ids):\n    return [rq.get(f'https://x.org/{i}', timeout=5).json()['name'] for i in ids]\n",
                line=4, message="`i`"),
        Invalid("import requests\n\ndef sync(orders):\n    for order in orders:\n        url = f'https://x.org/orders/{order.id}'\n"
                "        requests.post(url, json=order.payload, timeout=5)\n", line=6, message="`order`"),
        Invalid("import requests\n\ndef drain(queue):\n    while queue:\n        job = queue.pop()\n"
                "        requests.post('https://x.org/jobs', json=job, timeout=5)\n", line=6, message="`job`"),
        Invalid("import requests\n\nfor uid in ids:\n    fetch_user(uid)\n\ndef fetch_user(uid):\n"
                "    return requests.get(f'https://x.org/u/{uid}', timeout=5)\n", line=4, message="`fetch_user()`"),
    ]

    def begin(self) -> None:
        self._candidates = PerItemCandidates()
        #: name → the names its assignments in loops read
        self._inputs: dict[str, set[str]] = {}
        #: helpers of this module that make the HTTP call with their parameters
        self._away = OneCallAway()

    # ------------------------------------------------------------------ helpers' facts
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._away.enter_function(self.context, node)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._away.leave_function()

    # ------------------------------------------------------------------ calls
    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.context
        qualname = ctx.call_name(node)
        call = http.http_call(qualname)
        if call is not None:
            self._away.note_target(ctx, [a.value for a in node.args], callee_text(node))
            self._check_http_call(node, call)
            return
        self._away.note_call(ctx, node, callee_text(node))

    def _dependent_loops(self, node: cst.Call) -> list[tuple[Loop, str]]:
        """Loops of the current function whose variable the call's arguments read, innermost first."""
        return dependent_loops(self.context, [a.value for a in node.args])

    def _check_http_call(self, node: cst.Call, call: http.HttpCall) -> None:
        ctx = self.context
        if not ctx.loops:
            return
        if call.is_async and not isinstance(ctx.parent, cst.Await) and not self._in_async_with(node):
            return  # a coroutine built for gather/create_task, not a sequential request
        loops = self._dependent_loops(node)
        if not loops:
            return
        loop, variable = loops[0]
        if loop.kind == "for" and stops_at_first_success(loop.node, ctx):
            return  # a fallback chain (mirrors, discovery URLs): it stops at the first that answers
        message = (
            f"`{callee_text(node)}()` sends one HTTP request per `{variable}` in this {_kind(loop)} (N+1): "
            "use a batch endpoint, or bounded concurrency (asyncio.gather with a Semaphore)"
        )
        final = self._candidates.add(node, loop, variable, message, self._reads_of(node))
        if final is not None:
            self.report(node, message)

    def _in_async_with(self, node: cst.Call) -> bool:
        parent = self.context.parent
        return isinstance(parent, cst.WithItem)

    # ------------------------------------------------------------------ pagination evidence
    def visit_Assign(self, node: cst.Assign) -> None:
        if self.context.loops:
            reads = self.context.names_in(node.value)
            for name in assigned_names(self.context, [t.target for t in node.targets], names_only=True):
                self._inputs.setdefault(name, set()).update(reads)
        self._note_response_assignment([t.target for t in node.targets], node.value)

    def _reads_of(self, node: cst.Call) -> frozenset[str]:
        """The names the call's arguments read, through assignments in the loop (two steps)."""
        if not node.args:
            return frozenset()
        reads = set(self.context.names_in(cst.Tuple([cst.Element(a.value) for a in node.args])))
        for _ in range(2):
            reads |= {r for name in list(reads) for r in self._inputs.get(name, ())}
        return frozenset(reads)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._note_response_assignment([node.target], node.value)

    def _note_response_assignment(self, targets: list[cst.BaseExpression], value: cst.BaseExpression) -> None:
        ctx = self.context
        if not ctx.loops:
            return
        if not self._reads_response(value):
            return
        self._candidates.follow(ctx, assigned_names(ctx, targets))

    def _reads_response(self, value: cst.BaseExpression) -> bool:
        ctx = self.context
        for name in ctx.names_in(value):
            binding = ctx.lookup(name)
            if binding is not None and binding.kind == "instance" and binding.value in http.RESPONSE_TYPES:
                return True
        text_markers = ("next", "cursor", "links", "page")
        from reviewlint.analysis.calls import code_of

        code = code_of(value).lower()
        return any(marker in code for marker in text_markers) and "json" in code

    def leave_For(self, node: cst.For) -> None:
        self._flush(node)

    def leave_While(self, node: cst.While) -> None:
        self._flush(node)

    def _flush(self, node: cst.CSTNode) -> None:
        # candidates whose variable follows the response's next page/cursor are dropped
        for cand in self._candidates.finish(node):
            self.report(cand.node, cand.message)

    # ------------------------------------------------------------------ one call away
    def leave_Module(self, node: cst.Module) -> None:
        # async helpers fanned out by gather/create_task are left to SCALE002 (see OneCallAway)
        for hf in self._away.finish():
            if hf.loop.kind == "for" and stops_at_first_success(hf.loop.node, self.context):
                continue  # a fallback chain through a helper (mirrors): it stops at the first that answers
            self.report(
                hf.node,
                f"`{hf.shown}()` makes an HTTP call (`{hf.target}()`) per `{hf.variable}` in this {_kind(hf.loop)} (N+1): "
                "use a batch endpoint, or bounded concurrency (asyncio.gather with a Semaphore)" + ONE_CALL_AWAY_NOTE,
                severity=ONE_CALL_AWAY_SEVERITY,
            )


_kind = loop_kind_text
