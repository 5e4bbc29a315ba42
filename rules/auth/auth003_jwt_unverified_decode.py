from __future__ import annotations

import re

import libcst as cst

from reviewlint.analysis import jwt_calls, sinks
from reviewlint.analysis.calls import callee_text, code_of
from reviewlint.rule import Invalid, Rule, Severity, Viewpoint


class JwtUnverifiedDecode(Rule):
    """A JWT decoded without checking its signature.

    ## What it does
    Flags `jwt.decode(...)` (PyJWT, also `jose.jwt.decode`) with
    `options={"verify_signature": False}` (literal, `dict(...)` or a local variable), the
    legacy `verify=False` (ignored by PyJWT 2.x, but it says what the author meant), or
    `algorithms=["none"]`.

    Not flagged: `jwt.get_unverified_header(token)` (reading `kid` to pick the key is the
    normal way to verify), and an unverified decode of a token that the same function then
    decodes again with verification (peeking at `iss` to choose the key).

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
    opt_in = True  # judged precision on real code below 0.8: docs/precision.md
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
        # the unverified part read is only the header (kid lookup), like get_unverified_header
        "from jwt.api_jws import decode_complete\n\ndef f(token, client):\n"
        "    unverified = decode_complete(token, options={'verify_signature': False})\n"
        "    header = unverified['header']\n    return client.get_signing_key(header.get('kid'))\n",
        # not PyJWT
        "import base64\n\ndef f(token):\n    return base64.urlsafe_b64decode(token)\n",
    ]
    invalid = [
        Invalid("import jwt\n\ndef f(token):\n    return jwt.decode(token, options={'verify_signature': False})\n",
                line=4, message="verify_signature"),
        Invalid("import jwt\n\ndef f(token):\n    return jwt.decode(token, verify=False)\n", line=4, message="verify=False"),
        Invalid("import jwt\n\ndef f(token, key):\n    return jwt.decode(token, key, algorithms=['none'])\n", line=4, message="none"),
        Invalid("from jwt import decode as jwt_decode\n\ndef f(token):\n    opts = {'verify_signature': False}\n"
                "    return jwt_decode(token, options=opts)\n", line=5),
        Invalid("import jwt\n\ndef f(token):\n    return jwt.decode(token, options=dict(verify_signature=False))['sub']\n", line=4),
        Invalid("from jose import jwt\n\ndef f(token):\n    return jwt.decode(token, None, options={'verify_signature': False})\n", line=4),
    ]

    def begin(self) -> None:
        self._decodes: dict[int, list[tuple[cst.Call, str | None, str]]] = {}

    def visit_Assign(self, node: cst.Assign) -> None:
        sinks.record_assignment(self.context, node)

    def visit_Call(self, node: cst.Call) -> None:
        jc = jwt_calls.jwt_call(self.context, node)
        if jc is None or jc.kind != jwt_calls.DECODE:
            return
        reason = jwt_calls.unverified_reason(self.context, jc)
        token = code_of(jc.token) if jc.token is not None else ""
        if reason is not None and self._header_only(node):
            return
        key = id(self.context.function) if self.context.function is not None else 0
        self._decodes.setdefault(key, []).append((node, reason, token))

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

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._decide(self._decodes.pop(id(node), []))

    def leave_Module(self, node: cst.Module) -> None:
        for entries in self._decodes.values():
            self._decide(entries)
        self._decodes = {}

    def _decide(self, entries: list[tuple[cst.Call, str | None, str]]) -> None:
        verified = {token for _, reason, token in entries if reason is None}
        for call, reason, token in entries:
            if reason is None or (token and token in verified):
                continue
            self.report(call, f"`{callee_text(call)}(..., {reason})` accepts any token anyone can forge: "
                              "pass the key and algorithms=[...] and let it verify the signature")


def _subscript_key(node: cst.Subscript) -> str | None:
    from reviewlint.analysis.calls import string_value

    if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        return string_value(node.slice[0].slice.value)
    return None
