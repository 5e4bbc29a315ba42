"""Routes and the authentication in front of them (AUTH001, AUTH002).

Two halves:

* per file, during the one walk: helpers that recognise route decorators, auth decorators,
  FastAPI dependencies and status codes (used by the rules' visitors);
* after all files: :class:`ProjectFacts`, which joins the JSON facts of every file (and of
  the project's files that were not given, see :mod:`reviewlint.engine.project`) and answers
  "is this route behind authentication?".

References between files are *refs*: the global dotted name of a thing (``pkg.mod.router``),
built from the module name of the file that defines it, or from the import it came through.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import libcst as cst

from reviewlint.analysis.calls import argument, keyword, string_value
from reviewlint.knowledge import canonical_type, web

FACTS_KEY = "web"

DEFAULT_PUBLIC_PATHS = (
    "/health*", "/healthz", "/ready*", "/live*", "/metrics", "/login", "/logout", "/signup", "/register",
    "/docs", "/redoc", "/openapi.json", "/static/*", "/favicon.ico", "/robots.txt",
)


# ---------------------------------------------------------------------- per-file helpers
def module_ref(ctx: Any) -> str:
    """The dotted module name of the file (its path when it is not importable)."""
    memo = ctx.memo
    if "routes.module" in memo:
        return memo["routes.module"]
    from reviewlint.engine.project import project_module_name

    name = project_module_name(ctx.path) if os.path.isfile(ctx.path) else None
    name = name or ctx.module_name
    if name:
        memo["routes.module"] = name
        return name
    return ctx.relative_path.rsplit(".", 1)[0].replace("/", ".")


def ref(ctx: Any, expr: cst.BaseExpression | None) -> str | None:
    """The global dotted name of what ``expr`` names (``router`` → ``pkg.users.router``)."""
    if isinstance(expr, cst.Name):
        binding = ctx.lookup(expr.value)
        if binding is not None and binding.kind == "import" and binding.value:
            return binding.value
        return f"{module_ref(ctx)}.{expr.value}"
    if isinstance(expr, cst.Attribute):
        base = ref(ctx, expr.value)
        return f"{base}.{expr.attr.value}" if base else None
    return None


def unwrap_call(expr: cst.BaseExpression) -> cst.BaseExpression:
    return expr.func if isinstance(expr, cst.Call) else expr


def last_part(name: str | None) -> str:
    return (name or "").rsplit(".", 1)[-1]


def is_auth_status(expr: cst.BaseExpression | None) -> bool:
    """401/403, ``status.HTTP_401_UNAUTHORIZED``, ``HTTPStatus.FORBIDDEN``."""
    if isinstance(expr, cst.Integer):
        return expr.value in ("401", "403")
    if isinstance(expr, (cst.Name, cst.Attribute)):
        text = last_part(_dotted(expr)).upper()
        return "401" in text or "403" in text or text in ("UNAUTHORIZED", "FORBIDDEN")
    return False


def _dotted(expr: cst.BaseExpression | None) -> str | None:
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        base = _dotted(expr.value)
        return f"{base}.{expr.attr.value}" if base else None
    return None


AUTH_EXCEPTION_NAMES = frozenset({"Unauthorized", "Forbidden", "PermissionDenied", "NotAuthenticated",
                                  "AuthenticationFailed", "HTTPUnauthorized", "HTTPForbidden"})


def raises_auth_error(ctx: Any, exc: cst.BaseExpression | None) -> bool:
    """``raise HTTPException(status_code=401)`` / ``raise Unauthorized()`` / ``raise PermissionDenied``."""
    if exc is None:
        return False
    target = unwrap_call(exc)
    name = last_part(ctx.qualname(target) or _dotted(target))
    if name in AUTH_EXCEPTION_NAMES:
        return True
    if isinstance(exc, cst.Call):
        status = argument(exc, 0, "status_code") or keyword_value(exc, "status")
        return is_auth_status(status)
    return False


def is_abort_auth(ctx: Any, call: cst.Call) -> bool:
    """``abort(401)`` / ``abort(403)`` (Flask, werkzeug)."""
    name = ctx.call_name(call) or ""
    if last_part(name) != "abort":
        return False
    return is_auth_status(argument(call, 0, "code")) or is_auth_status(argument(call, 0, "status"))


def keyword_value(call: cst.Call, name: str) -> cst.BaseExpression | None:
    arg = keyword(call, name)
    return arg.value if arg is not None else None


#: decorator names that read as "requires a user": ``require_admin_access``, ``staff_required``
AUTH_NAME_RE = re.compile(r"^(requires?_\w*(login|auth|admin|staff|perm|user|access|role|scope)\w*"
                          r"|\w*(login|auth|permission|staff|admin|superuser|role|token|jwt)s?_required)$")
#: calls in a handler body that authenticate the caller (``verify_token(...)``, ``get_verified_user_by_token``)
AUTH_CALL_RE = re.compile(r"^(verify_\w*|authenticate\w*|check_auth\w*|check_login\w*|require_(auth|login|user)\w*"
                          r"|decode_token|validate_token|get_verified_user\w*|get_current_user\w*|verify_jwt\w*"
                          r"|check_access\w*|check_permissions?|check_object_permissions?|require_permissions?\w*"
                          r"|ensure_(authorized|authorised|permission)\w*)$")


def is_auth_name(name: str) -> bool:
    return name in web.AUTH_DECORATOR_NAMES or bool(AUTH_NAME_RE.match(name))


def is_auth_decorator(ctx: Any, decorator: cst.Decorator, extra: Iterable[str] = ()) -> bool:
    target = unwrap_call(decorator.decorator)
    qual = ctx.qualname(target) or _dotted(target) or ""
    text = _dotted(target) or ""
    extra = set(extra)
    if qual in web.AUTH_DECORATORS or is_auth_name(last_part(qual)):
        return True
    if qual in extra or text in extra or last_part(qual) in extra:
        return True
    # Django: method_decorator(login_required, name="dispatch")
    if isinstance(decorator.decorator, cst.Call) and last_part(qual) == "method_decorator":
        first = argument(decorator.decorator, 0, "decorator")
        inner = [e.value for e in first.elements] if isinstance(first, (cst.List, cst.Tuple)) else [first]
        return any(e is not None and is_auth_decorator(ctx, cst.Decorator(decorator=e), extra) for e in inner)
    return False


def is_public_decorator(ctx: Any, decorator: cst.Decorator, extra: Iterable[str] = ()) -> bool:
    target = unwrap_call(decorator.decorator)
    qual = ctx.qualname(target) or _dotted(target) or ""
    text = _dotted(target) or ""
    extra = set(extra)
    return last_part(qual) in web.PUBLIC_DECORATOR_NAMES or qual in extra or text in extra or last_part(qual) in extra


@dataclass
class RouteDecorator:
    framework: str | None  # "flask" | "fastapi" | None: decided from the owner's type later
    owner: cst.BaseExpression
    method: str
    methods: tuple[str, ...]
    path: str | None
    call: cst.Call


def owner_framework(ctx: Any, owner: cst.BaseExpression) -> str | None:
    typ = canonical_type(ctx.type_of(owner))
    if typ in web.FLASK_TYPES:
        return "flask"
    if typ in web.FASTAPI_TYPES:
        return "fastapi"
    return None


def imports_web_framework(ctx: Any) -> bool:
    memo = ctx.memo
    if "routes.imports_web" not in memo:
        found = False
        for binding in ctx.scopes[0].names.values():
            if binding.kind == "import" and binding.value:
                top = binding.value.split(".", 1)[0]
                if top in ("flask", "fastapi", "quart", "starlette"):
                    found = True
                    break
        memo["routes.imports_web"] = found
    return memo["routes.imports_web"]


def route_decorator(ctx: Any, decorator: cst.Decorator) -> RouteDecorator | None:
    """``@app.route("/x", methods=[...])``, ``@bp.post("/x")``, ``@router.get("/x")``."""
    call = decorator.decorator
    if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
        return None
    method = call.func.attr.value
    if method not in web.FLASK_ROUTE_METHODS and method not in web.FASTAPI_ROUTE_METHODS:
        return None
    owner = call.func.value
    framework = owner_framework(ctx, owner)
    if framework is None and not imports_web_framework(ctx):
        return None
    path_expr = argument(call, 0, "path") or keyword_value(call, "rule")
    path = string_value(path_expr)
    if path is None:
        if path_expr is None or framework is None:
            return None
        path = "?"
    elif framework is None and not (path.startswith("/") or path == ""):
        return None
    if framework == "flask" and method not in web.FLASK_ROUTE_METHODS:
        return None
    if framework == "fastapi" and method not in web.FASTAPI_ROUTE_METHODS:
        return None
    table = web.FLASK_ROUTE_METHODS if (framework == "flask" or method == "route") else web.FASTAPI_ROUTE_METHODS
    methods = table.get(method)
    if methods is None:
        methods = literal_strings(keyword_value(call, "methods")) or ("GET",)
    return RouteDecorator(framework, owner, method, tuple(m.upper() for m in methods), path, call)


def literal_strings(expr: cst.BaseExpression | None) -> tuple[str, ...]:
    if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
        out = []
        for element in expr.elements:
            value = string_value(element.value)
            if value is not None:
                out.append(value)
        return tuple(out)
    value = string_value(expr)
    return (value,) if value is not None else ()


# ---------------------------------------------------------------------- paths, severity
_PARAM_RE = re.compile(r"(\{[^}]*\}|<[^>]*>|\(\?P<[^>]*>[^)]*\))")


def normalise_path(path: str) -> str:
    """Django-style ``users/<int:pk>/`` and regexes ``^users/(?P<pk>\\d+)/$`` → ``/users/<int:pk>``."""
    path = path.strip()
    if path.startswith("^"):
        path = path[1:]
    if path.endswith("$"):
        path = path[:-1]
    if not path.startswith("/"):
        path = "/" + path
    while len(path) > 1 and path.endswith("/"):
        path = path[:-1]
    return path


def join_path(prefix: str, path: str) -> str:
    prefix = (prefix or "").rstrip("/")
    if not path:
        return prefix or "/"
    return prefix + (path if path.startswith("/") else "/" + path)


def is_public_path(path: str, patterns: Iterable[str]) -> bool:
    path = normalise_path(path)
    for pattern in patterns:
        pattern = pattern.strip()
        if not pattern:
            continue
        if not pattern.startswith("/"):
            pattern = "/" + pattern
        pattern = pattern.rstrip("/") or "/"
        if fnmatch.fnmatchcase(path, pattern) or fnmatch.fnmatchcase(path, "*" + pattern):
            return True
    return False


_PRIVILEGED_RE = re.compile(r"(^|/)[^/]*(admin|internal)[^/]*(/|$)", re.IGNORECASE)
_ID_RE = re.compile(r"(\{[^}]*\bid\}|\{[^}]*_id\}|\{pk\}|\{[^}]*uuid[^}]*\}|<[^>]*(id|pk|uuid)>|\(\?P<[^>]*(id|pk)>)",
                    re.IGNORECASE)


def is_sensitive(path: str, methods: Iterable[str]) -> bool:
    if any(m.upper() in web.WRITE_METHODS for m in methods):
        return True
    return bool(_PRIVILEGED_RE.search(path) or _ID_RE.search(path))


# ---------------------------------------------------------------------- project decisions
MISSING = object()  # the module is not among the facts (not loaded yet, or outside the project)


class ProjectFacts:
    """The ``web`` facts of every known file, indexed by module, and the questions AUTH001 asks."""

    def __init__(self, facts: Iterable[Mapping[str, Any]], options: Mapping[str, Any]) -> None:
        self.modules: dict[str, Mapping[str, Any]] = {}
        self.wanted: set[str] = set()  # modules a lookup needed and did not find
        self.auth_dependencies = set(options.get("auth-dependencies", ()))
        self.add(facts)

    def add(self, facts: Iterable[Mapping[str, Any]]) -> None:
        for fact in facts:
            if fact:
                module = fact.get("module")
                if module:
                    if module in self.modules:  # two files with the same module name: merge lists
                        self.modules[module] = _merge(self.modules[module], fact)
                    else:
                        self.modules[module] = fact
        self._cache: dict[tuple, Any] = {}

    def all(self) -> Iterable[Mapping[str, Any]]:
        return self.modules.values()

    # -- name resolution --------------------------------------------------------------
    def lookup(self, name: str, kind: str, depth: int = 0) -> Any:
        """The ``kind`` entry (objects/funcs/classes/aliases) ``name`` refers to; None when the
        module is known and has no such thing; MISSING when the module is not known."""
        if depth > 8 or not name:
            return None
        parts = name.split(".")
        for i in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:i])
            fact = self.modules.get(module)
            if fact is None:
                continue
            local = parts[i]
            rest = parts[i + 1:]
            entry = fact.get(kind, {}).get(local)
            if entry is not None and not rest:
                return entry
            imported = fact.get("imports", {}).get(local)
            if imported is not None:
                return self.lookup(".".join([imported, *rest]), kind, depth + 1)
            if rest:  # ``pkg.sub.name`` with ``pkg`` known: ``pkg.sub`` is a module not loaded yet
                self.wanted.add(".".join(parts[:-1]))
                return MISSING
            return None
        # no prefix of the name is a known module
        if len(parts) > 1:
            self.wanted.add(".".join(parts[:-1]))
        return MISSING

    def canonical(self, name: str, depth: int = 0) -> str:
        """``name`` after following re-exports (``pkg.router`` → ``pkg.routes.router``)."""
        if depth > 8:
            return name
        parts = name.split(".")
        for i in range(len(parts) - 1, 0, -1):
            fact = self.modules.get(".".join(parts[:i]))
            if fact is None:
                continue
            imported = fact.get("imports", {}).get(parts[i])
            if imported is not None:
                return self.canonical(".".join([imported, *parts[i + 1:]]), depth + 1)
            return name
        return name

    # -- FastAPI dependencies ---------------------------------------------------------
    def dependency_is_auth(self, name: str, seen: frozenset[str] = frozenset()) -> bool | None:
        """True: authenticates; False: known and does not; None: unknown (outside the project)."""
        if name in self.auth_dependencies or last_part(name) in self.auth_dependencies:
            return True
        if name in seen or len(seen) > 20:
            return False
        seen = seen | {name}
        obj = self.lookup(name, "objects")
        if isinstance(obj, dict):
            return obj.get("type") in web.SECURITY_SCHEMES or None
        entry = self.lookup(name, "funcs")
        if entry is MISSING:
            return None
        if entry is None:
            alias = self.lookup(name, "aliases")
            if isinstance(alias, list):
                return self.any_auth(alias, seen)
            cls = self.lookup(name, "classes")
            if isinstance(cls, dict):
                return bool(cls.get("auth"))
            return None
        if entry.get("auth"):
            return True
        result = self.any_auth(entry.get("uses", ()), seen)
        return result if result else False

    def any_auth(self, refs: Iterable[str], seen: frozenset[str] = frozenset()) -> bool | None:
        """True when one of ``refs`` authenticates, None when one is unknown and none does."""
        unknown = False
        for name in refs:
            result = self.dependency_is_auth(name, seen)
            if result:
                return True
            if result is None:
                unknown = True
        return None if unknown else False

    # -- app objects: hooks, includes, prefixes -------------------------------------
    def object(self, name: str) -> Any:
        return self.lookup(name, "objects")

    def _includes_of(self, child: str) -> list[tuple[str, Mapping[str, Any]]]:
        key = ("includes",)
        index = self._cache.get(key)
        if index is None:
            index = {}
            for fact in self.all():
                for inc in fact.get("includes", ()):
                    index.setdefault(self.canonical(inc["child"]), []).append((self.canonical(inc["parent"]), inc))
            self._cache[key] = index
        return index.get(self.canonical(child), [])

    def _hooks(self) -> dict[str, list[Mapping[str, Any]]]:
        key = ("hooks",)
        index = self._cache.get(key)
        if index is None:
            index = {}
            for fact in self.all():
                for hook in fact.get("hooks", ()):
                    if not hook.get("owner"):
                        continue
                    if not hook.get("ok"):
                        func = self.lookup(hook.get("func", ""), "funcs")
                        if not (isinstance(func, dict) and func.get("hook")):
                            continue
                    index.setdefault(self.canonical(hook["owner"]), []).append(hook)
            self._cache[key] = index
        return index

    def owner_protected(self, owner: str, depth: int = 0) -> bool | None:
        """Auth applied to every route of ``owner`` (hooks, router/app dependencies, includes)."""
        if depth > 8:
            return None
        owner = self.canonical(owner)
        obj = self.object(owner)
        if obj is MISSING or obj is None:
            return None
        unknown = False
        if self._hooks().get(owner):
            return True
        deps = obj.get("deps", ())
        if deps:
            result = self.any_auth(deps)
            if result:
                return True
            if result is None:
                unknown = True
        for parent, inc in self._includes_of(owner):
            result = self.any_auth(inc.get("deps", ()))
            if result:
                return True
            if result is None:
                unknown = True
            # a blueprint's before_app_request applies to the app it is registered on
            for hook in self._hooks().get(owner, ()):
                if hook.get("app_wide"):
                    return True
            up = self.owner_protected(parent, depth + 1)
            if up:
                return True
            if up is None:
                unknown = True
        # app-wide hooks of blueprints registered on this app
        for fact in self.all():
            for inc in fact.get("includes", ()):
                if self.canonical(inc["parent"]) == owner:
                    for hook in self._hooks().get(self.canonical(inc["child"]), ()):
                        if hook.get("app_wide"):
                            return True
        return None if unknown else False

    def prefixes(self, owner: str, depth: int = 0) -> list[str]:
        """Every URL prefix ``owner``'s routes are served under (one per include path)."""
        owner = self.canonical(owner)
        obj = self.object(owner)
        own = obj.get("prefix", "") if isinstance(obj, dict) else ""
        parents = self._includes_of(owner)
        if not parents or depth > 8:
            return [own or ""]
        out = []
        for parent, inc in parents:
            for above in self.prefixes(parent, depth + 1):
                out.append(join_path(join_path(above, inc.get("prefix", "") or ""), own or ""))
        return out or [own or ""]

    # -- Django / DRF ------------------------------------------------------------------
    def django_settings(self) -> tuple[bool, str | None]:
        """(LoginRequiredMiddleware configured somewhere, DRF default permissions "allow"/"auth"/None)."""
        login = False
        drf: str | None = None
        for fact in self.all():
            settings = fact.get("settings")
            if not settings:
                continue
            login = login or bool(settings.get("login_middleware"))
            value = settings.get("drf_default")
            if value == "auth" or (value == "allow" and drf is None):
                drf = value
        return login, drf

    def routed_views(self) -> dict[str, list[str]]:
        """view ref → the routes that serve it without an auth wrapper (views routed only
        behind ``decorate_urlpatterns(..., auth)`` or a protected ``include()`` are left out)."""
        key = ("urls",)
        index = self._cache.get(key)
        if index is None:
            index = {}
            for fact in self.all():
                module_protected = self.urls_module_protected(fact.get("module", ""))
                for url in fact.get("urls", ()):
                    view = self.canonical(url["view"])
                    routes = index.setdefault(view, [])
                    if not (url.get("protected") or module_protected):
                        routes.append(url.get("route", ""))
            self._cache[key] = index
        return index

    def urls_module_protected(self, module: str, depth: int = 0) -> bool:
        """Every pattern of the urls module ``module`` is behind auth: it is only ``include()``d
        from protected places (a decorated urlpatterns list, an admin-urls hook)."""
        if depth > 8 or not module:
            return False
        key = ("dj_includes",)
        index = self._cache.get(key)
        if index is None:
            index = {}
            for fact in self.all():
                for inc in fact.get("dj_includes", ()):
                    index.setdefault(self.canonical(inc["child"]), []).append((fact.get("module", ""), inc))
            self._cache[key] = index
        parents = index.get(module, [])
        if not parents:
            return False
        return any(inc.get("protected") or self.urls_module_protected(parent, depth + 1) for parent, inc in parents)

    def base_classes(self) -> set[str]:
        key = ("bases",)
        found = self._cache.get(key)
        if found is None:
            found = set()
            for fact in self.all():
                for entry in fact.get("classes", {}).values():
                    for base in entry.get("bases", ()):
                        found.add(self.canonical(base))
            self._cache[key] = found
        return found

    def class_info(self, name: str, depth: int = 0) -> dict[str, Any]:
        """Walk a class's bases across the project: its view kind, auth and DRF permissions."""
        out = {"kind": None, "auth": None, "perm": None, "unknown": False}
        if depth > 10:
            out["unknown"] = True
            return out
        entry = self.lookup(name, "classes")
        if not isinstance(entry, dict):
            canonical = canonical_type(name) or name
            if canonical in web.DJANGO_VIEW_BASES or canonical.startswith("django.views."):
                out["kind"] = "django"
            elif canonical in web.DRF_VIEW_BASES or canonical.startswith("rest_framework.views") or \
                    canonical.startswith("rest_framework.viewsets") or canonical.startswith("rest_framework.generics"):
                out["kind"] = "drf"
            elif canonical.startswith("flask.views"):
                out["kind"] = "flask"
            elif last_part(canonical) in web.AUTH_MIXIN_NAMES or "LoginRequired" in canonical:
                out["auth"] = True
            elif entry is MISSING and not canonical.startswith(("django.", "rest_framework.", "builtins.")):
                out["unknown"] = True
            return out
        out["auth"] = entry.get("auth")
        out["perm"] = entry.get("perm")
        for base in entry.get("bases", ()):
            info = self.class_info(base, depth + 1)
            out["kind"] = out["kind"] or info["kind"]
            if out["auth"] is None:
                out["auth"] = info["auth"]
            if out["perm"] is None:
                out["perm"] = info["perm"]
            out["unknown"] = out["unknown"] or info["unknown"]
        return out


def _merge(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(a)
    for key, value in b.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = {**out[key], **value}
        elif isinstance(value, list) and isinstance(out.get(key), list):
            out[key] = [*out[key], *value]
        elif key not in out:
            out[key] = value
    return out
