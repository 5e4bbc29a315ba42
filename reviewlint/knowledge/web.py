"""Library knowledge: web frameworks (Flask, FastAPI/Starlette, Django, DRF).

Routes, the decorators/dependencies/mixins that put authentication in front of them, and the
places a request hands untrusted data to a handler. Keyed by qualified name, like every
knowledge module (see :mod:`reviewlint.knowledge`).
"""

from __future__ import annotations

# ---------------------------------------------------------------------- app objects
FLASK_APP = "flask.Flask"
FLASK_BLUEPRINT = "flask.Blueprint"
FASTAPI_APP = "fastapi.FastAPI"
FASTAPI_ROUTER = "fastapi.APIRouter"

FLASK_TYPES = frozenset({FLASK_APP, FLASK_BLUEPRINT})
FASTAPI_TYPES = frozenset({FASTAPI_APP, FASTAPI_ROUTER})

#: FastAPI security schemes: a dependency on one of these is authentication
SECURITY_SCHEMES = frozenset(
    f"fastapi.security.{name}"
    for name in (
        "OAuth2", "OAuth2PasswordBearer", "OAuth2AuthorizationCodeBearer", "OpenIdConnect",
        "HTTPBearer", "HTTPBasic", "HTTPDigest", "HTTPBase",
        "APIKeyHeader", "APIKeyQuery", "APIKeyCookie",
    )
)

KNOWN_TYPES: frozenset[str] = FLASK_TYPES | FASTAPI_TYPES | SECURITY_SCHEMES
CONSTRUCTIBLE: frozenset[str] = KNOWN_TYPES
TYPE_ALIASES: dict[str, str] = {
    "flask.app.Flask": FLASK_APP,
    "flask.blueprints.Blueprint": FLASK_BLUEPRINT,
    "quart.Quart": FLASK_APP,
    "quart.Blueprint": FLASK_BLUEPRINT,
    "fastapi.applications.FastAPI": FASTAPI_APP,
    "fastapi.routing.APIRouter": FASTAPI_ROUTER,
    **{s.replace("fastapi.security.", "fastapi.security.oauth2."): s for s in SECURITY_SCHEMES if "OAuth2" in s},
    **{s.replace("fastapi.security.", "fastapi.security.http."): s for s in SECURITY_SCHEMES if ".HTTP" in s},
    **{s.replace("fastapi.security.", "fastapi.security.api_key."): s for s in SECURITY_SCHEMES if "APIKey" in s},
    "fastapi.security.open_id_connect_url.OpenIdConnect": "fastapi.security.OpenIdConnect",
}
RESULT_TYPES: dict[str, str] = {}

# ---------------------------------------------------------------------- routes
#: decorator methods that register a Flask view: name → HTTP methods (None: from methods=)
FLASK_ROUTE_METHODS: dict[str, tuple[str, ...] | None] = {
    "route": None, "get": ("GET",), "post": ("POST",), "put": ("PUT",), "patch": ("PATCH",), "delete": ("DELETE",),
}
#: FastAPI path operation decorators
FASTAPI_ROUTE_METHODS: dict[str, tuple[str, ...] | None] = {
    "get": ("GET",), "post": ("POST",), "put": ("PUT",), "patch": ("PATCH",), "delete": ("DELETE",),
    "options": ("OPTIONS",), "head": ("HEAD",), "trace": ("TRACE",), "api_route": None, "websocket": ("WEBSOCKET",),
}
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

FASTAPI_DEPENDS = frozenset({"fastapi.Depends", "fastapi.params.Depends", "fastapi.param_functions.Depends"})
FASTAPI_SECURITY = frozenset({"fastapi.Security", "fastapi.params.Security", "fastapi.param_functions.Security"})
FASTAPI_HTTP_EXCEPTIONS = frozenset({"fastapi.HTTPException", "fastapi.exceptions.HTTPException",
                                     "starlette.exceptions.HTTPException"})

# ---------------------------------------------------------------------- auth markers
#: decorators that require an authenticated user (qualified names)
AUTH_DECORATORS = frozenset(
    {
        "flask_login.login_required", "flask_login.fresh_login_required", "flask_login.utils.login_required",
        "flask_security.login_required", "flask_security.auth_required", "flask_security.roles_required",
        "flask_security.roles_accepted", "flask_security.permissions_required", "flask_security.http_auth_required",
        "flask_security.token_auth_required", "flask_security.decorators.auth_required",
        "flask_jwt_extended.jwt_required", "flask_jwt_extended.fresh_jwt_required",
        "flask_jwt_extended.view_decorators.jwt_required", "flask_jwt.jwt_required",
        "flask_praetorian.auth_required", "flask_praetorian.roles_required", "flask_praetorian.roles_accepted",
        "django.contrib.auth.decorators.login_required", "django.contrib.auth.decorators.permission_required",
        "django.contrib.auth.decorators.user_passes_test",
        "django.contrib.admin.views.decorators.staff_member_required",
        "starlette.authentication.requires", "wagtail.admin.auth.require_admin_access", "wagtail.admin.auth.permission_required",
        "wagtail.admin.auth.any_permission_required", "wagtail.admin.auth.user_passes_test",
    }
)
#: the last part of a decorator that requires an authenticated user, whatever its owner
#: (``auth.login_required`` of Flask-HTTPAuth, ``oidc.require_login`` ...)
AUTH_DECORATOR_NAMES = frozenset(
    {
        "login_required", "fresh_login_required", "jwt_required", "fresh_jwt_required", "token_required",
        "auth_required", "roles_required", "roles_accepted", "permission_required", "permissions_required",
        "requires_auth", "require_auth", "require_login", "require_oauth", "user_passes_test", "staff_member_required",
        "superuser_required", "admin_required", "verify_jwt_in_request", "http_auth_required", "token_auth_required",
        "accept_roles", "oauth_required", "login_required_json",
    }
)
#: explicit "this endpoint is public" markers
PUBLIC_DECORATOR_NAMES = frozenset({"public", "public_route", "public_endpoint", "login_not_required", "allow_anonymous",
                                    "csrf_exempt_public"})

#: Wagtail hooks whose URLs the admin serves behind ``require_admin_access``
PROTECTED_URL_HOOKS = frozenset({"register_admin_urls"})

DJANGO_LOGIN_MIDDLEWARE = "django.contrib.auth.middleware.LoginRequiredMiddleware"
#: class-based view mixins that require a user (last part of the name)
AUTH_MIXIN_NAMES = frozenset(
    {
        "LoginRequiredMixin", "PermissionRequiredMixin", "UserPassesTestMixin", "StaffuserRequiredMixin",
        "SuperuserRequiredMixin", "GroupRequiredMixin", "StaffRequiredMixin", "AdminRequiredMixin",
    }
)
DJANGO_VIEW_BASES = frozenset(
    {
        "django.views.View", "django.views.generic.View", "django.views.generic.base.View",
        "django.views.generic.TemplateView", "django.views.generic.ListView", "django.views.generic.DetailView",
        "django.views.generic.FormView", "django.views.generic.CreateView", "django.views.generic.UpdateView",
        "django.views.generic.DeleteView", "django.views.generic.RedirectView",
        "django.views.generic.base.TemplateView", "django.views.generic.list.ListView",
        "django.views.generic.detail.DetailView", "django.views.generic.edit.FormView",
        "django.views.generic.edit.CreateView", "django.views.generic.edit.UpdateView",
        "django.views.generic.edit.DeleteView", "django.views.generic.base.RedirectView",
    }
)
DRF_VIEW_BASES = frozenset(
    {
        "rest_framework.views.APIView", "rest_framework.viewsets.ViewSet", "rest_framework.viewsets.ModelViewSet",
        "rest_framework.viewsets.ReadOnlyModelViewSet", "rest_framework.viewsets.GenericViewSet",
        "rest_framework.generics.GenericAPIView", "rest_framework.generics.ListAPIView",
        "rest_framework.generics.CreateAPIView", "rest_framework.generics.RetrieveAPIView",
        "rest_framework.generics.DestroyAPIView", "rest_framework.generics.UpdateAPIView",
        "rest_framework.generics.ListCreateAPIView", "rest_framework.generics.RetrieveUpdateAPIView",
        "rest_framework.generics.RetrieveDestroyAPIView", "rest_framework.generics.RetrieveUpdateDestroyAPIView",
    }
)
DRF_API_VIEW = "rest_framework.decorators.api_view"
DRF_PERMISSION_CLASSES = "rest_framework.decorators.permission_classes"
DRF_ALLOW_ANY = frozenset({"rest_framework.permissions.AllowAny"})

#: Django URL declarations: ``path(route, view)``
DJANGO_URL_FUNCS = frozenset({"django.urls.path", "django.urls.re_path", "django.conf.urls.url"})

# ---------------------------------------------------------------------- request data (SEC005 sources)
#: attributes of a request object that hold client-controlled data, by framework
FLASK_REQUEST = frozenset({"flask.request", "quart.request", "werkzeug.local.request"})
FLASK_REQUEST_ATTRS = frozenset({"args", "form", "values", "json", "cookies", "headers", "data", "files", "view_args"})
FLASK_REQUEST_METHODS = frozenset({"get_json", "get_data"})
DJANGO_REQUEST_ATTRS = frozenset({"GET", "POST", "body", "COOKIES", "headers", "META", "FILES", "data", "query_params"})
STARLETTE_REQUEST_ATTRS = frozenset({"query_params", "path_params", "headers", "cookies"})
STARLETTE_REQUEST_METHODS = frozenset({"json", "form", "body"})
REQUEST_TYPES = frozenset(
    {
        "fastapi.Request", "starlette.requests.Request", "django.http.HttpRequest", "django.http.request.HttpRequest",
        "rest_framework.request.Request", "flask.Request", "fastapi.requests.Request",
    }
)
