from __future__ import annotations

import re

import libcst as cst

from reviewlint.analysis import config_modules as cm
from reviewlint.analysis.calls import argument, string_value
from reviewlint.rule import Invalid, Option, Rule, Severity, Valid, Viewpoint

_ENVIRON = frozenset({"os.environ"})
_GETTERS = frozenset({"os.environ.get", "os.getenv", "os.environb.get", "os.getenvb"})
#: variables of the OS and the process, not the application's configuration
_PROCESS_VARIABLES = re.compile(
    r"^(?:HOME|PATH|PATHEXT|USER|USERNAME|LOGNAME|SHELL|TERM|TERM_PROGRAM|COLORTERM|TMPDIR|TEMP|TMP|LANG|LANGUAGE|"
    r"LC_[A-Z]+|TZ|PWD|OLDPWD|EDITOR|VISUAL|PAGER|LESS|MORE|BROWSER|DISPLAY|WAYLAND_DISPLAY|COLUMNS|LINES|NO_COLOR|FORCE_COLOR|"
    r"CLICOLOR|CLICOLOR_FORCE|CI|COMSPEC|SYSTEMROOT|WINDIR|APPDATA|LOCALAPPDATA|USERPROFILE|PROGRAMFILES|"
    r"XDG_[A-Z_]+|PYTHON[A-Z_]*|VIRTUAL_ENV|CONDA_[A-Z_]+|(?:HTTPS?|ALL|NO|FTP|WS|WSS)_PROXY|"
    r"(?:https?|all|no|ftp|ws|wss)_proxy|SSL_CERT_FILE|SSL_CERT_DIR|REQUESTS_CA_BUNDLE|CURL_CA_BUNDLE|SSLKEYLOGFILE|"
    r"NETRC|WSL_DISTRO_NAME|WSL_INTEROP|SUDO_USER|HOSTNAME|COMPUTERNAME|SYSTEMDRIVE|PROCESSOR_ARCHITECTURE|NUMBER_OF_PROCESSORS|"
    # the shell's completion protocol
    r"COMP_WORDS|COMP_CWORD|COMP_LINE|COMP_POINT|COMP_TYPE|_[A-Z0-9_]+_COMPLETE|"
    # where the configuration itself is: reading it is what loading settings means
    r"[A-Z0-9_]*SETTINGS_MODULE|[A-Z0-9_]*(?:CONFIG|SETTINGS)_(?:FILE|PATH|DIR))$"
)


#: a function whose name says it reads configuration (`load_settings`, `_configure_from_environment`, `env_bool`)
_CONFIG_FUNCTION = re.compile(r"config|settings|from_env|environ|(?:^|_)env(?:_|$)", re.IGNORECASE)


class EnvReadOutsideConfig(Rule):
    """An environment variable read deep inside the code instead of in the settings.

    ## What it does
    Flags `os.environ[...]`, `os.environ.get(...)` and `os.getenv(...)` inside a function
    body outside the settings/config modules (option `config-modules`, default
    `settings*.py`, `config*.py`, `conf.py`, `*_settings.py`, `*_config.py`, and modules in
    a `settings/` or `config/` package).

    Not flagged: module-level reads (they run once, at import); composition roots: `main()`,
    CLI entry points (click/typer commands, `[project.scripts]` targets, the methods of a Django
    management `Command`), `if __name__ == "__main__":` blocks, app factories (`create_app`,
    `make_app`…); settings/config classes (`*Settings`, `*Config`, `*Configuration`, pydantic
    `BaseSettings`); writes (`os.environ["X"] = …`); a computed variable name (a parameter, an attribute,
    `f"{prefix}_URL"`: generic machinery such as `def env(name): return os.environ.get(name)`;
    a name bound to a literal, a constant or a loop over a literal tuple still counts); a function whose name says
    it reads configuration (`load_settings()`, `configure_from_environment()`, `env_bool()`); variables of the operating
    system and the process rather than of the application (`HOME`, `PATH`, `TERM`, `NO_COLOR`,
    `*_PROXY`, `SSL_CERT_FILE`, `XDG_*`, `PYTHON*`, the shell completion protocol's `COMP_*` …)
    and the variables that locate the configuration itself (`DJANGO_SETTINGS_MODULE`,
    `*_CONFIG_FILE`); test files.

    ## Why it matters
    A variable read in the middle of a request handler is hidden knowledge: nobody can list
    what the service needs to start, a typo (`PAYMENT_URL` vs `PAYMENTS_URL`) fails only when
    that branch runs, every value is an untyped string, and tests must patch the process
    environment instead of passing a settings object.

    ## Example
    ```python
    def charge(order):
        api_key = os.environ["STRIPE_KEY"]
        ...
    ```

    ## Use instead
    ```python
    # settings.py: read once, at startup, into a typed object
    class Settings(BaseSettings):
        stripe_key: SecretStr

    def charge(order, settings: Settings):
        api_key = settings.stripe_key.get_secret_value()
    ```
    """

    code = "MAINT003"
    name = "env-read-outside-config"
    opt_in = True  # judged precision on real code below 0.8: docs/precision.md
    viewpoint = Viewpoint.MAINTAINABILITY
    severity = Severity.INFO
    skip_roles = frozenset({"example", "generated", "migration", "script", "test"})
    message = "environment read outside the settings: read config once, at startup, into a typed settings object"
    options = {
        "config-modules": Option("list[str]", list(cm.DEFAULT_CONFIG_MODULES),
                                 "globs of settings/config modules, where environment reads belong"),
    }

    valid = [
        # module level: read once at import
        "import os\nDEBUG = os.environ.get('DEBUG') == '1'\n",
        # a settings module
        Valid("import os\n\ndef database_url():\n    return os.environ['DATABASE_URL']\n", path="myapp/settings.py"),
        Valid("import os\n\ndef load():\n    return os.getenv('REDIS_URL')\n", path="myapp/config/cache.py"),
        Valid("import os\n\ndef load():\n    return os.getenv('REDIS_URL')\n", path="myapp/app_config.py"),
        # settings classes
        "import os\n\nclass AppSettings:\n    def __init__(self):\n        self.db = os.environ['DATABASE_URL']\n",
        "import os\nfrom pydantic_settings import BaseSettings\n\nclass Env(BaseSettings):\n    def region(self):\n"
        "        return os.getenv('AWS_REGION', 'eu-west-1')\n",
        # composition roots
        "import os\n\ndef main():\n    run(port=int(os.environ.get('PORT', '8000')))\n",
        "import os\n\ndef create_app():\n    app = Flask(__name__)\n    app.config['DB'] = os.environ['DATABASE_URL']\n    return app\n",
        "import os\nimport click\n\n@click.command()\ndef serve():\n    start(os.getenv('PORT'))\n",
        "import os\nimport typer\napp = typer.Typer()\n\n@app.command()\ndef serve():\n    start(os.getenv('PORT'))\n",
        "import os\n\nif __name__ == '__main__':\n    print(os.environ['HOME_DIR'])\n",
        "import os\nfrom django.core.management.base import BaseCommand\n\nclass Command(BaseCommand):\n"
        "    def handle(self, *args, **options):\n        token = os.environ['API_TOKEN']\n\n"
        "    def on_bind(self, port):\n        if not os.environ.get('HIDE_WARNING'):\n            print(port)\n",
        # writes are not reads
        "import os\n\ndef f():\n    os.environ['TZ'] = 'UTC'\n    del os.environ['SECRET']\n",
        # a helper reading the variable its caller names
        "import os\n\ndef env_flag(name, default=False):\n    return os.environ.get(name, str(default)).lower() in ('1', 'true')\n",
        "import os\n\ndef _configure_from_environment():\n    return os.getenv('OTEL_SDK_DISABLED', '')\n",
        "import os\n\ndef get_proxy(key):\n    return os.environ.get(key) or os.environ.get(key.upper())\n",
        "import os\n\nclass Option:\n    def resolve(self):\n        return os.environ.get(self.envvar)\n",
        "import os\n\ndef editor():\n    for key in ('VISUAL', 'EDITOR'):\n        if os.environ.get(key):\n            return key\n",
        "import os\n\ndef app_dir(roaming):\n    key = 'APPDATA' if roaming else 'LOCALAPPDATA'\n    return os.environ.get(key)\n",
        # OS/process variables
        "import os\n\ndef editor():\n    return os.environ.get('EDITOR') or os.getenv('VISUAL') or os.environ['HOME']\n",
        "import os\n\ndef settings_module():\n    return os.environ.get('DJANGO_SETTINGS_MODULE'), os.environ['COMP_WORDS']\n",
        "import os\n\ndef proxies():\n    return os.environ.get('HTTPS_PROXY'), os.getenv('NO_COLOR')\n",
        # tests
        Valid("import os\n\ndef test_x():\n    assert os.environ['CI_TOKEN']\n", path="tests/test_x.py"),
    ]
    invalid = [
        Invalid("import os\n\ndef charge(order):\n    key = os.environ['STRIPE_KEY']\n    return key\n",
                line=4, message="`os.environ['STRIPE_KEY']` read inside `charge()`"),
        Invalid("import os\n\nclass Mailer:\n    def send(self, to):\n        host = os.environ.get('SMTP_HOST', 'localhost')\n",
                line=5, message="SMTP_HOST"),
        Invalid("from os import getenv\n\nasync def handler(request):\n    if getenv('FEATURE_X') == '1':\n        return 1\n",
                line=4, message="`getenv('FEATURE_X')`"),
        Invalid("from os import environ as env\n\ndef f():\n    return env['API_URL']\n", line=4),
        Invalid("import os\n\ndef headers():\n    for var in ('HSTS', 'CSP'):\n        value = os.environ.get(var)\n", line=5),
        Invalid("import os\nRELOAD_ENV = 'RUN_MAIN'\n\ndef f():\n    return os.environ.get(RELOAD_ENV) == 'true'\n", line=5),
    ]

    def begin(self) -> None:
        self._skip: bool | None = None

    def _skipped(self) -> bool:
        ctx = self.context
        func = ctx.function
        if func is None:
            return True
        if self._skip is None:
            self._skip = cm.is_config_module(ctx, self.config["config-modules"])
        if self._skip:
            return True
        return cm.in_settings_class(ctx) or cm.in_composition_root(ctx)

    def visit_Call(self, node: cst.Call) -> None:
        if self.context.function is None:
            return
        name = self.context.call_name(node)
        if name not in _GETTERS:
            return
        self._check(node, argument(node, 0, "key"))

    def visit_Subscript(self, node: cst.Subscript) -> None:
        ctx = self.context
        if ctx.function is None or len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return
        if ctx.qualname(node.value) not in _ENVIRON:
            return
        parent = ctx.parent
        if isinstance(parent, (cst.AssignTarget, cst.Del)) or (
            isinstance(parent, (cst.AugAssign, cst.AnnAssign)) and parent.target is node
        ):
            return
        self._check(node, node.slice[0].slice.value)

    def _check(self, node: cst.CSTNode, key: cst.BaseExpression | None) -> None:
        if key is None or self._skipped():
            return
        literals = self._key_literals(key)
        if literals is None:
            return  # a computed name (a parameter, an attribute, `f"{prefix}_URL"`): generic machinery
        if all(_PROCESS_VARIABLES.match(v) for v in literals):
            return
        func = self.context.function
        assert func is not None
        if _CONFIG_FUNCTION.search(func.name.value):
            return  # the function exists to read configuration: that is the one place
        shown = _shown(node)
        self.report(node, f"`{shown}` read inside `{func.name.value}()`: read configuration once, at startup, "
                          "into a typed settings object and pass it in")

    def _key_literals(self, key: cst.BaseExpression) -> list[str] | None:
        """The variable name(s) a key stands for: a literal, a name bound to a literal (a constant,
        ``key = "A" if x else "B"``, ``for key in ("VISUAL", "EDITOR")``); None when computed."""
        literal = string_value(key)
        if literal is not None:
            return [literal]
        if isinstance(key, cst.IfExp):
            body, orelse = self._key_literals(key.body), self._key_literals(key.orelse)
            return body + orelse if body is not None and orelse is not None else None
        if not isinstance(key, cst.Name):
            return None
        for loop in reversed(self.context.loops):
            if key.value in loop.targets:
                if isinstance(loop.iter, (cst.Tuple, cst.List, cst.Set)):
                    values = [string_value(e.value) for e in loop.iter.elements]
                    return [v for v in values if v is not None] if all(v is not None for v in values) else None
                return None
        binding = self.context.lookup(key.value)
        origin = binding.origin if binding is not None else None
        if isinstance(origin, (cst.SimpleString, cst.ConcatenatedString, cst.IfExp)):
            return self._key_literals(origin)
        return None


def _shown(node: cst.CSTNode) -> str:
    from reviewlint.analysis.calls import code_of

    text = " ".join(code_of(node).split())
    return text if len(text) <= 50 else text[:49] + "…"
