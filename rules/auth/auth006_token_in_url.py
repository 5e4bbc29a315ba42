from __future__ import annotations

import re

import libcst as cst

from reviewlint.analysis import credentials, sinks
from reviewlint.analysis.calls import argument, callee_text, keyword, string_value
from reviewlint.knowledge import http, security
from reviewlint.rule import Invalid, Rule, Severity, Viewpoint

_QUERY_KEY_BEFORE = re.compile(r"[?&;]([A-Za-z0-9_.\-\[\]]+)=$")
_QUERY_PAIR = re.compile(r"[?&;]([A-Za-z0-9_.\-]+)=([^&#]*)")


class TokenInUrl(Rule):
    """A credential sent in the URL's query string.

    ## What it does
    Flags HTTP calls (requests, httpx, aiohttp, urllib3, urllib, and `.get/.post/...` of
    client objects) whose URL puts a credential into the query string — an f-string,
    concatenation or `.format()` with `?token={...}`/`&api_key=...`, or a value whose name
    is a credential (`?key={api_key}`), also through `urlencode({...})` — or whose `params=`
    dict has a credential key or value (`params={"access_token": token}`). "Credential" is
    SEC006's name rule: `token`, `password`, `secret`, `api_key`, `accessToken` ...; not
    `page_token`, `next_token`, `csrf_token`, `token_type`.

    Not flagged: credentials in headers, `auth=`, or the request body (`data=`/`json=`);
    query parameters that are not credentials (`code`, `state`, `page_token`); relative URLs
    (`client.post("/signup/?token=...")`: an in-process test client).

    Many providers accept the key only in the query string, and the caller cannot do otherwise:
    the finding is a warning only for hosts known to accept the credential in a header (the
    Facebook Graph API, SearchApi, GitHub ...) and says so; elsewhere it is reported at info,
    "if the provider accepts a header".

    ## Why it matters
    URLs are written to access logs, proxy logs, browser history, `Referer` headers and
    error trackers, so a token in the query string leaks to everyone who can read any of
    them, and outlives its rotation in old logs.

    ## Example
    ```python
    import httpx

    def forecast(city, api_key):
        return httpx.get(f"https://api.weather.example/v1/forecast?city={city}&api_key={api_key}")
    ```

    ## Use instead
    ```python
    import httpx

    def forecast(city, api_key):
        return httpx.get("https://api.weather.example/v1/forecast", params={"city": city},
                         headers={"Authorization": f"Bearer {api_key}"})
    ```
    """

    code = "AUTH006"
    name = "token-in-url"
    opt_in = True  # judged precision on real code below 0.8: docs/precision.md
    viewpoint = Viewpoint.AUTH
    severity = Severity.WARNING
    skip_roles = frozenset({"example", "generated", "test"})
    message = "credential sent in the URL query string: send it in a header"

    valid = [
        "import requests\n\ndef f(token):\n    return requests.get('https://x.org/me', headers={'Authorization': f'Bearer {token}'}, timeout=5)\n",
        "import requests\n\ndef f(page_token):\n    return requests.get(f'https://x.org/items?page_token={page_token}', timeout=5)\n",
        "import httpx\n\ndef f(cursor):\n    return httpx.get('https://x.org/items', params={'next_token': cursor, 'limit': 50})\n",
        # a credential in the body is fine
        "import requests\n\ndef f(refresh_token):\n    return requests.post('https://x.org/oauth/token', data={'refresh_token': refresh_token}, timeout=5)\n",
        # OAuth2 authorization-code redirect parameters are not credentials
        "import requests\n\ndef f(code, state):\n    return requests.get(f'https://x.org/cb?code={code}&state={state}', timeout=5)\n",
        # token_type is not a credential
        "import httpx\n\ndef f(kind):\n    return httpx.get('https://x.org/info', params={'token_type': kind})\n",
        # not an HTTP call
        "def f(cache, token):\n    return cache.get(f'session:{token}')\n",
        # a relative URL: an in-process test client
        "def f(client):\n    return client.post('/user/signup/?token=wrong-invite', data={'email': 'a@b.test'})\n",
    ]
    invalid = [
        Invalid("import httpx\n\ndef f(city, api_key):\n    return httpx.get(f'https://api.example/v1?city={city}&api_key={api_key}')\n",
                line=4, message="`api_key`"),
        Invalid("import requests\n\ndef f(key):\n    return requests.get('https://x.org/data?token=' + key, timeout=5)\n", line=4, message="`token`"),
        Invalid("import requests\n\ndef f(access_token):\n    return requests.get('https://graph.x.org/me', params={'access_token': access_token}, timeout=5)\n",
                line=4, message="params="),
        Invalid("import requests\n\ndef f(api_key):\n    params = {'q': 'x', 'key': api_key}\n    return requests.get('https://x.org/s', params=params, timeout=5)\n",
                line=5, message="`api_key`"),
        Invalid("from urllib.parse import urlencode\nimport requests\n\ndef f(token):\n"
                "    return requests.get(f\"https://x.org/feed?{urlencode({'token': token})}\", timeout=5)\n", line=5),
        Invalid("def f(self, password):\n    return self.session.get('https://x.org/login?user=me&password={}'.format(password))\n", line=2),
        # a provider known to accept the credential in a header: a warning that says so
        Invalid("import requests\n\nBASE_URL = 'https://graph.facebook.com/v2.6/me/messages'\n\ndef f(page_access_token, body):\n"
                "    return requests.post(BASE_URL, json=body, params={'access_token': page_access_token}, timeout=5)\n",
                line=6, message="graph.facebook.com accepts it in a header"),
        # unknown providers often take the key only in the query string: info, and says "if"
        Invalid("import requests\n\ndef f(api_key):\n    return requests.get('https://api.duckdns.example/update', "
                "params={'token': api_key}, timeout=5)\n", line=4, message="if the provider accepts a header"),
    ]

    def visit_Assign(self, node: cst.Assign) -> None:
        sinks.record_assignment(self.context, node)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        sinks.record_assignment(self.context, node)

    def visit_Call(self, node: cst.Call) -> None:
        url = self._url_of(node)
        if url is None:
            return
        host = self._host(url)
        if host == "":
            return  # a relative URL ("/signup/?token=..."): an in-process test client, not a request on the wire
        found = self._in_url(url) or self._in_params(node)
        if found is None:
            return
        what, how = found
        if host is not None and host.endswith(security.HEADER_AUTH_HOSTS):
            self.report(node, f"`{callee_text(node)}()` sends the credential {what} {how}: URLs end up in logs, "
                              f"proxies and Referer headers; {host} accepts it in a header (Authorization): send it there")
            return
        # many providers take the key only in the query string: say so, at info
        self.report(node, f"`{callee_text(node)}()` sends the credential {what} {how}: URLs end up in logs, "
                          "proxies and Referer headers; if the provider accepts a header (Authorization), send it there",
                    severity=Severity.INFO)

    def _host(self, url: cst.BaseExpression, depth: int = 0) -> str | None:
        """The URL's host ("" for a relative URL), when the literal text shows it."""
        text = string_value(url)
        if text is None and isinstance(url, cst.Name) and depth < 3:
            values = sinks.resolve(self.context, url.value)
            if len(values) == 1 and not values[0][1]:
                return self._host(values[0][0], depth + 1)
        if text is None:
            building = sinks.string_building(self.context, url)
            if building is not None and building.slots and building.slots[0].before:
                text = building.slots[0].before
            elif building is not None and building.slots and depth < 3:
                return self._host(building.slots[0].expr, depth + 1)
        if text is None:
            return None
        if text.startswith("/") and not text.startswith("//"):
            return ""
        match = re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//([^/:?#@]+)", text, re.IGNORECASE)
        return match.group(1).lower() if match else None

    def _url_of(self, node: cst.Call) -> cst.BaseExpression | None:
        ctx = self.context
        qualname = ctx.call_name(node) or ""
        call = http.http_call(qualname)
        if call is not None:
            return argument(node, call.url_index, call.url_keyword)
        func = node.func
        if qualname.startswith(("jwt.", "jose.")) or not isinstance(func, cst.Attribute):
            return None
        if func.attr.value not in security.HTTP_METHOD_NAMES or not node.args:
            return None
        receiver = func.value
        rname = (receiver.attr.value if isinstance(receiver, cst.Attribute)
                 else receiver.value if isinstance(receiver, cst.Name) else "").lower()
        if not any(h in rname for h in ("session", "client", "http", "requests", "httpx", "api")):
            return None
        index = 1 if func.attr.value == "request" else 0
        return argument(node, index, "url")

    def _in_url(self, url: cst.BaseExpression) -> tuple[str, str] | None:
        ctx = self.context
        text = string_value(url)
        if text is not None:
            for key, value in _QUERY_PAIR.findall(text):
                if credentials.is_credential_name(key) and credentials.is_secret_value(value, key):
                    return f"`{key}`", "hard-coded in the URL's query string"
            return None
        building = sinks.string_building(ctx, url)
        if building is None:
            return None
        for slot in building.slots:
            match = _QUERY_KEY_BEFORE.search(slot.before)
            in_query = "?" in slot.before
            value_name = _name_of(slot.expr)
            if match and credentials.is_credential_name(match.group(1)):
                return f"`{match.group(1)}`", "in the URL's query string"
            if in_query and match and value_name and credentials.is_credential_name(value_name):
                return f"`{value_name}`", "in the URL's query string"
            encoded = self._urlencoded(slot.expr)
            if encoded is not None and (in_query or slot.before.rstrip().endswith("?")):
                return f"`{encoded}`", "in the URL's query string (urlencode)"
        return None

    def _urlencoded(self, expr: cst.BaseExpression) -> str | None:
        expr = jwt_follow(self.context, expr)
        if not isinstance(expr, cst.Call) or not (self.context.call_name(expr) or "").endswith("urlencode") or not expr.args:
            return None
        return _credential_in_dict(jwt_follow(self.context, expr.args[0].value))

    def _in_params(self, node: cst.Call) -> tuple[str, str] | None:
        arg = keyword(node, "params")
        if arg is None:
            return None
        found = _credential_in_dict(jwt_follow(self.context, arg.value))
        if found is None:
            return None
        return f"`{found}`", "as a query parameter (params=)"


def jwt_follow(ctx, expr):
    from reviewlint.analysis.jwt_calls import follow

    return follow(ctx, expr)


def _name_of(expr: cst.BaseExpression) -> str | None:
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        return expr.attr.value
    if isinstance(expr, cst.Subscript):
        for element in expr.slice:
            if isinstance(element.slice, cst.Index):
                key = string_value(element.slice.value)
                if key is not None:
                    return key
    return None


def _credential_in_dict(value: cst.BaseExpression | None) -> str | None:
    """The first credential key (or credential-named value) of a literal dict / ``dict(...)``."""
    pairs: list[tuple[str | None, cst.BaseExpression]] = []
    if isinstance(value, cst.Dict):
        for element in value.elements:
            if isinstance(element, cst.DictElement):
                pairs.append((string_value(element.key), element.value))
    elif isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value == "dict":
        pairs = [(a.keyword.value, a.value) for a in value.args if a.keyword is not None]
    elif isinstance(value, (cst.List, cst.Tuple)):
        for element in value.elements:
            inner = element.value
            if isinstance(inner, cst.Tuple) and len(inner.elements) == 2:
                pairs.append((string_value(inner.elements[0].value), inner.elements[1].value))
    for key, val in pairs:
        if key is not None and credentials.is_credential_name(key):
            literal = string_value(val)
            if literal is not None and not credentials.is_secret_value(literal, key):
                continue
            return key
        name = _name_of(val)
        if name is not None and credentials.is_credential_name(name):
            return name
    return None
