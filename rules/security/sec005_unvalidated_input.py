from __future__ import annotations

import re
from typing import Any

import libcst as cst

from reviewlint.analysis import sinks
from reviewlint.analysis.calls import argument, callee_text, code_of, string_value
from reviewlint.analysis.taint import Source, TaintTracker
from reviewlint.engine.positions import compute_spans
from reviewlint.knowledge import http
from reviewlint.rule import Invalid, Rule, Severity, Valid, Viewpoint

PATH_SINKS = {
    "builtins.open": 0, "io.open": 0,
    "flask.send_file": 0, "flask.helpers.send_file": 0, "quart.send_file": 0,
    "fastapi.responses.FileResponse": 0, "starlette.responses.FileResponse": 0,
    "os.remove": 0, "os.unlink": 0, "os.rmdir": 0, "shutil.rmtree": 0, "os.listdir": 0, "os.scandir": 0,
    "shutil.copyfile": 0, "shutil.copy": 0, "aiofiles.open": 0,
}
PATH_IO_METHODS = frozenset({"open", "read_text", "read_bytes", "write_text", "write_bytes", "unlink", "rmdir",
                             "touch", "mkdir", "rename", "replace", "iterdir", "glob", "rglob"})
REDIRECT_SINKS = {
    "flask.redirect": 0, "flask.helpers.redirect": 0, "werkzeug.utils.redirect": 0, "quart.redirect": 0,
    "django.shortcuts.redirect": 0, "django.http.HttpResponseRedirect": 0, "django.http.HttpResponsePermanentRedirect": 0,
    "django.http.response.HttpResponseRedirect": 0, "fastapi.responses.RedirectResponse": 0,
    "starlette.responses.RedirectResponse": 0,
}
CODE_SINKS = {"builtins.eval": 0, "builtins.exec": 0, "builtins.compile": 0}
TEMPLATE_SINKS = {
    "flask.render_template_string": 0, "quart.render_template_string": 0, "jinja2.Template": 0,
    "django.template.Template": 0, "mako.template.Template": 0,
}

_ADVICE = {
    "SQL": "SQL injection; pass it as a query parameter",
    "shell": "shell injection; pass an argument list without shell=True, or validate it against an allow-list",
    "path": "path traversal; use secure_filename()/os.path.basename() or send_from_directory()",
    "redirect": "open redirect; check it with url_has_allowed_host_and_scheme() or an allow-list of hosts",
    "URL": "server-side request forgery; check urlparse(url).netloc against an allow-list of hosts",
    "code": "code injection; never evaluate request data",
    "template": "template injection; render a fixed template and pass the value as context",
}
_FIXED_HOST = re.compile(r"^[a-zA-Z][\w+.-]*://[^/?#]+[/?#]")
_FIXED_PATH = re.compile(r"^/[^/\\]")


class UnvalidatedInput(Rule):
    """Request data reaches a dangerous sink without validation (intra-function taint).

    ## What it does
    Within one function, follows values taken from the request (Flask `request.args/form/
    values/json/get_json()/cookies/headers`, Django `request.GET/POST/body/COOKIES/headers`,
    FastAPI/Starlette `request.query_params/path_params/json()`, and route parameters typed
    `str` or untyped) through assignments, f-strings, concatenation, `%`/`.format()` and
    containers, and reports when one reaches a sink: SQL text, a shell command, a file path
    (`open()`, `Path`, `send_file`), a redirect, the URL of an outbound HTTP call (SSRF; only when
    the value can choose the host), `eval`/`exec`, or a template string. Validation stops the
    flow: `int()`, `float()`, `uuid.UUID()`, a pydantic model (any call that builds a new value),
    `secure_filename()`, `os.path.basename()`, an allow-list membership test guarding the use
    (`if x in ALLOWED:` around it, or `if x not in ALLOWED: abort()` / `raise` / `return`
    before it), and host checks (`urlparse(x).netloc in ALLOWED_HOSTS`,
    `url_has_allowed_host_and_scheme(x, ...)`). `send_from_directory` is the safe API, not a sink.
    Reported at the sink, naming the source and its line (SEC001/SEC002 stay silent there).

    ## Why it matters
    Every injection class starts the same way: a hostile string from the request reaches
    code that interprets it. The fix is validating at the edge, and the reviewer's question is
    "is input validated, and made harmless before it reaches SQL, a shell, a path, a URL?".

    ## Example
    ```python
    from flask import redirect, request

    @app.get("/login/done")
    def done():
        return redirect(request.args.get("next", "/"))
    ```

    ## Use instead
    ```python
    from urllib.parse import urlparse
    from flask import redirect, request

    @app.get("/login/done")
    def done():
        target = request.args.get("next", "/")
        if urlparse(target).netloc not in ALLOWED_HOSTS:
            target = "/"
        return redirect(target)
    ```
    """

    code = "SEC005"
    name = "unvalidated-input"
    viewpoint = Viewpoint.SECURITY
    severity = Severity.ERROR
    skip_roles = frozenset({"generated", "test"})
    message = "request data reaches a sink without validation"

    valid = [
        # validated by conversion
        "from flask import request\n\ndef f(db):\n    uid = int(request.args['id'])\n"
        "    db.execute(f'SELECT name FROM users WHERE id = {uid}')\n",
        "import uuid\nfrom flask import request, send_file\n\ndef f():\n    key = uuid.UUID(request.args['k'])\n"
        "    return send_file(f'/data/{key}.pdf')\n",
        # parameters passed separately
        "from flask import request\n\ndef f(cursor):\n    cursor.execute('SELECT * FROM t WHERE name = %s', [request.args['n']])\n",
        # allow-list guarding the use, or early abort
        "from flask import request\nimport subprocess\nALLOWED = {'status', 'version'}\n\ndef f():\n"
        "    cmd = request.args['cmd']\n    if cmd in ALLOWED:\n        subprocess.run('git ' + cmd, shell=True)\n",
        "from flask import abort, redirect, request\nALLOWED = {'/home', '/settings'}\n\ndef f():\n"
        "    nxt = request.args.get('next', '/')\n    if nxt not in ALLOWED:\n        abort(400)\n    return redirect(nxt)\n",
        # host allow-list for URLs
        "from urllib.parse import urlparse\nimport requests\nfrom flask import request\nHOSTS = {'api.example.org'}\n\n"
        "def f():\n    url = request.args['u']\n    if urlparse(url).netloc not in HOSTS:\n        return 'no', 400\n"
        "    return requests.get(url, timeout=5).text\n",
        "from django.shortcuts import redirect\nfrom django.utils.http import url_has_allowed_host_and_scheme\n\n"
        "def done(request):\n    nxt = request.GET.get('next', '/')\n"
        "    if url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):\n        return redirect(nxt)\n"
        "    return redirect('/')\n",
        # sanitised file names; send_from_directory is the safe API
        "from flask import request, send_file, send_from_directory\nfrom werkzeug.utils import secure_filename\n\n"
        "def f():\n    name = secure_filename(request.args['f'])\n    send_file('/srv/files/' + name)\n"
        "    return send_from_directory('/srv/files', request.args['f'])\n",
        "import os\nfrom flask import request\n\ndef f():\n    name = os.path.basename(request.form['f'])\n"
        "    return open(os.path.join('/srv', name)).read()\n",
        # a fixed host: the value only chooses the path, not where the request goes
        "import httpx\nfrom flask import request\n\ndef f():\n    q = request.args['q']\n"
        "    return httpx.get(f'https://api.example.org/search?q={q}').json()\n",
        # the host comes from configuration; request data only fills the path or the query string
        "import aiohttp\nfrom fastapi import FastAPI\napp = FastAPI()\n\n@app.get('/{pipeline_id}/valves')\n"
        "async def valves(pipeline_id: str, base: str = None):\n    url = get_base_url()\n"
        "    async with aiohttp.ClientSession() as s:\n        async with s.get(f'{url}/{pipeline_id}/valves') as r:\n"
        "            return await r.json()\n",
        "import httpx\nfrom fastapi import Request\n\nasync def proxy(request: Request, base_url):\n"
        "    target = base_url + '/api'\n    target += f'?{request.query_params}'\n"
        "    return await httpx.AsyncClient().get(target)\n",
        # building a Path is not file access (only its suffix is used here)
        "from pathlib import Path\nfrom flask import request\n\ndef f():\n    ext = Path(request.args['name']).suffix\n"
        "    return ext in {'.png', '.jpg'}\n",
        # a redirect to a fixed local path
        "from flask import redirect, request\n\ndef f():\n    return redirect('/items/' + request.args['id'])\n",
        # typed route parameters are converted by the framework
        "from flask import Flask, send_file\napp = Flask(__name__)\n\n@app.get('/files/<int:fid>')\n"
        "def f(fid):\n    return send_file(f'/data/{fid}')\n",
        "from fastapi import FastAPI\nfrom pydantic import BaseModel\napp = FastAPI()\n\nclass Q(BaseModel):\n    n: int\n\n"
        "@app.post('/q')\ndef q(item: Q, db=None):\n    db.execute(f'SELECT * FROM t LIMIT {item.n}')\n",
        # reassigned with a clean value
        "from flask import request\n\ndef f():\n    name = request.args['n']\n    name = 'fixed'\n    return open(name)\n",
        # a value not from the request
        "import subprocess\n\ndef f(cmd):\n    subprocess.run(cmd, shell=True)\n",
        Valid("from flask import request\n\ndef f():\n    return eval(request.args['x'])\n", path="tests/test_x.py"),
    ]
    invalid = [
        Invalid("from flask import redirect, request\n\ndef done():\n    return redirect(request.args.get('next', '/'))\n",
                line=4, message="`request.args.get('next', '/')` (line 4) reaches `redirect()`"),
        Invalid("from flask import request\n\ndef search(db):\n    term = request.args['q']\n"
                "    sql = f\"SELECT id FROM items WHERE name LIKE '%{term}%'\"\n    return db.execute(sql)\n",
                line=6, message="(line 4) reaches SQL"),
        Invalid("import subprocess\nfrom django.http import HttpResponse\n\ndef ping(request):\n"
                "    host = request.GET['host']\n    out = subprocess.check_output('ping -c 1 %s' % host, shell=True)\n"
                "    return HttpResponse(out)\n", line=6, message="request.GET['host']"),
        Invalid("from flask import Flask, send_file\napp = Flask(__name__)\n\n@app.get('/files/<name>')\n"
                "def download(name):\n    return send_file('/srv/files/' + name)\n", line=6,
                message="route parameter `name`"),
        Invalid("import requests\nfrom fastapi import FastAPI, Request\napp = FastAPI()\n\n@app.get('/proxy')\n"
                "async def proxy(request: Request):\n    url = request.query_params['url']\n"
                "    return requests.get(url, timeout=5).text\n", line=8, message="server-side request forgery"),
        Invalid("from fastapi import FastAPI\napp = FastAPI()\n\n@app.get('/calc')\ndef calc(expr: str):\n"
                "    return {'v': eval(expr)}\n", line=6, message="route parameter `expr`"),
        Invalid("from flask import render_template_string, request\n\ndef hello():\n"
                "    name = request.args.get('name', '')\n    return render_template_string('<h1>Hi ' + name + '</h1>')\n",
                line=5, message="template"),
        Invalid("from pathlib import Path\nfrom flask import request\nROOT = Path('/srv')\n\ndef read():\n"
                "    target = ROOT / request.args['name']\n    return target.read_text()\n", line=7,
                message="path traversal"),
        Invalid("from pathlib import Path\nfrom flask import request\n\ndef read():\n    parts = [request.args['dir'], 'x.txt']\n"
                "    return open('/'.join(parts)).read()\n", line=6),
        # the guard protects only its own body
        Invalid("from flask import request\nimport os\nALLOWED = {'a'}\n\ndef f():\n    c = request.args['c']\n"
                "    if c in ALLOWED:\n        pass\n    os.system('run ' + c)\n", line=9),
    ]

    def begin(self) -> None:
        self.tracker = TaintTracker(self.context)
        self.pending: list[tuple[cst.CSTNode, Source, str, str]] = []

    # ------------------------------------------------------------------ flow
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.tracker.enter_function(node)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.tracker.leave_function()

    def visit_Assign(self, node: cst.Assign) -> None:
        sinks.record_assignment(self.context, node)
        if self.tracker.active:
            self.tracker.assign([t.target for t in node.targets], node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        sinks.record_assignment(self.context, node)
        if self.tracker.active:
            self.tracker.assign([node.target], node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        sinks.record_assignment(self.context, node)
        if self.tracker.active:
            self.tracker.assign([node.target], node.value, augmented=True)

    def visit_For(self, node: cst.For) -> None:
        if self.tracker.active:
            self.tracker.assign([node.target], node.iter)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if self.tracker.active and node.asname is not None:
            self.tracker.assign([node.asname.name], node.item)

    def leave_If(self, node: cst.If) -> None:
        self.tracker.leave_if(node)

    # ------------------------------------------------------------------ sinks
    def visit_Call(self, node: cst.Call) -> None:
        tracker = self.tracker
        if not tracker.active:
            return
        ctx = self.context
        name = ctx.call_name(node) or ""
        kind, value = self._classify(node, name)
        if kind is None or value is None:
            return
        source = tracker.tainted(value)
        if source is None:
            return
        if kind == "URL" and not _host_controllable(ctx, tracker, value):
            return
        if kind == "redirect" and _fixed_local_path(ctx, tracker, value):
            return
        label = _label(node, name, kind)
        sinks.claim_sink(ctx, node, self.code)
        self.pending.append((node, source, kind, label))

    def _path_io(self, node: cst.Call) -> cst.BaseExpression | None:
        """``Path(base, name).read_text()`` / ``(root / name).unlink()``: file access through a Path."""
        func = node.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in PATH_IO_METHODS:
            return None
        receiver = func.value
        origin = receiver
        seen: set[int] = set()  # `p = p / name` binds p to an expression that names p again
        if isinstance(receiver, cst.Name):
            binding = self.context.binding(receiver)
            origin = binding.origin if binding is not None else None
        while isinstance(origin, cst.BinaryOperation) and isinstance(origin.operator, cst.Divide):
            if id(origin) in seen:
                return None
            seen.add(id(origin))
            origin = origin.left
            if isinstance(origin, cst.Name):
                binding = self.context.binding(origin)
                origin = binding.origin if binding is not None else None
        if isinstance(origin, cst.Call) and (self.context.call_name(origin) or "").startswith("pathlib."):
            return receiver
        return None

    def _classify(self, node: cst.Call, name: str) -> tuple[str | None, cst.BaseExpression | None]:
        ctx = self.context
        sql = sinks.sql_sink(ctx, node)
        if sql is not None:
            for query in sql.queries:
                if self.tracker.tainted(query) is not None:
                    return "SQL", query
            return None, None
        shell = sinks.shell_sink(ctx, node)
        if shell is not None:
            return "shell", shell.command
        for table, kind in ((PATH_SINKS, "path"), (REDIRECT_SINKS, "redirect"), (CODE_SINKS, "code"),
                            (TEMPLATE_SINKS, "template")):
            if name in table:
                return kind, argument(node, table[name], None)
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == "from_string" and "jinja" in code_of(node.func.value).lower():
            return "template", argument(node, 0, "source")
        call = http.http_call(name)
        if call is not None:
            return "URL", argument(node, call.url_index, call.url_keyword)
        receiver = self._path_io(node)
        if receiver is not None:
            return "path", receiver
        return None, None

    # ------------------------------------------------------------------ report
    def leave_Module(self, node: cst.Module) -> None:
        if not self.pending:
            return
        spans = compute_spans(self.context.module, [p[1].node for p in self.pending])
        for sink, source, kind, label in self.pending:
            span = spans.get(id(source.node))
            where = f" (line {span.line})" if span is not None else ""
            self.report(sink, f"request data `{source.text}`{where} reaches {label} unvalidated: {_ADVICE[kind]}"
                        if not source.text.startswith("route parameter") else
                        f"{source.text}{where} reaches {label} unvalidated: {_ADVICE[kind]}")


def _label(node: cst.Call, name: str, kind: str) -> str:
    if kind == "SQL":
        return f"SQL in `{callee_text(node)}()`"
    if kind == "shell":
        return f"the shell command of `{callee_text(node)}()`"
    if kind == "URL":
        return f"the URL of `{callee_text(node)}()`"
    return f"`{callee_text(node)}()`"


def _parts(ctx: Any, expr: cst.BaseExpression, depth: int = 0) -> list[tuple[str, Any]]:
    """A built string as ordered literal ("lit", text) and dynamic ("dyn", expr) parts."""
    if depth > 4:
        return [("dyn", expr)]
    if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)) and sinks.is_literal_text(expr):
        return [("lit", string_value(expr) or "")]
    if isinstance(expr, cst.ConcatenatedString):
        return _parts(ctx, expr.left, depth + 1) + _parts(ctx, expr.right, depth + 1)
    if isinstance(expr, cst.FormattedString):
        out: list[tuple[str, Any]] = []
        for part in expr.parts:
            if isinstance(part, cst.FormattedStringText):
                out.append(("lit", part.value))
            elif isinstance(part, cst.FormattedStringExpression):
                out.append(("dyn", part.expression))
        return out
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
        return _parts(ctx, expr.left, depth + 1) + _parts(ctx, expr.right, depth + 1)
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Modulo) and sinks.is_literal_text(expr.left):
        text = string_value(expr.left) or ""
        return [("lit", text.split("%", 1)[0]), ("dyn", expr.right)]
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "format" \
            and sinks.is_literal_text(expr.func.value):
        text = string_value(expr.func.value) or ""
        return [("lit", text.split("{", 1)[0]), *[("dyn", a.value) for a in expr.args]]
    if isinstance(expr, cst.Name):
        values = sinks.resolve(ctx, expr.value)
        start = max((i for i, (_, augmented) in enumerate(values) if not augmented), default=None)
        if start is not None:
            out = []
            for value, _ in values[start:]:
                out.extend(_parts(ctx, value, depth + 1))
            return out
    return [("dyn", expr)]


def _text_before_taint(ctx: Any, tracker: TaintTracker, expr: cst.BaseExpression) -> str | None:
    """The text in front of the first tainted part ("X" for each clean dynamic part), or None."""
    text = ""
    for kind, value in _parts(ctx, expr):
        if kind == "lit":
            text += value
        elif tracker.tainted(value) is not None:
            return text
        else:
            text += "X"
    return None


def _host_controllable(ctx: Any, tracker: TaintTracker, url: cst.BaseExpression) -> bool:
    """The request data can choose where the request goes: it comes first, or right after a scheme."""
    text = _text_before_taint(ctx, tracker, url)
    if text is None:
        return False
    return text == "" or bool(re.fullmatch(r"[a-zA-Z][\w+.-]*:(//)?", text))


def _fixed_local_path(ctx: Any, tracker: TaintTracker, url: cst.BaseExpression) -> bool:
    text = _text_before_taint(ctx, tracker, url)
    if text is None:
        return True
    return bool(_FIXED_PATH.match(text) or _FIXED_HOST.match(text) or text.startswith("X"))
