"""PyJWT 2.x calls and what their arguments say (AUTH003-AUTH005).

``jwt.decode(token, key, algorithms=[...], options={...}, audience=..., issuer=...)``;
``verify=`` is a legacy (1.x) argument that 2.x ignores but that still signals intent.
Options given through a local variable (``opts = {...}; jwt.decode(t, k, options=opts)``)
are seen through :func:`reviewlint.analysis.sinks.resolve`, which the rules feed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from reviewlint.analysis import sinks
from reviewlint.analysis.calls import argument, code_of, is_false, keyword, string_value
from reviewlint.knowledge import security

if TYPE_CHECKING:  # pragma: no cover
    from reviewlint.engine.context import FileContext

DECODE = "decode"
ENCODE = "encode"


@dataclass
class JwtCall:
    call: cst.Call
    kind: str  # decode | encode
    qualname: str

    @property
    def token(self) -> cst.BaseExpression | None:
        return argument(self.call, 0, "jwt" if self.kind == DECODE else "payload")

    @property
    def key(self) -> cst.BaseExpression | None:
        return argument(self.call, security.JWT_DECODE_KEY_INDEX, "key")

    @property
    def algorithms(self) -> cst.BaseExpression | None:
        return argument(self.call, None, "algorithms" if self.kind == DECODE else "algorithm")


def jwt_call(ctx: "FileContext", call: cst.Call) -> JwtCall | None:
    qualname = ctx.call_name(call) or ""
    if qualname in security.JWT_DECODE:
        return JwtCall(call, DECODE, qualname)
    if qualname in security.JWT_ENCODE:
        return JwtCall(call, ENCODE, qualname)
    return None


def is_unverified_header_call(ctx: "FileContext", expr: cst.BaseExpression | None) -> bool:
    return isinstance(expr, cst.Call) and (ctx.call_name(expr) or "") in security.JWT_UNVERIFIED_HEADER


def follow(ctx: "FileContext", expr: cst.BaseExpression | None, depth: int = 0) -> cst.BaseExpression | None:
    """A local name's single assigned value (``opts = {...}``), else the expression itself."""
    if isinstance(expr, cst.Name) and depth < 3:
        values = sinks.resolve(ctx, expr.value)
        if len(values) == 1 and not values[0][1]:
            return follow(ctx, values[0][0], depth + 1)
    return expr


def options_of(ctx: "FileContext", call: cst.Call) -> dict[str, cst.BaseExpression]:
    """The ``options=`` of a decode call as {key: value expression} (literal dict or ``dict(...)``)."""
    arg = keyword(call, "options")
    value = follow(ctx, arg.value) if arg is not None else None
    out: dict[str, cst.BaseExpression] = {}
    if isinstance(value, cst.Dict):
        for element in value.elements:
            if isinstance(element, cst.DictElement):
                key = string_value(element.key)
                if key is not None:
                    out[key] = element.value
    elif isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value == "dict":
        for a in value.args:
            if a.keyword is not None:
                out[a.keyword.value] = a.value
    return out


def unverified_reason(ctx: "FileContext", jc: JwtCall) -> str | None:
    """Why this decode does not verify the signature (AUTH003), or None."""
    if jc.kind != DECODE:
        return None
    options = options_of(ctx, jc.call)
    if is_false(options.get("verify_signature")):
        return 'options={"verify_signature": False}'
    verify = keyword(jc.call, "verify")
    if verify is not None and is_false(verify.value):
        return "verify=False"
    algorithms = follow(ctx, jc.algorithms)
    for alg in literal_strings(algorithms):
        if alg.lower() == "none":
            return 'algorithms=["none"]'
    return None


def literal_strings(expr: cst.BaseExpression | None) -> list[str]:
    """The string literals of a literal list/tuple/set (or a single string)."""
    if expr is None:
        return []
    single = string_value(expr)
    if single is not None:
        return [single]
    if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
        return [v for v in (string_value(e.value) for e in expr.elements) if v is not None]
    return []


def short(expr: cst.CSTNode, limit: int = 30) -> str:
    text = " ".join(code_of(expr).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
