from __future__ import annotations

import libcst as cst

from reviewlint.analysis import sinks
from reviewlint.analysis.calls import callee_text, is_false, is_true, keyword, string_value
from reviewlint.knowledge import http, security
from reviewlint.rule import Invalid, Rule, Severity, Viewpoint


class TlsVerificationDisabled(Rule):
    """TLS certificate or host name checking switched off.

    ## What it does
    Flags `verify=False` on requests/httpx calls, sessions and clients (and on `.get/.post/
    .request/...` of any client object), `session.verify = False` on a tracked requests/httpx
    session, `ssl=False`/`verify_ssl=False` on aiohttp calls and connectors,
    `cert_reqs="CERT_NONE"`/`ssl.CERT_NONE` (urllib3 pools, `ssl.wrap_socket`), any use of
    `ssl._create_unverified_context`, and `ctx.check_hostname = False` /
    `ctx.verify_mode = ssl.CERT_NONE`.

    Also flagged: Playwright/Pyppeteer `ignore_https_errors=True` / `ignoreHTTPSErrors=True`.
    A context that gets both `check_hostname = False` and `verify_mode = CERT_NONE` is one
    finding; in a function whose name says it builds the no-verify variant
    (`_client_context_no_verify()`, `non_verifying_session()`) it is reported at info: the
    decision is its callers'.

    Not flagged: `verify=` with a CA bundle path or a variable (a setting the deployment
    or user controls, whatever its default), code inside an `if` that tests such a switch
    (`if verify is False:`, `if settings.INSECURE_SSL:`, `if can_pin:` where `can_pin` was
    computed from `webhook.ssl_verification`: it implements the opt-out, it does not hard-wire
    it), a function of the file that is only ever called behind such a switch, certificate
    pinning (`check_hostname = False` with `CERT_REQUIRED` and `load_verify_locations(...)` of
    the pinned certificate), `verify=True`, and `verify=False` on calls that are not HTTP
    (`jwt.decode` is AUTH003's business).

    ## Why it matters
    Without certificate checks anyone on the network path (a café Wi-Fi, a compromised
    proxy, a DNS hijack) can read and change the traffic, including the credentials it
    carries. "Temporarily" disabled checks have a way of reaching production.

    ## Example
    ```python
    import requests

    resp = requests.get("https://billing.internal/api/invoices", verify=False, timeout=10)
    ```

    ## Use instead
    ```python
    import requests

    resp = requests.get("https://billing.internal/api/invoices", verify="/etc/ssl/internal-ca.pem", timeout=10)
    ```
    """

    code = "SEC004"
    name = "tls-verification-disabled"
    viewpoint = Viewpoint.SECURITY
    severity = Severity.ERROR
    lower_roles = frozenset({"test"})
    peer_codes = frozenset({"S501", "B501"})
    message = "TLS certificate verification disabled"

    valid = [
        "import requests\nrequests.get('https://x.org', verify='/etc/ssl/ca.pem', timeout=5)\n",
        "import requests\n\ndef f(url, verify_tls):\n    return requests.get(url, verify=verify_tls, timeout=5)\n",
        "import httpx\nclient = httpx.Client(verify=True)\n",
        "import aiohttp\n\nasync def f(url, ctx):\n    async with aiohttp.ClientSession() as s:\n        return await s.get(url, ssl=ctx)\n",
        "import ssl\nctx = ssl.create_default_context()\nctx.check_hostname = True\n",
        # not an HTTP call: jwt.decode(verify=False) is AUTH003
        "import jwt\n\ndef f(token, key):\n    return jwt.decode(token, key, algorithms=['HS256'], verify=False)\n",
        # an unrelated object's verify attribute
        "class Form:\n    pass\n\nform = Form()\nform.verify = False\n",
        # implementing a switch the deployment controls
        "import ssl\n\ndef context(verify):\n    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\n    if verify is False:\n"
        "        ctx.check_hostname = False\n        ctx.verify_mode = ssl.CERT_NONE\n    return ctx\n",
        "import requests\nfrom app import settings\n\ndef f(url):\n    if settings.INSECURE_SKIP_TLS_VERIFY:\n"
        "        return requests.get(url, verify=False, timeout=5)\n",
        # pinning: CERT_REQUIRED against the device's own certificate, whose name cannot match the LAN address
        "import ssl\n\ndef pinned_context(cadata):\n    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\n"
        "    context.check_hostname = False\n    context.verify_mode = ssl.CERT_REQUIRED\n"
        "    context.load_verify_locations(cadata=cadata)\n    return context\n",
        # a helper reached only when the user's per-webhook option turned verification off
        "import urllib3\n\ndef _send_pinned(url, ip):\n    pool = urllib3.HTTPSConnectionPool(ip, cert_reqs='CERT_NONE')\n"
        "    return pool.urlopen('GET', url)\n\ndef send(webhook, url, ip):\n"
        "    can_pin = url.startswith('https') and not webhook.ssl_verification\n    if can_pin:\n"
        "        return _send_pinned(url, ip)\n",
        # the browser's option is a setting
        "async def fetch(browser, ignore_tls):\n    return await browser.new_context(ignore_https_errors=ignore_tls)\n",
    ]
    invalid = [
        Invalid("import requests\nrequests.get('https://x.org', verify=False, timeout=5)\n", line=2, message="verify=False"),
        Invalid("import requests\ns = requests.Session()\ns.verify = False\n", line=3, message="s.verify = False"),
        Invalid("import httpx\nclient = httpx.AsyncClient(verify=False)\n", line=2),
        Invalid("def f(self, url):\n    return self.session.post(url, json={}, verify=False)\n", line=2),
        Invalid("import aiohttp\nconn = aiohttp.TCPConnector(ssl=False)\n", line=2, message="ssl=False"),
        Invalid("import aiohttp\n\nasync def f(url):\n    async with aiohttp.ClientSession() as s:\n        return await s.get(url, ssl=False)\n", line=5),
        Invalid("import urllib3\nhttp = urllib3.PoolManager(cert_reqs='CERT_NONE')\n", line=2, message="CERT_NONE"),
        Invalid("import ssl, urllib3\nhttp = urllib3.PoolManager(cert_reqs=ssl.CERT_NONE)\n", line=2),
        Invalid("import ssl\nctx = ssl._create_unverified_context()\n", line=2, message="_create_unverified_context"),
        Invalid("import ssl\nssl._create_default_https_context = ssl._create_unverified_context\n", line=2),
        # one context that checks nothing: one finding
        Invalid("import ssl\nctx = ssl.create_default_context()\nctx.check_hostname = False\nctx.verify_mode = ssl.CERT_NONE\n",
                line=3, count=1, message="checks neither the certificate"),
        Invalid("import ssl\nctx = ssl.create_default_context()\nctx.check_hostname = False\n", line=3, message="any host"),
        # a shared no-verify factory: reported once, at info (its callers decide)
        Invalid("import ssl\n\ndef client_context_no_verify():\n    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\n"
                "    ctx.check_hostname = False\n    ctx.verify_mode = ssl.CERT_NONE\n    return ctx\n",
                line=5, count=1, message="exists to skip verification"),
        # check_hostname off with CERT_REQUIRED but the default trust store: any certificate of a public CA passes
        Invalid("import ssl\n\ndef ctx():\n    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\n    c.check_hostname = False\n"
                "    c.verify_mode = ssl.CERT_REQUIRED\n    return c\n", line=5),
        Invalid("async def fetch(browser):\n    return await browser.new_context(ignore_https_errors=True)\n", line=2,
                message="ignore_https_errors=True"),
        Invalid("from pyppeteer import launch\n\nasync def f():\n    return await launch(ignoreHTTPSErrors=True)\n", line=4),
    ]

    def begin(self) -> None:
        #: findings, decided at the end of the file: (node, message, function, owner, kind)
        self._candidates: list[tuple[cst.CSTNode, str, cst.FunctionDef | None, str | None, str]] = []
        #: (function id, SSL context owner) → what else the function does to that context
        self._context_facts: dict[tuple[int, str], set[str]] = {}
        #: function name → for each call site in this file: is it behind a TLS switch?
        self._call_sites: dict[str, list[bool]] = {}

    def report(self, node, message=None, **kwargs):  # type: ignore[override]
        self._candidate(node, message or self.message)

    def _candidate(self, node: cst.CSTNode, message: str, owner: str | None = None, kind: str = "") -> None:
        if self._behind_tls_switch():
            return
        self._candidates.append((node, message, self.context.function, owner, kind))

    def _fact(self, owner: str, fact: str) -> None:
        func = self.context.function
        self._context_facts.setdefault((id(func) if func is not None else 0, owner), set()).add(fact)

    def leave_Module(self, node: cst.Module) -> None:
        merged: set[tuple[int, str]] = set()
        for target, message, func, owner, kind in self._candidates:
            key = (id(func) if func is not None else 0, owner or "")
            facts = self._context_facts.get(key, set())
            if kind == "hostname" and {"cert_required", "trust_store"} <= facts:
                continue  # CERT_REQUIRED against a pinned certificate: pinning, the host name cannot match
            if func is not None and self._only_called_behind_switch(func):
                continue  # every caller reaches it only when the user's verify option is off
            if kind in ("hostname", "cert_none") and {"hostname", "cert_none"} <= facts:
                if key in merged:
                    continue  # one finding for a context that checks neither certificate nor host name
                merged.add(key)
                message = (f"`{owner}` checks neither the certificate (verify_mode = CERT_NONE) nor the host name "
                           "(check_hostname = False): anyone on the network path can read and change this traffic")
            if func is not None and _declares_no_verify(func.name.value):
                super().report(target, f"{message} (`{func.name.value}()` exists to skip verification: "
                                       "make sure its callers use it only behind an explicit opt-in)",
                               severity=Severity.INFO)
            else:
                super().report(target, message)
        self._candidates = []

    def _only_called_behind_switch(self, func: cst.FunctionDef) -> bool:
        sites = self._call_sites.get(func.name.value)
        return bool(sites) and all(sites)

    def _behind_tls_switch(self) -> bool:
        """Inside ``if verify is False:`` / ``if settings.INSECURE_SSL:`` (also through a local such as
        ``can_pin = ... not webhook.ssl_verification``): the code implements an opt-out the user or
        deployment controls, it does not hard-wire one."""
        for ancestor in reversed(self.context.ancestors):
            if isinstance(ancestor, (cst.If, cst.IfExp)):
                names = self._test_names(ancestor.test)
                if any(hint in n for n in names for hint in _SWITCH_HINTS):
                    return True
        return False

    def _test_names(self, test: cst.BaseExpression) -> set[str]:
        names = {n.lower() for n in self.context.names_in(test)}
        if isinstance(test, (cst.Attribute, cst.Comparison, cst.UnaryOperation, cst.BooleanOperation)):
            names |= {a.lower() for a in _attr_names(test)}
        if isinstance(test, (cst.Name, cst.UnaryOperation)):  # ``if can_pin:`` → what can_pin was built from
            for name in self.context.names_in(test):
                for value, _ in sinks.resolve(self.context, name)[:4]:
                    names |= {n.lower() for n in self.context.names_in(value)} | {a.lower() for a in _attr_names(value)}
        return names

    def visit_Assign(self, node: cst.Assign) -> None:
        sinks.record_assignment(self.context, node)
        for target in node.targets:
            self._check_assignment(target.target, node.value)

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.context
        func = node.func
        called = func.value if isinstance(func, cst.Name) else (
            func.attr.value if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)
            and func.value.value in ("self", "cls") else None)
        if called is not None:
            self._call_sites.setdefault(called, []).append(self._behind_tls_switch())
        if isinstance(func, cst.Attribute) and func.attr.value in ("load_verify_locations", "load_cert_chain"):
            if func.attr.value == "load_verify_locations":
                self._fact(callee_text(cst.Call(func=func.value)), "trust_store")
        qualname = ctx.call_name(node) or ""
        name = callee_text(node)
        for kw in ("ignore_https_errors", "ignoreHTTPSErrors"):
            arg = keyword(node, kw)
            if arg is not None and is_true(arg.value):
                self.report(node, f"`{name}({kw}=True)` makes the browser accept any certificate: anyone on the "
                                  "network path can read and change the pages it loads; drop it, or make it an option")
                return
        verify = keyword(node, "verify")
        if verify is not None and is_false(verify.value) and self._is_http(node, qualname):
            self.report(node, f"`{name}(verify=False)` turns off TLS certificate checks: anyone on the network path "
                              "can read and change this traffic; pass a CA bundle path instead")
            return
        if qualname.startswith(security.AIOHTTP_SSL_CALLS_PREFIX):
            for kw in ("ssl", "verify_ssl"):
                arg = keyword(node, kw)
                if arg is not None and is_false(arg.value):
                    self.report(node, f"`{name}({kw}=False)` turns off TLS certificate checks: pass an "
                                      "ssl.SSLContext that trusts your CA instead")
                    return
        cert_reqs = keyword(node, "cert_reqs")
        if cert_reqs is not None and self._is_cert_none(cert_reqs.value):
            self.report(node, f"`{name}(cert_reqs=CERT_NONE)` turns off TLS certificate checks: use CERT_REQUIRED "
                              "with a CA bundle (ca_certs=...)")

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value not in ("_create_unverified_context", "_create_stdlib_context"):
            return
        if self.context.qualname(node) in security.UNVERIFIED_CONTEXT:
            self.report(node, f"`{node.attr.value}` builds an SSL context that checks no certificate: "
                              "use ssl.create_default_context()")

    def _check_assignment(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if not isinstance(target, cst.Attribute):
            return
        attr = target.attr.value
        owner = callee_text(cst.Call(func=target.value))
        if attr == "check_hostname" and is_false(value):
            self._fact(owner, "hostname")
            self._candidate(target, f"`{owner}.check_hostname = False` accepts a valid certificate for any host: "
                                    "keep host name checking on", owner, "hostname")
        elif attr == "verify_mode" and self._is_cert_none(value):
            self._fact(owner, "cert_none")
            self._candidate(target, f"`{owner}.verify_mode = CERT_NONE` turns off TLS certificate checks: keep "
                                    "CERT_REQUIRED", owner, "cert_none")
        elif attr == "verify_mode" and (self.context.qualname(value) or "").endswith("CERT_REQUIRED"):
            self._fact(owner, "cert_required")
        elif attr == "verify" and is_false(value):
            typ = self.context.type_of(target.value)
            if typ is not None and http.client_type(typ) is not None:
                self.report(target, f"`{owner}.verify = False` turns off TLS certificate checks for every request of "
                                    "this session: set a CA bundle path instead")

    def _is_http(self, node: cst.Call, qualname: str) -> bool:
        if http.http_call(qualname) is not None or http.client_type(qualname) is not None:
            return True
        if qualname in security.TLS_VERIFY_CALLS:
            return True
        if qualname.startswith(("jwt.", "jose.")):
            return False
        func = node.func
        return isinstance(func, cst.Attribute) and func.attr.value in security.HTTP_METHOD_NAMES and bool(node.args)

    def _is_cert_none(self, value: cst.BaseExpression) -> bool:
        if string_value(value) == "CERT_NONE":
            return True
        return (self.context.qualname(value) or "") in security.CERT_NONE


_SWITCH_HINTS = ("verify", "insecure", "ssl", "tls", "cert", "validate")


def _declares_no_verify(function_name: str) -> bool:
    """``_client_context_no_verify``, ``non_verifying_requests_session``, ``insecure_context``: the
    function's name says that skipping verification is what it is for."""
    lowered = function_name.lower()
    return any(marker in lowered for marker in ("no_verify", "noverify", "non_verif", "unverified", "insecure",
                                                 "without_verif", "skip_verif", "noverif"))


def _attr_names(expr: cst.CSTNode) -> set[str]:
    out: set[str] = set()
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Attribute):
            out.add(node.attr.value)
            stack.append(node.value)
        elif isinstance(node, cst.Comparison):
            stack.append(node.left)
            stack.extend(c.comparator for c in node.comparisons)
        elif isinstance(node, cst.UnaryOperation):
            stack.append(node.expression)
        elif isinstance(node, cst.BooleanOperation):
            stack.extend((node.left, node.right))
        elif isinstance(node, cst.Call):
            stack.append(node.func)
            stack.extend(a.value for a in node.args)
    return out
