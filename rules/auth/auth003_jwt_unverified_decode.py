from __future__ import annotations

import re

import libcst as cst

from reviewlint.analysis import credentials, jwt_calls, sinks
from reviewlint.analysis.calls import callee_text, code_of
from reviewlint.rule import Invalid, Rule, Severity, Viewpoint


class JwtUnverifiedDecode(Rule):
    """A JWT decoded without checking its signature.

    ## What it does
    Flags `jwt.decode(...)` (PyJWT, also `jose.jwt.decode`) with
    `options={"verify_signature": False}` (literal, `dict(...)` or a local variable), the
    legacy `verify=False` (ignored by PyJWT 2.x, but it says what the author meant), or
    `algorithms=["none"]`.

    Options may be a local dict filled item by item (`opts["verify_signature"] = False`) or
    take a variable that holds `False` (`def check(token, verify=False)`).

    Reported only where an unverified decode matters: the token comes from the incoming
    request (headers, cookies, query, body, a route parameter or FastAPI dependency, followed
    through local variables and the file's own call sites of a helper), its claims decide
    access (`roles`, `groups`, `permissions`, `is_admin`; `scope` too unless the token is the
    program's own), or the function authenticates with it (`get_current_user`,
    `user_from_token`, `verify_token`). `algorithms=["none"]` is always reported.

    Not flagged: a token the provider's userinfo or introspection endpoint accepted earlier in
    the function (`await client.userinfo(token=...)`: its claims are genuine); the program's own
    OAuth token as the provider's token endpoint returned it
    over TLS (`data["token"]["access_token"]`, `session.token["id_token"]`,
    `await api.get_token(...)`): an OAuth client reading `sub`/`exp`/`scp` of it cannot be
    fooled by anyone but the provider; a token of unknown origin whose claims decide nothing
    (displaying `exp`); `jwt.get_unverified_header(token)` (reading `kid` to pick the key is
    the normal way to verify); and an unverified decode of a token that the same function
    then decodes again with verification (peeking at `iss` to choose the key).

    ## Why it matters
    The claims of an unverified token are whatever the sender typed: anyone can mint
    `{"sub": "admin"}`. Code that reads claims "just for routing" tends to end up making
    access decisions with them.

    ## Example
    ```python
    import jwt

    def current_user(token):
        claims = jwt.decode(token, options={"verify_signature": False})
        return claims["sub"]
    ```

    ## Use instead
    ```python
    import jwt

    def current_user(token):
        claims = jwt.decode(token, PUBLIC_KEY, algorithms=["RS256"], audience="api")
        return claims["sub"]
    ```
    """

    code = "AUTH003"
    name = "jwt-unverified-decode"
    viewpoint = Viewpoint.AUTH
    severity = Severity.ERROR
    lower_roles = frozenset({"test"})
    message = "JWT decoded without verifying its signature"

    valid = [
        "import jwt\n\ndef f(token, key):\n    return jwt.decode(token, key, algorithms=['HS256'])\n",
        # reading the header to find the key is the normal way to verify
        "import jwt\n\ndef f(token, keys):\n    kid = jwt.get_unverified_header(token)['kid']\n"
        "    return jwt.decode(token, keys[kid], algorithms=['RS256'])\n",
        # peek at the issuer, then verify the same token
        "import jwt\n\ndef f(token, keys):\n    unverified = jwt.decode(token, options={'verify_signature': False})\n"
        "    key = keys[unverified['iss']]\n    return jwt.decode(token, key, algorithms=['RS256'], audience='api')\n",
        "import jwt\n\ndef f(token, key):\n    return jwt.decode(token, key, algorithms=['HS256'], options={'verify_signature': True})\n",
        # the caller decides (no default that turns it off)
        "import jwt\n\ndef f(request, key, verify):\n"
        "    return jwt.decode(request.headers['X-Token'], key, algorithms=['HS256'], options={'verify_signature': verify})\n",
        # the unverified part read is only the header (kid lookup), like get_unverified_header
        "from jwt.api_jws import decode_complete\n\ndef f(token, client):\n"
        "    unverified = decode_complete(token, options={'verify_signature': False})\n"
        "    header = unverified['header']\n    return client.get_signing_key(header.get('kid'))\n",
        # the program's own OAuth token, as the provider's token endpoint returned it: not attacker input
        "import jwt\n\nclass Flow:\n    async def async_oauth_create_entry(self, data):\n"
        "        sub = jwt.decode(data['token']['access_token'], options={'verify_signature': False})['sub']\n"
        "        await self.async_set_unique_id(sub)\n",
        "import jwt\n\nasync def setup(oauth_session):\n    access_token = oauth_session.token['access_token']\n"
        "    token = jwt.decode(access_token, options={'verify_signature': False})\n    return token['scp']\n",
        "import jwt\n\nasync def fetch(api):\n    token = await api.get_token('ha', 'READONLY')\n"
        "    return jwt.decode(token, algorithms=['HS256'], options={'verify_signature': False})['exp']\n",
        # the provider's userinfo endpoint accepted the token first: its claims are genuine
        "import jwt\n\nasync def exchange(client, form_data):\n"
        "    user_data = await client.userinfo(token={'access_token': form_data.token})\n"
        "    claims = jwt.decode(form_data.token, options={'verify_signature': False})\n    return claims.get('roles'), user_data\n",
        # a token of unknown origin whose claims decide nothing (display of the expiry)
        "import jwt\n\ndef token_lifetime(token):\n    return jwt.decode(token, options={'verify_signature': False}).get('exp')\n",
        # not PyJWT
        "import base64\n\ndef f(token):\n    return base64.urlsafe_b64decode(token)\n",
    ]
    invalid = [
        # the token comes from the request
        Invalid("import jwt\nfrom flask import request\n\ndef user_id():\n"
                "    token = request.headers['Authorization'].split()[1]\n"
                "    return jwt.decode(token, options={'verify_signature': False})['sub']\n",
                line=6, message="the request carries"),
        Invalid("import jwt\nfrom fastapi import Depends\nfrom fastapi.security import OAuth2PasswordBearer\n\n"
                "scheme = OAuth2PasswordBearer(tokenUrl='token')\n\n"
                "def current_user(token: str = Depends(scheme)):\n    return jwt.decode(token, verify=False)\n",
                line=8, message="verify=False"),
        Invalid("import jwt\n\ndef f(token, key):\n    return jwt.decode(token, key, algorithms=['none'])\n", line=4, message="none"),
        # options built in a variable, from a boolean variable
        Invalid("import jwt\nfrom flask import request\n\ndef claims():\n    opts = {}\n    opts['verify_signature'] = False\n"
                "    return jwt.decode(request.cookies['session'], options=opts)\n", line=7, message="verify_signature"),
        Invalid("import jwt\n\ndef claims(request, verify=False):\n"
                "    return jwt.decode(request.headers['X-Token'], 'k', algorithms=['HS256'], options={'verify_signature': verify})\n",
                line=4, message="verify (default False)"),
        # the claims decide access, wherever the token came from
        Invalid("from jwt import decode as jwt_decode\n\ndef is_admin(token):\n    opts = {'verify_signature': False}\n"
                "    claims = jwt_decode(token, options=opts)\n    return 'admin' in claims['roles']\n",
                line=5, message="the `roles` claim, which anyone can forge, decides access"),
        Invalid("import jwt\n\ndef f(token):\n    return jwt.decode(token, options=dict(verify_signature=False))['permissions']\n", line=4),
        # a function that authenticates with the token
        Invalid("from jose import jwt\n\ndef get_current_user(token):\n"
                "    return jwt.decode(token, None, options={'verify_signature': False})['sub']\n", line=4,
                message="get_current_user()"),
    ]

    def begin(self) -> None:
        #: decodes by function id: (call, reason, token text, why it matters or None, token parameter)
        self._decodes: dict[int, list[tuple[cst.Call, str | None, str, str | None, tuple[str, int] | None]]] = {}
        #: function name → the token sources of its arguments at each call site in this file
        self._call_sites: dict[str, list[tuple[list[str | None], dict[str, str | None]]]] = {}
        text = self.context.text
        self._jwt_file = "jwt" in text or "jose" in text

    def visit_Assign(self, node: cst.Assign) -> None:
        jwt_calls.record_assignment(self.context, node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        jwt_calls.record_assignment(self.context, node)

    def visit_Call(self, node: cst.Call) -> None:
        if not self._jwt_file:
            return
        jc = jwt_calls.jwt_call(self.context, node)
        if jc is None:
            self._record_call_site(node)
            return
        if jc.kind != jwt_calls.DECODE:
            return
        reason = jwt_calls.unverified_reason(self.context, jc)
        token = code_of(jc.token) if jc.token is not None else ""
        if reason is not None and self._header_only(node):
            return
        why, parameter = (None, None)
        if reason is not None and reason.startswith("algorithms"):
            why = "accepts unsigned tokens, which anyone can forge"
        elif reason is not None:
            why = self._why_it_matters(jc)
            parameter = jwt_calls.token_parameter(self.context, jc.token) if why is None or why.startswith("in `") else None
        key = id(self.context.function) if self.context.function is not None else 0
        self._decodes.setdefault(key, []).append((node, reason, token, why, parameter))

    def _record_call_site(self, node: cst.Call) -> None:
        """``self._user_id_from(data["token"]["access_token"])``: where the arguments of a local
        function or method come from, to judge a decode of its parameter."""
        func = node.func
        if isinstance(func, cst.Name):
            name = func.value
        elif isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value in ("self", "cls"):
            name = func.attr.value
        else:
            return
        if not node.args or len(node.args) > 8:
            return
        positional: list[str | None] = []
        keywords: dict[str, str | None] = {}
        for arg in node.args:
            source = jwt_calls.token_source(self.context, arg.value)
            if arg.keyword is not None:
                keywords[arg.keyword.value] = source
            elif not arg.star:
                positional.append(source)
        self._call_sites.setdefault(name, []).append((positional, keywords))

    def _why_it_matters(self, jc: jwt_calls.JwtCall) -> str | None:
        """Why an unverified decode is a problem here, or None when it is not: the token comes from
        the incoming request, or its claims decide access. A token the provider's token endpoint
        handed to this program over TLS (an OAuth client reading ``sub``/``exp``/``scp`` of its own
        access token) is not attacker input."""
        ctx = self.context
        if ctx.function is not None and _PROVIDER_CHECK.search(code_of(ctx.function.body)):
            return None  # the provider's userinfo/introspection endpoint accepted the token: its claims are genuine
        source = jwt_calls.token_source(ctx, jc.token)
        claims = jwt_calls.claims_read(ctx, jc.call)
        gating = sorted(claims & jwt_calls.ROLE_CLAIMS)
        if source != jwt_calls.PROVIDER:
            gating += sorted(claims & jwt_calls.SCOPE_CLAIMS)
        if source == jwt_calls.REQUEST:
            return _FROM_REQUEST
        if gating:
            return f"does not check the signature, yet the `{gating[0]}` claim, which anyone can forge, decides access"
        if source is None and self._auth_function():
            name = ctx.function.name.value  # type: ignore[union-attr]
            return f"in `{name}()` accepts any token anyone can forge"
        return None

    def _auth_function(self) -> bool:
        func = self.context.function
        if func is None:
            return False
        parts = set(credentials.words(func.name.value))
        return bool(parts & _AUTH_WORDS) or {"current", "user"} <= parts or {"user", "token"} <= parts

    def _parameter_sources(self, parameter: tuple[str, int, str]) -> set[str | None]:
        name, index, function = parameter
        out: set[str | None] = set()
        for positional, keywords in self._call_sites.get(function, []):
            if name in keywords:
                out.add(keywords[name])
            elif index < len(positional):
                out.add(positional[index])
            else:
                out.add(None)
        return out

    def _header_only(self, node: cst.Call) -> bool:
        """``decode_complete(t, options={...: False})["header"]``: reading ``kid``/``alg`` to pick the
        key, like ``get_unverified_header``. Looks only at the enclosing function's own text."""
        ctx = self.context
        parent = ctx.parent
        if isinstance(parent, cst.Subscript) and _subscript_key(parent) == "header":
            return True
        func = ctx.function
        if func is None or not isinstance(parent, cst.Assign) or len(parent.targets) != 1:
            return False
        target = parent.targets[0].target
        if not isinstance(target, cst.Name):
            return False
        body = re.sub(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|#[^\n]*', "", code_of(func.body))
        uses = re.findall(rf"\b{re.escape(target.value)}\b(\[[^\]]*\]|\.get\([^)]*\))?", body)
        reads = [u for u in uses if u]
        return bool(reads) and len(reads) == len(uses) - 1 and all("header" in u for u in reads)

    def leave_Module(self, node: cst.Module) -> None:
        for entries in self._decodes.values():
            self._decide(entries)
        self._decodes = {}

    def _decide(self, entries: list[tuple[cst.Call, str | None, str, str | None, tuple | None]]) -> None:
        verified = {token for _, reason, token, _, _ in entries if reason is None}
        for call, reason, token, why, parameter in entries:
            if reason is None or (token and token in verified):
                continue
            if parameter is not None:
                sources = self._parameter_sources(parameter)
                if jwt_calls.REQUEST in sources:
                    why = _FROM_REQUEST
                elif sources == {jwt_calls.PROVIDER}:
                    why = None  # every caller in this file passes the program's own token
            if why is None:
                continue  # the program's own token, or claims that decide nothing: nobody can forge what is read
            self.report(call, f"`{callee_text(call)}(..., {reason})` {why}: pass the key and algorithms=[...] and "
                              "let it verify the signature")


#: a call that has the provider validate the token (OIDC userinfo, RFC 7662 introspection)
_PROVIDER_CHECK = re.compile(r"\b\w*(?:userinfo|introspect|tokeninfo)\w*\s*\(", re.IGNORECASE)
_FROM_REQUEST = "accepts whatever token the request carries, with claims anyone can forge"
#: words of a function name that say it authenticates the caller with the token it decodes
_AUTH_WORDS = frozenset(
    {"authenticate", "authenticated", "authorize", "authorise", "auth", "permission", "permissions", "require",
     "requires", "login", "protect", "protected", "guard", "verify", "verified", "middleware", "principal", "identity"}
)


def _subscript_key(node: cst.Subscript) -> str | None:
    from reviewlint.analysis.calls import string_value

    if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        return string_value(node.slice[0].slice.value)
    return None
