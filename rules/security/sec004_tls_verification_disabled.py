from __future__ import annotations

import libcst as cst

from reviewlint.analysis.calls import callee_text, is_false, keyword, string_value
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

    Not flagged: `verify=` with a CA bundle path or a variable (a setting the deployment
    controls), code inside an `if` that tests such a switch (`if verify is False:`,
    `if settings.INSECURE_SSL:`: it implements the opt-out, it does not hard-wire it),
    `verify=True`, and `verify=False` on calls that are not HTTP (`jwt.decode` is
    AUTH003's business).

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
    opt_in = True  # judged precision on real code below 0.8: docs/precision.md
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
        Invalid("import ssl\nctx = ssl.create_default_context()\nctx.check_hostname = False\nctx.verify_mode = ssl.CERT_NONE\n",
                line=3, count=2),
    ]

    def report(self, node, message=None, **kwargs):  # type: ignore[override]
        if self._behind_tls_switch():
            return
        super().report(node, message, **kwargs)

    def _behind_tls_switch(self) -> bool:
        """Inside ``if verify is False:`` / ``if settings.INSECURE_SSL:``: the code implements an
        opt-out the deployment controls, it does not hard-wire one."""
        for ancestor in reversed(self.context.ancestors):
            if isinstance(ancestor, (cst.If, cst.IfExp)):
                names = {n.lower() for n in self.context.names_in(ancestor.test)}
                if isinstance(ancestor.test, (cst.Attribute, cst.Comparison, cst.UnaryOperation, cst.BooleanOperation)):
                    names |= {a.lower() for a in _attr_names(ancestor.test)}
                if any(hint in n for n in names for hint in _SWITCH_HINTS):
                    return True
        return False

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.context
        qualname = ctx.call_name(node) or ""
        name = callee_text(node)
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

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._check_assignment(target.target, node.value)

    def _check_assignment(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if not isinstance(target, cst.Attribute):
            return
        attr = target.attr.value
        owner = callee_text(cst.Call(func=target.value))
        if attr == "check_hostname" and is_false(value):
            self.report(target, f"`{owner}.check_hostname = False` accepts a valid certificate for any host: "
                                "keep host name checking on")
        elif attr == "verify_mode" and self._is_cert_none(value):
            self.report(target, f"`{owner}.verify_mode = CERT_NONE` turns off TLS certificate checks: keep CERT_REQUIRED")
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
