"""Intra-function taint: which expressions carry request data (SEC005).

A :class:`TaintTracker` is driven by a rule's visitors (``enter_function``/``leave_function``,
``assign``, ``leave_if``) and answers :meth:`TaintTracker.tainted` for an expression at the
current point of the walk: the :class:`Source` it carries, or None.

* sources: Flask ``request.args/form/values/json/cookies/headers/get_json()``, Django
  ``request.GET/POST/body/COOKIES/headers``, Starlette/FastAPI ``request.query_params/
  path_params/json()``, DRF ``request.data``, and route parameters typed ``str`` or untyped;
* propagation: assignment, f-strings, ``+``, ``%``, ``.format()``, containers, methods called
  on a tainted value (``x.strip()``), ``str()``, ``os.path.join``/``urljoin``/``"".join``;
* sanitisers: any other call (``int()``, ``uuid.UUID()``, a pydantic model, ``secure_filename``,
  ``os.path.basename``...), an allow-list membership test guarding the use (``if x in ALLOWED:``
  around it, or ``if x not in ALLOWED: abort()/raise/return`` before it), and host checks
  (``urlparse(x).netloc in ...``, ``url_has_allowed_host_and_scheme(x, ...)``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from reviewlint.analysis import routes as R
from reviewlint.analysis.calls import code_of, string_value
from reviewlint.knowledge import web

#: calls whose result carries their arguments' taint
PROPAGATING_CALLS = frozenset(
    {
        "builtins.str", "os.path.join", "posixpath.join", "ntpath.join", "urllib.parse.urljoin", "urllib.parse.unquote",
        "urllib.parse.unquote_plus", "builtins.bytes", "builtins.dict", "builtins.list", "builtins.tuple",
        "builtins.reversed", "builtins.sorted", "builtins.set", "pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath",
    }
)
#: calls that check a URL's host (guards for redirects and outbound URLs)
HOST_CHECKS = frozenset({"url_has_allowed_host_and_scheme", "is_safe_url", "is_safe_redirect_url", "is_allowed_host",
                         "is_safe_path", "safe_join"})
_FLASK_PATH_PARAM = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
_SAFE_CONVERTERS = frozenset({"int", "float", "uuid"})
_REQUEST_PARAM_NAMES = frozenset({"request", "req"})


@dataclass(frozen=True)
class Source:
    node: cst.CSTNode
    text: str  # for messages: "request.args.get('next')" / "route parameter `name`"


@dataclass
class _Frame:
    func: cst.FunctionDef
    tainted: dict[str, Source] = field(default_factory=dict)
    request_params: set[str] = field(default_factory=set)


def _short(node: cst.CSTNode, limit: int = 40) -> str:
    text = " ".join(code_of(node).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class TaintTracker:
    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx
        self.frames: list[_Frame] = []

    # ------------------------------------------------------------------ scopes
    def enter_function(self, node: cst.FunctionDef) -> None:
        frame = _Frame(node)
        ctx = self.ctx
        params = [*node.params.posonly_params, *node.params.params, *node.params.kwonly_params]
        for param in params:
            ann = param.annotation.annotation if param.annotation is not None else None
            name = param.name.value
            ann_name = ctx.qualname(ann) if isinstance(ann, (cst.Name, cst.Attribute)) else None
            if name in _REQUEST_PARAM_NAMES or (ann_name and (ann_name in web.REQUEST_TYPES or ann_name.endswith(".Request")
                                                              or ann_name.endswith("HttpRequest"))):
                frame.request_params.add(name)
        for name, param in self._route_params(node, params).items():
            frame.tainted[name] = Source(param, f"route parameter `{name}`")
        self.frames.append(frame)

    def leave_function(self) -> None:
        if self.frames:
            self.frames.pop()

    @property
    def active(self) -> bool:
        return bool(self.frames)

    def _route_params(self, node: cst.FunctionDef, params: list[cst.Param]) -> dict[str, cst.Param]:
        ctx = self.ctx
        out: dict[str, cst.Param] = {}
        for decorator in node.decorators:
            route = R.route_decorator(ctx, decorator)
            if route is None:
                continue
            by_name = {p.name.value: p for p in params}
            if route.framework == "flask" or (route.framework is None and route.method == "route"):
                for converter, name in _FLASK_PATH_PARAM.findall(route.path or ""):
                    if converter not in _SAFE_CONVERTERS and name in by_name:
                        out[name] = by_name[name]
            else:
                for param in params:
                    if param.name.value in ("self", "cls") or param.name.value in _REQUEST_PARAM_NAMES:
                        continue
                    if isinstance(param.default, cst.Call):
                        default_name = R.last_part(ctx.call_name(param.default) or "")
                        if default_name in ("Depends", "Security", "File", "UploadFile", "Form"):
                            continue
                    ann = param.annotation.annotation if param.annotation is not None else None
                    if ann is None or _is_str_annotation(ctx, ann):
                        out[param.name.value] = param
        return out

    # ------------------------------------------------------------------ updates
    def assign(self, targets: list[cst.BaseExpression], value: cst.BaseExpression | None, augmented: bool = False) -> None:
        if not self.frames or value is None:
            return
        source = self.tainted(value)
        frame = self.frames[-1]
        for target in targets:
            names = _target_names(target)
            for name in names:
                if source is not None:
                    frame.tainted[name] = source
                elif not augmented:
                    frame.tainted.pop(name, None)

    def leave_if(self, node: cst.If) -> None:
        """``if x not in ALLOWED: abort()`` / ``raise`` / ``return``: x is clean after it."""
        if not self.frames:
            return
        if not _terminates(node.body):
            return
        for name in self._guarded_names(node.test, negated=True):
            self.frames[-1].tainted.pop(name, None)

    # ------------------------------------------------------------------ queries
    def is_source(self, expr: cst.BaseExpression) -> Source | None:
        """``request.args`` / ``request.GET`` / ``request.get_json()`` ... (and anything read from them)."""
        ctx = self.ctx
        node = expr
        while True:
            if isinstance(node, cst.Await):
                node = node.expression
            elif isinstance(node, cst.Call):
                node = node.func
            elif isinstance(node, cst.Subscript):
                node = node.value
            elif isinstance(node, cst.Attribute):
                base = node.value
                attr = node.attr.value
                if self._is_request(base):
                    qual = ctx.qualname(base) or ""
                    if qual in web.FLASK_REQUEST:
                        if attr in web.FLASK_REQUEST_ATTRS or attr in web.FLASK_REQUEST_METHODS:
                            return Source(expr, _short(expr))
                    elif attr in web.DJANGO_REQUEST_ATTRS or attr in web.STARLETTE_REQUEST_ATTRS or \
                            attr in web.STARLETTE_REQUEST_METHODS:
                        return Source(expr, _short(expr))
                    return None
                node = base
            else:
                return None

    def _is_request(self, expr: cst.BaseExpression) -> bool:
        ctx = self.ctx
        if isinstance(expr, cst.Name):
            qual = ctx.qualname(expr) or ""
            if qual in web.FLASK_REQUEST:
                return True
            return bool(self.frames) and expr.value in self.frames[-1].request_params
        if isinstance(expr, cst.Attribute) and expr.attr.value == "request" and isinstance(expr.value, cst.Name) \
                and expr.value.value == "self":
            return True
        return False

    def tainted(self, expr: cst.BaseExpression | None, depth: int = 0) -> Source | None:
        if expr is None or depth > 12 or not self.frames:
            return None
        if isinstance(expr, cst.Name):
            source = self.frames[-1].tainted.get(expr.value)
            if source is not None and self._guarded_here(expr.value):
                return None
            return source
        if isinstance(expr, (cst.Attribute, cst.Subscript)):
            source = self.is_source(expr)
            if source is not None:
                return source
            if isinstance(expr, cst.Attribute):
                return self.tainted(expr.value, depth + 1)
            return self.tainted(expr.value, depth + 1)
        if isinstance(expr, cst.Await):
            return self.tainted(expr.expression, depth + 1)
        if isinstance(expr, cst.Call):
            source = self.is_source(expr)
            if source is not None:
                return source
            return self._call_taint(expr, depth)
        if isinstance(expr, cst.FormattedString):
            for part in expr.parts:
                if isinstance(part, cst.FormattedStringExpression):
                    found = self.tainted(part.expression, depth + 1)
                    if found:
                        return found
            return None
        if isinstance(expr, cst.ConcatenatedString):
            return self.tainted(expr.left, depth + 1) or self.tainted(expr.right, depth + 1)
        if isinstance(expr, cst.BinaryOperation):
            if isinstance(expr.operator, (cst.Add, cst.Modulo, cst.Divide)):
                return self.tainted(expr.left, depth + 1) or self.tainted(expr.right, depth + 1)
            return None
        if isinstance(expr, cst.BooleanOperation):
            return self.tainted(expr.left, depth + 1) or self.tainted(expr.right, depth + 1)
        if isinstance(expr, cst.IfExp):
            return self.tainted(expr.body, depth + 1) or self.tainted(expr.orelse, depth + 1)
        if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
            for element in expr.elements:
                found = self.tainted(element.value, depth + 1)
                if found:
                    return found
            return None
        if isinstance(expr, cst.Dict):
            for element in expr.elements:
                if isinstance(element, cst.DictElement):
                    found = self.tainted(element.value, depth + 1)
                    if found:
                        return found
            return None
        return None

    def _call_taint(self, call: cst.Call, depth: int) -> Source | None:
        ctx = self.ctx
        name = ctx.call_name(call) or ""
        func = call.func
        if name in PROPAGATING_CALLS:
            for arg in call.args:
                found = self.tainted(arg.value, depth + 1)
                if found:
                    return found
            return None
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            if method == "format" or method == "join":
                # "...{}".format(x) / "/".join([...x...]) carry their arguments
                for arg in call.args:
                    found = self.tainted(arg.value, depth + 1)
                    if found:
                        return found
                if method == "format":
                    return self.tainted(func.value, depth + 1)
                return None
            if method in ("strip", "lstrip", "rstrip", "lower", "upper", "replace", "get", "getlist", "split",
                          "encode", "decode", "casefold", "title", "removeprefix", "removesuffix", "pop", "copy",
                          "values", "items", "dict", "to_dict", "expandtabs", "format_map", "rsplit", "partition"):
                return self.tainted(func.value, depth + 1)
        return None  # any other call validates or transforms: int(), UUID(), Model(**data), secure_filename()

    # ------------------------------------------------------------------ guards
    def _guarded_here(self, name: str) -> bool:
        """Inside the body of ``if name in ALLOWED:`` (or a host check of it)."""
        ancestors = self.ctx.ancestors
        for i in range(len(ancestors) - 1):
            node = ancestors[i]
            if isinstance(node, cst.If) and ancestors[i + 1] is node.body:
                if name in self._guarded_names(node.test, negated=False):
                    return True
            if isinstance(node, cst.FunctionDef) and self.frames and node is not self.frames[-1].func:
                continue
        return False

    def _guarded_names(self, test: cst.BaseExpression, negated: bool) -> set[str]:
        """Names that ``test`` (or ``not test`` when ``negated``) proves allowed."""
        out: set[str] = set()
        if isinstance(test, cst.BooleanOperation):
            if isinstance(test.operator, cst.And) and not negated:
                return self._guarded_names(test.left, False) | self._guarded_names(test.right, False)
            if isinstance(test.operator, cst.Or) and negated:
                return self._guarded_names(test.left, True) | self._guarded_names(test.right, True)
            return out
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            return self._guarded_names(test.expression, not negated)
        if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
            comp = test.comparisons[0]
            positive = isinstance(comp.operator, cst.In)
            negative = isinstance(comp.operator, cst.NotIn)
            if (positive and not negated) or (negative and negated):
                name = _checked_name(test.left)
                if name:
                    out.add(name)
            return out
        if isinstance(test, cst.Call) and not negated:
            if R.last_part(self.ctx.call_name(test) or "") in HOST_CHECKS:
                for arg in test.args[:1]:
                    if isinstance(arg.value, cst.Name):
                        out.add(arg.value.value)
            return out
        if isinstance(test, cst.Call) and negated:
            return out
        return out


def _checked_name(expr: cst.BaseExpression) -> str | None:
    """``x`` in ``x in ALLOWED`` / ``urlparse(x).netloc in ALLOWED`` / ``x.lower() in ALLOWED``."""
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Call):
        call = expr.value
        if R.last_part(R._dotted(call.func) or "") in ("urlparse", "urlsplit") and call.args:
            inner = call.args[0].value
            return inner.value if isinstance(inner, cst.Name) else None
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and isinstance(expr.func.value, cst.Name):
        return expr.func.value.value
    return None


def _negated_host_check(ctx: Any, test: cst.BaseExpression) -> set[str]:
    return set()


def _terminates(body: cst.BaseSuite) -> bool:
    """The block ends in ``return``/``raise``/``abort(...)``/``continue``."""
    statements = body.body if isinstance(body, (cst.IndentedBlock, cst.SimpleStatementSuite)) else []
    if not statements:
        return False
    last = statements[-1]
    smalls = last.body if isinstance(last, cst.SimpleStatementLine) else [last] if isinstance(last, cst.BaseSmallStatement) else []
    for small in smalls:
        if isinstance(small, (cst.Return, cst.Raise, cst.Continue, cst.Break)):
            return True
        if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
            name = R.last_part(R._dotted(small.value.func) or "")
            if name in ("abort", "abort_with", "exit", "fail"):
                return True
    return False


def _target_names(target: cst.BaseExpression) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        out = []
        for element in target.elements:
            out.extend(_target_names(element.value))
        return out
    return []


def _is_str_annotation(ctx: Any, ann: cst.BaseExpression) -> bool:
    if isinstance(ann, (cst.Name, cst.Attribute)):
        return (ctx.qualname(ann) or "") in ("builtins.str", "str")
    if isinstance(ann, cst.Subscript):
        outer = R.last_part(ctx.qualname(ann.value) or "")
        if outer in ("Optional", "Annotated", "Union"):
            first = ann.slice[0].slice if ann.slice else None
            return isinstance(first, cst.Index) and _is_str_annotation(ctx, first.value)
        return False
    if isinstance(ann, cst.BinaryOperation) and isinstance(ann.operator, cst.BitOr):
        return _is_str_annotation(ctx, ann.left) or _is_str_annotation(ctx, ann.right)
    if isinstance(ann, cst.SimpleString):
        return string_value(ann) in ("str", "Optional[str]", "str | None")
    return False
