from __future__ import annotations

import re

import libcst as cst

from reviewlint.analysis import db as dba
from reviewlint.analysis.calls import argument, callee_text, code_of
from reviewlint.knowledge import db
from reviewlint.rule import Invalid, Rule, Severity, Viewpoint

#: methods that take SQL as their first argument whatever the receiver (a literal that starts
#: with ``SELECT`` makes the receiver a database handle beyond reasonable doubt)
_SQL_METHODS = frozenset(
    {"execute", "executemany", "executescript", "exec_driver_sql", "fetch", "fetchrow", "fetchval", "raw"}
)


#: the rows are handed on whole: every column reaches the caller
_WHOLE_ROW_MARKERS = (".mappings()", "._mapping", "._asdict()", "dict(row", "dict(r)", "dict(zip(", "map(dict,", ".description",
                      "read_sql", "RealDictCursor", "DictCursor", "row_factory")
#: a probe of a table or of the catalog: one row or an existence test, nothing to name
_PROBE_RE = re.compile(r"\blimit\s+[01]\b|\b(information_schema|pg_catalog|pg_tables|pg_class|sqlite_master|sqlite_schema)\b",
                       re.IGNORECASE)


def _probe(text: str | None) -> bool:
    return bool(text) and _PROBE_RE.search(text) is not None


class SelectStar(Rule):
    """`SELECT *` sent to the database.

    ## What it does
    Flags a SQL string literal of the form `SELECT * FROM <table>` passed to a DB call
    (DB-API `cursor.execute`, `connection.execute`, SQLAlchemy `execute`/`exec_driver_sql`,
    asyncpg `fetch*`/`execute`, Django `Model.objects.raw()`) or to SQLAlchemy `text()`, also
    through a local variable holding the literal.

    Not flagged: `COUNT(*)`, `SELECT t.*`, a star in a sub-select or CTE
    (`EXISTS (SELECT * ...)`), `SELECT * FROM (subquery)` (the subquery names the columns),
    and a table known only at run time (`f"SELECT * FROM {table}"`: generic table-level code
    cannot name columns); probes (`LIMIT 1`/`LIMIT 0`, the catalog: `information_schema`,
    `pg_tables`, `sqlite_master`); and functions that hand the rows on whole (`dict(row)`,
    `row._mapping`, `.mappings()`, the column names from `cursor.description`): every column
    is used there.

    ## Why it matters
    `SELECT *` fetches every column, including the large ones nobody reads (blobs, JSON,
    text), defeats covering indexes, and changes meaning when a column is added: code that
    unpacks rows by position breaks silently after a migration. It is the SQL form of
    over-fetching.

    ## Example
    ```python
    cur.execute("SELECT * FROM orders WHERE customer_id = %s", (customer_id,))
    ```

    ## Use instead
    ```python
    cur.execute("SELECT id, total, status FROM orders WHERE customer_id = %s", (customer_id,))
    ```
    """

    code = "PERF004"
    name = "select-star"
    viewpoint = Viewpoint.PERFORMANCE
    severity = Severity.INFO
    skip_roles = frozenset({"generated", "migration", "script", "test"})
    message = "`SELECT *` fetches every column: name the columns you use"

    valid = [
        "import sqlite3\nconn = sqlite3.connect('x.db')\nconn.execute('SELECT id, name FROM users WHERE id = ?', (1,))\n",
        # aggregates and qualified stars
        "def f(cur):\n    cur.execute('SELECT COUNT(*) FROM users')\n    cur.execute('SELECT u.* FROM users u')\n",
        # a star only inside a sub-select / CTE / EXISTS
        "def f(cur):\n    cur.execute('SELECT id FROM t WHERE EXISTS (SELECT * FROM u WHERE u.t_id = t.id)')\n"
        "    cur.execute('SELECT * FROM (SELECT id, name FROM t) AS sub')\n",
        # the table is only known at run time
        "def dump(cur, table):\n    cur.execute(f'SELECT * FROM {table}')\n",
        # not SQL, not a DB call
        "import re\nre.compile('SELECT * FROM')\nprint('SELECT * FROM users')\n",
        # a probe of a table or of the catalog: one row or an existence test
        "def readable(conn, name):\n    try:\n        conn.execute('SELECT * FROM sheet LIMIT 1').fetchall()\n        return True\n"
        "    except Exception:\n        return False\n",
        "def exists(conn, name):\n    return bool(conn.execute(\"SELECT * FROM pg_tables WHERE tablename = %s\", (name,)).fetchone())\n",
        # every column is handed on: the rows are returned whole
        "def records(conn):\n    return [dict(row._mapping) for row in conn.execute('SELECT * FROM datastore_records')]\n",
        # an INSERT ... SELECT copies rows inside the database
        "def f(cur):\n    cur.execute('INSERT INTO archive SELECT * FROM orders WHERE closed')\n",
    ]
    invalid = [
        Invalid(
            "import psycopg2\n\ndef orders(conn, customer_id):\n    with conn.cursor() as cur:\n"
            "        cur.execute('SELECT * FROM orders WHERE customer_id = %s', (customer_id,))\n",
            line=5, message="`cur.execute()`", count=1,
        ),
        Invalid(
            "from sqlalchemy import text\n\nQUERY = text('''\n    SELECT *\n    FROM users\n    WHERE email = :email\n''')\n",
            line=3, message="name the columns",
        ),
        Invalid(
            "import asyncpg\n\nasync def f(pool: asyncpg.Pool, uid):\n    sql = 'select * from users where id = $1'\n"
            "    return await pool.fetchrow(sql, uid)\n",
            line=5,
        ),
        Invalid(
            "from blog.models import Post\n\ndef f():\n    return Post.objects.raw('SELECT * FROM blog_post WHERE published')\n",
            line=4,
        ),
        # one finding for `execute(text(...))`: at the `text()`
        Invalid(
            "import sqlalchemy as sa\n\ndef f(conn: sa.engine.Connection):\n"
            "    return conn.execute(sa.text('SELECT * FROM users')).all()\n",
            line=4, count=1, message="`sa.text()`",
        ),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.context
        statement = self._statement(node)
        if statement is None:
            return
        if isinstance(statement, cst.Call) and ctx.call_name(statement) in db.SA_TEXT:
            return  # reported at the `text()` call itself
        text = dba.sql_text(statement, ctx)
        if not db.has_select_star(text):
            return
        if _probe(text) or self._rows_passed_on_whole():
            return
        shown = callee_text(node)
        self.report(
            node,
            f"`SELECT *` in `{shown}()` fetches every column: name the columns you use "
            "(less I/O, covering indexes, no surprise when a column is added)",
        )

    def _rows_passed_on_whole(self) -> bool:
        """The function hands every column on (``dict(row)``, ``row._mapping``, ``.mappings()``,
        the column names from ``cursor.description``): every column is used, there is none to drop."""
        ctx = self.context
        func = ctx.function
        if func is None:
            return False
        key = ("perf004_whole_rows", id(func))
        if key not in ctx.memo:
            code = code_of(func)
            ctx.memo[key] = any(marker in code for marker in _WHOLE_ROW_MARKERS)
        return ctx.memo[key]

    def _statement(self, node: cst.Call) -> cst.BaseExpression | None:
        ctx = self.context
        if ctx.call_name(node) in db.SA_TEXT:
            return argument(node, 0, "text")
        func = node.func
        if not isinstance(func, cst.Attribute):
            return None
        found = dba.db_call(node, ctx)
        if found is not None:
            return found.statement
        if func.attr.value in _SQL_METHODS:
            first = argument(node, 0, None)
            text = dba.sql_text(first, ctx)
            if db.sql_kind(text) == db.READ:
                return first
        return None
