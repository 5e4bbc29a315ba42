"""HTTP response objects: is this expression a response, is its body read, is its status checked?

Used by ERR004 (unchecked HTTP status). Responses are recognised through the object tracking of
:mod:`reviewlint.engine.context`: ``r = client.get(...)``, ``resp = await client.get(...)`` and
``async with session.get(...) as resp`` all give ``resp`` a response type from
:data:`reviewlint.knowledge.http.RESPONSE_TYPES`.
"""

from __future__ import annotations

import libcst as cst

from reviewlint.analysis.calls import is_true, keyword
from reviewlint.engine.context import FileContext
from reviewlint.knowledge import http

#: attributes/methods that read a response's body
BODY_ATTRS: frozenset[str] = frozenset({"json", "text", "content", "read", "aread", "data"})
#: ``data`` is the body only on urllib3 responses
_URLLIB3_ONLY = frozenset({"data"})
#: attributes/methods whose use means the status is looked at
STATUS_ATTRS: frozenset[str] = frozenset(
    {
        "raise_for_status",
        "status_code",
        "status",
        "ok",
        "is_success",
        "is_error",
        "is_client_error",
        "is_server_error",
        "is_redirect",
        "getcode",
        "code",
    }
)
#: calls whose response has already been checked by the library (urlopen raises HTTPError on 4xx/5xx)
RAISING_CALLS: frozenset[str] = frozenset({"urllib.request.urlopen", "urllib.request.OpenerDirector.open"})


def response_type(ctx: FileContext, expr: cst.BaseExpression | None) -> str | None:
    """The response class ``expr`` holds (``requests.Response`` ...), or None."""
    typ = ctx.type_of(expr)
    typ = http.TYPE_ALIASES.get(typ, typ) if typ else None
    return typ if typ in http.RESPONSE_TYPES else None


def body_access(ctx: FileContext, node: cst.Attribute) -> cst.BaseExpression | None:
    """The response whose body ``node`` (``resp.json`` / ``resp.text`` ...) reads, or None."""
    attr = node.attr.value
    if attr not in BODY_ATTRS:
        return None
    typ = response_type(ctx, node.value)
    if typ is None:
        return None
    if attr in _URLLIB3_ONLY and not typ.startswith("urllib3."):
        return None
    return node.value


def _unwrap(expr: cst.BaseExpression | None) -> cst.BaseExpression | None:
    while isinstance(expr, cst.Await):
        expr = expr.expression
    return expr


def _client_checks_status(ctx: FileContext, constructor: cst.CSTNode | None) -> bool:
    """A client built with ``raise_for_status=True`` (aiohttp) or a response event hook (httpx)."""
    constructor = _unwrap(constructor) if isinstance(constructor, cst.BaseExpression) else constructor
    if not isinstance(constructor, cst.Call):
        return False
    flag = keyword(constructor, "raise_for_status")
    if flag is not None and not (isinstance(flag.value, cst.Name) and flag.value.value in ("False", "None")):
        return True
    hooks = keyword(constructor, "event_hooks")
    if hooks is not None:
        if isinstance(hooks.value, cst.Dict):
            for element in hooks.value.elements:
                key = getattr(element, "key", None)
                if isinstance(key, cst.SimpleString) and key.evaluated_value == "response":
                    return True
                if not isinstance(key, cst.SimpleString):
                    return True  # computed keys: give the benefit of the doubt
            return False
        return True  # a hooks mapping built elsewhere
    return any(a.star == "**" for a in constructor.args)


def request_checks_status(ctx: FileContext, request: cst.BaseExpression | None) -> bool:
    """The request call that produced a response makes the library check the status itself."""
    request = _unwrap(request)
    if not isinstance(request, cst.Call):
        return False
    name = ctx.call_name(request)
    if name in RAISING_CALLS:
        return True
    flag = keyword(request, "raise_for_status")
    if flag is not None and (is_true(flag.value) or not isinstance(flag.value, cst.Name)):
        return True
    func = request.func
    if isinstance(func, cst.Attribute):
        client = func.value
        if isinstance(client, cst.Call):
            return _client_checks_status(ctx, client)
        binding = ctx.binding(client)
        if binding is not None:
            return _client_checks_status(ctx, binding.origin)
    return False


def origin_checks_status(ctx: FileContext, response: cst.BaseExpression) -> bool:
    """The response (a name or a direct request call) comes from a request whose status the
    library checks: ``urlopen``, ``raise_for_status=True``, an httpx response event hook."""
    response = _unwrap(response) or response
    if isinstance(response, cst.Call):
        return request_checks_status(ctx, response)
    binding = ctx.binding(response)
    if binding is None:
        return False
    return request_checks_status(ctx, binding.origin if isinstance(binding.origin, cst.BaseExpression) else None)
