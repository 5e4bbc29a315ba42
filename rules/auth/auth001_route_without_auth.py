from __future__ import annotations

import dataclasses
import re
from typing import Any

import libcst as cst

from reviewlint.analysis import routes as R
from reviewlint.analysis.calls import argument, string_value
from reviewlint.knowledge import canonical_type, web
from reviewlint.rule import Invalid, Option, Rule, Severity, Valid, Viewpoint

#: text that marks a file the project pass must read even when it was not given
PROJECT_KEYWORDS = (
    "before_request", "before_app_request", "include_router", "register_blueprint", "dependencies",
    "MIDDLEWARE", "DEFAULT_PERMISSION_CLASSES", "urlpatterns", "add_url_rule", "add_middleware", ".middleware(",
    "register_admin_urls",
)

_HOOK_WORDS = frozenset({"session", "current_user", "user", "token", "authorization", "Authorization", "auth",
                         "is_authenticated", "jwt", "api_key", "login", "verify_jwt_in_request", "identity"})
def _refuses_by_name(name: str) -> bool:
    """A call whose name says it refuses the request: ``redirect``/``redirect_to``/
    ``redirect_to_login``, ``handle_no_permission``, ``make_forbidden_response``, ``unauthorized()``."""
    lowered = name.lower()
    return lowered.startswith("redirect") or name in _DENY_CALLS or any(
        w in lowered for w in ("forbidden", "unauthorized", "unauthorised", "access_denied", "permission_denied"))


#: exceptions an authorisation layer raises to refuse (caught by the handler: ``except NotAuthorized``)
_REFUSAL_EXCEPTIONS = frozenset({"NotAuthorized", "NotAuthorised", "Unauthorised", "AccessDenied", "AuthorizationError",
                                 "AuthorisationError", "NotPermitted"})
#: what a view method calls to refuse the request (Django's AccessMixin, DRF's APIView)
_DENY_CALLS = frozenset({"handle_no_permission", "redirect_to_login", "permission_denied"})
#: what it calls or reads to decide
_PERMISSION_CALLS = frozenset({"has_perm", "has_perms", "has_permission", "has_object_permission", "has_module_perms"})
_USER_FLAGS = frozenset({"is_authenticated", "is_anonymous", "is_staff", "is_superuser"})
#: class methods whose checks guard every request of the view (and of the views built on the class)
_GUARD_METHODS = frozenset({"dispatch", "check_permissions", "initial", "get", "post", "put", "patch", "delete"})
_DJANGO_METHOD_DECORATORS = {"require_POST": ("POST",), "require_GET": ("GET",), "require_safe": ("GET", "HEAD")}


@dataclasses.dataclass
class _Func:
    node: cst.FunctionDef
    auth: bool = False  # raises 401/403, aborts, decodes a JWT
    hook_reads: bool = False  # reads a user/session/token
    hook_enforces: bool = False  # aborts / redirects / returns 401/403
    denies: bool = False  # calls handle_no_permission() / redirect_to_login() / permission_denied()
    checks: bool = False  # asks has_perm(s)() / has_permission() / user.is_authenticated


class RouteWithoutAuth(Rule):
    """A route handler that anyone can call: no authentication in front of it.

    ## What it does
    Flags web endpoints with no authentication requirement: Flask/Blueprint routes without
    an auth decorator (`login_required`, `jwt_required`, `auth.login_required`, ...) and no
    `before_request` hook on their app/blueprint that checks the user and aborts; FastAPI path
    operations with no auth dependency (a `Security(...)` parameter, or a `Depends` whose target
    uses an `OAuth2*`/`HTTPBearer`/`HTTPBasic`/`APIKey*` scheme, decodes a JWT or raises 401/403,
    followed through `Annotated` aliases and across the project), neither on the operation nor
    on its router, `include_router` call or app; Django views (routed in a `urls.py`) without
    `login_required`/`permission_required`/`user_passes_test` or an auth mixin, unless
    `LoginRequiredMiddleware` is configured; DRF views whose `permission_classes` is `AllowAny`
    or empty (or unset, with no `DEFAULT_PERMISSION_CLASSES`). A class view is protected when
    it or one of its bases (followed across the project) has a `dispatch`/`check_permissions`/
    `initial` or handler method (`get`, `post` ...) that asks `has_perm(s)()`/`has_permission()`/
    `user.is_authenticated` and refuses with `handle_no_permission()`, `redirect_to_login()`,
    `PermissionDenied` or a 401/403: a permission mixin, or an inline check in the handler. A
    handler that calls the authorisation layer (`check_access()`, `check_permissions()`) or
    catches its refusal (`except NotAuthorized: abort(404)`) is protected, and so are routes
    behind a hook that refuses through a helper (`return h.redirect_to("user.login")`,
    `Response(..., status=401)`).

    The decision needs the whole project (a hook or a router dependency is often declared in
    another file): facts are collected per file and decided after all files. When only some
    files are checked, the project's other files are read for the facts that matter; a route
    whose protection cannot be determined is not reported.

    Public endpoints are fine: `public-paths` (default: health, readiness, metrics, login,
    logout, signup, register, docs, static files...; matched against the end of the full
    route path, prefixes included) and an explicit marker (`@public`, `@login_not_required`,
    or a decorator named in `public-decorators`). Write methods and privileged-looking paths
    (`/admin`, `/internal`, an object id) are reported as errors.

    ## Why it matters
    "Can anyone call this API?" is the first question of a security review. A forgotten
    decorator turns `/users/{id}` into a public data leak, and nothing fails in tests.

    ## Example
    ```python
    from flask import Flask

    app = Flask(__name__)

    @app.route("/users/<int:user_id>", methods=["DELETE"])
    def delete_user(user_id):
        ...
    ```

    ## Use instead
    ```python
    from flask import Flask
    from flask_login import login_required

    app = Flask(__name__)

    @app.route("/users/<int:user_id>", methods=["DELETE"])
    @login_required
    def delete_user(user_id):
        ...
    ```
    """

    code = "AUTH001"
    name = "route-without-auth"
    opt_in = True  # judged precision on real code below 0.8: docs/precision.md
    viewpoint = Viewpoint.AUTH
    severity = Severity.WARNING
    skip_roles = frozenset({"example", "generated", "test"})
    message = "route without an authentication requirement: anyone can call it"
    options = {
        "public-paths": Option("list[str]", list(R.DEFAULT_PUBLIC_PATHS),
                               "route paths anyone may call (globs matched against the end of the full path)"),
        "extend-public-paths": Option("list[str]", [], "more public paths, added to public-paths"),
        "public-decorators": Option("list[str]", [], "decorators that mark an endpoint as deliberately public"),
        "auth-decorators": Option("list[str]", [], "more decorators that require an authenticated user"),
        "auth-dependencies": Option("list[str]", [], "FastAPI dependencies (names or qualified names) that authenticate"),
    }

    valid = [
        # Flask: auth decorator (flask-login, flask-jwt-extended, Flask-HTTPAuth)
        "from flask import Flask\nfrom flask_login import login_required\napp = Flask(__name__)\n\n"
        "@app.route('/orders')\n@login_required\ndef orders():\n    return []\n",
        "from flask import Flask\nfrom flask_jwt_extended import jwt_required\napp = Flask(__name__)\n\n"
        "@app.post('/orders')\n@jwt_required()\ndef create():\n    return {}\n",
        "from flask import Flask\nfrom flask_httpauth import HTTPBasicAuth\napp = Flask(__name__)\nauth = HTTPBasicAuth()\n\n"
        "@app.get('/me')\n@auth.login_required\ndef me():\n    return {}\n",
        # Flask: a before_request hook that checks the session and aborts
        "from flask import Blueprint, abort, session\nbp = Blueprint('admin', __name__)\n\n@bp.before_request\n"
        "def require_login():\n    if 'user_id' not in session:\n        abort(401)\n\n@bp.route('/admin/users')\n"
        "def users():\n    return []\n",
        # the handler itself enforces it
        "from flask import Flask, abort\nfrom flask_login import current_user\napp = Flask(__name__)\n\n"
        "@app.get('/report')\ndef report():\n    if not current_user.is_authenticated:\n        abort(403)\n    return {}\n",
        # public by default path (prefixes included), by marker, by option
        "from flask import Flask\napp = Flask(__name__)\n\n@app.route('/healthz')\ndef health():\n    return 'ok'\n",
        "from flask import Blueprint\nbp = Blueprint('acct', __name__, url_prefix='/account')\n\n"
        "@bp.route('/login', methods=['POST'])\ndef login():\n    return 'ok'\n",
        "from flask import Flask\nfrom myapp.auth import public\napp = Flask(__name__)\n\n@app.get('/pricing')\n"
        "@public\ndef pricing():\n    return {}\n",
        Valid("from flask import Flask\napp = Flask(__name__)\n\n@app.get('/pricing')\ndef pricing():\n    return {}\n",
              options={"public-paths": ["/pricing"]}),
        Valid("from flask import Flask\nfrom acme import open_endpoint\napp = Flask(__name__)\n\n@app.get('/x')\n"
              "@open_endpoint\ndef x():\n    return {}\n", options={"public-decorators": ["open_endpoint"]}),
        Valid("from flask import Flask\nfrom acme import guard\napp = Flask(__name__)\n\n@app.get('/x')\n"
              "@guard\ndef x():\n    return {}\n", options={"auth-decorators": ["acme.guard"]}),
        # FastAPI: an auth dependency (scheme, raises 401), Security, Annotated alias, router dependencies
        "from fastapi import Depends, FastAPI\nfrom fastapi.security import OAuth2PasswordBearer\napp = FastAPI()\n"
        "oauth2 = OAuth2PasswordBearer(tokenUrl='token')\n\ndef current_user(token: str = Depends(oauth2)):\n"
        "    return token\n\n@app.get('/items/{item_id}')\ndef item(item_id: int, user=Depends(current_user)):\n"
        "    return {}\n",
        "from typing import Annotated\nfrom fastapi import Depends, FastAPI, HTTPException\napp = FastAPI()\n\n"
        "def get_user(request):\n    if not request.headers.get('x-user'):\n        raise HTTPException(status_code=401)\n"
        "    return 1\n\nCurrentUser = Annotated[int, Depends(get_user)]\n\n@app.delete('/items/{item_id}')\n"
        "def drop(item_id: int, user: CurrentUser):\n    return {}\n",
        "from fastapi import FastAPI, Security\nfrom acme.auth import scopes_user\napp = FastAPI()\n\n"
        "@app.get('/me')\ndef me(user=Security(scopes_user, scopes=['me'])):\n    return {}\n",
        "from fastapi import APIRouter, Depends, FastAPI\nfrom fastapi.security import HTTPBearer\nbearer = HTTPBearer()\n"
        "router = APIRouter(dependencies=[Depends(bearer)])\n\n@router.post('/orders')\ndef create():\n    return {}\n",
        "from fastapi import APIRouter, Depends, FastAPI\nfrom fastapi.security import APIKeyHeader\nkey = APIKeyHeader(name='k')\n"
        "router = APIRouter()\napp = FastAPI()\n\n@router.post('/orders')\ndef create():\n    return {}\n\n"
        "app.include_router(router, prefix='/v1', dependencies=[Depends(key)])\n",
        # a dependency from outside the project cannot be judged: not reported
        "from fastapi import Depends, FastAPI\nfrom thirdparty.auth import current_active_user\napp = FastAPI()\n\n"
        "@app.get('/me')\ndef me(user=Depends(current_active_user)):\n    return {}\n",
        Valid("from fastapi import Depends, FastAPI\napp = FastAPI()\n\ndef who(request):\n    return request.state.user\n\n"
              "@app.get('/me')\ndef me(user=Depends(who)):\n    return {}\n", options={"auth-dependencies": ["who"]}),
        # a router whose app is not in the project: cannot tell, not reported
        "from fastapi import Depends\nfrom app.routers import router\n\n@router.get('/items')\ndef items():\n    return []\n",
        # a blueprint hook that redirects anonymous users through a helper; a hook that returns a 401 response
        "from flask import Blueprint\nfrom flask_login import current_user\nfrom app import h\n\n"
        "bp = Blueprint('dashboard', __name__, url_prefix='/dashboard')\n\n@bp.before_request\ndef before_request():\n"
        "    if current_user.is_anonymous:\n        return h.redirect_to('user.login')\n\n"
        "@bp.route('/datasets')\ndef datasets():\n    return []\n",
        "from flask import Blueprint, Response, request\n\nbp = Blueprint('api', __name__)\n\n@bp.before_request\n"
        "def check():\n    if request.authorization is None:\n        return Response('login required', status=401)\n\n"
        "@bp.route('/runs/export')\ndef export_runs():\n    return []\n",
        # the handler asks the authorisation layer, which raises (CKAN's logic.check_access)
        "from flask import Blueprint\nfrom ckan import logic\n\nbp = Blueprint('file', __name__)\n\n"
        "@bp.route('/file/download/<id>')\ndef download(id):\n    logic.check_access('permission_download_file', {}, {'id': id})\n"
        "    return id\n",
        # an inline check in the handler that redirects anonymous users to the login page
        "from flask import Blueprint\nfrom ckan.plugins import toolkit as tk\n\nbp = Blueprint('dash', __name__)\n\n"
        "@bp.route('/dashboard/')\ndef dashboard():\n    if tk.current_user.is_anonymous:\n"
        "        return tk.h.redirect_to('user.login')\n    return 'news'\n",
        # the handler turns the authorisation layer's refusal into a response
        "from flask import Blueprint, abort\nfrom ckan.plugins import toolkit as tk\n\nbp = Blueprint('activity', __name__)\n\n"
        "@bp.route('/group/activity/<id>')\ndef group_activity(id):\n    try:\n"
        "        group = tk.get_action('group_show')({}, {'id': id})\n    except (tk.ObjectNotFound, tk.NotAuthorized):\n"
        "        abort(404)\n    return group\n",
        # Django class views: a mixin whose dispatch checks permissions, an inline check in the handler
        "from django.contrib.auth.mixins import AccessMixin\nfrom django.urls import path\nfrom django.views.generic import View\n\n"
        "class ObjectPermissionRequiredMixin(AccessMixin):\n    def dispatch(self, request, *args, **kwargs):\n"
        "        if not request.user.has_perms(self.get_required_permission()):\n            return self.handle_no_permission()\n"
        "        return super().dispatch(request, *args, **kwargs)\n\n"
        "class DeviceBulkAdd(ObjectPermissionRequiredMixin, View):\n    def post(self, request):\n        return None\n\n"
        "urlpatterns = [path('devices/add', DeviceBulkAdd.as_view())]\n",
        "from django.contrib.auth.mixins import AccessMixin\nfrom django.urls import path\nfrom django.views.generic import View\n\n"
        "class SearchView(AccessMixin, View):\n    def get(self, request):\n        if not request.user.is_authenticated:\n"
        "            return self.handle_no_permission()\n        return None\n\nurlpatterns = [path('search', SearchView.as_view())]\n",
        # Django: decorator, mixin, middleware; DRF permissions
        "from django.contrib.auth.decorators import login_required\nfrom django.urls import path\n\n@login_required\n"
        "def orders(request):\n    return None\n\nurlpatterns = [path('orders/', orders)]\n",
        "from django.contrib.auth.mixins import LoginRequiredMixin\nfrom django.urls import path\n"
        "from django.views.generic import ListView\n\nclass Orders(LoginRequiredMixin, ListView):\n    pass\n\n"
        "urlpatterns = [path('orders/', Orders.as_view())]\n",
        "from django.urls import path\n\nMIDDLEWARE = ['django.contrib.auth.middleware.LoginRequiredMiddleware']\n\n"
        "def orders(request):\n    return None\n\nurlpatterns = [path('orders/', orders)]\n",
        "from django.urls import path\nfrom rest_framework.permissions import IsAuthenticated\n"
        "from rest_framework.viewsets import ModelViewSet\n\nclass Orders(ModelViewSet):\n"
        "    permission_classes = [IsAuthenticated]\n\nurlpatterns = [path('orders/', Orders.as_view({'get': 'list'}))]\n",
        "from django.urls import path\nfrom rest_framework.viewsets import ModelViewSet\n\nREST_FRAMEWORK = {\n"
        "    'DEFAULT_PERMISSION_CLASSES': ['rest_framework.permissions.IsAuthenticated'],\n}\n\n"
        "class Orders(ModelViewSet):\n    pass\n\nurlpatterns = [path('orders/', Orders.as_view({'get': 'list'}))]\n",
        # a function with a `request` parameter that no urls.py routes is not a view
        "def helper(request):\n    return request.GET\n",
        # AUTH002 reports a misordered decorator: not reported twice
        "from flask import Flask\nfrom flask_login import login_required\napp = Flask(__name__)\n\n@login_required\n"
        "@app.route('/admin')\ndef admin():\n    return ''\n",
        # test files are skipped
        Valid("from flask import Flask\napp = Flask(__name__)\n\n@app.get('/x')\ndef x():\n    return {}\n",
              path="tests/test_app.py"),
    ]
    invalid = [
        Invalid("from flask import Flask\napp = Flask(__name__)\n\n@app.route('/users/<int:user_id>', methods=['DELETE'])\n"
                "def delete_user(user_id):\n    return ''\n", line=5, message="`DELETE /users/<int:user_id>`"),
        # a before_request hook that does not enforce anything does not count
        Invalid("from flask import Blueprint, g\nbp = Blueprint('api', __name__, url_prefix='/api')\n\n@bp.before_request\n"
                "def load():\n    g.started = 1\n\n@bp.get('/reports')\ndef reports():\n    return []\n",
                line=9, message="`GET /api/reports`"),
        # FastAPI: a dependency that is not auth (a DB session) does not count
        Invalid("from fastapi import Depends, FastAPI\napp = FastAPI()\n\ndef get_db():\n    yield 1\n\n"
                "@app.post('/items')\nasync def create(db=Depends(get_db)):\n    return {}\n", line=8,
                message="`POST /items`"),
        Invalid("from fastapi import APIRouter, FastAPI\nrouter = APIRouter(prefix='/admin')\napp = FastAPI()\n\n"
                "@router.get('/stats')\ndef stats():\n    return {}\n\napp.include_router(router, prefix='/internal')\n",
                line=6, message="`GET /internal/admin/stats`"),
        Invalid("from django.urls import path\n\ndef orders(request):\n    return None\n\n"
                "urlpatterns = [path('orders/<int:pk>/', orders)]\n", line=3, message="Django view `orders`"),
        Invalid("from django.urls import path\nfrom django.views.generic import DetailView\n\n"
                "class OrderDetail(DetailView):\n    pass\n\nurlpatterns = [path('orders/<int:pk>/', OrderDetail.as_view())]\n",
                line=4, message="Django view `OrderDetail`"),
        Invalid("from django.urls import path\nfrom rest_framework.permissions import AllowAny\n"
                "from rest_framework.views import APIView\n\nclass Export(APIView):\n    permission_classes = [AllowAny]\n\n"
                "urlpatterns = [path('export/', Export.as_view())]\n", line=5, message="AllowAny"),
        Invalid("from django.urls import path\nfrom rest_framework.decorators import api_view\n\n@api_view(['POST'])\n"
                "def refund(request):\n    return None\n\nurlpatterns = [path('refund/', refund)]\n", line=5,
                message="DRF view `refund`"),
    ]

    # ------------------------------------------------------------------ per file
    def begin(self) -> None:
        ctx = self.context
        self.module = R.module_ref(ctx)
        self.facts: dict[str, Any] = {"module": self.module}
        self.stack: list[_Func] = []
        self.local_funcs: dict[str, tuple[cst.FunctionDef, bool]] = {}
        self.candidates: list[dict[str, Any]] = []
        self.auth_decorators = list(self.config["auth-decorators"])
        self.public_decorators = list(self.config["public-decorators"])

    def _put(self, kind: str, name: str, value: Any) -> None:
        self.facts.setdefault(kind, {})[name] = value

    def _append(self, kind: str, value: Any) -> None:
        self.facts.setdefault(kind, []).append(value)

    def visit_Import(self, node: cst.Import) -> None:
        if self.context.is_module_level():
            for alias in node.names:
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    target = R._dotted(alias.name)
                    if target:
                        self._put("imports", alias.asname.name.value, target)

    def leave_ImportFrom(self, node: cst.ImportFrom) -> None:
        if not self.context.is_module_level() or isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            local = alias.asname.name if alias.asname is not None else alias.name
            if isinstance(local, cst.Name):
                binding = self.context.lookup(local.value)
                if binding is not None and binding.kind == "import" and binding.value:
                    self._put("imports", local.value, binding.value)

    # -- module-level objects, settings, aliases ---------------------------------
    def visit_Assign(self, node: cst.Assign) -> None:
        if not self.context.is_module_level() or self.context.classes:
            return
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                self._module_assign(target.target.value, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if self.context.is_module_level() and not self.context.classes and isinstance(node.target, cst.Name) \
                and node.value is not None:
            self._module_assign(node.target.value, node.value)

    def _module_assign(self, name: str, value: cst.BaseExpression) -> None:
        ctx = self.context
        typ = canonical_type(ctx.type_of(value)) if isinstance(value, cst.Call) else None
        if typ in web.FLASK_TYPES or typ in web.FASTAPI_TYPES or typ in web.SECURITY_SCHEMES:
            assert isinstance(value, cst.Call)
            entry: dict[str, Any] = {"type": typ}
            prefix = string_value(R.keyword_value(value, "url_prefix") or R.keyword_value(value, "prefix"))
            if prefix:
                entry["prefix"] = prefix
            deps = self._dependency_list(R.keyword_value(value, "dependencies"))
            if deps:
                entry["deps"] = deps
            self._put("objects", name, entry)
            return
        if name == "MIDDLEWARE":
            strings = R.literal_strings(value)
            self.facts.setdefault("settings", {})["login_middleware"] = any(
                s.endswith("LoginRequiredMiddleware") for s in strings)
        elif name == "REST_FRAMEWORK" and isinstance(value, cst.Dict):
            for element in value.elements:
                if isinstance(element, cst.DictElement) and string_value(element.key) == "DEFAULT_PERMISSION_CLASSES":
                    strings = R.literal_strings(element.value)
                    allow = all(s.rsplit(".", 1)[-1] == "AllowAny" for s in strings)
                    self.facts.setdefault("settings", {})["drf_default"] = "allow" if allow else "auth"
        # CurrentUser = Annotated[User, Depends(get_current_user)]
        alias = self._annotated_deps(value)
        if alias:
            self._put("aliases", name, alias)

    def _annotated_deps(self, expr: cst.BaseExpression | None) -> list[str] | None:
        if not isinstance(expr, cst.Subscript):
            return None
        if R.last_part(self.context.qualname(expr.value)) != "Annotated":
            return None
        out: list[str] = []
        for element in expr.slice[1:]:
            if isinstance(element.slice, cst.Index):
                dep = self._dependency(element.slice.value)
                if dep is not None:
                    out.append(dep)
        return out or None

    def _dependency(self, expr: cst.BaseExpression | None, annotation: cst.BaseExpression | None = None) -> str | None:
        """``Depends(f)`` → ref of f; ``Security(...)`` → "!security"; anything else → None."""
        if not isinstance(expr, cst.Call):
            return None
        name = self.context.call_name(expr) or ""
        if name in web.FASTAPI_SECURITY or (R.last_part(name) == "Security" and name.startswith("fastapi")):
            return "!security"
        if name not in web.FASTAPI_DEPENDS and not (R.last_part(name) == "Depends" and name.startswith("fastapi")):
            return None
        target = argument(expr, 0, "dependency")
        if target is None:
            target = annotation
        if isinstance(target, cst.Call):
            target = target.func
        return R.ref(self.context, target) if isinstance(target, (cst.Name, cst.Attribute)) else None

    def _dependency_list(self, expr: cst.BaseExpression | None) -> list[str]:
        out: list[str] = []
        if isinstance(expr, (cst.List, cst.Tuple)):
            for element in expr.elements:
                dep = self._dependency(element.value)
                if dep is not None:
                    out.append(dep)
        return out

    # -- calls: includes, hooks, urls ---------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.context
        if self.stack:
            record = self.stack[-1]
            name = ctx.call_name(node) or ""
            called = node.func.attr.value if isinstance(node.func, cst.Attribute) else R.last_part(name)
            if called in _DENY_CALLS:
                record.denies = True
            elif called in _PERMISSION_CALLS:
                record.checks = True
            if R.is_abort_auth(ctx, node):
                record.auth = True
                record.hook_enforces = True
            elif _refuses_by_name(called or R.last_part(name)):
                record.hook_enforces = True  # redirect(), h.redirect_to("user.login"), make_forbidden_response()
            elif any(R.is_auth_status(R.keyword_value(node, k)) for k in ("status", "status_code")):
                record.hook_enforces = True  # Response("login required", status=401)
            if name.startswith(("jwt.", "jose.")) and R.last_part(name) == "decode":
                record.auth = True
                record.hook_reads = True
            elif R.AUTH_CALL_RE.match(R.last_part(name) or R.last_part(R._dotted(node.func))):
                record.auth = True
                record.hook_reads = True
        func = node.func
        qual = ctx.call_name(node) or ""
        if qual in web.DJANGO_URL_FUNCS:
            self._url(node)
            return
        if any(isinstance(a.value, cst.Name) and a.value.value == "urlpatterns" for a in node.args) and any(
                isinstance(a.value, (cst.Name, cst.Attribute))
                and R.is_auth_decorator(ctx, cst.Decorator(decorator=a.value), self.auth_decorators) for a in node.args):
            # urlpatterns = decorate_urlpatterns(urlpatterns, require_admin_access)
            for entry in (*self.facts.get("urls", ()), *self.facts.get("dj_includes", ())):
                entry["protected"] = True
            return
        if not isinstance(func, cst.Attribute):
            return
        attr = func.attr.value
        owner = func.value
        if attr in ("include_router", "register_blueprint"):
            child = argument(node, 0, "router" if attr == "include_router" else "blueprint")
            child_ref = R.ref(ctx, child.func if isinstance(child, cst.Call) else child)
            parent_ref = R.ref(ctx, owner)
            if child_ref and parent_ref:
                entry: dict[str, Any] = {"parent": parent_ref, "child": child_ref}
                prefix = string_value(R.keyword_value(node, "prefix") or R.keyword_value(node, "url_prefix"))
                if prefix:
                    entry["prefix"] = prefix
                deps = self._dependency_list(R.keyword_value(node, "dependencies"))
                if deps:
                    entry["deps"] = deps
                self._append("includes", entry)
        elif attr in ("before_request", "before_app_request") and node.args:
            hook = argument(node, 0, "f")
            owner_ref = R.ref(ctx, owner)
            hook_ref = R.ref(ctx, hook) if isinstance(hook, (cst.Name, cst.Attribute)) else None
            if owner_ref and hook_ref:
                self._append("hooks", {"owner": owner_ref, "func": hook_ref, "app_wide": attr == "before_app_request"})
        elif attr == "add_middleware":
            cls = argument(node, 0, "middleware_class")
            name = R.last_part(ctx.qualname(cls) or "") if cls is not None else ""
            owner_ref = R.ref(ctx, owner)
            if owner_ref and ("Auth" in name or "Login" in name or "Session" in name and "Auth" in name):
                self._append("hooks", {"owner": owner_ref, "ok": True, "app_wide": True})
        elif attr == "add_url_rule":
            self._add_url_rule(node, owner)
        elif attr == "register" and len(node.args) >= 2:
            binding = ctx.binding(owner)
            origin = binding.origin if binding is not None else None
            router_type = ctx.call_name(origin) if isinstance(origin, cst.Call) else None
            if router_type and router_type.startswith("rest_framework.routers"):
                prefix = string_value(argument(node, 0, "prefix"))
                view = argument(node, 1, "viewset")
                view_ref = R.ref(ctx, view) if isinstance(view, (cst.Name, cst.Attribute)) else None
                if view_ref:
                    self._append("urls", {"view": view_ref, "route": prefix or ""})

    def _in_admin_urls_hook(self) -> bool:
        """Inside a Wagtail ``@hooks.register("register_admin_urls")`` function: the admin
        wraps those URLs in ``require_admin_access``."""
        for record in self.stack:
            for decorator in record.node.decorators:
                target = decorator.decorator
                if isinstance(target, cst.Call) and R.last_part(R._dotted(target.func)) == "register" and \
                        string_value(argument(target, 0, "hook_name")) in web.PROTECTED_URL_HOOKS:
                    return True
        return False

    def _url(self, node: cst.Call) -> None:
        route = string_value(argument(node, 0, "route")) or ""
        view = argument(node, 1, "view")
        protected = self._in_admin_urls_hook()
        if isinstance(view, cst.Call) and R.last_part(self.context.call_name(view) or "") == "include":
            target = argument(view, 0, "arg")
            if isinstance(target, cst.Tuple) and target.elements:
                target = target.elements[0].value
            child = string_value(target)
            if child is None and isinstance(target, (cst.Name, cst.Attribute)):
                child = R.ref(self.context, target)
            if child:
                entry: dict[str, Any] = {"child": child, "prefix": route}
                if protected:
                    entry["protected"] = True
                self._append("dj_includes", entry)
            return
        if isinstance(view, cst.Call) and isinstance(view.func, cst.Attribute) and view.func.attr.value == "as_view":
            view = view.func.value
        if isinstance(view, (cst.Name, cst.Attribute)):
            view_ref = R.ref(self.context, view)
            if view_ref:
                url: dict[str, Any] = {"view": view_ref, "route": route}
                if protected:
                    url["protected"] = True
                self._append("urls", url)

    def _add_url_rule(self, node: cst.Call, owner: cst.BaseExpression) -> None:
        ctx = self.context
        path = string_value(argument(node, 0, "rule"))
        view = argument(node, 2, "view_func")
        if path is None or view is None:
            return
        owner_ref = R.ref(ctx, owner)
        methods = R.literal_strings(R.keyword_value(node, "methods")) or ("GET",)
        if isinstance(view, cst.Call) and isinstance(view.func, cst.Attribute) and view.func.attr.value == "as_view":
            view_ref = R.ref(ctx, view.func.value)
            if view_ref and owner_ref:
                self._append("urls", {"view": view_ref, "route": path, "owner": owner_ref})
            return
        if isinstance(view, cst.Name) and view.value in self.local_funcs and owner_ref:
            func, protected = self.local_funcs[view.value]
            if not protected:
                self._candidate(func, {"fw": "flask", "owner": owner_ref, "path": path,
                                       "methods": [m.upper() for m in methods], "func": func.name.value})

    # -- function bodies ------------------------------------------------------------
    def visit_Raise(self, node: cst.Raise) -> None:
        if self.stack and R.raises_auth_error(self.context, node.exc):
            self.stack[-1].auth = True
            self.stack[-1].hook_enforces = True

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        """``except NotAuthorized: abort(403)``: the handler calls an authorisation layer that
        raises (CKAN's actions, a service's permission check) and turns the refusal into a response."""
        if not self.stack or node.type is None:
            return
        types = [e.value for e in node.type.elements] if isinstance(node.type, cst.Tuple) else [node.type]
        for expr in types:
            name = R.last_part(self.context.qualname(expr) or R._dotted(expr))
            if name in R.AUTH_EXCEPTION_NAMES or name in _REFUSAL_EXCEPTIONS:
                self.stack[-1].auth = True
                return

    def visit_Return(self, node: cst.Return) -> None:
        if self.stack and isinstance(node.value, cst.Tuple):
            if any(R.is_auth_status(e.value) for e in node.value.elements[1:]):
                self.stack[-1].hook_enforces = True

    def visit_Name(self, node: cst.Name) -> None:
        if self.stack and node.value in _HOOK_WORDS:
            self.stack[-1].hook_reads = True

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if self.stack and node.attr.value in _HOOK_WORDS:
            self.stack[-1].hook_reads = True
        if self.stack and node.attr.value in _USER_FLAGS:
            self.stack[-1].checks = True

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.stack.append(_Func(node))

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        record = self.stack.pop()
        ctx = self.context
        module_level = not ctx.functions and not ctx.classes
        in_class = not ctx.functions and len(ctx.classes) == 1
        params = [*node.params.posonly_params, *node.params.params, *node.params.kwonly_params]
        uses: list[str] = []
        anns: list[str] = []
        security = False
        for param in params:
            ann = param.annotation.annotation if param.annotation is not None else None
            dep = self._dependency(param.default, ann)
            if dep == "!security":
                security = True
            elif dep is not None:
                uses.append(dep)
            alias = self._annotated_deps(ann)
            if alias:
                if "!security" in alias:
                    security = True
                uses.extend(a for a in alias if a != "!security")
            elif isinstance(ann, (cst.Name, cst.Attribute)):
                ann_ref = R.ref(ctx, ann)
                if ann_ref:
                    anns.append(ann_ref)
        # an inline check that refuses: ``if current_user.is_anonymous: return redirect_to("user.login")``
        auth = record.auth or security or (record.checks and record.hook_enforces)
        hook_ok = record.hook_reads and record.hook_enforces
        if module_level:
            entry: dict[str, Any] = {}
            if auth:
                entry["auth"] = True
            if uses:
                entry["uses"] = uses
            if anns:
                entry["anns"] = anns
            if hook_ok:
                entry["hook"] = True
            self._put("funcs", node.name.value, entry)
        elif in_class and node.name.value == "__call__" and (auth or uses):
            self._class_call = {"auth": auth, "uses": uses}
        if not (module_level or in_class):
            return

        extra_auth = self.auth_decorators
        has_auth = any(R.is_auth_decorator(ctx, d, extra_auth) for d in node.decorators)
        public = any(R.is_public_decorator(ctx, d, self.public_decorators) for d in node.decorators)
        if in_class:
            if has_auth and node.name.value in ("dispatch", "get", "post", "put", "patch", "delete"):
                self._class_auth = True
            if node.name.value in _GUARD_METHODS and record.checks and (record.denies or record.auth):
                # ``dispatch``/``check_permissions`` asking has_perms() and calling handle_no_permission()
                # (a permission mixin), or ``get`` refusing anonymous users inline
                self._class_auth = True
            return
        self.local_funcs[node.name.value] = (node, has_auth or public or auth)

        # Flask before_request hooks / FastAPI http middleware
        for decorator in node.decorators:
            target = decorator.decorator
            call = target if isinstance(target, cst.Call) else None
            func = call.func if call is not None else target
            if isinstance(func, cst.Attribute):
                attr = func.attr.value
                if attr in ("before_request", "before_app_request") and call is None and hook_ok:
                    self._append("hooks", {"owner": R.ref(ctx, func.value), "ok": True,
                                           "app_wide": attr == "before_app_request"})
                elif attr == "middleware" and call is not None and record.auth:
                    self._append("hooks", {"owner": R.ref(ctx, func.value), "ok": True, "app_wide": True})

        routes = [r for r in (R.route_decorator(ctx, d) for d in node.decorators) if r is not None]
        if routes and all(r.method == "websocket" for r in routes):
            return  # WebSocket auth happens in the handler, after accept (first-message tokens)
        if routes:
            if has_auth or public or auth:
                return
            route = routes[0]
            methods = sorted({m for r in routes for m in r.methods})
            deps = uses + self._dependency_list(R.keyword_value(route.call, "dependencies"))
            if "!security" in deps:
                return
            owner_ref = R.ref(ctx, route.owner)
            if owner_ref is None:
                return
            self._candidate(node, {"fw": route.framework, "owner": owner_ref, "path": route.path or "",
                                   "methods": methods, "deps": deps, "anns": anns, "func": node.name.value})
            return
        # Django / DRF function views: `request` first, routed from a urls.py (decided later)
        if params and params[0].name.value == "request" and not ctx.is_test_file:
            if has_auth or public or auth:
                return
            candidate: dict[str, Any] = {"fw": "django", "view": f"{self.module}.{node.name.value}",
                                         "func": node.name.value, "methods": []}
            for decorator in node.decorators:
                target = decorator.decorator
                qual = ctx.qualname(R.unwrap_call(target)) or ""
                if qual == web.DRF_API_VIEW:
                    candidate["fw"] = "drf"
                    if isinstance(target, cst.Call):
                        candidate["methods"] = sorted(m.upper() for m in R.literal_strings(argument(target, 0, "http_method_names")))
                    else:
                        candidate["methods"] = ["GET"]
                elif qual == web.DRF_PERMISSION_CLASSES and isinstance(target, cst.Call):
                    perm = self._permission_value(argument(target, 0, "permission_classes"))
                    if perm == "auth":
                        return
                    candidate["perm"] = perm
                elif R.last_part(qual) in _DJANGO_METHOD_DECORATORS:
                    candidate["methods"] = list(_DJANGO_METHOD_DECORATORS[R.last_part(qual)])
                elif R.last_part(qual) == "require_http_methods" and isinstance(target, cst.Call):
                    candidate["methods"] = sorted(m.upper() for m in R.literal_strings(argument(target, 0, "request_method_list")))
            self._candidate(node, candidate)

    def _permission_value(self, expr: cst.BaseExpression | None) -> str | None:
        if isinstance(expr, (cst.List, cst.Tuple)):
            names = [R.last_part(self.context.qualname(e.value) or R._dotted(e.value)) for e in expr.elements]
            if all(n == "AllowAny" for n in names):
                return "allow"
            return "auth"
        return "auth" if expr is not None else None  # computed: trust it

    # -- classes ------------------------------------------------------------------------
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if not self.context.classes:
            self._class_auth = False
            self._class_perm: str | None = None
            self._class_call: dict[str, Any] | None = None

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        ctx = self.context
        if len(ctx.classes) != 1 or ctx.functions or ctx.scopes[-1].kind != "class":
            return
        for stmt in node.body:
            if isinstance(stmt, (cst.Assign, cst.AnnAssign)):
                targets = [t.target for t in stmt.targets] if isinstance(stmt, cst.Assign) else [stmt.target]
                names = {t.value for t in targets if isinstance(t, cst.Name)}
                if "permission_classes" in names:
                    self._class_perm = self._permission_value(stmt.value)
                if "decorators" in names and isinstance(stmt.value, (cst.List, cst.Tuple)):
                    if any(R.is_auth_decorator(ctx, cst.Decorator(decorator=e.value), self.auth_decorators)
                           for e in stmt.value.elements):
                        self._class_auth = True
                if names & {"permission_required", "login_url", "raise_exception"} and "permission_required" in names:
                    self._class_auth = True

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        ctx = self.context
        if ctx.classes:
            return
        bases = []
        auth = self._class_auth
        for arg in node.bases:
            base_ref = R.ref(ctx, arg.value)
            if base_ref:
                bases.append(base_ref)
                name = R.last_part(base_ref)
                if name in web.AUTH_MIXIN_NAMES or "LoginRequired" in name:
                    auth = True
        for decorator in node.decorators:
            if R.is_auth_decorator(ctx, decorator, self.auth_decorators):
                auth = True
        public = any(R.is_public_decorator(ctx, d, self.public_decorators) for d in node.decorators)
        call = self._class_call
        if call is not None:
            auth = auth or call["auth"]
        entry: dict[str, Any] = {"bases": bases}
        if auth:
            entry["auth"] = True
        if self._class_perm is not None:
            entry["perm"] = self._class_perm
        if call is not None and call["uses"]:
            entry["uses"] = call["uses"]
        if bases or auth:
            self._put("classes", node.name.value, entry)
        if not bases or auth or public or ctx.is_test_file or self._class_perm == "auth":
            return
        top = self.module.split(".", 1)[0]
        if any(_maybe_view_base(b, top) for b in bases):
            self._candidate(node, {"fw": "class", "view": f"{self.module}.{node.name.value}", "func": node.name.value,
                                   "methods": []})

    def leave_Module(self, node: cst.Module) -> None:
        if self.candidates:
            self.facts["candidates"] = self.candidates
        self.context.facts[R.FACTS_KEY] = self.facts

    # -- candidates ---------------------------------------------------------------------
    def _candidate(self, node: cst.CSTNode, candidate: dict[str, Any]) -> None:
        candidate["msg"] = _message(candidate, candidate.get("path", ""), None)
        if any(c["msg"] == candidate["msg"] for c in self.candidates):
            return
        self.candidates.append(candidate)
        sensitive = R.is_sensitive(candidate.get("path", ""), candidate.get("methods", ()))
        self.report(node, candidate["msg"], severity=Severity.ERROR if sensitive else None)

    # ------------------------------------------------------------------ project pass
    def finish_project(self, results: Any, project: Any) -> None:
        mine = [r for r in results if r.facts.get(R.FACTS_KEY, {}).get("candidates")]
        if not mine:
            return
        facts = R.ProjectFacts(project.given_facts(R.FACTS_KEY), self.config)
        # a view class that another class builds on is a generic base, not reported: read the
        # files that may subclass a candidate class too
        class_names = sorted({c["func"] for r in mine for c in r.facts[R.FACTS_KEY]["candidates"] if c.get("fw") == "class"})
        subclass_re = re.compile(r"class\s+\w+\s*\([^)]*\b(%s)\b" % "|".join(map(re.escape, class_names))) \
            if class_names else None

        def also(text: str) -> bool:
            return ("register(" in text and "outer" in text) or (subclass_re is not None and bool(subclass_re.search(text)))

        facts.add(project.other_facts(self, R.FACTS_KEY, PROJECT_KEYWORDS, also=also))
        public_paths = list(self.config["public-paths"]) + list(self.config["extend-public-paths"])
        self._severity = Severity(getattr(project.engine, "severities", {}).get(self.code) or self.severity)
        for _ in range(6):  # load the modules the decisions refer to, until nothing new is needed
            facts.wanted.clear()
            for result in mine:
                for candidate in result.facts[R.FACTS_KEY]["candidates"]:
                    self._decide(candidate, facts, public_paths)
            wanted = {m for m in facts.wanted if m not in facts.modules}
            loaded = project.module_facts(self, R.FACTS_KEY, sorted(wanted))
            if not loaded:
                break
            facts.add(loaded)
        for result in mine:
            decisions = {}
            for candidate in result.facts[R.FACTS_KEY]["candidates"]:
                decisions[candidate["msg"]] = self._decide(candidate, facts, public_paths)
            result.findings = _apply(result.findings, decisions, self.code)
            result.suppressed = [(f, s) for (f, s) in result.suppressed
                                 if f.code != self.code or decisions.get(f.message) is not None]

    def _decide(self, c: dict[str, Any], facts: R.ProjectFacts, public_paths: list[str]) -> tuple[str, str] | None:
        """(message, severity) when the candidate is reported, else None."""
        fw = c.get("fw")
        methods = c.get("methods", [])
        if c.get("owner") and fw in (None, "flask", "fastapi"):
            obj = facts.object(c["owner"])
            if not isinstance(obj, dict):
                return None
            typ = obj.get("type")
            fw = "flask" if typ in web.FLASK_TYPES else "fastapi" if typ in web.FASTAPI_TYPES else None
            if fw is None:
                return None
            if fw == "fastapi":
                if c.get("deps") and facts.any_auth(c["deps"]) is not False:
                    return None
                for ann in c.get("anns", ()):
                    alias = facts.lookup(ann, "aliases")
                    if isinstance(alias, list) and facts.any_auth(alias) is not False:
                        return None
            if facts.owner_protected(c["owner"]) is not False:
                return None
            paths = [R.join_path(prefix, c.get("path", "")) for prefix in facts.prefixes(c["owner"])]
        else:
            routes = facts.routed_views().get(facts.canonical(c["view"]))
            if not routes:
                return None
            login_middleware, drf_default = facts.django_settings()
            if login_middleware:
                return None
            paths = [R.normalise_path(r) for r in routes]
            if fw == "class":
                if facts.canonical(c["view"]) in facts.base_classes():
                    return None  # a generic base the project builds views from (TemplateView)
                info = facts.class_info(c["view"])
                if info["unknown"] or info["auth"] or info["kind"] is None:
                    return None
                fw = info["kind"]
                if fw == "drf":
                    perm = info["perm"] or drf_default
                    if perm == "auth":
                        return None
                    c = {**c, "perm": info["perm"]}
                elif fw == "flask":
                    return None  # MethodView: owner protection is decided like a route
            elif fw == "drf":
                if (c.get("perm") or drf_default) == "auth":
                    return None
        if any(R.is_public_path(p, public_paths) for p in paths):
            return None
        path = paths[0] if paths else c.get("path", "")
        sensitive = R.is_sensitive(path, methods)
        return _message({**c, "fw": fw}, path, True), (Severity.ERROR if sensitive else self._severity).value


def _maybe_view_base(base: str, top: str) -> bool:
    canonical = canonical_type(base) or base
    if canonical.startswith(("django.views", "rest_framework.views", "rest_framework.viewsets", "rest_framework.generics",
                             "flask.views")):
        return True
    # a project base class: only when it reads like a view (``BaseView``, ``generic.IndexView``)
    return base.split(".", 1)[0] == top and R.last_part(base).endswith(("View", "ViewSet", "Viewset"))


def _message(c: dict[str, Any], path: str, final: bool | None) -> str:
    fw = c.get("fw")
    methods = " ".join(c.get("methods") or []) or "ANY"
    name = c.get("func", "?")
    if fw in ("flask", "fastapi", None):
        remedy = ("add an auth dependency (e.g. `Depends(get_current_user)`)" if fw == "fastapi" else
                  "add `@login_required` below the route decorator" if fw == "flask" else
                  "add an auth decorator or dependency")
        return (f"`{methods} {path or '/'}` (`{name}`) has no authentication requirement: anyone can call it; "
                f"{remedy}, or list it in public-paths")
    if fw == "drf":
        why = "permission_classes is AllowAny" if c.get("perm") == "allow" else "no permission_classes and no DEFAULT_PERMISSION_CLASSES"
        where = f" at `{path}`" if final else ""
        return (f"DRF view `{name}`{where} lets anyone call it ({why}): "
                "use `permission_classes = [IsAuthenticated]` or list it in public-paths")
    where = f" at `{path}`" if final else ""
    label = "Django view" if fw in ("django", "class") else "view"
    return (f"{label} `{name}`{where} has no authentication requirement: anyone can call it; "
            "add `@login_required`/`LoginRequiredMixin` or list it in public-paths")


def _apply(findings: list[Any], decisions: dict[str, Any], code: str) -> list[Any]:
    out = []
    for finding in findings:
        if finding.code != code:
            out.append(finding)
            continue
        decision = decisions.get(finding.message)
        if decision is None:
            continue
        message, severity = decision
        out.append(dataclasses.replace(finding, message=message, severity=severity))
    return out
