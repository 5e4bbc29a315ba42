"""SEC001-SEC004, SEC006, SEC007, AUTH003-AUTH006 and their shared analyses."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from reviewlint.analysis import credentials, sinks
from reviewlint.api import check_source
from reviewlint.rule import Rule, Viewpoint


def findings(source: str, select: list[str], path: str = "app/module.py", classes=None):
    return check_source(textwrap.dedent(source).lstrip("\n"), path, select=select, classes=classes)


def codes(source: str, select: list[str], path: str = "app/module.py") -> list[tuple[str, int]]:
    return [(f.code, f.line) for f in findings(source, select, path) if f.viewpoint != "diagnostic"]


# ---------------------------------------------------------------------------- credential names
@pytest.mark.parametrize(
    "name",
    ["SECRET_KEY", "db_password", "accessToken", "STRIPE_API_KEY", "apikey", "APIKEY", "client_secret", "pwd",
     "aws_secret_access_key", "signing_key", "id_token", "refresh-token", "GITHUB_TOKEN", "credentials", "privateKey"],
)
def test_credential_names(name):
    assert credentials.is_credential_name(name)


@pytest.mark.parametrize(
    "name",
    ["token_url", "password_field", "API_KEY_HEADER", "TOKEN_TYPE", "tokenUrl", "secret_name", "page_token",
     "next_token", "next_page_token", "continuation_token", "sync_token", "csrf_token", "CSRF_TOKEN", "key",
     "token_count", "max_tokens", "passwordless", "secretary", "eos_token", "SECRET_KEY_ENV"],
)
def test_not_credential_names(name):
    assert not credentials.is_credential_name(name)


@pytest.mark.parametrize("value", ["", "   ", "<your-key>", "xxx", "...", "${DB_PASSWORD}", "****", "your-api-key-here",
                                   "SECRET_KEY", "https://auth.example.org/token", "Reset your password"])
def test_not_secret_values(value):
    assert not credentials.is_secret_value(value, "api_key")


@pytest.mark.parametrize("value", ["changeme", "hunter2!", "sk_live_51H8x2LkQ3b9", "django-insecure-8f2k$w1!q", "admin"])
def test_secret_values(value):
    assert credentials.is_secret_value(value, "password")


def test_known_credential_formats():
    assert credentials.known_credential_format("AKIAZ7QRSTUVWXYZ1234") == "AWS access key id"
    assert credentials.known_credential_format("ghp_" + "a1B2" * 9) == "GitHub token"
    assert credentials.known_credential_format("xoxb-123456789012-abcdefghijklmnop") == "Slack token"
    pem = "-----BEGIN RSA PRIVATE KEY-----\n" + "MIIEowIBAAKCAQEA" * 6 + "\n-----END RSA PRIVATE KEY-----"
    assert credentials.known_credential_format(pem) == "private key"
    # a header alone (a parser's constant) and the documented example key are not credentials
    assert credentials.known_credential_format("-----BEGIN PRIVATE KEY-----") is None
    assert credentials.known_credential_format("AKIAIOSFODNN7EXAMPLE") is None


# ---------------------------------------------------------------------------- SEC006 scoping
def test_sec006_pem_key_anywhere():
    pem = "-----BEGIN PRIVATE KEY-----\\n" + "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC" * 3 + "\\n-----END PRIVATE KEY-----"
    assert codes(f'KEY_MATERIAL = ["{pem}"]\n', ["SEC006"]) == [("SEC006", 1)]


def test_sec006_and_sec007_skip_test_files():
    source = "DEBUG = True\nDB_PASSWORD = 'Zx81-ab_92kf'\n"
    assert codes(source, ["SEC006", "SEC007"], path="mysite/settings.py") == [("SEC007", 1), ("SEC006", 2)]
    assert codes(source, ["SEC006", "SEC007"], path="mysite/tests/settings.py") == []
    assert codes("DB_PASSWORD = 'Zx81-ab_92kf'\n", ["SEC006"], path="shop/tests.py") == []


# ---------------------------------------------------------------------------- SQL / shell sinks
def test_sql_and_shell_sinks_are_shared_classifiers():
    module = cst.parse_module("cursor.execute(f'SELECT * FROM t WHERE a = {x}')\nos.system(cmd)\n")
    from reviewlint.engine.context import FileContext

    ctx = FileContext("m.py", module.code, module)
    ctx._bind("os", __import__("reviewlint.engine.context", fromlist=["Binding"]).Binding("import", "os"))
    first = module.body[0].body[0].value
    second = module.body[1].body[0].value
    sink = sinks.sql_sink(ctx, first)
    assert sink is not None and sink.label == ".execute()"
    building = sinks.string_building(ctx, sink.queries[0])
    assert building is not None and building.kind == sinks.F_STRING
    assert sinks.sql_slot_position(building.slots[0]) == sinks.VALUE
    shell = sinks.shell_sink(ctx, second)
    assert shell is not None and shell.label == "os.system()"


class _ClaimsEverySink(Rule):
    """Stands in for SEC005: claims every SQL/shell sink it sees.

    ## What it does
    test helper
    ## Why it matters
    test helper
    ## Example
    x
    ## Use instead
    y
    """

    code = "ZZZ901"
    name = "claims-every-sink"
    viewpoint = Viewpoint.SECURITY

    def visit_Call(self, node: cst.Call) -> None:
        if sinks.sql_sink(self.context, node) or sinks.shell_sink(self.context, node):
            sinks.claim_sink(self.context, node, self.code)
            self.report(node, "claimed")


def test_a_claimed_sink_is_not_reported_again():
    from reviewlint.rules.security.sec001_sql_built_from_strings import SqlBuiltFromStrings
    from reviewlint.rules.security.sec002_shell_injection import ShellInjection

    source = """
        import os

        def f(cursor, name, host):
            cursor.execute(f"SELECT * FROM users WHERE name = '{name}'")
            os.system("ping " + host)
    """
    alone = findings(source, ["SEC001", "SEC002"], classes=[SqlBuiltFromStrings, ShellInjection])
    assert sorted(f.code for f in alone) == ["SEC001", "SEC002"]
    together = findings(source, ["SEC001", "SEC002", "ZZZ901"],
                        classes=[SqlBuiltFromStrings, ShellInjection, _ClaimsEverySink])
    assert sorted(f.code for f in together) == ["ZZZ901", "ZZZ901"]


def test_sec001_django_backend_identifier_sql_is_not_flagged():
    source = """
        def _create_test_db(self, cursor, parameters):
            cursor.execute("CREATE DATABASE %(dbname)s %(suffix)s" % parameters)

        def sequence_reset(self, cursor, table, column):
            cursor.execute("SELECT setval(pg_get_serial_sequence('%s','%s'), 1)" % (self.quote_name(table), column_name))

        def count(self, cursor, table_name):
            cursor.execute(f'SELECT COUNT(*) FROM "{table_name}"')
    """
    assert codes(source, ["SEC001"]) == []


def test_sec002_shell_list_with_literal_program():
    assert codes("import subprocess\nsubprocess.run(['ls', '-l'], shell=True)\n", ["SEC002"]) == []


# ---------------------------------------------------------------------------- JWT: one problem, one finding
def test_jwt_rules_do_not_double_report():
    source = """
        import jwt

        def f(request):
            return jwt.decode(request.headers["X-Token"], "k3y-material", options={"verify_signature": False, "verify_exp": False})
    """
    assert codes(source, ["AUTH003", "AUTH004", "AUTH005"]) == [("AUTH003", 4)]


def test_auth003_token_sources():
    """Unverified decodes matter for request tokens and for claims that decide access; the program's
    own OAuth token, as the provider's token endpoint returned it, is not attacker input."""
    request_token = """
        import jwt
        from fastapi import APIRouter, Header

        router = APIRouter()

        @router.get("/me")
        def me(authorization: str):
            scheme, _, token = authorization.partition(" ")
            return jwt.decode(token, options={"verify_signature": False})["sub"]
    """
    assert codes(request_token, ["AUTH003"]) == [("AUTH003", 9)]
    own_token = """
        import jwt
        import requests

        def user_id(code):
            answer = requests.post("https://idp.example/token", data={"code": code}, timeout=5).json()
            return jwt.decode(answer["id_token"], options={"verify_signature": False})["sub"]
    """
    assert codes(own_token, ["AUTH003"]) == []
    own_token_roles = """
        import jwt

        def roles(session):
            claims = jwt.decode(session.token["id_token"], options={"verify_signature": False})
            return claims.get("roles", [])
    """
    assert codes(own_token_roles, ["AUTH003"]) == [("AUTH003", 4)]


def test_auth006_uses_sec006_name_rule():
    source = """
        import requests

        def f(csrf_token, secret_token):
            requests.get(f"https://x.org/a?csrf_token={csrf_token}", timeout=5)
            requests.get(f"https://x.org/a?t={secret_token}", timeout=5)
    """
    assert codes(source, ["AUTH006"]) == [("AUTH006", 5)]


# ---------------------------------------------------------------------------- credential values
@pytest.mark.parametrize("value", ["vpv1", "eChargeToday", "bmsSOC", "pPv1", "bdc1DischargePower", "etouser_combined",
                                   "wdisChargeSOCLowLimit", "oauth2_jwt_secret"])
def test_identifier_like_values(value):
    assert credentials.looks_like_identifier(value)


@pytest.mark.parametrize("value", ["k6QaiQmcTm2zfaNns5L1Z8duBtJmhDOW8JawlCC3", "FPPTH34D4E3MI2HG", "Zx81-ab_92kf",
                                   "a8f5f167f44f4964e6c998dee827110c", "PHES7U2RADREWAFEBUSTUBAWRASWUTUS",
                                   "sk_live_51H8x2LkQ3b9", "eyJhbGciOiJIUzI1NiJ9"])
def test_random_values_are_not_identifiers(value):
    assert not credentials.looks_like_identifier(value)


def test_issued_and_chosen_credentials():
    assert credentials.credential_kind("api_key") == credentials.ISSUED
    assert credentials.credential_kind("accessToken") == credentials.ISSUED
    assert credentials.credential_kind("SECRET_KEY") == credentials.CHOSEN
    assert credentials.credential_kind("db_password") == credentials.CHOSEN
    # a field name or a short code is no issued key; any word can be a chosen secret
    assert not credentials.is_secret_value("eChargeToday", "api_key")
    assert not credentials.is_secret_value("vpv1", "api_key")
    assert credentials.is_secret_value("dev", "SECRET_KEY")
    assert credentials.is_secret_value("tester", "password")
    # fillers and SDK dummies
    assert not credentials.is_secret_value("00000000000000000000000000000001", "DEFAULT_TOKEN")
    assert not credentials.is_secret_value("sk-no-key-required", "api_key")
    assert not credentials.is_secret_value("unused", "api_key")


@pytest.mark.parametrize("path,expected", [
    ("ckan/lib/create_test_data.py", True), ("app/users/factories.py", True), ("nautobot/core/testing/integration.py", True),
    ("app/fixtures.py", True), ("app/users/views.py", False), ("app/latest.py", False),
])
def test_fixture_modules(path, expected):
    source = "def create(model):\n    model.User(name='a', password='s3cr3t-Pa55!')\n"
    assert bool(codes(source, ["SEC006"], path=path)) is not expected


def test_auth003_follows_the_helpers_callers():
    """A helper decoding its parameter: judged by what the file's callers pass."""
    own = """
        import jwt

        class Flow:
            def _user_id(self, encoded):
                return jwt.decode(encoded, options={"verify_signature": False})["userId"]

            async def create_entry(self, data):
                return self._user_id(data["token"]["access_token"])
    """
    assert codes(own, ["AUTH003"]) == []
    from_request = """
        import jwt
        from flask import request

        def _claims(token):
            return jwt.decode(token, options={"verify_signature": False})

        def view():
            return _claims(request.cookies["session"])["sub"]
    """
    assert codes(from_request, ["AUTH003"]) == [("AUTH003", 5)]


def test_sec004_one_finding_per_context_and_pinning():
    both = """
        import ssl

        def context():
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            return ctx
    """
    assert codes(both, ["SEC004"]) == [("SEC004", 5)]
    pinned = """
        import ssl

        def context(cadata):
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(cadata=cadata)
            return ctx
    """
    assert codes(pinned, ["SEC004"]) == []


def test_sec001_provenance_of_parts():
    """Parts that cannot carry data: the project's quoting helpers, lists of quoted parts joined,
    Enum members, DB-generated values, SQLAlchemy-compiled DDL, EXPLAIN of a whole statement."""
    safe = """
        import sqlalchemy as sa

        def literal_string(s):
            return "'" + s.replace("'", "''") + "'"

        def identifier(s):
            return '"' + s.replace('"', '""') + '"'

        def comments(conn, table, cols):
            info = []
            for col in cols:
                info.append("COMMENT ON COLUMN {0}.{1} IS {2}".format(identifier(table), identifier(col), literal_string(col)))
            conn.execute(sa.text(";".join(info)))

        def kind(conn, id):
            conn.execute(sa.text(f"SELECT relkind FROM pg_class WHERE relname = {literal_string(id)}"))

        def kill(cursor, admin):
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
            admin.execute(f"SELECT pg_terminate_backend({pid})")

        def plan(cursor, statement):
            cursor.execute(f"EXPLAIN {statement}")
    """
    assert codes(safe, ["SEC001"]) == []
    unsafe = """
        def find(cursor, key, value):
            query = "SELECT id FROM docs WHERE JSON_VALUE(meta, '$." + key + "') = :v"
            cursor.execute(query, {"v": value})
    """
    found = findings(unsafe, ["SEC001"])
    assert [f.line for f in found] == [3] and "from `key`:" in found[0].message
