from __future__ import annotations

import re

import libcst as cst

from reviewlint.analysis import config_modules as cm
from reviewlint.analysis.calls import argument, callee_text
from reviewlint.knowledge import http
from reviewlint.rule import Invalid, Option, Rule, Severity, Valid, Viewpoint

#: calls (besides the HTTP requests of knowledge.http) whose argument is where a connection goes
_OUTBOUND_TARGETS: dict[str, tuple[int, str | None]] = {
    "urllib.request.Request": (0, "url"),
    "websockets.connect": (0, "uri"),
    "websockets.client.connect": (0, "uri"),
    "websocket.create_connection": (0, "url"),
    "urllib3.connection_from_url": (0, "url"),
    "http.client.HTTPConnection": (0, "host"),
    "http.client.HTTPSConnection": (0, "host"),
    "urllib3.HTTPConnectionPool": (0, "host"),
    "urllib3.HTTPSConnectionPool": (0, "host"),
}
#: keyword arguments that name an endpoint, on any call (`httpx.Client(base_url=...)`, `boto3.client(endpoint_url=...)`)
_ENDPOINT_KEYWORDS = frozenset(
    {"base_url", "api_base", "api_base_url", "endpoint_url", "api_url", "base_uri", "server_url", "endpoint", "webhook_url"}
)
#: a name that holds an XML namespace, not an endpoint
_NAMESPACE_NAME = re.compile(r"(?:^|[_:.-])(?:ns|nsmap|namespaces?|xmlns)(?:[_:.-]|$)", re.IGNORECASE)
#: a name that holds a host/address (for bare IP literals)
_HOST_NAME = re.compile(r"host|addr|(?:^|_)ip(?:_|$)|server|endpoint|url|uri|dns|proxy|upstream|remote|peer", re.IGNORECASE)
_BARE_IP = re.compile(r"^\[?[0-9a-fA-F:.]+\]?(?::\d{1,5})?$")


class HardcodedEndpoint(Rule):
    """A production endpoint written into code instead of configuration.

    ## What it does
    Flags an absolute `http(s)://` URL literal (plain string or f-string) with a real host,
    or an IP address literal, that is passed to an outbound call (the URL of an HTTP
    request, a client's `base_url=`, `urllib.request.Request`, `http.client.HTTPConnection`
    …) or assigned inside a function, outside the settings/config modules.

    Not flagged: `localhost`, loopback and documentation IPs, `example.com`/`.test`/
    `.invalid`/`.local` hosts, hosts in the `allowed-hosts` option, URLs whose host is a
    placeholder (`f"https://{host}/…"`), docstrings, test files, namespace and schema URIs
    (hosts `www.w3.org`, `json-schema.org`, `purl.org`, `xmlns.com`, `schemas.*`; ElementTree
    `{uri}tag` names; values assigned to `*ns*`/`nsmap`/`namespaces` names or passed as
    `namespaces=`, or to an `xmlns:*` key; URLs inside mappings and lists are not endpoint
    assignments), the default of a configured value (`config.get("url") or "https://…"`,
    `if not url: url = "https://…"`, `os.environ.get("URL", "https://…")`),
    module-level UPPER_CASE constants anywhere (a named constant is already one place to
    change; so are class attributes), settings/config classes (`*Settings`, `*Config`,
    `*Configuration`, pydantic `BaseSettings`) and settings/config modules (option
    `config-modules`, default `settings*.py`, `config*.py`, `conf.py`, `*_settings.py`,
    `*_config.py`, and modules inside a `settings/` or `config/` package).

    ## Why it matters
    Staging, a new region, a vendor migration: every copy of the URL has to be found and
    changed, and a missed one silently talks to production from a test environment.

    ## Example
    ```python
    def charge(client, amount):
        return client.post("https://api.stripe.com/v1/charges", data={"amount": amount})
    ```

    ## Use instead
    ```python
    from myapp.settings import settings

    def charge(client, amount):
        return client.post(f"{settings.stripe_base_url}/charges", data={"amount": amount})
    ```
    """

    code = "MAINT001"
    name = "hardcoded-endpoint"
    opt_in = True  # judged precision on real code below 0.8: docs/precision.md
    viewpoint = Viewpoint.MAINTAINABILITY
    severity = Severity.WARNING
    skip_roles = frozenset({"example", "generated", "migration", "test"})
    message = "hard-coded endpoint: read the base URL from config"
    options = {
        "config-modules": Option("list[str]", list(cm.DEFAULT_CONFIG_MODULES),
                                 "globs of settings/config modules, where endpoints belong"),
        "allowed-hosts": Option("list[str]", [], "hosts that are never reported (`api.internal`, `*.corp.example`)"),
    }

    valid = [
        # a module-level UPPER_CASE constant is one place to change
        "import requests\nAPI_URL = 'https://api.stripe.com/v1'\n\ndef charge(a):\n"
        "    return requests.post(f'{API_URL}/charges', data={'a': a}, timeout=5)\n",
        # localhost / loopback / example hosts / .test
        "import requests\n\ndef ping():\n    return requests.get('http://localhost:8000/health', timeout=2)\n",
        "import requests\n\ndef ping():\n    url = 'http://127.0.0.1:9200/_cluster/health'\n    return requests.get(url, timeout=2)\n",
        "import httpx\n\ndef f():\n    return httpx.get('https://api.example.com/v1/items')\n",
        "def f():\n    callback = 'https://hooks.shop.test/paid'\n    other = 'http://printer.local/status'\n"
        "    bad = 'https://x.invalid/'\n    return callback, other, bad\n",
        # docstrings are documentation
        "def f():\n    '''Calls https://api.github.com/repos for the list.'''\n",
        # namespace and schema URIs
        "def feed(root):\n    atom = 'http://www.w3.org/2005/Atom'\n    schema = 'https://json-schema.org/draft/2020-12/schema'\n"
        "    dc = 'http://purl.org/dc/elements/1.1/'\n    soap = 'http://schemas.xmlsoap.org/soap/envelope/'\n"
        "    return root.find('{http://www.w3.org/2005/Atom}entry')\n",
        "def parse(root):\n    nsmap = {'g': 'http://base.google.com/ns/1.0'}\n    g_ns = 'http://base.google.com/ns/1.0'\n"
        "    return root.findall('g:price', namespaces={'g': 'http://base.google.com/ns/1.0'})\n",
        # ElementTree {uri}tag names
        "def parse(root):\n    tag = '{http://base.google.com/ns/1.0}price'\n    return root.find(tag)\n",
        # a settings class
        "import os\n\nclass PaymentSettings:\n    def __init__(self):\n        self.base_url = 'https://api.stripe.com/v1'\n",
        "from pydantic_settings import BaseSettings\n\nclass Env(BaseSettings):\n    def default_url(self):\n"
        "        url = 'https://api.stripe.com/v1'\n        return url\n",
        # a settings/config module
        Valid("def load():\n    base = 'https://api.stripe.com/v1'\n    return base\n", path="myapp/settings.py"),
        Valid("def load():\n    base = 'https://api.stripe.com/v1'\n    return base\n", path="myapp/config/payments.py"),
        Valid("import requests\n\ndef f():\n    return requests.get('https://api.stripe.com/v1', timeout=3)\n",
              path="myapp/stripe_config.py"),
        # tests
        Valid("import requests\n\ndef test_f():\n    requests.get('https://api.stripe.com/v1', timeout=3)\n", path="tests/test_pay.py"),
        # a placeholder host
        "import requests\n\ndef f(host):\n    return requests.get(f'https://{host}/v1/items', timeout=3)\n",
        # an allowed host
        Valid("def f():\n    url = 'https://metrics.corp.acme.io/push'\n    return url\n",
              options={"allowed-hosts": ["*.corp.acme.io"]}),
        # the default of a configured value
        "def f(config):\n    base = config.get('mistral_url') or 'https://api.mistral.ai/v1'\n    return base\n",
        "def f(config):\n    base = config.get('marker_url')\n    if not base:\n        base = 'https://www.datalab.to/api/v1'\n    return base\n",
        "import os\n\ndef f():\n    return os.environ.get('API_URL', 'https://api.acme.io')\n",
        # an xmlns attribute
        "def rss_attributes(self):\n    attrs = {}\n    attrs['xmlns:georss'] = 'http://www.georss.org/georss'\n    return attrs\n",
        # a URL inside a mapping or list is not an endpoint assignment
        "def links():\n    out = {'docs': 'https://docs.djangoproject.com/en/5.0/'}\n    return out\n",
        # a class attribute is a named constant
        "class GitHub:\n    base_url = 'https://api.github.com'\n",
        # not a URL, not a host name
        "def f():\n    version = '1.2.3.4'\n    path = 'https://'\n    return version, path\n",
    ]
    invalid = [
        Invalid("import requests\n\ndef charge(amount):\n"
                "    return requests.post('https://api.stripe.com/v1/charges', data={'amount': amount}, timeout=5)\n",
                line=4, message="`https://api.stripe.com/v1/charges` passed to `requests.post()`"),
        Invalid("import httpx as hx\n\ndef repo(name):\n    return hx.get(f'https://api.github.com/repos/{name}')\n",
                line=4, message="api.github.com"),
        Invalid("def notify():\n    url = 'https://hooks.slack.com/services/T000/B000/XXX'\n    return url\n",
                line=2, message="assigned in `notify()`"),
        Invalid("import httpx\n\ndef make():\n    return httpx.Client(base_url='https://api.acme.io/v2')\n", line=4,
                message="`base_url=`"),
        Invalid("class Api:\n    def __init__(self):\n        self.base = 'https://api.acme.io'\n", line=3),
        Invalid("import http.client\n\ndef f():\n    conn = http.client.HTTPSConnection('10.20.0.15', timeout=3)\n", line=4,
                message="10.20.0.15"),
        Invalid("import http.client\n\ndef f():\n    return http.client.HTTPSConnection('api.acme.io', timeout=3)\n", line=4,
                message="api.acme.io"),
        Invalid("def f():\n    db_host = '10.20.0.15'\n    return db_host\n", line=2, message="IP address"),
        Invalid("import requests\nrequests.get('https://api.acme.io/status', timeout=3)\n", line=2),
        Invalid("def f(path):\n    url = 'https://api.acme.io' + path\n    return url\n", line=2),
        # only the host counts against allowed-hosts
        Invalid("def f():\n    url = 'https://api.acme.io/push'\n    return url\n", line=2,
                options={"allowed-hosts": ["*.corp.acme.io"]}),
    ]

    def begin(self) -> None:
        self._skip: bool | None = None

    def _file_skipped(self) -> bool:
        if self._skip is None:
            self._skip = cm.is_config_module(self.context, self.config["config-modules"])
        return self._skip

    # ------------------------------------------------------------------ outbound calls
    def visit_Call(self, node: cst.Call) -> None:
        if self._file_skipped() or cm.in_settings_class(self.context):
            return
        ctx = self.context
        qualname = ctx.call_name(node)
        targets: list[cst.BaseExpression] = []
        bare_host: cst.BaseExpression | None = None
        call = http.http_call(qualname)
        if call is not None:
            url = argument(node, call.url_index, call.url_keyword)
            if url is not None:
                targets.append(url)
        elif qualname is not None:
            spec = _OUTBOUND_TARGETS.get(http.TYPE_ALIASES.get(qualname, qualname))
            if spec is not None:
                value = argument(node, spec[0], spec[1])
                if value is not None:
                    targets.append(value)
                    if spec[1] == "host":
                        bare_host = value
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value in _ENDPOINT_KEYWORDS and arg.value not in targets:
                targets.append(arg.value)
        for value in targets:
            found = _endpoint_literal(value, bare_ip=True, bare_host=value is bare_host)
            if found is None or self._allowed(found[1]):
                continue
            text, host = found
            where = f"`{arg_name(node, value)}`" if keyword_of(node, value) else f"`{callee_text(node)}()`"
            self.report(value, f"hard-coded endpoint `{_short(text)}` passed to {where}: "
                               f"read the base URL ({host}) from config, so each environment changes it in one place")

    # ------------------------------------------------------------------ assignments in functions
    def visit_Assign(self, node: cst.Assign) -> None:
        self._assignment([t.target for t in node.targets], node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._assignment([node.target], node.value)

    def _assignment(self, targets: list[cst.BaseExpression], value: cst.BaseExpression) -> None:
        ctx = self.context
        func = ctx.function
        if func is None or self._file_skipped() or cm.in_settings_class(ctx):
            return
        names = [_target_name(t) for t in targets]
        if self._is_fallback_default(targets):
            return
        if any(n and _NAMESPACE_NAME.search(n) for n in names):
            return  # an XML namespace, not an endpoint
        host_like = any(n and _HOST_NAME.search(n) for n in names)
        found = _endpoint_literal(value, bare_ip=host_like)
        if found is None or self._allowed(found[1]):
            return
        text, host = found
        if cm.url_host(text) is None:
            message = (f"hard-coded IP address `{text}` assigned in `{func.name.value}()`: "
                       "read the host from config, so each environment changes it in one place")
        else:
            message = (f"hard-coded endpoint `{_short(text)}` assigned in `{func.name.value}()`: "
                       f"read the base URL ({host}) from config, so each environment changes it in one place")
        self.report(value, message)

    def _is_fallback_default(self, targets: list[cst.BaseExpression]) -> bool:
        """``if not url: url = "https://..."``: the default of a value read from config."""
        names = {t.value for t in targets if isinstance(t, cst.Name)}
        if not names:
            return False
        for node in reversed(self.context.ancestors):
            if isinstance(node, cst.If):
                return bool(names & self.context.names_in(node.test))
            if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
                return False
        return False

    def _allowed(self, host: str) -> bool:
        return cm.is_placeholder_host(host, self.config["allowed-hosts"])


# ---------------------------------------------------------------------- helpers


def _target_name(target: cst.BaseExpression) -> str | None:
    if isinstance(target, cst.Name):
        return target.value
    if isinstance(target, cst.Attribute):
        return target.attr.value
    if isinstance(target, cst.Subscript) and len(target.slice) == 1:
        index = target.slice[0].slice
        if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
            value = index.value.evaluated_value
            return value if isinstance(value, str) else None
    return None


def _leading_text(expr: cst.BaseExpression) -> str | None:
    """The literal text an expression starts with (strings, f-strings, `+`, `%`, `.format()`)."""
    if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
        if isinstance(expr, cst.ConcatenatedString) and not isinstance(expr.left, cst.SimpleString):
            return _leading_text(expr.left)
        value = expr.evaluated_value
        return value if isinstance(value, str) else None
    if isinstance(expr, cst.FormattedString):
        out = []
        for part in expr.parts:
            if isinstance(part, cst.FormattedStringText):
                out.append(part.value.replace("{{", "{").replace("}}", "}"))
            else:
                out.append("{}")
                break
        return "".join(out)
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, (cst.Add, cst.Modulo)):
        return _leading_text(expr.left)
    if (isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "format"
            and isinstance(expr.func.value, (cst.SimpleString, cst.ConcatenatedString))):
        text = _leading_text(expr.func.value)
        return text[: text.find("{")] + "{}" if text and "{" in text else text
    return None


def _endpoint_literal(expr: cst.BaseExpression, *, bare_ip: bool, bare_host: bool = False) -> tuple[str, str] | None:
    """(text, host) when ``expr`` is a literal absolute URL with a real host (or, with ``bare_ip``, an IP;
    with ``bare_host``, a host name: the ``host`` argument of a connection)."""
    text = _leading_text(expr)
    if not text:
        return None
    host = cm.url_host(text)
    if host is not None:
        return (text, host) if cm.is_real_host(host) else None
    if bare_host and "{" not in text and cm.is_real_host(text.strip().lower().split(":", 1)[0]) and not cm.is_ip(text.strip()):
        return text, text.strip().lower().split(":", 1)[0]
    if bare_ip and _BARE_IP.match(text.strip()):
        candidate = text.strip()
        if candidate.count(":") == 1 and "." in candidate:  # 10.0.0.5:8080
            candidate = candidate.split(":", 1)[0]
        candidate = candidate.strip("[]")
        if cm.is_ip(candidate) and candidate.count(".") in (0, 3):
            return text, candidate
    return None


def keyword_of(call: cst.Call, value: cst.BaseExpression) -> bool:
    return any(a.value is value and a.keyword is not None for a in call.args)


def arg_name(call: cst.Call, value: cst.BaseExpression) -> str:
    for a in call.args:
        if a.value is value and a.keyword is not None:
            return f"{a.keyword.value}="
    return callee_text(call)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"

