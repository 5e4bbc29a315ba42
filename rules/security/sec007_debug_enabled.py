from __future__ import annotations

import os
import re

import libcst as cst

from reviewlint.analysis.calls import callee_text, is_true, keyword
from reviewlint.rule import Invalid, Rule, Severity, Valid, Viewpoint


class DebugEnabled(Rule):
    """Debug mode switched on in code that ships.

    ## What it does
    Flags `app.run(debug=True)` on a Flask (or Quart, SocketIO) app, `uvicorn.run(...,
    reload=True)` / `uvicorn.run(..., debug=True)`, and a module-level `DEBUG = True` in a
    Django settings module (`settings.py`, `*_settings.py`, a module in a `settings/`
    package).

    Not flagged: code inside `if __name__ == "__main__":` (a developer running the file by
    hand), settings modules named for local/dev/test settings (`settings/local.py`,
    `dev_settings.py`, `settings_test.py` ...), `DEBUG = env.bool("DEBUG")` and other values
    that are not the literal `True`, and test files.

    ## Why it matters
    Flask's debugger runs arbitrary Python typed into the error page; Django's debug pages
    show settings, SQL and stack frames with local variables to anyone who triggers an error
    and keep every query in memory; uvicorn's reloader watches the file system and is not
    meant for production traffic.

    ## Example
    ```python
    # mysite/settings.py
    DEBUG = True
    ```

    ## Use instead
    ```python
    # mysite/settings.py
    import os

    DEBUG = os.environ.get("DJANGO_DEBUG") == "1"
    ```
    """

    code = "SEC007"
    name = "debug-enabled"
    viewpoint = Viewpoint.SECURITY
    severity = Severity.WARNING
    skip_roles = frozenset({"example", "generated", "test"})
    peer_codes = frozenset({"S201", "B201"})
    message = "debug mode enabled"

    valid = [
        # a developer running the file by hand
        "from flask import Flask\napp = Flask(__name__)\n\nif __name__ == '__main__':\n    app.run(debug=True)\n",
        "import uvicorn\n\nif __name__ == '__main__':\n    uvicorn.run('app.main:app', reload=True)\n",
        # settings named for local/dev/test
        Valid("DEBUG = True\n", path="mysite/settings/local.py"),
        Valid("DEBUG = True\n", path="mysite/dev_settings.py"),
        Valid("DEBUG = True\n", path="mysite/settings_test.py"),
        # not a settings module
        Valid("DEBUG = True\n", path="tools/report.py"),
        # read from the environment
        Valid("import os\nDEBUG = os.environ.get('DEBUG') == '1'\n", path="mysite/settings.py"),
        "from flask import Flask\napp = Flask(__name__)\napp.run(debug=False)\n",
        "import uvicorn\nuvicorn.run('app.main:app', host='0.0.0.0', port=8000)\n",
        # not a web app's run()
        "def f(job):\n    job.run(debug=True)\n",
    ]
    invalid = [
        Invalid("from flask import Flask\napp = Flask(__name__)\napp.run(host='0.0.0.0', debug=True)\n", line=3,
                message="app.run(debug=True)"),
        Invalid("import uvicorn\nuvicorn.run('app.main:app', host='0.0.0.0', reload=True)\n", line=2, message="reload=True"),
        Invalid("DEBUG = True\nALLOWED_HOSTS = ['*']\n", line=1, message="DEBUG = True", path="mysite/settings.py"),
        Invalid("from .base import *\n\nDEBUG = True\n", line=3, path="mysite/settings/production.py"),
        Invalid("from flask import Flask\n\ndef main():\n    application = Flask('svc')\n    application.run(debug=True)\n", line=5),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.context
        if ctx.in_main_block:
            return
        qualname = ctx.call_name(node) or ""
        if qualname in ("uvicorn.run", "uvicorn.main.run"):
            for kw in ("reload", "debug"):
                arg = keyword(node, kw)
                if arg is not None and is_true(arg.value):
                    self.report(node, f"`{callee_text(node)}(..., {kw}=True)` runs the development server mode: "
                                      f"drop {kw}=True (or move it under `if __name__ == \"__main__\":`)")
                    return
            return
        func = node.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "run"):
            return
        debug = keyword(node, "debug")
        if debug is None or not is_true(debug.value) or not self._is_web_app(func.value):
            return
        self.report(node, f"`{callee_text(node)}(debug=True)` enables the interactive debugger, which runs any code "
                          "typed into an error page: read the flag from configuration, never ship it on")

    def visit_Assign(self, node: cst.Assign) -> None:
        ctx = self.context
        if ctx.functions or ctx.classes or ctx.in_main_block or not is_true(node.value):
            return
        if not any(isinstance(t.target, cst.Name) and t.target.value == "DEBUG" for t in node.targets):
            return
        if not _is_deployed_settings(ctx.relative_path):
            return
        self.report(node, "`DEBUG = True` in a Django settings module shows settings, SQL and local variables on "
                          "error pages: read it from the environment (default False)")

    def _is_web_app(self, receiver: cst.BaseExpression) -> bool:
        ctx = self.context
        binding = ctx.binding(receiver)
        origin = binding.origin if binding is not None else None
        if isinstance(origin, cst.Call):
            made_by = (ctx.call_name(origin) or "").rsplit(".", 1)[-1]
            if made_by in ("Flask", "Quart", "SocketIO", "create_app", "make_app"):
                return True
        name = receiver.value if isinstance(receiver, cst.Name) else receiver.attr.value if isinstance(receiver, cst.Attribute) else ""
        return name in ("app", "application", "socketio", "flask_app")


_SETTINGS_FILE = re.compile(r"(^|_)settings(_|$)|^settings$")
_LOCAL_WORDS = {"local", "dev", "develop", "development", "test", "tests", "testing", "ci", "debug", "example", "sample"}


def _is_deployed_settings(path: str) -> bool:
    parts = path.replace(os.sep, "/").split("/")
    stem = os.path.splitext(parts[-1])[0].lower()
    in_settings_package = len(parts) >= 2 and parts[-2].lower() == "settings"
    if not (_SETTINGS_FILE.search(stem) or in_settings_package):
        return False
    words = set(re.split(r"[_\-.]", stem))
    return not (words & _LOCAL_WORDS)
