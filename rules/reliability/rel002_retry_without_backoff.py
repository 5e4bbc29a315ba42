from __future__ import annotations

import libcst as cst

from reviewlint.analysis.calls import code_of
from reviewlint.analysis.retry import CONSTANT_SLEEP, NO_SLEEP, hand_retry
from reviewlint.rule import Invalid, Rule, Severity, Valid, Viewpoint


class RetryWithoutBackoff(Rule):
    """A hand-written retry loop that hammers the failing service: no wait, or a constant one.

    ## What it does
    Flags a loop that retries a remote call (a `try`/`except` inside `for _ in range(n)` or
    a `while` loop, going round again on the exception) and either does not sleep between
    attempts or sleeps a constant time that does not grow with the attempt. Reported at the
    retried call.

    A sleep that grows with the attempt (`2 ** attempt`, `backoff * attempt`,
    `min(cap, base * 2 ** n)`, a delay doubled in the loop, a schedule `for delay in (1, 2, 4)`)
    is backoff, with or without jitter; `random.uniform(...)` jitter is fine too. A delay
    computed by a helper (`time.sleep(self._backoff(attempt))`), or a retry handler object
    that prepares the next attempt (`handler.prepare_for_next_attempt(...)`), is trusted.

    A wait the server chose (`Retry-After`, a rate-limit reset) is backoff; a wait someone
    configured (`self.retry_wait`, a parameter or an attribute of a local object such as
    `registration.interval`, a `settings`/`config` value or a name imported from a
    configuration module) is deliberate and trusted.

    Not flagged: poll and timer loops (the loop also goes round when the call succeeds, until
    a condition holds, or `continue`s on the healthy path: a fixed interval is right there),
    retries of local resources (file system, subprocess, sqlite, a serial port: no remote
    service to protect), conflict retries (the handler re-raises unless the error is an
    `IntegrityError`/conflict: re-reading resolves it, waiting does not), test files, a single immediate retry (`for _ in range(2)`: reconnect or refresh a token,
    then try once more), loops over other things than attempts (`for backend in backends` fallback
    chains, `for port in range(...)` when the try uses the port), loops whose handlers only
    catch errors that are never transient (`IntegrityError`, `ValueError`, `FileExistsError`:
    collision or parse loops), and loops that do not retry a remote call (the try makes an
    HTTP call, the handler catches a network/timeout/database-operational error, or the loop
    is named for retrying: `attempt`, `retries`, `MAX_RETRIES`).

    ## Why it matters
    A service that failed is usually overloaded or restarting. Retrying immediately, or every
    second from every client at once, keeps it down (a retry storm). Exponential backoff with
    jitter spreads the retries out and gives it room to recover.

    ## Example
    ```python
    for attempt in range(5):
        try:
            return requests.get(url, timeout=5)
        except requests.ConnectionError:
            time.sleep(1)
    ```

    ## Use instead
    ```python
    for attempt in range(5):
        try:
            return requests.get(url, timeout=5)
        except requests.ConnectionError:
            time.sleep(min(30, 0.5 * 2 ** attempt) + random.uniform(0, 0.5))
    ```
    or let a library do it: tenacity `@retry(wait=wait_exponential_jitter(), stop=stop_after_attempt(5))`,
    urllib3 `Retry(total=5, backoff_factor=0.5)`.
    """

    code = "REL002"
    name = "retry-without-backoff"
    opt_in = True  # judged precision on real code below 0.8: docs/precision.md
    viewpoint = Viewpoint.RELIABILITY
    severity = Severity.WARNING
    skip_roles = frozenset({"generated", "migration", "test"})
    message = "retry loop without backoff: retries hammer the failing service"

    valid = [
        # the loop waits for a resource with a timeout before each attempt (httpcore's pool)
        "def send(pool, request, timeout):\n    while True:\n        connection = pool.wait_for_connection(timeout=timeout)\n"
        "        try:\n            response = connection.handle_request(request)\n"
        "        except ConnectionNotAvailable:\n            pool.clear_connection()\n        else:\n            break\n"
        "    return response\n",
        # exponential backoff
        "import time, requests\n\ndef get(url):\n    for attempt in range(5):\n        try:\n            return requests.get(url, timeout=5)\n"
        "        except requests.ConnectionError:\n            time.sleep(2 ** attempt)\n",
        # linear backoff from a configured factor
        "import time, requests\n\ndef get(url, backoff=0.5):\n    for attempt in range(1, 4):\n        try:\n            return requests.get(url, timeout=5)\n"
        "        except requests.Timeout:\n            time.sleep(backoff * attempt)\n",
        # capped exponential with jitter, in an async loop
        "import asyncio, random, httpx\n\nasync def get(client: httpx.AsyncClient, url):\n    for n in range(5):\n        try:\n"
        "            return await client.get(url)\n        except httpx.TransportError:\n"
        "            await asyncio.sleep(min(30, 0.2 * 2 ** n) + random.random())\n",
        # random.uniform jitter alone is not a constant
        "import time, requests\n\ndef get(url):\n    for _ in range(3):\n        try:\n            return requests.get(url, timeout=5)\n"
        "        except requests.ConnectionError:\n            time.sleep(random.uniform(1, 3))\n",
        # a delay doubled in the loop
        "import time, requests\n\ndef get(url):\n    delay = 1\n    while True:\n        try:\n            return requests.get(url, timeout=5)\n"
        "        except requests.ConnectionError:\n            if delay > 60:\n                raise\n            time.sleep(delay)\n            delay *= 2\n",
        # a delay schedule
        "import time, requests\n\ndef get(url):\n    for delay in (1, 2, 4, 8):\n        try:\n            return requests.get(url, timeout=5)\n"
        "        except requests.ConnectionError:\n            time.sleep(delay)\n",
        # a helper computes the delay
        "import time\n\nclass C:\n    def call(self):\n        for attempt in range(self.max_retries):\n            try:\n                return self.api.fetch()\n"
        "            except ConnectionError:\n                self._sleep_backoff(attempt)\n",
        # a retry handler object decides and waits
        "import requests\n\ndef call(self, req):\n    state = RetryState()\n    while state.count < 100:\n        try:\n"
        "            return self._send(req)\n        except requests.HTTPError as e:\n            for handler in self.retry_handlers:\n"
        "                if handler.can_retry(state, e):\n                    handler.prepare_for_next_attempt(state, e)\n                    break\n"
        "            if not state.next_attempt_requested:\n                raise\n",
        # a fallback chain over backends is not a retry
        "import requests\n\ndef first_up(urls):\n    for url in urls:\n        try:\n            return requests.get(url, timeout=2)\n"
        "        except requests.ConnectionError:\n            continue\n",
        # the loop tries different values
        "import socket\n\ndef bind(sock):\n    for port in range(8000, 8100):\n        try:\n            sock.bind(('', port))\n            return port\n"
        "        except OSError:\n            continue\n",
        # collision loop: a new random name on IntegrityError needs no backoff
        "from django.db import IntegrityError\n\ndef create(Model):\n    for attempt in range(5):\n        try:\n            return Model.objects.create(code=make_code())\n"
        "        except IntegrityError:\n            continue\n",
        # not a remote call: re-prompting the user
        "def ask():\n    while True:\n        try:\n            return int(input('n? '))\n        except ValueError:\n            print('a number please')\n",
        # a single immediate retry (two attempts) after reconnecting
        "def publish(self, msg):\n    for _ in range(2):\n        try:\n            return self.redis.publish('ch', msg)\n"
        "        except ConnectionError:\n            self.reconnect()\n",
        # one reconnect-and-retry, counted through a local constant
        "class Bridge:\n    def send(self, key):\n        retry_count = 1\n        for _ in range(retry_count + 1):\n            try:\n"
        "                self._get_remote().control(key)\n                break\n            except BrokenPipeError:\n"
        "                self._remote = None\n",
        # a poll loop goes round on success too: a fixed interval is fine there
        "import time, requests\n\ndef wait_done(url):\n    for _ in range(30):\n        try:\n            r = requests.get(url, timeout=5)\n"
        "            if r.json()['state'] == 'done':\n                return r.json()\n        except requests.ConnectionError:\n            pass\n"
        "        time.sleep(2)\n",
        # tests wait for fixtures with plain loops
        Valid("import time, requests\n\ndef wait_up(url):\n    for _ in range(50):\n        try:\n            return requests.get(url, timeout=1)\n"
              "        except requests.ConnectionError:\n            time.sleep(0.1)\n", path="tests/conftest.py"),
        # a timer loop: the healthy path goes round again
        "import asyncio\n\nclass C:\n    async def checkpoint_loop(self):\n        while True:\n            await asyncio.sleep(30)\n"
        "            try:\n                if self._ws:\n                    await self._ws.ping()\n                    continue\n"
        "                await self._reconnect()\n            except ConnectionError:\n                continue\n            return\n",
        # the server says how long to wait
        "import asyncio, httpx\n\nasync def acquire(client: httpx.AsyncClient, url):\n    while True:\n        try:\n"
        "            resp = await client.post(url)\n            resp.raise_for_status()\n            return resp\n"
        "        except httpx.HTTPStatusError as exc:\n            if exc.response.status_code != 423:\n                raise\n"
        "            retry_after = float(exc.response.headers['Retry-After'])\n            await asyncio.sleep(retry_after)\n",
        # a configured wait (a user option)
        "import time\n\nclass Recorder:\n    def setup(self):\n        for tries in range(self.db_max_retries):\n            try:\n"
        "                return self.engine.connect()\n            except OSError:\n                time.sleep(self.db_retry_wait)\n",
        "import asyncio\nfrom app.env import REDIS_RECONNECT_DELAY\n\nasync def call(proxy, name, retries=3):\n"
        "    for attempt in range(retries):\n        try:\n            method = getattr(proxy.resolve(), name)\n"
        "            return await method()\n        except ConnectionError:\n            await asyncio.sleep(REDIS_RECONNECT_DELAY / 1000)\n",
        # the wait comes with an object of the call (an OAuth device flow's polling interval)
        "import asyncio\n\nasync def flow(device, registration):\n    async def wait():\n        for _ in range(5):\n            try:\n"
        "                return await device.activation(code=registration.device_code)\n            except ConnectionError:\n"
        "                await asyncio.sleep(registration.interval)\n    return await wait()\n",
        # a local resource: nothing remote to protect
        "import os\n\ndef next_dir(root, retries=3):\n    for attempt in range(retries):\n        try:\n"
        "            path = os.path.join(root, str(len(os.listdir(root)) + 1))\n            os.mkdir(path)\n            return path\n"
        "        except FileExistsError:\n            if attempt == retries - 1:\n                raise\n"
        "        except PermissionError:\n            continue\n",
        # a conflict retry: re-reading resolves it
        "from sqlalchemy.exc import IntegrityError\n\nclass Store:\n    def set_alias(self, name, retries=3):\n"
        "        for attempt in range(retries):\n            try:\n                with self.session_maker() as s:\n"
        "                    s.merge(self.Alias(name=name))\n                    return\n            except StoreError as e:\n"
        "                if not isinstance(e.__cause__, IntegrityError) or attempt == retries - 1:\n                    raise\n",
        # a handler that gives up is not a retry
        "import requests\n\ndef get(url):\n    for _ in range(3):\n        try:\n            return requests.get(url, timeout=5)\n"
        "        except requests.ConnectionError:\n            raise\n",
    ]
    invalid = [
        Invalid(
            "import requests\n\ndef get(url):\n    for attempt in range(5):\n        try:\n            return requests.get(url, timeout=5)\n"
            "        except requests.ConnectionError:\n            continue\n",
            line=6, message="`requests.get()` is retried with no wait between attempts", count=1,
        ),
        Invalid(
            "import time\nimport requests as rq\n\ndef get(url):\n    for _ in range(3):\n        try:\n            return rq.get(url, timeout=5)\n"
            "        except rq.RequestException:\n            time.sleep(1)\n",
            line=7, message="constant `time.sleep(1)`", count=1,
        ),
        Invalid(
            "import asyncio\nimport httpx\n\nasync def get(client: httpx.AsyncClient, url, retries=3):\n    attempt = 0\n    while attempt < retries:\n"
            "        try:\n            resp = await client.get(url)\n            break\n        except httpx.ConnectError:\n"
            "            attempt += 1\n            await asyncio.sleep(RETRY_DELAY)\n",
            line=8, message="constant `asyncio.sleep(RETRY_DELAY)`",
        ),
        # the retried call sits in an `if` inside the try; a context-manager factory is not the retried call
        Invalid(
            "import asyncio\n\nclass Emitter:\n    async def emit(self, msg, attempts=10):\n        for i in range(attempts):\n"
            "            try:\n                if self._ws is None or i > 0:\n                    await self._reconnect()\n"
            "                await self._ws.send(msg)\n                return\n            except OSError:\n"
            "                await asyncio.sleep(1)\n",
            line=9, message="`self._ws.send()` is retried after a constant",
        ),
        Invalid(
            "import time\n\nclass Store:\n    def put(self, item):\n        for attempt in range(5):\n            try:\n"
            "                with self.session_maker() as s:\n                    s.put_item(item)\n                    return\n"
            "            except ConnectionError:\n                time.sleep(1)\n",
            line=8, message="`s.put_item()`",
        ),
        # an unknown client, but the loop is plainly a retry
        Invalid(
            "MAX_RETRIES = 3\n\nclass Payments:\n    def charge(self, order):\n        for attempt in range(MAX_RETRIES):\n            try:\n"
            "                return self.gateway.charge(order.id, order.total)\n            except GatewayError:\n                pass\n",
            line=7, message="`self.gateway.charge()`",
        ),
    ]

    def leave_For(self, node: cst.For) -> None:
        self._check(node)

    def leave_While(self, node: cst.While) -> None:
        self._check(node)

    def _check(self, node: cst.CSTNode) -> None:
        retry = hand_retry(node, self.context)
        if retry is None:
            return
        if retry.attempts is not None and retry.attempts <= 2:
            return  # one immediate retry (a reconnect, a refreshed token) is not a retry storm
        if retry.no_wait_needed:
            return  # a local resource or a conflict: there is no remote service to give room to
        advice = ("back off exponentially with jitter (tenacity `wait_exponential_jitter`, "
                  "urllib3 `Retry(backoff_factor=...)`, or `sleep(min(cap, base * 2 ** attempt))`)")
        if retry.sleep == NO_SLEEP:
            self.report(retry.call, f"`{retry.call_text}()` is retried with no wait between attempts: {advice}")
        elif retry.sleep == CONSTANT_SLEEP and retry.sleep_call is not None:
            sleep = " ".join(code_of(retry.sleep_call).split())
            if len(sleep) > 50:
                sleep = sleep[:49] + "…"
            self.report(retry.call, f"`{retry.call_text}()` is retried after a constant `{sleep}` that does not grow "
                                    f"with the attempt: {advice}")
