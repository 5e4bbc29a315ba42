from __future__ import annotations

import libcst as cst

from reviewlint.analysis import credentials
from reviewlint.analysis.calls import string_value
from reviewlint.rule import Invalid, Rule, Severity, Valid, Viewpoint


class HardcodedSecret(Rule):
    """A password, token or key written into the source.

    ## What it does
    Flags a non-empty string literal assigned to, passed as a keyword to, used as the default
    of, or stored under a dict key named for a credential, and any string literal that looks
    like a well-known credential format (AWS access key id, GitHub or Slack token, Slack
    webhook, PEM private key). A name is a credential when its last word (split on `_`, `-`
    and camelCase) is `password`/`passwd`/`pwd`/`secret`/`token`/`credential(s)`, or when it
    ends in `api_key`/`apikey`/`secret_key`/`private_key`/`access_key`/`signing_key`
    (`SECRET_KEY`, `db_password`, `accessToken`, `STRIPE_API_KEY`).

    Not flagged: names whose last word is a non-secret noun (`token_url`, `password_field`,
    `API_KEY_HEADER`, `TOKEN_TYPE`, `secret_name`), pagination and protocol tokens
    (`page_token`, `next_page_token`, `csrf_token` ...), values that name a variable rather
    than hold it (`SECRET_KEY_ENV = "SECRET_KEY"`), empty strings, placeholders (`"<your-key>"`,
    `"xxx"`, `"..."`, `"${TOKEN}"`; but `"changeme"` is flagged), prose, URLs, paths and
    regular expressions,
    values read from the environment, and test files (the `test-paths` setting).

    ## Why it matters
    A secret in the source is in every clone, fork, CI log and backup of the repository,
    forever: rotating it means rewriting history. It also ends up identical in every
    environment, so the development key opens production.

    ## Example
    ```python
    STRIPE_API_KEY = "sk_live_51H8x2LkQ3b9"
    ```

    ## Use instead
    ```python
    import os

    STRIPE_API_KEY = os.environ["STRIPE_API_KEY"]
    ```
    """

    code = "SEC006"
    name = "hardcoded-secret"
    opt_in = True  # judged precision on real code below 0.8: docs/precision.md
    viewpoint = Viewpoint.SECURITY
    severity = Severity.ERROR
    skip_roles = frozenset({"example", "generated", "test"})
    peer_codes = frozenset({"S105", "S106", "S107", "B105", "B106", "B107"})
    message = "hard-coded secret: read it from the environment or a secret store"

    valid = [
        # names that merely contain a credential word
        "token_url = 'https://auth.example.org/oauth/token'\npassword_field = 'password'\nAPI_KEY_HEADER = 'X-API-Key'\n",
        "TOKEN_TYPE = 'bearer'\nsecret_name = 'prod/db'\ntokenUrl = '/token'\n",
        # pagination and protocol tokens
        "page_token = 'abc123'\nnext_page_token = 'CAoQAA'\ncsrf_token = 'x1y2z3'\n",
        # the value names the variable
        "SECRET_KEY_ENV = 'SECRET_KEY'\n",
        "import os\nAPI_TOKEN = os.environ.get('API_TOKEN_VAR_NAME', 'API_TOKEN')\n",
        # empty strings and placeholders
        "password = ''\napi_key = '<your-key>'\nsecret = 'xxx'\ntoken = '...'\nDB_PASSWORD = '${DB_PASSWORD}'\n",
        # read from the environment
        "import os\nSECRET_KEY = os.environ['SECRET_KEY']\ndb_password = os.getenv('DB_PASSWORD')\n",
        # prose and URLs
        "password_help = 'Use 12 characters'\nreset_password = 'Reset your password'\nauth_token = 'https://x.org/token'\n",
        # a keyword whose value is a label, not a secret
        "def f(form):\n    form.add(password='password')\n",
        # test files
        Valid("DB_PASSWORD = 's3cr3t-Pa55'\n", path="tests/test_db.py"),
        # the documented example AWS key
        "AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE'\n",
    ]
    invalid = [
        Invalid("SECRET_KEY = 'django-insecure-8f2k$w1!q'\n", line=1, message="`SECRET_KEY`"),
        Invalid("db_password = 'changeme'\n", line=1, message="`db_password`"),
        Invalid("class Settings:\n    stripe_api_key: str = 'sk_live_51H8x2LkQ3b9'\n", line=2),
        Invalid("import psycopg\nconn = psycopg.connect(host='db', user='app', password='hunter2!')\n", line=2, message="password="),
        Invalid("def login(user, accessToken='eyJhbGciOi.abc'):\n    ...\n", line=1, message="default"),
        Invalid("CONFIG = {'api_key': 'a8f5f167f44f4964e6c998dee827110c'}\n", line=1, message="'api_key'"),
        Invalid("class Client:\n    def __init__(self):\n        self.client_secret = 'Zx81-ab_92kf'\n", line=3),
        Invalid("import os\nos.environ['GITHUB_TOKEN'] = 'abcd1234efgh5678'\n", line=2),
        Invalid("HEADERS = 'Bearer ghp_0123456789abcdefghijklmnopqrstuvwxyzAB'\n", line=1, message="GitHub token"),
        Invalid("aws = {'id': 'AKIAZ7QRSTUVWXYZ1234'}\n", line=1, message="AWS access key id"),
    ]

    def begin(self) -> None:
        self._reported: set[int] = set()

    # -- name-based ------------------------------------------------------------------
    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._check(_target_name(target.target), node.value, "is assigned")

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._check(_target_name(node.target), node.value, "is assigned")

    def visit_Param(self, node: cst.Param) -> None:
        if node.default is not None:
            self._check(node.name.value, node.default, "has the default")

    def visit_Call(self, node: cst.Call) -> None:
        for arg in node.args:
            if arg.keyword is not None:
                self._check(arg.keyword.value, arg.value, "keyword", keyword=True)

    def visit_DictElement(self, node: cst.DictElement) -> None:
        key = string_value(node.key)
        if key is not None:
            self._check(key, node.value, "dict key", dict_key=True)

    # -- format-based ----------------------------------------------------------------
    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if id(node) in self._reported or len(node.value) < 20:
            return
        parent = self.context.parent
        if isinstance(parent, cst.ConcatenatedString):
            return
        value = _literal(node)
        kind = credentials.known_credential_format(value) if value else None
        if kind is not None:
            self._reported.add(id(node))
            self.report(node, f"string literal holds a {kind}: revoke it, and read it from the environment or a secret store")

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        if id(node) in self._reported or isinstance(self.context.parent, cst.ConcatenatedString):
            return
        value = _literal(node)
        kind = credentials.known_credential_format(value) if value else None
        if kind is not None:
            self._mark(node)
            self.report(node, f"string literal holds a {kind}: revoke it, and read it from the environment or a secret store")

    # -- shared ----------------------------------------------------------------------
    def _check(self, name: str | None, value: cst.BaseExpression, how: str, *, keyword: bool = False,
               dict_key: bool = False) -> None:
        if name is None or not isinstance(value, (cst.SimpleString, cst.ConcatenatedString)):
            return
        text = _literal(value)
        if text is None:
            return
        kind = credentials.known_credential_format(text)
        if kind is not None:
            self._mark(value)
            self.report(value, f"`{name}` holds a {kind}: revoke it, and read it from the environment or a secret store")
            return
        if not credentials.is_credential_name(name) or not credentials.is_secret_value(text, name):
            return
        self._mark(value)
        if keyword:
            where = f"`{name}=` is passed a hard-coded secret"
        elif dict_key:
            where = f"dict key '{name}' holds a hard-coded secret"
        elif how == "has the default":
            where = f"parameter `{name}` has a hard-coded secret as its default"
        else:
            where = f"`{name}` is assigned a hard-coded secret"
        self.report(value, f"{where}: read it from the environment or a secret store")

    def _mark(self, node: cst.CSTNode) -> None:
        self._reported.add(id(node))
        stack = [node]
        while stack:  # every piece of an implicit concatenation, without recursion
            piece = stack.pop()
            self._reported.add(id(piece))
            if isinstance(piece, cst.ConcatenatedString):
                stack += (piece.left, piece.right)


def _target_name(target: cst.BaseExpression) -> str | None:
    if isinstance(target, cst.Name):
        return target.value
    if isinstance(target, cst.Attribute):
        return target.attr.value
    if isinstance(target, cst.Subscript) and len(target.slice) == 1:
        element = target.slice[0].slice
        if isinstance(element, cst.Index):
            return string_value(element.value)
    return None


def _literal(node: cst.BaseExpression) -> str | None:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        try:
            value = node.evaluated_value
        except Exception:  # noqa: BLE001
            return None  # a literal LibCST cannot evaluate (odd escapes) holds no known secret
        if isinstance(value, bytes):
            return value.decode("latin-1")
        return value if isinstance(value, str) else None
    return None
