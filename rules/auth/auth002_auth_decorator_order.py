from __future__ import annotations

import libcst as cst

from reviewlint.analysis import routes as R
from reviewlint.analysis.calls import code_of
from reviewlint.rule import Fix, Invalid, Option, Rule, Severity, Valid, Viewpoint


class AuthDecoratorOrder(Rule):
    """An auth decorator placed above the Flask route decorator: the registered view is unprotected.

    ## What it does
    Flags a Flask (or Blueprint) view whose auth decorator (`login_required`, `jwt_required`,
    `auth.login_required`, or one named in `auth-decorators`) sits *above* `@app.route`
    (`@bp.get`, ...). Decorators apply bottom-up: the route decorator registers the function it
    receives, which is the undecorated one; the auth wrapper built above it is never called.
    The fix swaps the two decorators (offered when they are adjacent).

    ## Why it matters
    The code reads as protected, a reviewer sees `@login_required` and moves on, and every
    request reaches the view without authentication.

    ## Example
    ```python
    @login_required
    @app.route("/admin")
    def admin():
        ...
    ```

    ## Use instead
    ```python
    @app.route("/admin")
    @login_required
    def admin():
        ...
    ```
    """

    code = "AUTH002"
    name = "auth-decorator-order"
    viewpoint = Viewpoint.AUTH
    severity = Severity.ERROR
    message = "auth decorator above the route decorator: the registered view is not protected"
    fixable = True
    options = {
        "auth-decorators": Option("list[str]", [], "more decorators that require an authenticated user"),
    }

    valid = [
        "from flask import Flask\nfrom flask_login import login_required\napp = Flask(__name__)\n\n"
        "@app.route('/admin')\n@login_required\ndef admin():\n    return ''\n",
        # decorators that are not auth may go anywhere
        "from flask import Flask\nfrom functools import lru_cache\napp = Flask(__name__)\n\n"
        "@lru_cache\n@app.route('/x')\ndef x():\n    return ''\n",
        # FastAPI has no such decorator stacking problem for dependencies
        "from fastapi import FastAPI\nfrom acme import login_required\napp = FastAPI()\n\n"
        "@app.get('/x')\n@login_required\ndef x():\n    return ''\n",
        # not a route: a plain function with decorators
        "from flask_login import login_required\nfrom acme import cache\n\n@login_required\n@cache.get('k')\ndef x():\n    return ''\n",
    ]
    invalid = [
        Invalid("from flask import Flask\nfrom flask_login import login_required\napp = Flask(__name__)\n\n"
                "@login_required\n@app.route('/admin')\ndef admin():\n    return ''\n", line=5,
                message="`@login_required` is above `@app.route('/admin')`"),
        Invalid("from flask import Blueprint\nfrom flask_jwt_extended import jwt_required\nbp = Blueprint('b', __name__)\n\n"
                "@jwt_required()\n@bp.post('/orders')\ndef create():\n    return ''\n", line=5),
        Invalid("from flask import Flask\nfrom flask_httpauth import HTTPBasicAuth\napp = Flask(__name__)\nauth = HTTPBasicAuth()\n\n"
                "@auth.login_required\n@app.get('/me')\ndef me():\n    return ''\n", line=6),
        Invalid("from flask import Flask\nfrom acme import guard\napp = Flask(__name__)\n\n@guard\n@app.get('/me')\n"
                "def me():\n    return ''\n", line=5, options={"auth-decorators": ["guard"]}),
    ]

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        decorators = node.decorators
        if len(decorators) < 2:
            return
        ctx = self.context
        extra = self.config["auth-decorators"]
        route_index = None
        for i, decorator in enumerate(decorators):
            route = R.route_decorator(ctx, decorator)
            if route is not None and (route.framework == "flask" or (route.framework is None and _flask_file(ctx))):
                route_index = i
                break
        if route_index is None:
            return
        for i in range(route_index):
            auth = decorators[i]
            if not R.is_auth_decorator(ctx, auth, extra):
                continue
            route = decorators[route_index]
            auth_text = code_of(auth.decorator).strip()
            route_text = code_of(route.decorator).strip()
            message = (f"`@{auth_text}` is above `@{route_text}`: the route registers the unwrapped view, so it is "
                       f"not protected; put the auth decorator below the route decorator")
            fix = None
            target: cst.CSTNode = auth
            if i == route_index - 1 and not any(line.comment for line in route.leading_lines):
                indent = ctx.module.default_indent * _depth(ctx)
                replacement = f"@{route_text}\n{indent}@{auth_text}"
                fix = Fix(replacement, "swap the decorators: route on top, auth below", safe=True)
                target = _range(auth, route)
            self.report(target, message, fix=fix)
            return


def _depth(ctx) -> int:
    return sum(1 for scope in ctx.scopes if scope.kind in ("function", "class"))


def _flask_file(ctx) -> bool:
    for binding in ctx.scopes[0].names.values():
        if binding.kind == "import" and binding.value and binding.value.split(".", 1)[0] in ("flask", "quart"):
            return True
    return False


def _range(first: cst.CSTNode, last: cst.CSTNode):
    """The reported range spans both decorators (what the fix replaces)."""
    from reviewlint.rule import NodeRange

    return NodeRange(first, last)
