"""Library knowledge: security sinks, deserialisers, TLS switches, JWT and credentials.

Keys are qualified names as :meth:`FileContext.qualname` resolves them. The rules SEC001-
SEC007 and AUTH003-AUTH006 (and SEC005's taint sinks, through
:mod:`reviewlint.analysis.sinks`) read these tables; nothing here looks at syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KNOWN_TYPES: frozenset[str] = frozenset()
CONSTRUCTIBLE: frozenset[str] = frozenset()
TYPE_ALIASES: dict[str, str] = {}
RESULT_TYPES: dict[str, str] = {}


# ---------------------------------------------------------------------------- SQL
@dataclass(frozen=True)
class SqlCall:
    """A call that sends (or wraps) raw SQL: where the query goes, where parameters go."""

    label: str
    #: positional index / keyword of the query text
    query_index: int | None
    query_keyword: str | None
    #: positional index / keyword of separately passed parameters (None: the API has none)
    params_index: int | None = None
    params_keyword: str | None = None


#: functions and constructors (qualified names) whose argument is SQL text
SQL_FUNCTIONS: dict[str, SqlCall] = {}
for _name in ("sqlalchemy.text", "sqlalchemy.sql.text", "sqlalchemy.sql.expression.text", "sqlmodel.text"):
    SQL_FUNCTIONS[_name] = SqlCall("text()", 0, "text")
for _name in ("django.db.models.expressions.RawSQL", "django.db.models.RawSQL"):
    SQL_FUNCTIONS[_name] = SqlCall("RawSQL()", 0, "sql", 1, "params")
for _name in ("pandas.read_sql", "pandas.read_sql_query"):
    SQL_FUNCTIONS[_name] = SqlCall(_name.replace("pandas.", "pd.") + "()", 0, "sql", None, "params")

#: methods (by name, on any receiver) that run SQL. DB-API cursors/connections, SQLAlchemy
#: sessions/connections, asyncpg/aiosqlite connections, Django's ``Manager.raw``.
SQL_EXECUTE_METHODS: dict[str, SqlCall] = {
    "execute": SqlCall(".execute()", 0, "query", 1, "params"),
    "executemany": SqlCall(".executemany()", 0, "query", 1, "params"),
    "executescript": SqlCall(".executescript()", 0, "sql_script"),
    "exec_driver_sql": SqlCall(".exec_driver_sql()", 0, "statement", 1, "parameters"),
    "mogrify": SqlCall(".mogrify()", 0, "query", 1, "vars"),
    "fetch": SqlCall(".fetch()", 0, "query", 1, None),
    "fetchrow": SqlCall(".fetchrow()", 0, "query", 1, None),
    "fetchval": SqlCall(".fetchval()", 0, "query", 1, None),
    "raw": SqlCall(".raw()", 0, "raw_query", 1, "params"),
}
#: methods whose name alone does not say "SQL": only a DB-looking receiver or SQL-looking text makes them sinks
SQL_AMBIGUOUS_METHODS = frozenset({"execute", "executemany", "fetch", "fetchrow", "fetchval", "raw", "mogrify"})
#: receiver names that hold a DB cursor/connection/session (last dotted part, lowercase, substring match)
DB_RECEIVER_HINTS = ("cursor", "cur", "conn", "connection", "session", "db", "engine", "database", "objects", "manager")
#: ``QuerySet.extra()`` keywords that take raw SQL
EXTRA_SQL_KEYWORDS = ("where", "select", "tables", "order_by")

#: SQL text at the start of a query (or a clause inside one)
SQL_START = re.compile(
    r"^\s*\(?\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|WITH|REPLACE|MERGE|TRUNCATE|GRANT|REVOKE|"
    r"PRAGMA|SHOW|EXPLAIN|VACUUM|ANALYZE|DECLARE|CALL|EXEC|COPY|LOCK|UPSERT)\b",
    re.IGNORECASE,
)
SQL_CLAUSE = re.compile(r"\b(FROM|WHERE|VALUES|SET|JOIN|ORDER BY|GROUP BY|LIMIT|INTO)\b", re.IGNORECASE)

#: calls whose result is safe to put into SQL text: identifier quoting, escaping, numbers,
#: and composable SQL objects. Matched on the last part of the callee's dotted name.
SQL_SAFE_CALL_NAMES = frozenset(
    {
        "quote_name", "quote_ident", "quote_identifier", "quote_name_unless_alias", "qn", "qn2",
        "quote_value", "quote", "escape", "escape_string", "escape_identifier", "literal",
        "int", "float", "len", "bool", "round", "abs", "min", "max", "hex",
        "Identifier", "Literal", "Placeholder",
    }
)
#: name fragments of values that are SQL built by the program itself, not data
SQL_FRAGMENT_HINTS = ("placeholder", "quoted", "qn")


# ---------------------------------------------------------------------------- shell
@dataclass(frozen=True)
class ShellCall:
    label: str
    command_index: int
    command_keyword: str | None
    #: True: always runs through a shell; False: only with ``shell=True``
    always_shell: bool


SHELL_CALLS: dict[str, ShellCall] = {}
for _name in ("os.system", "os.popen", "posix.system"):
    SHELL_CALLS[_name] = ShellCall(_name + "()", 0, "command" if _name.endswith("system") else "cmd", True)
for _name in ("subprocess.getoutput", "subprocess.getstatusoutput", "commands.getoutput", "commands.getstatusoutput"):
    SHELL_CALLS[_name] = ShellCall(_name + "()", 0, "cmd", True)
for _name in ("asyncio.create_subprocess_shell", "asyncio.subprocess.create_subprocess_shell"):
    SHELL_CALLS[_name] = ShellCall("asyncio.create_subprocess_shell()", 0, "cmd", True)
for _fn in ("run", "call", "check_call", "check_output", "Popen"):
    SHELL_CALLS[f"subprocess.{_fn}"] = ShellCall(f"subprocess.{_fn}(shell=True)", 0, "args", False)
#: calls that make a value safe to put into a shell command
SHELL_SAFE_CALLS = frozenset({"shlex.quote", "pipes.quote", "shlex.join", "builtins.int", "builtins.float", "builtins.len"})


# ---------------------------------------------------------------------------- deserialisation
#: qualified name → what it deserialises
UNSAFE_DESERIALIZERS: dict[str, str] = {}
for _mod in ("pickle", "cPickle", "_pickle", "dill", "cloudpickle"):
    for _fn in ("load", "loads", "Unpickler"):
        UNSAFE_DESERIALIZERS[f"{_mod}.{_fn}"] = "pickle"
for _fn in ("load", "loads"):
    UNSAFE_DESERIALIZERS[f"marshal.{_fn}"] = "marshal"
UNSAFE_DESERIALIZERS["pandas.read_pickle"] = "pickle"
UNSAFE_DESERIALIZERS["joblib.load"] = "pickle"
UNSAFE_DESERIALIZERS["jsonpickle.decode"] = "jsonpickle"
UNSAFE_DESERIALIZERS["shelve.open"] = "pickle"
UNSAFE_DESERIALIZERS["yaml.unsafe_load"] = "yaml"
UNSAFE_DESERIALIZERS["yaml.unsafe_load_all"] = "yaml"
#: ``yaml.load(stream, Loader)``: unsafe unless the loader is one of YAML_SAFE_LOADERS
YAML_LOAD = frozenset({"yaml.load", "yaml.load_all"})
YAML_SAFE_LOADERS = frozenset({"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader", "FullLoader", "CFullLoader"})
#: builtins that run code
CODE_EXEC = frozenset({"builtins.eval", "builtins.exec"})


# ---------------------------------------------------------------------------- TLS
#: calls (qualified names) that accept ``verify=False``: HTTP calls and client constructors
#: come from :mod:`reviewlint.knowledge.http`; these are the extras
TLS_VERIFY_CALLS = frozenset(
    {
        "httpx.Client", "httpx.AsyncClient", "httpx.HTTPTransport", "httpx.AsyncHTTPTransport",
        "httpx.create_ssl_context",
    }
)
#: method names on an untracked receiver that are HTTP requests for the purpose of ``verify=False``
HTTP_METHOD_NAMES = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "stream", "send"})
#: aiohttp: ``ssl=False`` / ``verify_ssl=False``
AIOHTTP_SSL_CALLS_PREFIX = ("aiohttp.",)
UNVERIFIED_CONTEXT = frozenset({"ssl._create_unverified_context", "ssl._create_stdlib_context"})
CERT_NONE = frozenset({"ssl.CERT_NONE", "ssl.VerifyMode.CERT_NONE"})


# ---------------------------------------------------------------------------- JWT (PyJWT 2.x)
JWT_DECODE = frozenset(
    {
        "jwt.decode", "jwt.api_jwt.decode", "jwt.decode_complete", "jwt.api_jwt.decode_complete",
        "jwt.PyJWT.decode", "jwt.api_jwt.PyJWT.decode", "jose.jwt.decode", "jwt.api_jws.decode",
    }
)
JWT_ENCODE = frozenset({"jwt.encode", "jwt.api_jwt.encode", "jwt.PyJWT.encode", "jose.jwt.encode", "jwt.api_jws.encode"})
JWT_UNVERIFIED_HEADER = frozenset(
    {"jwt.get_unverified_header", "jwt.api_jws.get_unverified_header", "jose.jwt.get_unverified_header"}
)
#: positional index of the key in decode/encode
JWT_DECODE_KEY_INDEX = 1
JWT_ENCODE_KEY_INDEX = 1
#: ``options`` entries that weaken validation (AUTH004); verify_signature is AUTH003
JWT_WEAK_OPTIONS = ("verify_exp", "verify_aud", "verify_iss")
HMAC_ALGORITHMS = frozenset({"HS256", "HS384", "HS512"})
ASYMMETRIC_PREFIXES = ("RS", "ES", "PS", "EdDSA", "Ed")


# ---------------------------------------------------------------------------- credentials
#: last words that make a name a credential
CREDENTIAL_LAST_WORDS = frozenset({"password", "passwd", "pwd", "secret", "token", "credential", "credentials"})
#: word suffixes that make a name a credential (joined with ``_``)
CREDENTIAL_SUFFIXES = ("api_key", "secret_key", "private_key", "access_key", "signing_key")
#: the same, written as one word (``apikey``, ``APIKEY``)
CREDENTIAL_COMPACT_SUFFIXES = ("apikey", "secretkey", "privatekey", "accesskey", "signingkey")
#: tokens that are not secrets: pagination cursors, protocol tokens
NON_SECRET_TOKEN_NAMES = frozenset(
    {
        "page_token", "next_token", "next_page_token", "prev_page_token", "previous_page_token",
        "continuation_token", "sync_token", "csrf_token", "xsrf_token", "cancel_token",
        "cancellation_token", "pagination_token", "resume_token", "start_token", "end_token",
        "stop_token", "eos_token", "bos_token", "pad_token", "unk_token", "sep_token", "cls_token",
        "mask_token", "max_token", "input_token", "output_token", "context_token",
    }
)
#: qualifiers (the word before ``token``) that make it a non-secret token
NON_SECRET_TOKEN_QUALIFIERS = frozenset(
    {"page", "next", "continuation", "sync", "csrf", "xsrf", "cancel", "cancellation", "pagination",
     "resume", "eos", "bos", "pad", "unk", "sep", "cls", "mask", "special", "stop", "max", "num", "end", "start"}
)
#: API hosts known to accept the credential in a header (Authorization, X-Api-Key ...): a key in their
#: query string is avoidable (AUTH006 warns); elsewhere the query may be the only way (info)
HEADER_AUTH_HOSTS = (
    "graph.facebook.com", "searchapi.io", "api.github.com", "gitlab.com", "api.openai.com", "api.stripe.com",
    "slack.com", "api.twitter.com", "api.x.com", "api.mailgun.net", "api.sendgrid.com", "api.notion.com",
    "api.airtable.com", "api.todoist.com", "api.pushbullet.com",
)
#: values that are real (and guessable) passwords even though they look like words
WEAK_PASSWORDS = frozenset(
    {"changeme", "change_me", "change-me", "changeit", "passw0rd", "p@ssw0rd", "p@ssword", "password1", "password123",
     "admin", "admin123", "root", "toor", "123456", "12345678", "letmein", "qwerty", "secret123", "s3cr3t"}
)
#: well-known credential formats, found in any string literal
CREDENTIAL_FORMATS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("AWS access key id", re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}\b")),
    ("GitHub token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})\b")),
    ("Slack token", re.compile(r"\bxox[abposr]-[0-9]{6,}-[A-Za-z0-9-]{10,}")),
    ("Slack webhook", re.compile(r"https://hooks\.slack\.com/services/T[A-Z0-9]{6,}/B[A-Z0-9]{6,}/[A-Za-z0-9]{20,}")),
    ("private key", re.compile(
        r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----\s*"
        r"(?:[A-Za-z0-9-]+: [^\n]*\n\s*)*[A-Za-z0-9+/=\s]{64,}")),
)
