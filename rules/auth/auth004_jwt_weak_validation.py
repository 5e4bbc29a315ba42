from __future__ import annotations

import libcst as cst

from reviewlint.analysis import jwt_calls, sinks
from reviewlint.analysis.calls import callee_text, is_false
from reviewlint.knowledge import security
from reviewlint.rule import Invalid, Rule, Severity, Viewpoint


class JwtWeakValidation(Rule):
    """A JWT signature is checked, but the claims or the algorithm are not pinned.

    ## What it does
    Flags `jwt.decode(...)` that turns off `verify_exp`, `verify_aud` or `verify_iss` in
    `options`, that takes `algorithms` from the token's own header
    (`jwt.get_unverified_header(token)["alg"]`, directly or through a local variable), or
    whose `algorithms` list mixes HMAC (`HS*`) with asymmetric (`RS*`/`ES*`/`PS*`/`EdDSA`)
    algorithms.

    Not flagged: a decode that does not verify the signature at all (AUTH003 reports it),
    `get_unverified_header(token)["kid"]` used to pick the key, and `verify_*: True`.

    ## Why it matters
    An expired token stays valid forever without `exp`; a token minted for another service
    is accepted without `aud`/`iss`. Letting the token choose its algorithm, or accepting
    HS256 next to RS256, enables the classic key-confusion attack: the public key (which is
    public) becomes the HMAC secret that signs a forged token.

    ## Example
    ```python
    import jwt

    def claims(token, key):
        alg = jwt.get_unverified_header(token)["alg"]
        return jwt.decode(token, key, algorithms=[alg], options={"verify_exp": False})
    ```

    ## Use instead
    ```python
    import jwt

    def claims(token, key):
        return jwt.decode(token, key, algorithms=["RS256"], audience="api", issuer="https://id.example.org")
    ```
    """

    code = "AUTH004"
    name = "jwt-weak-validation"
    opt_in = True  # judged precision on real code below 0.8: docs/precision.md
    viewpoint = Viewpoint.AUTH
    severity = Severity.ERROR
    lower_roles = frozenset({"test"})
    message = "JWT validation weakened"

    valid = [
        "import jwt\n\ndef f(token, key):\n    return jwt.decode(token, key, algorithms=['RS256'], audience='api')\n",
        # kid lookup is how verification picks the key
        "import jwt\n\ndef f(token, keys):\n    header = jwt.get_unverified_header(token)\n"
        "    return jwt.decode(token, keys[header['kid']], algorithms=['RS256'])\n",
        "import jwt\n\ndef f(token, key):\n    return jwt.decode(token, key, algorithms=['HS256', 'HS512'], options={'verify_exp': True})\n",
        # an unverified decode is AUTH003's finding, not this one
        "import jwt\n\ndef f(token):\n    return jwt.decode(token, options={'verify_signature': False, 'verify_exp': False})\n",
    ]
    invalid = [
        Invalid("import jwt\n\ndef f(token, key):\n    return jwt.decode(token, key, algorithms=['HS256'], options={'verify_exp': False})\n",
                line=4, message="verify_exp"),
        Invalid("import jwt\n\ndef f(token, key):\n    return jwt.decode(token, key, algorithms=['RS256'], options={'verify_aud': False, 'verify_iss': False})\n",
                line=4, message="verify_aud, verify_iss"),
        Invalid("import jwt\n\ndef f(token, key):\n    alg = jwt.get_unverified_header(token)['alg']\n"
                "    return jwt.decode(token, key, algorithms=[alg])\n", line=5, message="header"),
        Invalid("import jwt\n\ndef f(token, key):\n    return jwt.decode(token, key, algorithms=[jwt.get_unverified_header(token)['alg']])\n",
                line=4, message="header"),
        Invalid("import jwt\n\ndef f(token, key):\n    return jwt.decode(token, key, algorithms=['RS256', 'HS256'])\n", line=4, message="mixes"),
        Invalid("import jwt\nALGS = ['HS256', 'ES256']\n\ndef f(token, key):\n    return jwt.decode(token, key, algorithms=ALGS)\n", line=5),
    ]

    def visit_Assign(self, node: cst.Assign) -> None:
        jwt_calls.record_assignment(self.context, node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        jwt_calls.record_assignment(self.context, node)

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.context
        jc = jwt_calls.jwt_call(ctx, node)
        if jc is None or jc.kind != jwt_calls.DECODE or jwt_calls.unverified_reason(ctx, jc) is not None:
            return
        name = callee_text(node)
        problems: list[str] = []
        options = jwt_calls.options_of(ctx, node)
        off = [o for o in security.JWT_WEAK_OPTIONS if is_false(options.get(o))]
        if off:
            problems.append(f"turns off {', '.join(off)}")
        algorithms = jc.algorithms
        if algorithms is not None and self._from_unverified_header(algorithms, 0):
            problems.append("takes `algorithms` from the token's own header (the sender picks the algorithm)")
        else:
            algs = jwt_calls.literal_strings(jwt_calls.follow(ctx, algorithms))
            hmac = [a for a in algs if a in security.HMAC_ALGORITHMS]
            asym = [a for a in algs if a.startswith(security.ASYMMETRIC_PREFIXES)]
            if hmac and asym:
                problems.append(f"mixes {hmac[0]} with {asym[0]} (key confusion: the public key becomes an HMAC secret)")
        if problems:
            self.report(node, f"`{name}()` {'; '.join(problems)}: pin one algorithm family and keep exp/aud/iss checks on")

    def _from_unverified_header(self, expr: cst.BaseExpression, depth: int) -> bool:
        ctx = self.context
        if depth > 3:
            return False
        stack: list[cst.CSTNode] = [expr]
        while stack:
            node = stack.pop()
            if jwt_calls.is_unverified_header_call(ctx, node):
                return True
            if isinstance(node, cst.Name):
                for value, _ in sinks.resolve(ctx, node.value):
                    if self._from_unverified_header(value, depth + 1):
                        return True
                continue
            if isinstance(node, cst.Subscript):
                stack.append(node.value)
            elif isinstance(node, (cst.List, cst.Tuple, cst.Set)):
                stack.extend(e.value for e in node.elements)
            elif isinstance(node, cst.Call):
                if isinstance(node.func, cst.Attribute) and node.func.attr.value == "get":
                    stack.append(node.func.value)
            elif isinstance(node, cst.Attribute):
                stack.append(node.value)
        return False
