"""PyJWT 2.x calls and what their arguments say (AUTH003-AUTH005).

``jwt.decode(token, key, algorithms=[...], options={...}, audience=..., issuer=...)``;
``verify=`` is a legacy (1.x) argument that 2.x ignores but that still signals intent.
Options given through a local variable (``opts = {...}; jwt.decode(t, k, options=opts)``)
are seen through :func:`reviewlint.analysis.sinks.resolve`, which the rules feed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
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


_ITEMS = "jwt_calls.items"


def record_assignment(ctx: "FileContext", node: cst.Assign | cst.AnnAssign) -> None:
    """Feed :func:`sinks.resolve` (``opts = {...}``, ``KEY: str = "..."``) and remember items set one
    by one (``opts["verify_signature"] = False``) for :func:`options_of`. Idempotent."""
    sinks.record_assignment(ctx, node)
    if not isinstance(node, cst.Assign):
        return
    for target in node.targets:
        t = target.target
        if isinstance(t, cst.Subscript) and isinstance(t.value, cst.Name) and len(t.slice) == 1:
            index = t.slice[0].slice
            key = string_value(index.value) if isinstance(index, cst.Index) else None
            if key is not None:
                func = ctx.function
                items = ctx.memo.setdefault(_ITEMS, {}).setdefault((id(func) if func is not None else 0, t.value.value), {})
                items.setdefault(key, node.value)


def options_of(ctx: "FileContext", call: cst.Call) -> dict[str, cst.BaseExpression]:
    """The ``options=`` of a decode call as {key: value expression}: a literal dict, ``dict(...)``,
    or a local name bound to one, with the items it was given one by one (``opts[k] = v``)."""
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
    if arg is not None and isinstance(arg.value, cst.Name):
        func = ctx.function
        items = ctx.memo.get(_ITEMS, {}).get((id(func) if func is not None else 0, arg.value.value), {})
        for key, item in items.items():
            out.setdefault(key, item)
    return out


def is_false_value(ctx: "FileContext", expr: cst.BaseExpression | None) -> str | None:
    """``False``, or a variable that holds it: a local assigned only ``False`` or a parameter whose
    default is ``False`` (``def check(token, verify=False)``). Returns how it was written, or None."""
    if is_false(expr):
        return "False"
    if not isinstance(expr, cst.Name):
        return None
    binding = ctx.lookup(expr.value)
    if binding is not None and isinstance(binding.origin, cst.Param):
        return f"{expr.value} (default False)" if is_false(binding.origin.default) else None
    values = sinks.resolve(ctx, expr.value)
    if values and all(is_false(v) and not augmented for v, augmented in values):
        return f"{expr.value} (= False)"
    return None


def unverified_reason(ctx: "FileContext", jc: JwtCall) -> str | None:
    """Why this decode does not verify the signature (AUTH003), or None."""
    if jc.kind != DECODE:
        return None
    options = options_of(ctx, jc.call)
    written = is_false_value(ctx, options.get("verify_signature"))
    if written == "False":
        return 'options={"verify_signature": False}'
    if written is not None:
        return f'options={{"verify_signature": {written}}}'
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


# ---------------------------------------------------------------------------- where the token came from
#: the token was read from the incoming request (headers, cookies, query, body, a route parameter)
REQUEST = "request"
#: the token is this program's own, as the provider's token endpoint returned it (an OAuth client
#: reading ``sub``/``exp``/``scp`` of its access or id token)
PROVIDER = "provider"

_REQUEST_PARTS = frozenset({"request", "req", "websocket", "headers", "cookies", "COOKIES", "META", "query_params"})
_PROVIDER_KEY = re.compile(r"access_token|id_token|refresh_token|accesstoken|idtoken", re.IGNORECASE)
_PROVIDER_CALL_WORDS = frozenset({"login", "authorize", "authorise", "signin", "exchange"})
_PARAM_REQUEST_MARKERS = re.compile(
    r"\b(?:Depends|Security|Header|Cookie|Body|Form|Query|Request|HTTPAuthorizationCredentials|WebSocket)\b"
)
#: claims whose value decides what the caller may do
ROLE_CLAIMS = frozenset(
    {"role", "roles", "groups", "group", "permissions", "permission", "perms", "admin", "is_admin", "is_staff",
     "is_superuser", "superuser", "authorities", "entitlements", "realm_access", "resource_access"}
)
SCOPE_CLAIMS = frozenset({"scope", "scopes", "scp"})


@dataclass
class _Chain:
    root: cst.BaseExpression | None = None
    #: attribute names and subscript / ``.get()`` keys (as text)
    parts: set[str] = field(default_factory=set)
    #: names of the functions and methods called along the chain
    calls: set[str] = field(default_factory=set)
    #: the arguments of those calls
    args: list[cst.BaseExpression] = field(default_factory=list)


def _chain(expr: cst.BaseExpression | None) -> _Chain:
    """``request.headers.get("Authorization").split()[1]`` → root ``request``, parts {headers,
    Authorization, split ...}, calls {get, split}."""
    out = _Chain()
    node = expr
    for _ in range(32):
        if isinstance(node, cst.Attribute):
            out.parts.add(node.attr.value)
            node = node.value
        elif isinstance(node, cst.Subscript):
            for element in node.slice:
                if isinstance(element.slice, cst.Index):
                    key = element.slice.value
                    text = string_value(key)
                    if text is None and isinstance(key, (cst.Name, cst.Attribute)):
                        text = code_of(key)
                    if text:
                        out.parts.add(text)
            node = node.value
        elif isinstance(node, cst.Call):
            func = node.func
            if isinstance(func, (cst.Attribute, cst.Name)):
                out.calls.add(func.attr.value if isinstance(func, cst.Attribute) else func.value)
            if isinstance(func, cst.Attribute) and func.attr.value == "get" and node.args:
                text = string_value(node.args[0].value)
                if text is not None:
                    out.parts.add(text)
            out.args.extend(a.value for a in node.args)
            node = func
        elif isinstance(node, cst.Await):
            node = node.expression
        else:
            break
    out.root = node
    return out


def _names(chain: _Chain) -> set[str]:
    names = set(chain.parts)
    if isinstance(chain.root, cst.Name):
        names.add(chain.root.value)
    return names


def token_source(ctx: "FileContext", token: cst.BaseExpression | None, _depth: int = 0) -> str | None:
    """:data:`REQUEST`, :data:`PROVIDER` or None (not known) for the token expression of a decode.

    Follows local assignments (``auth = request.headers["Authorization"]; token = auth.split()[1]``)
    a few steps, and parameters of route handlers or FastAPI dependencies (request data).
    """
    if token is None or _depth > 3:
        return None
    chain = _chain(token)
    if _names(chain) & _REQUEST_PARTS or any(_names(_chain(a)) & _REQUEST_PARTS for a in chain.args[:8]):
        return REQUEST
    if any(_PROVIDER_KEY.search(p) for p in chain.parts):
        return PROVIDER  # data["token"]["access_token"], session.token.get("id_token")
    for called in chain.calls:
        words = set(re.findall(r"[a-z]+", called.lower()))
        if ("token" in words and words & {"get", "fetch", "refresh", "request", "obtain", "new"}) or words & _PROVIDER_CALL_WORDS:
            return PROVIDER  # await api.get_token(...), client.login(...): the provider's answer
    root = chain.root
    if not isinstance(root, cst.Name):
        return None
    binding = ctx.lookup(root.value)
    if binding is not None and isinstance(binding.origin, cst.Param):
        return REQUEST if _request_parameter(ctx, binding.origin) else None
    values = [v for v, _ in sinks.resolve(ctx, root.value)[:4]]
    if not values and binding is not None and isinstance(binding.origin, cst.BaseExpression):
        values = [binding.origin]  # ``scheme, _, token = authorization.partition(" ")``
    for value in values:
        found = token_source(ctx, value, _depth + 1)
        if found is not None:
            return found
    return None


def _request_parameter(ctx: "FileContext", param: cst.Param) -> bool:
    """A parameter of a route handler, or one FastAPI fills from the request (``Depends``, ``Header`` ...)."""
    for part in (param.default, param.annotation.annotation if param.annotation is not None else None):
        if part is not None and _PARAM_REQUEST_MARKERS.search(code_of(part)):
            return True
    func = ctx.function
    if func is None:
        return False
    from reviewlint.analysis.routes import route_decorator

    return any(route_decorator(ctx, d) is not None for d in func.decorators)


def claims_read(ctx: "FileContext", call: cst.Call) -> set[str]:
    """The claims the code reads from the result of ``call`` (``decode(...)["sub"]``, or
    ``claims = decode(...)`` then ``claims["role"]`` / ``claims.get("role")`` in the same function)."""
    parent = ctx.parent
    keys: set[str] = set()
    if isinstance(parent, cst.Subscript):
        keys |= _chain(parent).parts
    elif isinstance(parent, cst.Attribute) and parent.attr.value == "get":
        grand = ctx.ancestors[-3] if len(ctx.ancestors) >= 3 else None
        if isinstance(grand, cst.Call) and grand.args:
            text = string_value(grand.args[0].value)
            if text is not None:
                keys.add(text)
    func = ctx.function
    if func is not None and isinstance(parent, cst.Assign) and len(parent.targets) == 1:
        target = parent.targets[0].target
        if isinstance(target, cst.Name):
            body = code_of(func.body)
            name = re.escape(target.value)
            keys |= set(re.findall(rf"\b{name}\s*(?:\[\s*|\.get\(\s*)['\"]([A-Za-z_:.\-/]+)['\"]", body))
    return keys


def token_parameter(ctx: "FileContext", token: cst.BaseExpression | None) -> tuple[str, int, str] | None:
    """(parameter name, positional index at call sites, function name) when the token is (read from)
    a parameter of the enclosing function; the index skips ``self``/``cls``."""
    func = ctx.function
    if token is None or func is None:
        return None
    root = _chain(token).root
    if not isinstance(root, cst.Name):
        return None
    params = [*func.params.posonly_params, *func.params.params]
    names = [p.name.value for p in params]
    if names and names[0] in ("self", "cls"):
        names = names[1:]
    if root.value in names:
        return root.value, names.index(root.value), func.name.value
    if any(p.name.value == root.value for p in func.params.kwonly_params):
        return root.value, 1 << 20, func.name.value
    return None
