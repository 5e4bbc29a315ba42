from __future__ import annotations

import libcst as cst

import re

from reviewlint.analysis import credentials
from reviewlint.analysis.calls import code_of, string_value
from reviewlint.analysis.fixtures import in_fixture_code
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
    than hold it (`SECRET_KEY_ENV = "SECRET_KEY"`, `DATA_JWT_SECRET = "oauth2_jwt_secret"`),
    empty strings, placeholders and dummies (`"<your-key>"`, `"xxx"`, `"..."`, `"${TOKEN}"`,
    `"unused"`, `"sk-no-key-required"`, `"0000...1"`; but `"changeme"` is flagged), prose, URLs,
    paths and regular expressions, values read from the environment, and test files (the
    `test-paths` setting).

    The value is judged, not only the name. An issued key or token (`api_key`, `access_token`)
    is long and random, so a short value or a field name under such a name is not one
    (`api_key="vpv1"`, `api_key="eChargeToday"`); a chosen password or signing secret can be any
    word (`SECRET_KEY = "dev"` is flagged). Also not flagged: names that say the value is none
    (`DUMMY_SECRET`, `PLACEHOLDER_API_KEY`, `publishable_key`) or a comment that does
    (`# dummy`, `# not used`, `# public`), publishable key formats (Stripe `pk_live_`, PostHog
    `phc_`), documentation examples (`examples=`, `json_schema_extra`, `placeholders = {...}`),
    test data outside the test folders (`create_test_data.py`, `fixtures.py`, `factories.py`,
    `testing/`, `@pytest.fixture` and `create_test_*` functions, `User(name="x", password="x")`),
    a known-bad value kept to refuse it (`LEGACY_DEFAULT_PASSWORD` only ever compared with, a
    literal the file refuses with `if ... == "change-me": raise`), and a `DEFAULT_*` password
    offered as the `default=` of an option (a device's factory default the operator changes).

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
        # an issued key or token is long and random: a field name or a short code under such a name is not one
        "from dataclasses import dataclass\n\n@dataclass\nclass Desc:\n    key: str\n    api_key: str\n\n"
        "SENSORS = [Desc(key='pv1_voltage', api_key='vpv1'), Desc(key='charge_today', api_key='eChargeToday'),\n"
        "           Desc(key='discharge', api_key='bdc1DischargePower'), Desc(key='soc', api_key='bmsSOC')]\n",
        # names of keys, not values; fillers
        "CONF_TOKEN_SECRET = 'token_value'\nDATA_JWT_SECRET = 'oauth2_jwt_secret'\n"
        "DEFAULT_TOKEN = '00000000000000000000000000000001'\nDEFAULT_API_KEY = 'sk-0000000000000000000'\n",
        "def configure(configuration):\n    configuration.api_key_prefix['BearerToken'] = 'Bearer'\n",
        # the name or a comment says the value is none
        "DUMMY_SECRET = 'FPPTH34D4E3MI2HG'\nPLACEHOLDER_API_KEY = 'sk-no-key-required'\nNOT_SO_PRIVATE_KEY = 'PHES7U2RADREWAFEBUSTUBAWRASWUTUS'\n",
        "from openai import OpenAI\n\ndef client(url, headers):\n    return OpenAI(base_url=url, default_headers=headers, api_key='unused')\n",
        "API_KEY = 'ollama-local-k3y'  # the local server ignores the key, the SDK wants one\n",
        "STRIPE_PUBLISHABLE_KEY = 'pk_live_51H8x2LkQ3b9Zq'\nstripe_key = 'pk_test_51H8x2LkQ3b9Zq'\n",
        # documentation examples of a schema
        "from pydantic import BaseModel, Field\n\nclass Creds(BaseModel):\n"
        "    secret: str = Field(..., examples=[{'username': 'jdoe', 'password': 's3cr3t-Pa55'}])\n"
        "    model_config = {'json_schema_extra': {'example': {'api_key': 'a8f5f167f44f4964e6c998de'}}}\n",
        # a known-bad value kept to refuse it
        "LEGACY_DEFAULT_ADMIN_PASSWORD = 'password1234'\n\ndef is_refused(user, password):\n"
        "    return user.is_admin and password == LEGACY_DEFAULT_ADMIN_PASSWORD\n",
        "ASYNC_JWT_SECRET = 'test-secret-change-me'\n\ndef init(config):\n"
        "    if config['ASYNC_JWT_SECRET'] == 'test-secret-change-me':\n        raise RuntimeError('set ASYNC_JWT_SECRET')\n",
        "def step(self):\n    placeholders = {'find_token': '0481effe8a5c6f757b455babb678dc0e764feae279/112f7a4a-0051'}\n"
        "    return self.show_form(description_placeholders=placeholders)\n",
        # a device's factory default, offered to the operator as the default of an option
        "import voluptuous as vol\n\nDEFAULT_PASSWORD = 'ubnt'\n"
        "SCHEMA = vol.Schema({vol.Optional('password', default=DEFAULT_PASSWORD): str})\n",
        # test data outside the test folders
        Valid("def create_users(model):\n    model.User(name='annafan', password='annafan-pw1')\n", path="ckan/lib/create_test_data.py"),
        "def create(model):\n    return model.User(name='tester', password='tester')\n",
        Valid("import factory\n\nclass UserFactory(factory.Factory):\n    password = 's3cr3t-Pa55'\n", path="app/users/factories.py"),
    ]
    invalid = [
        Invalid("SECRET_KEY = 'django-insecure-8f2k$w1!q'\n", line=1, message="`SECRET_KEY`"),
        Invalid("db_password = 'changeme'\n", line=1, message="`db_password`"),
        Invalid("class Settings:\n    stripe_api_key: str = 'sk_live_51H8x2LkQ3b9'\n", line=2),
        Invalid("import psycopg\nconn = psycopg.connect(host='db', user='app', password='hunter2!')\n", line=2, message="password="),
        Invalid("def login(user, accessToken='eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc'):\n    ...\n", line=1, message="default"),
        Invalid("CONFIG = {'api_key': 'a8f5f167f44f4964e6c998dee827110c'}\n", line=1, message="'api_key'"),
        Invalid("class Client:\n    def __init__(self):\n        self.client_secret = 'Zx81-ab_92kf'\n", line=3),
        Invalid("import os\nos.environ['GITHUB_TOKEN'] = 'abcd1234efgh5678'\n", line=2),
        Invalid("HEADERS = 'Bearer ghp_0123456789abcdefghijklmnopqrstuvwxyzAB'\n", line=1, message="GitHub token"),
        Invalid("aws = {'id': 'AKIAZ7QRSTUVWXYZ1234'}\n", line=1, message="AWS access key id"),
        # a chosen signing secret can be any word
        Invalid("SECRET_KEY = 'dev'\n", line=1),
        Invalid("API_KEY = 'k6QaiQmcTm2zfaNns5L1Z8duBtJmhDOW8JawlCC3'\n", line=1),
        # a literal refused elsewhere in the file, but not as a credential
        Invalid("def setup(form):\n    admin_password = 'admin'\n    if form.role not in ['user', 'admin']:\n"
                "        raise ValueError(form.role)\n", line=2),
        # compared with to let someone in: the hard-coded credential is the check
        Invalid("ADMIN_PASSWORD = 'Tr0ub4dor&3'\n\ndef login(password):\n    return password == ADMIN_PASSWORD\n", line=1),
    ]

    def begin(self) -> None:
        self._reported: set[int] = set()
        #: name-based findings, decided at the end of the file: (value node, message, literal, constant name)
        self._pending: list[tuple[cst.BaseExpression, str, str, str | None]] = []
        #: string literals the file compares something with (``if key == "change-me": raise``)
        self._compared: set[str] = set()
        #: module constants with a pending finding → [uses, uses in a comparison, uses as an option's default=]
        self._uses: dict[str, list[int]] = {}

    def leave_Module(self, node: cst.Module) -> None:
        for value, message, text, constant in self._pending:
            if text in self._compared:
                continue  # the project compares against this very value: a denylist, or refused at start-up
            uses = self._uses.get(constant) if constant is not None else None
            if uses is not None and uses[0] and uses[0] == uses[1] and _KNOWN_BAD_WORDS & set(credentials.words(constant)):
                continue  # LEGACY_DEFAULT_PASSWORD only ever compared with: a known-bad value kept to refuse it
            if uses is not None and uses[2] and credentials.words(constant)[0] == "default":
                continue  # vol.Optional(CONF_PASSWORD, default=DEFAULT_PASSWORD): the device's factory default, offered to the operator
            self.report(value, message)
        self._pending = []

    def visit_Comparison(self, node: cst.Comparison) -> None:
        if not self._refusing_test(node):
            return
        operands = (node.left, *(c.comparator for c in node.comparisons))
        compared = " ".join(code_of(e) for e in operands if not isinstance(e, (cst.SimpleString, cst.ConcatenatedString,
                                                                                 cst.Set, cst.List, cst.Tuple)))
        if not any(credentials.is_credential_name(t) for t in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", compared)):
            return  # ``if role not in ["user", "admin"]: raise``: not a credential being refused
        for expr in operands:
            elements = [e.value for e in expr.elements] if isinstance(expr, (cst.Set, cst.List, cst.Tuple)) else [expr]
            for element in elements:
                text = _literal(element) if isinstance(element, (cst.SimpleString, cst.ConcatenatedString)) else None
                if text:
                    self._compared.add(text)

    def _refusing_test(self, node: cst.Comparison) -> bool:
        """``node`` is (part of) the test of an ``if`` whose body raises or exits: the value compared
        with is refused (``if settings.SECRET_KEY == "change-me": raise ImproperlyConfigured``)."""
        ancestors = self.context.ancestors
        for i in range(len(ancestors) - 2, max(len(ancestors) - 6, -1), -1):
            ancestor = ancestors[i]
            if isinstance(ancestor, cst.If):
                if ancestors[i + 1] is not ancestor.test:
                    return False
                body = ancestor.body.body if isinstance(ancestor.body, cst.IndentedBlock) else ()
                for stmt in body[:3]:
                    small = stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ()
                    for piece in small:
                        if isinstance(piece, cst.Raise):
                            return True
                        if isinstance(piece, cst.Expr) and isinstance(piece.value, cst.Call):
                            called = self.context.call_name(piece.value) or ""
                            if called in ("sys.exit", "builtins.exit", "os._exit") or called.endswith(".abort"):
                                return True
                return False
            if not isinstance(ancestor, (cst.BooleanOperation, cst.UnaryOperation, cst.Comparison)):
                return False
        return False

    def visit_Name(self, node: cst.Name) -> None:
        uses = self._uses.get(node.value)
        if uses is None:
            return
        parent = self.context.parent
        if isinstance(parent, (cst.AssignTarget, cst.Param, cst.FunctionDef, cst.ClassDef)) or (
            isinstance(parent, cst.AnnAssign) and parent.target is node
        ):
            return
        if isinstance(parent, (cst.Attribute, cst.ImportAlias)) and getattr(parent, "attr", None) is node:
            return
        uses[0] += 1
        if isinstance(parent, (cst.Comparison, cst.ComparisonTarget)):
            uses[1] += 1
        elif isinstance(parent, cst.Arg) and parent.keyword is not None and parent.keyword.value == "default":
            uses[2] += 1

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
                siblings = [a.value for a in node.args if a is not arg]
                self._check(arg.keyword.value, arg.value, "keyword", keyword=True, siblings=siblings, element=arg)

    def visit_Dict(self, node: cst.Dict) -> None:
        for element in node.elements:
            if not isinstance(element, cst.DictElement):
                continue
            key = string_value(element.key)
            if key is not None:
                siblings = [e.value for e in node.elements if e is not element and isinstance(e, cst.DictElement)]
                self._check(key, element.value, "dict key", dict_key=True, siblings=siblings, element=element)

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
               dict_key: bool = False, siblings: list[cst.BaseExpression] | tuple = (),
               element: cst.Arg | cst.DictElement | None = None) -> None:
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
        if self._not_a_secret(name, text, siblings, element):
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
        constant = name if how == "is assigned" and self.context.is_module_level() and name.isidentifier() else None
        if constant is not None:
            self._uses.setdefault(constant, [0, 0, 0])
        self._pending.append((value, f"{where}: read it from the environment or a secret store", text, constant))

    def _not_a_secret(self, name: str, text: str, siblings: list[cst.BaseExpression] | tuple,
                      element: cst.Arg | cst.DictElement | None) -> bool:
        """Evidence around the literal that it is no secret (beyond the value itself)."""
        if any(w in _NOT_SECRET_NAME_WORDS for w in credentials.words(name)):
            return True  # DUMMY_SECRET, PLACEHOLDER_API_KEY, publishable_key, NOT_SO_PRIVATE_KEY
        if text.startswith(_PUBLISHABLE_PREFIXES):
            return True  # Stripe publishable keys, PostHog project keys: shipped to browsers by design
        if any(_literal(s) == text for s in siblings if isinstance(s, (cst.SimpleString, cst.ConcatenatedString))):
            return True  # User(name="tester", password="tester"): a fixture account, not a credential
        if self._in_example() or in_fixture_code(self.context):
            return True
        return any(_NOT_SECRET_COMMENT.search(c) for c in self._nearby_comments(element))

    def _in_example(self) -> bool:
        """Inside ``examples=[...]``, ``json_schema_extra={...}``, ``schema_extra = {...}`` or an
        ``"example"`` entry: documentation of a schema, not configuration."""
        for ancestor in reversed(self.context.ancestors):
            if isinstance(ancestor, cst.Arg) and ancestor.keyword is not None:
                if _names_examples(ancestor.keyword.value):
                    return True
            elif isinstance(ancestor, cst.DictElement):
                if _names_examples(string_value(ancestor.key)):
                    return True
            elif isinstance(ancestor, (cst.Assign, cst.AnnAssign)):
                targets = [t.target for t in ancestor.targets] if isinstance(ancestor, cst.Assign) else [ancestor.target]
                return any(_names_examples(_target_name(t)) for t in targets)
            elif isinstance(ancestor, (cst.FunctionDef, cst.ClassDef)):
                return False
        return False

    def _nearby_comments(self, element: cst.Arg | cst.DictElement | None) -> list[str]:
        """The comment after the literal's argument or dict entry, and the comments on and above its statement."""
        out: list[str] = []
        for ancestor in [element, *reversed(self.context.ancestors)] if element is not None else reversed(self.context.ancestors):
            if isinstance(ancestor, (cst.Arg, cst.DictElement)) and isinstance(ancestor.comma, cst.Comma):
                ws = ancestor.comma.whitespace_after
                if isinstance(ws, cst.ParenthesizedWhitespace) and ws.first_line.comment is not None:
                    out.append(ws.first_line.comment.value)
            elif isinstance(ancestor, cst.SimpleStatementLine):
                if ancestor.trailing_whitespace.comment is not None:
                    out.append(ancestor.trailing_whitespace.comment.value)
                out.extend(line.comment.value for line in ancestor.leading_lines[-2:] if line.comment is not None)
                break
        return out

    def _mark(self, node: cst.CSTNode) -> None:
        self._reported.add(id(node))
        stack = [node]
        while stack:  # every piece of an implicit concatenation, without recursion
            piece = stack.pop()
            self._reported.add(id(piece))
            if isinstance(piece, cst.ConcatenatedString):
                stack += (piece.left, piece.right)


#: words of a credential name that say the value is none: DUMMY_SECRET, PLACEHOLDER_API_KEY
_NOT_SECRET_NAME_WORDS = frozenset(
    {"dummy", "placeholder", "fake", "example", "sample", "mock", "public", "publishable", "not", "unused", "bogus"}
)
#: words of a constant's name that say it holds a known-bad value (a denylist entry)
_KNOWN_BAD_WORDS = frozenset(
    {"default", "legacy", "old", "insecure", "known", "weak", "banned", "forbidden", "denied", "blocked", "unsafe",
     "compromised", "leaked", "common", "shipped", "factory"}
)
#: publishable key formats (meant for browsers and apps): Stripe ``pk_``, PostHog ``phc_``
_PUBLISHABLE_PREFIXES = ("pk_live_", "pk_test_", "phc_")
#: words of arguments, dict keys and variables that hold documentation examples (``examples=``,
#: ``json_schema_extra``, ``schema_extra``, ``openapi_examples``, ``description_placeholders``)
_EXAMPLE_WORDS = frozenset({"example", "examples", "extra", "placeholder", "placeholders", "sample", "samples"})


def _names_examples(name: str | None) -> bool:
    if not name:
        return False
    parts = credentials.words(name)
    return bool(parts) and (parts[-1] in _EXAMPLE_WORDS or "example" in parts or "examples" in parts)
_NOT_SECRET_COMMENT = re.compile(
    r"\b(?:dummy|placeholder|not (?:a )?(?:real|secret|used|needed|required)|unused|ignor(?:es|ed)|fake|public(?:ly)?|"
    r"publishable|example|sample|any (?:non-empty )?(?:value|string))\b",
    re.IGNORECASE,
)


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
