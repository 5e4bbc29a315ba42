from __future__ import annotations

import libcst as cst

from reviewlint.analysis.calls import code_of, keyword
from reviewlint.analysis.retry import tenacity_config, urllib3_retry
from reviewlint.knowledge import retry as kr
from reviewlint.rule import Invalid, Rule, Severity, Valid, Viewpoint


class RetryConfigWithoutBackoff(Rule):
    """A retry policy configured without backoff: every retry fires at once.

    ## What it does
    Flags a configured retry that does not wait between attempts:

    * urllib3's `Retry(...)` (also imported through `requests.adapters` or
      `requests.packages.urllib3`) without `backoff_factor` (or with `backoff_factor=0`);
    * tenacity `@retry(...)`, `Retrying(...)` or `AsyncRetrying(...)` given arguments but no
      `wait=`, or a constant `wait=wait_fixed(...)` (no jitter added);
    * `@backoff.on_exception(backoff.constant, ...)` (`on_predicate` polls: a constant interval
      is right there).

    Not flagged: a tenacity retry whose `retry=` condition names only errors that waiting
    cannot fix (`ValidationError`, `JSONDecodeError`, parse errors: re-asking an LLM or
    re-reading input, not retrying a failing service), a bare tenacity `@retry` (REL003 reports it once, naming everything it
    lacks), a `Retry` that never retries more than once (`Retry(0)`, `Retry(total=False)`,
    `Retry(1)`: urllib3 does not back off before the first retry anyway), and `**kwargs`
    pass-throughs. `httpx.HTTPTransport(retries=n)` only retries failed connections and has no
    backoff setting: it is out of scope.

    ## Why it matters
    Without backoff, all retries of all clients hit the recovering service within
    milliseconds: the retry storm that keeps it down. urllib3 and tenacity both default to
    no wait at all.

    ## Example
    ```python
    retries = Retry(total=5, status_forcelist=[502, 503, 504])
    session.mount("https://", HTTPAdapter(max_retries=retries))
    ```

    ## Use instead
    ```python
    retries = Retry(total=5, backoff_factor=0.5, backoff_jitter=0.3, status_forcelist=[502, 503, 504])
    session.mount("https://", HTTPAdapter(max_retries=retries))
    ```
    """

    code = "REL004"
    name = "retry-config-without-backoff"
    viewpoint = Viewpoint.RELIABILITY
    severity = Severity.WARNING
    skip_roles = frozenset({"generated", "test"})
    message = "retry configured without backoff"

    valid = [
        "from urllib3.util.retry import Retry\nr = Retry(total=5, backoff_factor=0.5)\n",
        "from requests.adapters import HTTPAdapter, Retry\nadapter = HTTPAdapter(max_retries=Retry(3, backoff_factor=1, status_forcelist=[503]))\n",
        # never retries more than once: nothing to back off
        "from urllib3 import Retry\nr = Retry(0, read=False)\nr2 = Retry(total=False, redirect=5)\nr3 = Retry(1)\n",
        "from urllib3 import Retry\n\ndef make(**kw):\n    return Retry(**kw)\n",
        "from tenacity import retry, stop_after_attempt, wait_exponential_jitter\n\n"
        "@retry(stop=stop_after_attempt(3), wait=wait_exponential_jitter())\ndef f():\n    pass\n",
        # bare @retry is REL003's
        "from tenacity import retry\n\n@retry\ndef f():\n    pass\n",
        "import tenacity\n\n@tenacity.retry()\ndef f():\n    pass\n",
        "import tenacity\n\n@tenacity.retry(reraise=True)\ndef f():\n    pass\n",
        "import tenacity\n\ndef f(**options):\n    return tenacity.Retrying(**options)\n",
        # connect-only transport retries are out of scope
        "import httpx\nclient = httpx.Client(transport=httpx.HTTPTransport(retries=3))\n",
        # re-asking after a validation error is not a retry of a failing service
        "import json\nfrom pydantic import ValidationError\nfrom tenacity import Retrying, retry_if_exception_type, stop_after_attempt\n\n"
        "PARSE_ERRORS = (ValidationError, json.JSONDecodeError)\n"
        "r = Retrying(stop=stop_after_attempt(3), retry=retry_if_exception_type(PARSE_ERRORS))\n",
        # a fixed wait with jitter, backoff's exponential default, and polling with a constant interval
        "from tenacity import retry, stop_after_attempt, wait_fixed, wait_random\n\n"
        "@retry(stop=stop_after_attempt(5), wait=wait_fixed(2) + wait_random(0, 1))\ndef f():\n    pass\n",
        "import backoff\n\n@backoff.on_exception(backoff.expo, OSError, max_tries=5)\ndef f():\n    pass\n\n"
        "@backoff.on_predicate(backoff.constant, interval=2, max_time=60)\ndef ready():\n    return poll()\n",
        # not urllib3's Retry
        "class Retry:\n    pass\n\nr = Retry()\n",
    ]
    invalid = [
        Invalid("from tenacity import retry, stop_after_attempt, wait_fixed\n\n"
                "@retry(stop=stop_after_attempt(5), wait=wait_fixed(2))\ndef f():\n    pass\n",
                line=3, message="waits a constant `wait_fixed(2)`", count=1),
        Invalid("import backoff, requests\n\n@backoff.on_exception(backoff.constant, requests.ConnectionError, interval=1, max_tries=5)\n"
                "def stop_query(session, qid):\n    session.post(f'https://bi.example.com/q/{qid}/stop', timeout=5)\n",
                line=3, message="`backoff.on_exception(backoff.constant, ...)`", count=1),
        Invalid("from urllib3.util.retry import Retry\nr = Retry(total=5, status_forcelist=[502, 503])\n", line=2,
                message="`Retry(...)` has no `backoff_factor`", count=1),
        Invalid("import requests\nfrom requests.adapters import HTTPAdapter\nfrom urllib3 import Retry as R\n\n"
                "s = requests.Session()\ns.mount('https://', HTTPAdapter(max_retries=R(3)))\n", line=6, message="`R(...)`"),
        Invalid("import urllib3\nhttp = urllib3.PoolManager(retries=urllib3.Retry(connect=3, read=2, backoff_factor=0))\n", line=2,
                message="backoff_factor"),
        Invalid("from tenacity import retry, stop_after_attempt\n\n@retry(stop=stop_after_attempt(5))\ndef f():\n    pass\n",
                line=3, message="`@retry(...)` has no `wait=`", count=1),
        Invalid("import tenacity\n\ndef f():\n    for attempt in tenacity.Retrying(stop=tenacity.stop_after_attempt(3)):\n"
                "        with attempt:\n            pass\n", line=4, message="`tenacity.Retrying(...)` has no `wait=`"),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.context
        config = tenacity_config(node, ctx)
        if config is not None:
            if config.bare or config.opaque or config.non_transient_only:
                return
            if config.has_wait:
                arg = keyword(node, "wait") if isinstance(node, cst.Call) else None
                wait = arg.value if arg is not None else None
                if isinstance(wait, cst.Call) and (ctx.call_name(wait) or "").endswith(".wait_fixed"):
                    self.report(node, f"`{config.shown}(...)` waits a constant `{_short(wait)}` between attempts: every "
                                      "client retries in step with the others; use `wait_exponential_jitter()` "
                                      "(or add `+ wait_random(0, 1)`)")
                return
            parent = ctx.parent
            shown = f"@{config.shown}(...)" if isinstance(parent, cst.Decorator) and parent.decorator is node else f"{config.shown}(...)"
            self.report(node, f"`{shown}` has no `wait=`: tenacity retries immediately, hammering the failing service; "
                              "add `wait=wait_exponential_jitter()` (or `wait_random_exponential`)")
            return
        if ctx.call_name(node) in kr.BACKOFF_ON_EXCEPTION and node.args and node.args[0].keyword is None:
            # ``on_predicate(backoff.constant, ...)`` polls until a result is ready: a fixed interval is right there
            if ctx.qualname(node.args[0].value) == "backoff.constant":
                self.report(node, "`backoff.on_exception(backoff.constant, ...)` waits a constant interval between "
                                  "attempts: use `backoff.expo` (with its default full jitter)")
            return
        retry = urllib3_retry(node, ctx)
        if retry is None or retry.opaque or retry.trivial or not retry.no_backoff:
            return
        self.report(node, f"`{retry.shown}(...)` has no `backoff_factor`: urllib3 retries immediately, hammering the "
                          "failing service; add `backoff_factor=0.5` (and `backoff_jitter=` on urllib3 2)")


def _short(expr: cst.BaseExpression) -> str:
    text = " ".join(code_of(expr).split())
    return text if len(text) <= 40 else code_of(expr.func).strip() + "(…)" if isinstance(expr, cst.Call) else "…"
