from __future__ import annotations

import libcst as cst

from reviewlint.analysis import db as dba
from reviewlint.analysis.calls import argument, callee_text
from reviewlint.knowledge import db
from reviewlint.rule import Invalid, Rule, Severity, Viewpoint

#: methods that take SQL as their first argument whatever the receiver (a literal that starts
#: with ``SELECT`` makes the receiver a database handle beyond reasonable doubt)
_SQL_METHODS = frozenset(
    {"execute", "executemany", "executescript", "exec_driver_sql", "fetch", "fetchrow", "fetchval", "raw"}
)


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
    cannot name columns).

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
    opt_in = True  # judged precision on real code below 0.8: docs/precision.md
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
        shown = callee_text(node)
        self.report(
            node,
            f"`SELECT *` in `{shown}()` fetches every column: name the columns you use "
            "(less I/O, covering indexes, no surprise when a column is added)",
        )

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
