from __future__ import annotations

import libcst as cst

from reviewlint.analysis.calls import code_of
from reviewlint.analysis.retry import backoff_config, hand_retry, tenacity_config
from reviewlint.rule import Invalid, Rule, Severity, Valid, Viewpoint


class RetryOnAnyError(Rule):
    """A retry that retries every failure, bugs and bad requests included.

    ## What it does
    Flags retries that do not pick which failures to retry:

    * a hand-written retry loop (see REL002) whose retrying handler catches `Exception`,
      `BaseException` or everything (`except:`); reported at the `except` line;
    * tenacity `@retry(...)`/`Retrying(...)`/`AsyncRetrying(...)` without a `retry=`
      condition (tenacity then retries on any exception), or with
      `retry=retry_if_exception_type(Exception)` (or no type, which means the same);
    * `backoff.on_exception(wait_gen, Exception)` (or `BaseException`).

    Not flagged: handlers that look at the error and give up on some (`if not
    is_retryable(e): raise`, `isinstance(e, ...)`, `e.response.status_code` checks), loops
    where an earlier `except` re-raises the permanent errors, `backoff` with a `giveup=`
    predicate, a bare tenacity `@retry` (REL003 reports it once), `**kwargs`
    pass-throughs, and test files.

    ## Why it matters
    Only transient failures (timeouts, dropped connections, 429 and 5xx answers) get better
    by trying again. A 400, a 401, a `KeyError` in our own code retried five times is five
    times the load, five times the latency, and the same failure at the end, often hiding the
    real error behind a generic "retries exhausted".

    ## Example
    ```python
    @retry(stop=stop_after_attempt(5), wait=wait_exponential_jitter())
    def create_invoice(order):
        return api.post("/invoices", json=order).json()
    ```

    ## Use instead
    ```python
    @retry(stop=stop_after_attempt(5), wait=wait_exponential_jitter(),
           retry=retry_if_exception_type((httpx.TransportError, ServerBusy)))
    def create_invoice(order):
        return api.post("/invoices", json=order).json()
    ```
    """

    code = "REL005"
    name = "retry-on-any-error"
    viewpoint = Viewpoint.RELIABILITY
    severity = Severity.WARNING
    skip_roles = frozenset({"generated", "migration", "test"})
    message = "retry on any exception"

    valid = [
        "import time, requests\n\ndef get(url):\n    for attempt in range(5):\n        try:\n            return requests.get(url, timeout=5)\n"
        "        except (requests.ConnectionError, requests.Timeout):\n            time.sleep(2 ** attempt)\n",
        # the handler gives up on permanent errors
        "import time, requests\n\ndef get(url):\n    for attempt in range(5):\n        try:\n            return requests.get(url, timeout=5)\n"
        "        except Exception as exc:\n            if not is_transient(exc):\n                raise\n            time.sleep(2 ** attempt)\n",
        "import time, httpx\n\ndef get(client: httpx.Client, url):\n    for attempt in range(5):\n        try:\n            return client.get(url)\n"
        "        except Exception as e:\n            code = getattr(getattr(e, 'response', None), 'status_code', 0)\n"
        "            if code and code < 500:\n                raise\n            time.sleep(2 ** attempt)\n",
        # an earlier handler re-raises what must not be retried
        "import time, requests\n\ndef get(url):\n    for attempt in range(5):\n        try:\n            return requests.get(url, timeout=5)\n"
        "        except requests.HTTPError:\n            raise\n        except Exception:\n            time.sleep(2 ** attempt)\n",
        "from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential\nimport httpx\n\n"
        "@retry(stop=stop_after_attempt(3), wait=wait_exponential(), retry=retry_if_exception_type(httpx.TransportError))\ndef f():\n    pass\n",
        "import backoff, requests\n\n@backoff.on_exception(backoff.expo, requests.exceptions.ConnectionError, max_tries=4)\ndef f():\n    pass\n",
        # giveup= filters
        "import backoff\n\n@backoff.on_exception(backoff.expo, Exception, max_tries=4, giveup=lambda e: e.status < 500)\ndef f():\n    pass\n",
        # bare @retry is REL003's
        "from tenacity import retry\n\n@retry\ndef f():\n    pass\n",
        "import tenacity\n\ndef f(**kw):\n    return tenacity.AsyncRetrying(**kw)\n",
        # no stop/wait/retry at all is REL003's, once
        "import tenacity\n\n@tenacity.retry(reraise=True)\ndef f():\n    pass\n",
    ]
    invalid = [
        Invalid(
            "import time, requests\n\ndef get(url):\n    for attempt in range(5):\n        try:\n            return requests.get(url, timeout=5)\n"
            "        except Exception:\n            time.sleep(2 ** attempt)\n",
            line=7, message="`except Exception` retries every failure", count=1,
        ),
        Invalid(
            "import asyncio, logging\nimport aiohttp\n\nasync def get(session: aiohttp.ClientSession, url):\n    for attempt in range(3):\n"
            "        try:\n            async with session.get(url) as r:\n                return await r.json()\n"
            "        except:\n            logging.exception('failed')\n            await asyncio.sleep(2 ** attempt)\n",
            line=9, message="`except:` retries every failure",
        ),
        Invalid("from tenacity import retry, stop_after_attempt, wait_fixed\n\n@retry(stop=stop_after_attempt(5), wait=wait_fixed(1))\ndef f():\n    pass\n",
                line=3, message="`@retry(...)` has no `retry=` condition", count=1),
        Invalid("import tenacity as t\n\n@t.retry(stop=t.stop_after_attempt(5), retry=t.retry_if_exception_type(Exception))\ndef f():\n    pass\n",
                line=3, message="retry_if_exception_type(Exception)"),
        Invalid("from tenacity import AsyncRetrying, stop_after_attempt\n\nasync def f():\n"
                "    async for attempt in AsyncRetrying(stop=stop_after_attempt(3)):\n        with attempt:\n            pass\n",
                line=4, message="`AsyncRetrying(...)` has no `retry=`"),
        Invalid("import backoff\n\n@backoff.on_exception(backoff.expo, Exception, max_tries=5)\ndef f():\n    pass\n",
                line=3, message="`backoff.on_exception(..., Exception)`"),
    ]

    def leave_For(self, node: cst.For) -> None:
        self._check_loop(node)

    def leave_While(self, node: cst.While) -> None:
        self._check_loop(node)

    def _check_loop(self, node: cst.CSTNode) -> None:
        retry = hand_retry(node, self.context)
        if retry is None:
            return
        for handler in retry.catch_all:
            shown = "except:" if handler.type is None else f"except {self._type_text(handler)}"
            self.report(handler, f"`{shown}` retries every failure of `{retry.call_text}()`, bugs and 4xx answers included: "
                                 "catch only transient errors (timeouts, connection errors, 429/5xx) and re-raise the rest")

    def _type_text(self, handler: cst.ExceptHandler) -> str:
        text = " ".join(code_of(handler.type).split()) if handler.type is not None else ""
        return text if len(text) <= 40 else text[:39] + "…"

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.context
        config = tenacity_config(node, ctx)
        if config is not None:
            if config.bare or config.opaque or not config.retries_everything:
                return
            parent = ctx.parent
            shown = f"@{config.shown}(...)" if isinstance(parent, cst.Decorator) and parent.decorator is node else f"{config.shown}(...)"
            condition = next((a.value for a in node.args if a.keyword is not None and a.keyword.value == "retry"), None)
            if condition is not None:
                text = " ".join(code_of(condition).split())
                text = text if len(text) <= 50 else text[:49] + "…"
                problem = f"`{shown}` retries on every exception (`retry={text}`)"
            else:
                problem = f"`{shown}` has no `retry=` condition, so it retries on every exception"
            self.report(node, f"{problem}, bugs and 4xx answers included: "
                              "use `retry=retry_if_exception_type(<transient errors>)`")
            return
        config = backoff_config(node, ctx)
        if config is not None and not config.opaque and config.retries_everything:
            broad = config.broad if len(config.broad) <= 40 else config.broad[:39] + "…"
            self.report(node, f"`{config.shown}(..., {broad})` retries every failure, bugs and 4xx answers included: "
                              "list only transient exceptions, or add `giveup=`")
