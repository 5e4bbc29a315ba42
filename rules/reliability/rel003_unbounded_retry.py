from __future__ import annotations

import libcst as cst

from reviewlint.analysis.retry import RetryConfig, backoff_config, hand_retry, tenacity_config
from reviewlint.rule import Invalid, Rule, Severity, Valid, Viewpoint


class UnboundedRetry(Rule):
    """A retry that never gives up.

    ## What it does
    Flags retries with no attempt or time bound:

    * a hand-written `while True` loop that retries a remote call (try/except, going round
      again on the exception) with no attempt counter or deadline check that leaves the
      loop; reported at the retried call;
    * tenacity `@retry(...)`, `Retrying(...)` or `AsyncRetrying(...)` without `stop=`;
    * `backoff.on_exception`/`backoff.on_predicate` without `max_tries` or `max_time`.

    A bare tenacity `@retry` (no arguments, or none of `stop=`/`wait=`/`retry=`: it retries
    forever, immediately, on every exception) is reported once, here, with a message naming all three missing parts;
    REL004 and REL005 stay silent on it.

    Not flagged: `while` loops with a condition (`while attempt < 5`), `while True` loops that
    count attempts or check a deadline (`time.monotonic()`, `deadline`, `timeout`) and leave,
    a `**kwargs` pass-through to the decorator (the bound may be in there), loops that are
    not retries of a remote call or are poll loops (see REL002), and test files.

    ## Why it matters
    When the dependency is down for good (a wrong URL, revoked credentials, a deleted
    resource), an unbounded retry hangs the caller forever and keeps the load on. A bound
    turns the outage into an error someone can see and handle.

    ## Example
    ```python
    @retry(wait=wait_exponential_jitter())
    def fetch_rates():
        return client.get("/rates").json()
    ```

    ## Use instead
    ```python
    @retry(wait=wait_exponential_jitter(), stop=stop_after_attempt(5) | stop_after_delay(60))
    def fetch_rates():
        return client.get("/rates").json()
    ```
    """

    code = "REL003"
    name = "unbounded-retry"
    viewpoint = Viewpoint.RELIABILITY
    severity = Severity.WARNING
    skip_roles = frozenset({"generated", "migration", "test"})
    message = "retry without an attempt or time bound"

    valid = [
        "from tenacity import retry, stop_after_attempt, wait_exponential\n\n"
        "@retry(stop=stop_after_attempt(5), wait=wait_exponential())\ndef f():\n    pass\n",
        "import tenacity\n\nfor attempt in tenacity.Retrying(stop=tenacity.stop_after_delay(30), wait=tenacity.wait_random_exponential()):\n"
        "    with attempt:\n        pass\n",
        "import backoff, requests\n\n@backoff.on_exception(backoff.expo, requests.RequestException, max_tries=5)\ndef f():\n    pass\n",
        "import backoff\n\n@backoff.on_predicate(backoff.fibo, lambda r: r is None, max_time=60)\ndef poll():\n    pass\n",
        # a kwargs pass-through may carry the bound
        "from tenacity import retry\n\ndef build(**opts):\n    return retry(**opts)\n",
        # a counter that gives up
        "import time, requests\n\ndef get(url):\n    attempts = 0\n    while True:\n        try:\n            return requests.get(url, timeout=5)\n"
        "        except requests.ConnectionError:\n            attempts += 1\n            if attempts >= 5:\n                raise\n"
        "            time.sleep(2 ** attempts)\n",
        # a deadline
        "import time, requests\n\ndef get(url):\n    deadline = time.monotonic() + 60\n    while True:\n        try:\n            return requests.get(url, timeout=5)\n"
        "        except requests.ConnectionError:\n            if time.monotonic() > deadline:\n                raise\n            time.sleep(1)\n",
        # a loop condition bounds it
        "import requests\n\ndef get(url, retries=3):\n    while retries > 0:\n        try:\n            return requests.get(url, timeout=5)\n"
        "        except requests.ConnectionError:\n            retries -= 1\n",
        # not a retry of a remote call
        "def ask():\n    while True:\n        try:\n            return int(input('n? '))\n        except ValueError:\n            pass\n",
        # a different library's `retry` is not tenacity's
        "from retrying import retry\n\n@retry\ndef f():\n    pass\n",
    ]
    invalid = [
        Invalid(
            "import time, requests\n\ndef get(url):\n    while True:\n        try:\n            return requests.get(url, timeout=5)\n"
            "        except requests.ConnectionError:\n            time.sleep(5)\n",
            line=6, message="retried in a `while True` loop with no attempt or time bound",
        ),
        Invalid("from tenacity import retry\n\n@retry\ndef f():\n    pass\n", line=3,
                message="no `stop=` (retries forever), no `wait=` (retries immediately) and no `retry=`", count=1),
        Invalid("import tenacity as t\n\n@t.retry()\ndef f():\n    pass\n", line=3, message="no `stop=`", count=1),
        Invalid("import tenacity\n\nclass Api:\n    @tenacity.retry(reraise=True)\n    def f(self):\n        pass\n", line=4,
                message="`@tenacity.retry(...)` has no `stop=` (retries forever), no `wait=`", count=1),
        Invalid("from tenacity import retry, wait_exponential\n\n@retry(wait=wait_exponential(), reraise=True)\ndef f():\n    pass\n",
                line=3, message="`@retry(...)` has no `stop=`"),
        Invalid("from tenacity import AsyncRetrying, wait_random_exponential\n\nasync def f():\n"
                "    async for attempt in AsyncRetrying(wait=wait_random_exponential(max=30)):\n        with attempt:\n            pass\n",
                line=4, message="`AsyncRetrying(...)` has no `stop=`"),
        Invalid("import backoff\nimport aiohttp\n\n@backoff.on_exception(backoff.expo, aiohttp.ClientError)\nasync def f():\n    pass\n",
                line=4, message="without `max_tries` or `max_time`"),
    ]

    def leave_While(self, node: cst.While) -> None:
        retry = hand_retry(node, self.context)
        if retry is None or not retry.infinite or retry.bounded:
            return
        self.report(retry.call, f"`{retry.call_text}()` is retried in a `while True` loop with no attempt or time bound: "
                                "if the service stays down this never gives up; count attempts or check a deadline and raise")

    def visit_Decorator(self, node: cst.Decorator) -> None:
        if isinstance(node.decorator, cst.Call):
            return  # judged in visit_Call
        config = tenacity_config(node.decorator, self.context)
        if config is not None and config.bare:
            self._report_bare(config)

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.context
        config = tenacity_config(node, ctx)
        if config is not None:
            if config.bare:
                self._report_bare(config)
                return
            if not config.opaque and not config.has_stop:
                self.report(node, f"`{self._shown(config)}` has no `stop=`: it retries forever if the failure lasts; "
                                  "add `stop=stop_after_attempt(n)` or `stop_after_delay(seconds)`")
            return
        config = backoff_config(node, ctx)
        if config is not None and not config.opaque and not config.has_stop:
            self.report(node, f"`@{config.shown}(...)` without `max_tries` or `max_time` retries forever if the failure "
                              "lasts: add `max_tries=` or `max_time=`")

    def _is_decorator(self, node: cst.Call) -> bool:
        parent = self.context.parent
        return isinstance(parent, cst.Decorator) and parent.decorator is node

    def _shown(self, config: RetryConfig) -> str:
        name = config.shown
        if isinstance(config.node, cst.Call) and self._is_decorator(config.node):
            return f"@{name}(...)"
        return f"{name}(...)"

    def _report_bare(self, config: RetryConfig) -> None:
        node = config.node
        if isinstance(node, cst.Call):
            inner = "(...)" if node.args else "()"
            shown = f"@{config.shown}{inner}" if self._is_decorator(node) else f"{config.shown}{inner}"
            bare = "" if node.args else "bare "
        else:
            shown, bare = f"@{config.shown}", "bare "
        self.report(node, f"{bare}`{shown}` has no `stop=` (retries forever), no `wait=` (retries immediately) "
                                 "and no `retry=` (retries every exception, bugs included): add "
                                 "`stop=stop_after_attempt(n)`, `wait=wait_exponential_jitter()` and "
                                 "`retry=retry_if_exception_type(<transient errors>)`")
