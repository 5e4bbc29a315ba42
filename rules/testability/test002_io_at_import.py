from __future__ import annotations

import os

import libcst as cst

from reviewlint.analysis import db as db_analysis
from reviewlint.analysis import entry_points
from reviewlint.analysis.calls import callee_text
from reviewlint.knowledge import http
from reviewlint.rule import Invalid, Rule, Severity, Valid, Viewpoint

#: module functions that open a network database connection when called
_DB_CONNECT = frozenset(
    {"psycopg2.connect", "psycopg.connect", "psycopg.Connection.connect", "pymysql.connect", "MySQLdb.connect",
     "mysql.connector.connect", "asyncpg.connect", "asyncpg.create_pool"}
)


class IoAtImport(Rule):
    """A network or database call that runs when the module is imported.

    ## What it does
    Flags an HTTP request (any call of the shared HTTP knowledge: `requests`, `httpx`, `aiohttp`,
    `urllib3`, `urllib.request.urlopen`, `http.client`) or a DB call (Django ORM queries,
    SQLAlchemy, DB-API cursors, asyncpg, pymongo, and connecting with `psycopg2.connect()` and
    friends) at module level: outside functions and outside `if __name__ == "__main__":`.
    Class bodies run at import too and are included.

    Not flagged: calls inside functions and lambdas, the main block, `__main__.py` and files
    under the script folders (`scripts/**`, `bin/**`, `tools/**`), which are programs rather
    than modules, and building a client without using it (`client = httpx.Client()` does no I/O).

    ## Why it matters
    Importing the module needs the network (or the database): test collection fails or hangs
    offline, every process that imports it (a CLI, a migration, a worker) pays the round trip,
    and a slow dependency turns into a slow or failing start-up with a confusing traceback.

    ## Example
    ```python
    import requests

    FEATURES = requests.get("https://flags.internal/api/features", timeout=5).json()
    ```

    ## Use instead
    ```python
    import functools
    import requests

    @functools.cache
    def features() -> dict:
        return requests.get(settings.flags_url, timeout=5).json()
    ```
    """

    code = "TEST002"
    name = "io-at-import"
    opt_in = True  # judged precision on real code below 0.8: docs/precision.md
    viewpoint = Viewpoint.TESTABILITY
    severity = Severity.WARNING
    skip_roles = frozenset({"example", "generated", "migration", "script", "test"})
    message = "network/DB call at import time: move it into a function called at startup"

    valid = [
        "import requests\n\ndef features():\n    return requests.get('https://x.org/f', timeout=5).json()\n",
        "import requests\n\nif __name__ == '__main__':\n    print(requests.get('https://x.org/f', timeout=5).text)\n",
        # a lambda runs later
        "import requests\nfetch = lambda u: requests.get(u, timeout=5)\n",
        # building a client is not I/O
        "import httpx\nclient = httpx.Client(base_url='https://x.org')\n",
        # scripts are programs
        Valid("import requests\nprint(requests.get('https://x.org/f', timeout=5).text)\n", path="scripts/dump.py"),
        Valid("import requests\nprint(requests.get('https://x.org/f', timeout=5).text)\n", path="mytool/__main__.py"),
        # an unknown object's get
        "config = load()\nvalue = config.get('x')\n",
    ]
    invalid = [
        Invalid("import requests\n\nFEATURES = requests.get('https://x.org/f', timeout=5).json()\n", line=3,
                message="`requests.get()` runs when the module is imported"),
        Invalid("import httpx\nclient = httpx.Client()\nresp = client.post('https://x.org/register')\n", line=3),
        Invalid("from urllib.request import urlopen\n\nclass Geo:\n    DATA = urlopen('https://x.org/geo.json', timeout=3).read()\n",
                line=4),
        Invalid("import psycopg2\nconn = psycopg2.connect('dbname=app')\n", line=2, message="`psycopg2.connect()`"),
        Invalid("import sqlite3\nconn = sqlite3.connect('app.db')\ncur = conn.cursor()\ncur.execute('SELECT 1')\n", line=4),
    ]

    def begin(self) -> None:
        self._skip_file: bool | None = None

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.context
        if ctx.functions or ctx.in_main_block:
            return
        qualname = ctx.call_name(node)
        kind = None
        if http.http_call(qualname) is not None:
            kind = "network"
        elif qualname in _DB_CONNECT or db_analysis.db_call(node, ctx) is not None:
            kind = "database"
        if kind is None or self._skipped() or any(isinstance(a, cst.Lambda) for a in ctx.ancestors):
            return
        self.report(node, f"`{callee_text(node)}()` runs when the module is imported ({kind} I/O at import): "
                          "move it into a function called at startup, so importing (and testing) needs no "
                          f"{'network' if kind == 'network' else 'database'}")

    def _skipped(self) -> bool:
        if self._skip_file is None:
            ctx = self.context
            self._skip_file = os.path.basename(ctx.path) == "__main__.py" or entry_points._in_script_path(
                ctx, entry_points.DEFAULT_SCRIPT_PATHS)
        return self._skip_file
