from __future__ import annotations

import libcst as cst

from reviewlint.analysis import sinks
from reviewlint.analysis.calls import argument, callee_text, has_star_kwargs
from reviewlint.knowledge import security
from reviewlint.rule import Invalid, Rule, Severity, Valid, Viewpoint


class UnsafeDeserialization(Rule):
    """Deserialising with a format that can run code, or `eval`/`exec` of a non-literal.

    ## What it does
    Flags `pickle.load(s)` (also `cPickle`, `dill`, `cloudpickle`, `pickle.Unpickler`,
    `pandas.read_pickle`, `joblib.load`, `shelve.open`, `jsonpickle.decode`),
    `marshal.load(s)`, `yaml.load`/`yaml.load_all` without a safe loader (`SafeLoader`,
    `CSafeLoader`, `BaseLoader`, `FullLoader`) and `yaml.unsafe_load`, and `eval`/`exec` of
    anything but a string literal.

    Not flagged: `exec(compile(source, filename, "exec"))` (deliberately running a source
    file, such as a config module or a startup script), code typed by the operator (`input()`,
    `sys.stdin`, Django management commands), pickling round trips
    (`pickle.loads(pickle.dumps(obj))`), `yaml.safe_load`, `yaml.load(..., Loader=yaml.SafeLoader)`, a loader passed
    as a variable (it may be safe), `ast.literal_eval`, `json`, and `eval`/`exec` of a literal.

    ## Why it matters
    Unpickling runs whatever the data says to run: anyone who can write the bytes (a cache,
    an upload, a queue message, a cookie) owns the process. `yaml.load` with the default
    loader builds arbitrary Python objects; `eval` of a string built from data is the same
    hole without the file format.

    ## Example
    ```python
    import pickle

    def load_session(raw: bytes):
        return pickle.loads(raw)
    ```

    ## Use instead
    ```python
    import json

    def load_session(raw: bytes):
        return json.loads(raw)  # or sign the pickle (hmac) and verify before loading
    ```
    """

    code = "SEC003"
    name = "unsafe-deserialization"
    opt_in = True  # judged precision on real code below 0.8: docs/precision.md
    viewpoint = Viewpoint.SECURITY
    severity = Severity.ERROR
    lower_roles = frozenset({"script", "test"})
    peer_codes = frozenset({
        "S301", "S302", "S307", "S102", "S506", "B301", "B302", "B307", "B102", "B506", "W0123", "W0122",
        "eval-used", "exec-used",
    })
    message = "deserialisation that can run code"

    valid = [
        "import yaml\n\ndef f(stream):\n    return yaml.safe_load(stream)\n",
        "import yaml\n\ndef f(stream):\n    return yaml.load(stream, Loader=yaml.SafeLoader)\n",
        "from yaml import load, CSafeLoader\n\ndef f(stream):\n    return load(stream, CSafeLoader)\n",
        # a loader passed in may be safe: not guessed at
        "import yaml\n\ndef f(stream, loader):\n    return yaml.load(stream, Loader=loader)\n",
        "import ast\n\ndef f(text):\n    return ast.literal_eval(text)\n",
        "import json\n\ndef f(raw):\n    return json.loads(raw)\n",
        # eval/exec of a literal
        "eval('1 + 2')\nexec('import this')\n",
        # pickle.dumps only writes
        "import pickle\n\ndef f(obj):\n    return pickle.dumps(obj)\n",
        # deliberately running a source file (a config module, a startup script)
        "def load_config(path, ns):\n    with open(path) as fh:\n        exec(compile(fh.read(), path, 'exec'), ns)\n",
        # a REPL: code typed at the terminal by the operator
        "def repl():\n    code = input('>>> ')\n    return eval(code)\n",
        Valid("def handle(self, **options):\n    exec(options['command'])\n", path="app/management/commands/run.py"),
        # a round trip of bytes made right here (pickling tests)
        "import pickle\n\ndef f(obj):\n    data = pickle.dumps(obj)\n    return pickle.loads(data)\n",
        "import pickle\n\ndef f(obj):\n    return pickle.loads(pickle.dumps(obj))\n",
        # not the builtin
        "class Sandbox:\n    def eval(self, code): ...\n\nSandbox().eval(user_code)\n",
    ]
    invalid = [
        Invalid("import pickle\n\ndef f(raw):\n    return pickle.loads(raw)\n", line=4, message="`pickle.loads()`"),
        Invalid("import pickle as pk\n\ndef f(path):\n    with open(path, 'rb') as fh:\n        return pk.load(fh)\n", line=5),
        Invalid("import yaml\n\ndef f(stream):\n    return yaml.load(stream)\n", line=4, message="SafeLoader"),
        Invalid("import yaml\n\ndef f(stream):\n    return yaml.load(stream, Loader=yaml.Loader)\n", line=4, message="yaml.Loader"),
        Invalid("import yaml\n\ndef f(stream):\n    return yaml.unsafe_load(stream)\n", line=4),
        Invalid("import marshal\n\ndef f(raw):\n    return marshal.loads(raw)\n", line=4),
        Invalid("def f(expr):\n    return eval(expr)\n", line=2, message="`eval()`"),
        Invalid("def f(name, value):\n    exec(f'{name} = {value!r}')\n", line=2, message="`exec()`"),
        Invalid("import pandas as pd\n\ndef f(path):\n    return pd.read_pickle(path)\n", line=4),
    ]

    def visit_Assign(self, node: cst.Assign) -> None:
        sinks.record_assignment(self.context, node)

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.context
        qualname = ctx.call_name(node)
        if qualname is None:
            return
        name = callee_text(node)
        kind = security.UNSAFE_DESERIALIZERS.get(qualname)
        if kind is not None:
            if self._round_trip(argument(node, 0, None)):
                return
            if kind == "pickle":
                advice = "use json (or verify an HMAC signature before unpickling trusted data)"
            elif kind == "yaml":
                advice = "use yaml.safe_load()"
            elif kind == "marshal":
                advice = "marshal is for trusted .pyc data only: use json"
            else:
                advice = "use json"
            self.report(node, f"`{name}()` deserialises with {kind}, which runs code embedded in the data: {advice}")
            return
        if qualname in security.YAML_LOAD:
            loader = argument(node, 1, "Loader")
            if loader is None:
                if has_star_kwargs(node):
                    return
                self.report(node, f"`{name}()` without a loader builds arbitrary Python objects from the document: "
                                  "use yaml.safe_load() or Loader=yaml.SafeLoader")
                return
            loader_name = ctx.qualname(loader) or ""
            last = loader_name.rsplit(".", 1)[-1]
            if not loader_name.startswith("yaml.") and not (isinstance(loader, cst.Attribute)):
                return  # a loader variable or a local class: not guessed at
            if last in security.YAML_SAFE_LOADERS:
                return
            if last in ("Loader", "UnsafeLoader", "CLoader", "CUnsafeLoader"):
                self.report(node, f"`{name}()` with `yaml.{last}` builds arbitrary Python objects from the document: "
                                  "use Loader=yaml.SafeLoader")
            return
        if qualname in security.CODE_EXEC:
            code = argument(node, 0, None)
            if code is None or sinks.is_literal_text(code):
                return
            if isinstance(code, cst.Call) and ctx.call_name(code) == "builtins.compile":
                return  # exec(compile(source, filename, "exec")): deliberately running a source file
            if self._typed_by_operator(code) or "/management/commands/" in "/" + ctx.relative_path:
                return  # a REPL / CLI running the code its operator typed
            func = qualname.rsplit(".", 1)[-1]
            self.report(node, f"`{func}()` of a non-literal runs whatever the string holds: "
                              "parse the data (json, ast.literal_eval) or dispatch on an allow-list")

    def _typed_by_operator(self, expr: cst.BaseExpression, depth: int = 0) -> bool:
        """``input()`` / ``sys.stdin.read()``: code typed at the terminal by the person running it."""
        if isinstance(expr, cst.Call):
            return (self.context.call_name(expr) or "") in ("builtins.input", "sys.stdin.read", "sys.stdin.readline")
        if isinstance(expr, cst.Name) and depth < 2:
            values = sinks.resolve(self.context, expr.value)
            return bool(values) and all(self._typed_by_operator(v, depth + 1) for v, _ in values)
        return False

    def _round_trip(self, data: cst.BaseExpression | None) -> bool:
        """``pickle.loads(pickle.dumps(obj))``: the bytes were made right here, not read from outside."""
        if isinstance(data, cst.Call):
            return (self.context.call_name(data) or "").endswith((".dumps", ".dump"))
        if isinstance(data, cst.Name):
            values = sinks.resolve(self.context, data.value)
            return bool(values) and all(self._round_trip(v) for v, _ in values if isinstance(v, cst.Call)) and all(
                isinstance(v, cst.Call) for v, _ in values)
        return False
