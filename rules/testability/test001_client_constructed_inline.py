from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from reviewlint import knowledge
from reviewlint.analysis import config_modules as cm
from reviewlint.analysis.calls import argument, callee_text
from reviewlint.knowledge import db, http
from reviewlint.rule import Invalid, Rule, Severity, Valid, Viewpoint

#: functions that build what an object needs by design
_CONSTRUCTOR_NAMES = frozenset({"__init__", "__new__", "__post_init__", "__enter__", "__aenter__", "setUp", "asyncSetUp",
                                "setup", "setup_method", "setUpClass", "setUpTestData", "open", "connect", "start", "startup"})
#: constructor keywords that inject the part a test swaps (transport, adapter, engine)
_INJECTION_KEYWORDS = frozenset({"transport", "connector", "mounts", "app", "adapter", "bind", "binds", "engine"})
#: DB sessions whose first argument is the engine they are bound to
_SESSION_CLASSES = frozenset({"sqlalchemy.orm.Session", "sqlalchemy.ext.asyncio.AsyncSession"})
_CONTEXT_MANAGER_DECORATORS = frozenset({"contextmanager", "asynccontextmanager"})


@dataclass
class _Built:
    node: cst.Call
    name: str | None
    used: bool = False
    handed_out: bool = False


def client_class(ctx, node: cst.Call) -> str | None:
    """The HTTP/DB client class ``node`` constructs by calling the class itself (not a factory)."""
    qualname = ctx.call_name(node)
    if not qualname:
        return None
    last = qualname.rsplit(".", 1)[-1]
    if not last[:1].isupper():
        return None  # ``requests.session()``, ``sqlite3.connect()``: factory functions
    canonical = knowledge.canonical_type(qualname)
    if canonical in http.CLIENT_TYPES or canonical in db.CONSTRUCTIBLE:
        return canonical
    return None


class ClientConstructedInline(Rule):
    """A function that builds its own HTTP or DB client and uses it.

    ## What it does
    Flags a function or method that constructs an HTTP client, session or pool (`requests.Session()`,
    `httpx.Client()`, `httpx.AsyncClient()`, `aiohttp.ClientSession()`, urllib3 pools,
    `http.client.HTTPConnection`) or a DB client (`sqlalchemy.orm.Session(...)`,
    `pymongo.MongoClient(...)`) by calling its class, and then uses it (calls a method on it,
    including `Client().get(...)` in one expression). Reported at the construction.

    Not flagged: `__init__` and other set-up methods (`__enter__`, `setUp`, `connect`, `open` …),
    factories whose return (or `yield`) value is the client or something built from it, a
    client stored on `self` for reuse, `main()` and other composition roots (CLI commands, app
    factories such as `create_app`, `if __name__ == "__main__":`), FastAPI lifespans and
    `@contextmanager`/`@asynccontextmanager` functions, dependencies that yield the client,
    constructions whose transport/adapter/engine is injected (`httpx.Client(transport=transport)`,
    `Session(engine)` with `engine` a parameter or attribute), factory functions
    (`requests.session()`, `sqlite3.connect()`), clients built inside a loop (PERF006 reports
    those) and test files.

    ## Why it matters
    A test of this function cannot run without the network or the database: there is no seam
    to pass a fake client, a mock transport or a test session, so tests end up patching module
    globals. Building the client per call also throws away its connection pool.

    ## Example
    ```python
    def fetch_user(uid):
        with httpx.Client(base_url=API) as client:
            return client.get(f"/users/{uid}").json()
    ```

    ## Use instead
    ```python
    def fetch_user(client: httpx.Client, uid):
        return client.get(f"/users/{uid}").json()
    ```
    """

    code = "TEST001"
    name = "client-constructed-inline"
    viewpoint = Viewpoint.TESTABILITY
    severity = Severity.INFO
    skip_roles = frozenset({"example", "generated", "migration", "script", "test"})
    message = "client constructed inside the function: accept it as a parameter or constructor argument"

    valid = [
        # injected
        "import httpx\n\ndef fetch(client: httpx.Client, uid):\n    return client.get(f'/u/{uid}')\n",
        # __init__ builds what the object needs
        "import requests\n\nclass Api:\n    def __init__(self):\n        self.s = requests.Session()\n        self.s.headers.update({'a': 'b'})\n",
        # a factory returns the client
        "import httpx\n\ndef make_client():\n    client = httpx.Client(base_url='https://x.org')\n    client.headers['x'] = '1'\n    return client\n",
        "import httpx\n\ndef make_client():\n    return httpx.Client(base_url='https://x.org')\n",
        "import httpx\n\ndef make_api():\n    client = httpx.Client()\n    client.get('/warmup')\n    return Api(client)\n",
        # a dependency / lifespan that yields it
        "import httpx\n\nasync def get_client():\n    async with httpx.AsyncClient() as client:\n        await client.get('/ping')\n        yield client\n",
        "import httpx\nfrom contextlib import asynccontextmanager\n\n@asynccontextmanager\nasync def lifespan(app):\n"
        "    async with httpx.AsyncClient() as client:\n        await client.get('/warmup')\n        app.state.client = client\n        yield\n",
        # stored for reuse
        "import requests\n\nclass Api:\n    def _session(self):\n        s = requests.Session()\n        s.mount('https://', adapter)\n        self._s = s\n",
        # composition roots
        "import httpx\n\ndef main():\n    with httpx.Client() as client:\n        client.get('https://x.org')\n",
        "import httpx\nimport click\n\n@click.command()\ndef sync():\n    with httpx.Client() as client:\n        client.get('https://x.org')\n",
        "import httpx\n\ndef create_app():\n    client = httpx.Client()\n    client.get('https://x.org/warmup')\n",
        # injected transport / engine
        "import httpx\n\ndef fetch(uid, transport=None):\n    with httpx.Client(transport=transport) as c:\n        return c.get(f'/u/{uid}')\n",
        "from sqlalchemy.orm import Session\n\ndef count(engine):\n    with Session(engine) as s:\n        return s.execute(q)\n",
        "from sqlalchemy.orm import Session\n\nclass Repo:\n    def count(self):\n        with Session(self.engine) as s:\n            return s.execute(q)\n",
        # a factory function, not the class
        "import requests\n\ndef f(url):\n    s = requests.session()\n    return s.get(url, timeout=3).text\n",
        # built in a loop: PERF006 reports it
        "import httpx\n\ndef f(urls):\n    for u in urls:\n        with httpx.Client() as c:\n            c.get(u)\n",
        # built but never used here
        "import httpx\n\ndef f():\n    c = httpx.Client()\n    register(c)\n",
        # tests
        Valid("import httpx\n\ndef test_x():\n    with httpx.Client() as c:\n        c.get('https://x.org')\n", path="tests/test_x.py"),
    ]
    invalid = [
        Invalid("import httpx\n\ndef fetch_user(uid):\n    with httpx.Client(base_url='https://x.org') as client:\n"
                "        return client.get(f'/users/{uid}').json()\n", line=4,
                message="`httpx.Client()` is built inside `fetch_user()`"),
        Invalid("import requests\n\nclass Api:\n    def user(self, uid):\n        s = requests.Session()\n"
                "        return s.get(f'https://x.org/u/{uid}', timeout=3).json()\n", line=5),
        Invalid("from aiohttp import ClientSession as CS\n\nasync def f(url):\n    async with CS() as session:\n"
                "        async with session.get(url) as r:\n            return await r.text()\n", line=4),
        Invalid("import httpx\n\ndef f(u):\n    return httpx.Client().get(u).text\n", line=4),
        Invalid("from pymongo import MongoClient\n\ndef users(uri):\n    client = MongoClient(uri)\n"
                "    return client.get_database('app').users.find_one({})\n", line=4, message="MongoClient"),
    ]

    def begin(self) -> None:
        #: function → clients built there
        self._built: dict[int, list[_Built]] = {}

    # ------------------------------------------------------------------ constructions and uses
    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.context
        func = ctx.function
        if func is None:
            return
        self._note_use(node, func)
        cls = client_class(ctx, node)
        if cls is None:
            return
        if ctx.loops_in_current_function():
            return  # PERF006: a client built in a loop
        if self._injected(node, cls):
            return
        parent = ctx.parent
        if isinstance(parent, cst.Attribute) and parent.value is node:
            self._built.setdefault(id(func), []).append(_Built(node, None, used=True))
            return
        name = None
        if isinstance(parent, cst.WithItem) and parent.asname is not None and isinstance(parent.asname.name, cst.Name):
            name = parent.asname.name.value
        elif isinstance(parent, cst.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0].target, cst.Name):
            name = parent.targets[0].target.value
        elif isinstance(parent, cst.AnnAssign) and isinstance(parent.target, cst.Name):
            name = parent.target.value
        if name is not None:
            self._built.setdefault(id(func), []).append(_Built(node, name))

    def _note_use(self, node: cst.Call, func: cst.FunctionDef) -> None:
        built = self._built.get(id(func))
        if not built:
            return
        callee = node.func
        if isinstance(callee, cst.Attribute) and isinstance(callee.value, cst.Name):
            for b in built:
                if b.name == callee.value.value:
                    b.used = True
        # handed to something else (a wrapper, a registry): wiring, not a hidden dependency
        for arg in node.args:
            if isinstance(arg.value, cst.Name):
                for b in built:
                    if b.name == arg.value.value and callee_text(node).split(".")[-1][:1].isupper():
                        b.handed_out = True

    def _injected(self, node: cst.Call, cls: str) -> bool:
        values = [a.value for a in node.args if a.keyword is not None and a.keyword.value in _INJECTION_KEYWORDS]
        if cls in _SESSION_CLASSES:
            bind = argument(node, 0, None)
            if bind is not None:
                values.append(bind)
        for value in values:
            if isinstance(value, cst.Attribute) and isinstance(value.value, cst.Name) and value.value.value in ("self", "cls"):
                return True
            if isinstance(value, cst.Name):
                binding = self.context.lookup(value.value)
                if binding is not None and isinstance(binding.origin, cst.Param):
                    return True
        return False

    def visit_Return(self, node: cst.Return) -> None:
        self._handed_out(node.value)

    def visit_Yield(self, node: cst.Yield) -> None:
        value = node.value
        self._handed_out(value if isinstance(value, cst.BaseExpression) else None)

    def visit_Assign(self, node: cst.Assign) -> None:
        if any(isinstance(t.target, (cst.Attribute, cst.Subscript)) for t in node.targets):
            self._handed_out(node.value)  # stored on self / in a registry for reuse

    def _handed_out(self, value: cst.BaseExpression | None) -> None:
        func = self.context.function
        if func is None:
            return
        built = self._built.get(id(func))
        if not built:
            return
        for b in built:
            if b.name is not None and value is not None and _holds(value, b.name):
                b.handed_out = True
        if value is None and isinstance(self.context.parent, (cst.Expr,)):
            # a bare ``yield`` in a with-block (lifespan/fixture style): the client lives for the caller
            for b in built:
                b.handed_out = True

    # ------------------------------------------------------------------ decision
    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        built = self._built.pop(id(node), None)
        if not built or self._excluded(node):
            return
        for b in built:
            if b.used and not b.handed_out:
                self.report(b.node, f"`{callee_text(b.node)}()` is built inside `{node.name.value}()` and used there: "
                                    "a test cannot swap it; accept the client as a parameter or constructor argument")

    def _excluded(self, node: cst.FunctionDef) -> bool:
        ctx = self.context
        name = node.name.value
        if name in _CONSTRUCTOR_NAMES or "lifespan" in name:
            return True
        for dec in node.decorators:
            expr = dec.decorator.func if isinstance(dec.decorator, cst.Call) else dec.decorator
            last = expr.attr.value if isinstance(expr, cst.Attribute) else expr.value if isinstance(expr, cst.Name) else ""
            if last in _CONTEXT_MANAGER_DECORATORS or last == "fixture":
                return True
        return cm.is_composition_root(ctx, node)


def _holds(expr: cst.BaseExpression, name: str) -> bool:
    """Does ``expr`` evaluate to the object ``name`` (or something built from it), as opposed to
    the result of calling one of its methods (``client.get(...).json()``)?"""
    if isinstance(expr, cst.Name):
        return expr.value == name
    if isinstance(expr, cst.Await):
        return _holds(expr.expression, name)
    if isinstance(expr, cst.Attribute):
        return not isinstance(expr.value, cst.Name) and _holds(expr.value, name)
    if isinstance(expr, cst.Call):
        if any(_holds(a.value, name) for a in expr.args):
            return True
        func = expr.func
        return isinstance(func, cst.Attribute) and not isinstance(func.value, cst.Name) and _holds(func.value, name)
    if isinstance(expr, (cst.Tuple, cst.List, cst.Set)):
        return any(_holds(e.value, name) for e in expr.elements)
    if isinstance(expr, cst.Dict):
        return any(isinstance(e, cst.DictElement) and _holds(e.value, name) for e in expr.elements)
    if isinstance(expr, cst.BooleanOperation):
        return _holds(expr.left, name) or _holds(expr.right, name)
    return False
