from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from reviewlint.analysis.calls import string_pieces, string_value
from reviewlint.rule import Invalid, Rule, Severity, Viewpoint

#: a version path segment: ``/v1/``, ``/v2`` at the end, ``/api/v3?x``, ``/v1.2/``
_VERSION_SEGMENT = re.compile(r"/(v\d{1,3}(?:\.\d{1,3})?)(?=[/?#]|$)")
_INSPECTING_METHODS = frozenset(
    {"endswith", "startswith", "removesuffix", "removeprefix", "replace", "strip", "rstrip", "lstrip", "split",
     "rsplit", "partition", "rpartition", "find", "rfind", "index", "rindex", "count", "match", "search", "fullmatch", "sub"}
)
_UPPER_CASE = re.compile(r"^_*[A-Z][A-Z0-9_]*$")


@dataclass
class _Occurrence:
    node: cst.CSTNode
    text: str


def _literal_text(node: cst.BaseExpression) -> str | None:
    """The literal text of a string (f-string placeholders as ``{}``), or None for bytes."""
    texts = []
    for piece in string_pieces(node):
        if isinstance(piece, cst.FormattedString):
            texts.append("".join(p.value if isinstance(p, cst.FormattedStringText) else "{}" for p in piece.parts))
            continue
        value = string_value(piece)
        if value is None:
            return None
        texts.append(value)
    return "".join(texts)


class HardcodedApiVersion(Rule):
    """The same API version written into several strings of one file.

    ## What it does
    Counts the string literals (plain or f-string) of a file that hard-code an API version
    path segment (`/v1/`, `/v2`, `/api/v3/`, `/v1.2/` …). When one version appears in two
    or more of them, one finding per file and version is reported, at the second string (the
    first one is where the constant would go), with the number of strings.

    Only request paths and URLs count: absolute URLs and paths starting with `/`, and relative
    paths passed to a call (`path("api/v1/users/")`). Prose that mentions a version (a message,
    anything with spaces) and identifiers with a version in them (`llm/v1/chat`) do not.

    Versions are counted per API: the same version in URLs of different domains
    (`https://www.loom.com/v1/…`, `https://www.ted.com/v1/…`) is not one thing to change;
    relative paths and URLs with a placeholder host count together.

    Not counted: strings that examine a version rather than hard-code it (comparisons,
    `url.endswith("/v2")`, `.removesuffix("/v1")`, `for suffix in ("/api/v1", "/v1"):`), a module-level (or class-level) UPPER_CASE constant, which already is the one
    place (`API_V2 = "/api/v2"`, also a mapping of such paths), docstrings, bytes, and a version
    that is not a path segment (`application/vnd.github.v3+json`, `uuid-v4`).

    ## Why it matters
    Moving to `/v3` should be one edit. With the version spelled out in every call, the
    upgrade is a search-and-replace that misses one call, and the service ends up talking to
    two API versions at once.

    ## Example
    ```python
    def user(client, uid):
        return client.get(f"/api/v2/users/{uid}")

    def orders(client, uid):
        return client.get(f"/api/v2/users/{uid}/orders")
    ```

    ## Use instead
    ```python
    API = "/api/v2"

    def user(client, uid):
        return client.get(f"{API}/users/{uid}")
    ```
    """

    code = "MAINT002"
    name = "hardcoded-api-version"
    opt_in = True  # judged precision on real code below 0.8: docs/precision.md
    viewpoint = Viewpoint.MAINTAINABILITY
    severity = Severity.INFO
    skip_roles = frozenset({"example", "generated", "migration", "test"})
    message = "API version hard-coded again: put the versioned base path in one constant"

    valid = [
        # once is fine
        "def user(client, uid):\n    return client.get(f'/api/v2/users/{uid}')\n",
        # module-level UPPER_CASE constants are the one place
        "API = '/api/v2'\nUSERS = '/api/v2/users'\n\ndef user(client, uid):\n    return client.get(f'{API}/users/{uid}')\n",
        "ENDPOINTS = {'users': '/v1/users', 'orders': '/v1/orders'}\n",
        "class Api:\n    BASE = 'https://api.acme.io/v1'\n    USERS = 'https://api.acme.io/v1/users'\n",
        # docstrings do not count
        "def f(client):\n    '''Calls /v1/users.'''\n    return client.get('/v1/users')\n",
        # not a path segment
        "H1 = {'Accept': 'application/vnd.github.v3+json'}\nh2 = {'Accept': 'application/vnd.github.v3+json'}\n"
        "ids = ['uuid-v4', 'uuid-v4']\n",
        # different versions are not the same hard-coded version
        "def f(client):\n    client.get('/v1/legacy')\n    client.get('/v2/users')\n",
        # the same version of different APIs (hosts) is not one thing to change
        "PROVIDERS = []\nflourish = {'endpoint': 'https://app.flourish.studio/api/v1/oembed'}\n"
        "loom = {'endpoint': 'https://www.loom.com/v1/oembed'}\nted = {'endpoint': 'https://www.ted.com/services/v1/oembed'}\n",
        # code that examines a version, not hard-codes one
        "def strip(url):\n    for suffix in ('/api/v1', '/v1'):\n        if url.endswith('/v1') or url == '/api/v1':\n"
        "            return url.removesuffix('/v1')\n",
        # bytes
        "def f(sock):\n    sock.send(b'GET /v1/a')\n    sock.send(b'GET /v1/b')\n",
        # prose and identifiers are not request paths
        "def f(x):\n    assert x, 'the /v1/users endpoint must not leak keys'\n    log.info('calling /v1/users now')\n",
        "KINDS = {}\nkinds = {'chat': 'llm/v1/chat', 'embed': 'llm/v1/embed'}\n",
    ]
    invalid = [
        Invalid("def user(client, uid):\n    return client.get(f'/api/v2/users/{uid}')\n\n"
                "def orders(client, uid):\n    return client.get(f'/api/v2/users/{uid}/orders')\n",
                line=5, count=1, message="`/v2/`"),
        Invalid("import requests\nrequests.get('https://api.acme.io/v1/a', timeout=3)\n"
                "requests.get('https://api.acme.io/v1/b', timeout=3)\nrequests.get('https://api.acme.io/v1/c', timeout=3)\n",
                line=3, count=1, message="hard-coded in 3 strings of this file"),
        Invalid("def f(base):\n    a = base + '/v3'\n    b = base + '/v3/items?x=1'\n", line=3, count=1),
        Invalid("from django.urls import path\n\nurlpatterns = [\n    path('api/v1/users/', users),\n"
                "    path('api/v1/orders/', orders),\n]\n", line=5),
        # a lower-case module-level name is an occurrence
        "base = '/v1/a'\nother = '/v1/b'\n",
    ]

    def begin(self) -> None:
        #: (domain of the URL or "" for a path, version) → its strings, in order
        self._seen: dict[tuple[str, str], list[_Occurrence]] = {}

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self._string(node)

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        self._string(node)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        self._string(node)

    def _string(self, node: cst.CSTNode) -> None:
        ctx = self.context
        parent = ctx.parent
        if isinstance(parent, cst.ConcatenatedString):
            return  # counted as a whole
        if isinstance(node, cst.SimpleString) and "/v" not in node.value:
            return
        text = _literal_text(node)
        if not text or "/v" not in text:
            return
        versions = {m.group(1) for m in _VERSION_SEGMENT.finditer(text)}
        if not versions or not self._is_request_path(text, parent):
            return
        if self._is_docstring(node) or self._in_named_constant() or self._is_inspection(node):
            return
        domain = _domain(text)
        for version in sorted(versions):
            self._seen.setdefault((domain, version), []).append(_Occurrence(node, text))

    @staticmethod
    def _is_request_path(text: str, parent: cst.CSTNode | None) -> bool:
        """A URL or a request path, not prose (a message that mentions `/v1/`) nor an identifier
        that merely has a version in it (`llm/v1/chat`): absolute URLs and paths that start with
        `/` count anywhere; a relative path only as a call's argument (`path("api/v1/users/")`)."""
        stripped = text.strip()
        if not stripped or any(ch.isspace() for ch in stripped):
            return False
        if stripped.startswith("/") or _HOST.match(stripped):
            return True
        return isinstance(parent, cst.Arg)

    def _is_docstring(self, node: cst.CSTNode) -> bool:
        ancestors = self.context.ancestors
        if len(ancestors) < 3:
            return False
        expr, line = ancestors[-2], ancestors[-3]
        return isinstance(expr, cst.Expr) and isinstance(line, cst.SimpleStatementLine) and expr.value is node

    def _is_inspection(self, node: cst.CSTNode) -> bool:
        """The string examines a version instead of hard-coding one: a comparison, ``url.endswith('/v2')``,
        ``for suffix in ('/api/v1', '/v1'):``."""
        ancestors = self.context.ancestors
        child: cst.CSTNode = node
        # the enclosing comparison, call or loop is a few levels up; do not climb a chain of
        # thousands of `+` operands for each of its strings
        for i in range(len(ancestors) - 2, max(len(ancestors) - 66, -1), -1):
            parent = ancestors[i]
            if isinstance(parent, (cst.SimpleStatementLine, cst.IndentedBlock, cst.Module)):
                return False
            if isinstance(parent, cst.Comparison):
                return True
            if isinstance(parent, cst.Call) and child is not parent.func and isinstance(parent.func, cst.Attribute) \
                    and parent.func.attr.value in _INSPECTING_METHODS:
                return True
            if isinstance(parent, (cst.For, cst.CompFor)) and child is parent.iter:
                return True
            if isinstance(parent, (cst.If, cst.While)) and child is parent.test:
                return False
            child = parent
        return False

    def _in_named_constant(self) -> bool:
        """Inside the value of a module- or class-level ``UPPER_CASE = ...``."""
        ctx = self.context
        if ctx.functions:
            return False
        for node in ctx.ancestors:
            if isinstance(node, cst.Assign):
                return all(isinstance(t.target, cst.Name) and _UPPER_CASE.match(t.target.value) for t in node.targets)
            if isinstance(node, cst.AnnAssign):
                return isinstance(node.target, cst.Name) and bool(_UPPER_CASE.match(node.target.value))
        return False

    def leave_Module(self, node: cst.Module) -> None:
        # one finding per API version and file, at the second string: one constant fixes them all
        reported: set[int] = set()
        for (_domain_name, version), occurrences in sorted(self._seen.items()):
            if len(occurrences) < 2 or id(occurrences[1].node) in reported:
                continue
            reported.add(id(occurrences[1].node))
            self.report(occurrences[1].node,
                        f"API version `/{version}/` is hard-coded in {len(occurrences)} strings of this file (first "
                        f"`{_short(occurrences[0].text)}`): put the versioned base path in one constant")


_HOST = re.compile(r"^[a-z][a-z0-9+.-]*://(?:[^@/?#]*@)?([^/:?#]+)", re.IGNORECASE)


def _domain(text: str) -> str:
    """The registered domain of an absolute URL (last two labels), or "" for a path."""
    match = _HOST.match(text)
    if match is None:
        return ""
    labels = match.group(1).lower().split(".")
    return ".".join(labels[-2:])


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())  # messages are one line
    return text if len(text) <= limit else text[: limit - 1] + "…"
