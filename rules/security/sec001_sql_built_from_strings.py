from __future__ import annotations

import re

import libcst as cst

from reviewlint.analysis import sinks
from reviewlint.analysis.calls import callee_text
from reviewlint.rule import Invalid, Rule, Severity, Valid, Viewpoint


class SqlBuiltFromStrings(sinks.DeferredSinkRule, Rule):
    """SQL text built with an f-string, `%`, `.format()` or `+` from values.

    ## What it does
    Flags DB calls that take raw SQL — DB-API `cursor.execute`/`executemany`/`executescript`,
    SQLAlchemy `connection.execute`/`session.execute`/`exec_driver_sql` and `text()`, asyncpg
    `fetch`/`fetchrow`/`fetchval`, Django `Manager.raw()`, `QuerySet.extra()` and `RawSQL` —
    whose query is an f-string, a `%`-format, a `.format()` call or a concatenation with a
    non-literal part, directly or through a local variable (`sql = f"..."; cur.execute(sql)`).

    The rule is about values in SQL text. Not flagged: parameters passed separately
    (`cur.execute("... = %s", [user_id])`, also a `WHERE {clause}` composed from pieces
    when the values go as parameters), `psycopg.sql.SQL(...).format(sql.Identifier(...))`,
    and parts that cannot carry data: identifiers quoted by `quote_name()`/`qn()`/
    `quote_ident()`, parts in identifier positions (`FROM {table}`, `"{name}"`, `ALTER TABLE
    {t}`) or named as identifiers/SQL (`table_name`, `db_table`, `where_sql`, `%(suffix)s`),
    names of bind parameters (`:{param}`), numbers (`int()`, `len()`, `limit`, `count`),
    UPPER_CASE constants, placeholder lists (`", ".join(["%s"] * len(ids))`) and text made by
    this file's own helpers from literals. This keeps DB backends and migrations, which
    compile SQL from identifiers, quiet. Also not flagged: values passed through a function whose
    name says it quotes or escapes (`literal_string()`, `identifier()`, `escape_like()`), lists
    of such parts joined, Enum members (`Status.ACTIVE.value`), values the database generated
    (`cursor.fetchone()[0]`, `lastrowid`), SQL compiled by SQLAlchemy (`CreateTable(t).compile()`),
    and a keyword prefix with one whole statement (`f"EXPLAIN {statement}"`, where no parameter can
    stand for the SQL). In DDL (`CREATE`/`ALTER`/`DROP` ..., which cannot take parameters) only
    values inside quotes are reported. The message names the part the rule could not vouch for. A sink that SEC005 reports (it names the request
    value that reaches it) is not reported again here.

    ## Why it matters
    A value pasted into SQL text is SQL: a quote in a name, an id or a search term changes
    the statement (`' OR 1=1 --`). Today's value may be safe; the next caller's is not, and
    the reviewer cannot see every caller. Bound parameters are never parsed as SQL.

    ## Example
    ```python
    def find_orders(cursor, customer):
        cursor.execute(f"SELECT * FROM orders WHERE customer = '{customer}'")
    ```

    ## Use instead
    ```python
    def find_orders(cursor, customer):
        cursor.execute("SELECT * FROM orders WHERE customer = %s", [customer])
    ```
    Identifiers (table, column names) cannot be parameters: quote them
    (`psycopg.sql.Identifier`, `connection.ops.quote_name`) or pick them from an allow-list.
    """

    code = "SEC001"
    name = "sql-built-from-strings"
    opt_in = True  # judged precision on real code below 0.8: docs/precision.md
    viewpoint = Viewpoint.SECURITY
    severity = Severity.ERROR
    skip_roles = frozenset({"generated", "migration"})
    lower_roles = frozenset({"test"})
    peer_codes = frozenset({"S608", "B608"})
    message = "SQL built from strings: pass the values as query parameters"

    valid = [
        # parameters passed separately
        "def f(cursor, uid):\n    cursor.execute('SELECT * FROM users WHERE id = %s', [uid])\n",
        "def f(conn, uid):\n    conn.execute('SELECT * FROM users WHERE id = ?', (uid,))\n",
        "from sqlalchemy import text\n\ndef f(session, uid):\n    session.execute(text('SELECT * FROM users WHERE id = :id'), {'id': uid})\n",
        # psycopg's composable SQL quotes identifiers itself
        "from psycopg import sql\n\ndef f(cur, table, uid):\n"
        "    cur.execute(sql.SQL('SELECT * FROM {} WHERE id = %s').format(sql.Identifier(table)), [uid])\n",
        # quoted identifiers and numbers are not data
        "def f(cursor, connection, table):\n"
        "    cursor.execute('SELECT COUNT(*) FROM %s' % connection.ops.quote_name(table))\n",
        "def f(cursor, n):\n    cursor.execute(f'SELECT * FROM jobs LIMIT {int(n)}')\n",
        # placeholder lists built from literals
        "def f(cursor, ids):\n    placeholders = ', '.join(['%s'] * len(ids))\n"
        "    cursor.execute(f'SELECT * FROM t WHERE id IN ({placeholders})', ids)\n",
        "def f(cursor, ids):\n    cursor.execute('SELECT * FROM t WHERE id IN (%s)' % ','.join('?' * len(ids)), ids)\n",
        # constants
        "TABLE = 'events'\n\ndef f(cursor, uid):\n    cursor.execute(f'DELETE FROM {TABLE} WHERE user_id = %s', [uid])\n",
        # not SQL: an unrelated .execute() with non-SQL text
        "def f(client, name):\n    client.execute(f'hello {name}')\n",
        "def f(session, url):\n    return session.fetch(f'{url}/items')\n",
        # DDL cannot take parameters: sizes and options are configuration
        "def f(cur, self):\n    cur.execute(f'CREATE TABLE IF NOT EXISTS chunk (id INT, v VECTOR({self.dim}) NOT NULL, "
        "VECTOR INDEX (v) M={self.index_m})')\n",
        # literal SQL assembled from literals only
        "def f(cursor):\n    sql = 'SELECT id FROM t'\n    sql += ' WHERE active'\n    cursor.execute(sql)\n",
        # the project's own quoting helpers (a name that says it quotes or escapes)
        "import sqlalchemy as sa\n\ndef literal_string(s):\n    return \"'\" + s.replace(\"'\", \"''\") + \"'\"\n\n"
        "def f(conn, id):\n    conn.execute(sa.text(f'SELECT relkind FROM pg_class WHERE relname = {literal_string(id)}'))\n",
        "import sqlalchemy as sa\n\ndef f(conn, identifier, literal_string, table, rows):\n    info = []\n"
        "    for col in rows:\n        info.append('COMMENT ON COLUMN {0}.{1} IS {2}'.format(identifier(table), identifier(col), "
        "literal_string(col)))\n    conn.execute(sa.text(';'.join(info).replace(':', '\\\\:')))\n",
        # DDL from the schema, or compiled by SQLAlchemy
        "from sqlalchemy import text\n\ndef add_columns(connection, table_name, columns_def):\n"
        "    for column_def in columns_def:\n        connection.execute(text(f'ALTER TABLE {table_name} {column_def}'))\n",
        "from sqlalchemy import text\nfrom sqlalchemy.schema import CreateTable\n\ndef rebuild(session, table, engine):\n"
        "    new_sql = str(CreateTable(table).compile(engine)).strip() + ';'\n    session.execute(text(new_sql))\n",
        # a keyword prefix and one whole user-authored statement: no parameter can stand for it
        "def explain(cursor, statements):\n    for statement in statements:\n        cursor.execute(f'EXPLAIN {statement}')\n",
        # values that cannot carry data: an Enum member, an id the database generated
        "def f(cursor, admin, Status):\n    cursor.execute(f\"UPDATE t SET status = '{Status.ACTIVE.value}'\")\n"
        "    cursor.execute('SELECT pg_backend_pid()')\n    pid = cursor.fetchone()[0]\n"
        "    admin.execute(f'SELECT pg_terminate_backend({pid})')\n",
    ]
    invalid = [
        Invalid("def f(cursor, customer):\n    cursor.execute(f\"SELECT * FROM orders WHERE customer = '{customer}'\")\n",
                line=2, message="f-string"),
        Invalid("def f(cur, uid):\n    sql = 'SELECT * FROM users WHERE id = %s' % uid\n    cur.execute(sql)\n",
                line=3, message="`sql`"),
        Invalid("def f(conn, name):\n    conn.execute('SELECT * FROM t WHERE name = \\'{}\\''.format(name))\n", line=2, message=".format()"),
        Invalid("def f(db, term):\n    db.execute('SELECT * FROM t WHERE name LIKE ' + term)\n", line=2, message="concatenation"),
        Invalid("from sqlalchemy import text\n\ndef f(session, email):\n"
                "    return session.execute(text(f\"SELECT * FROM users WHERE email = '{email}'\"))\n", line=4, message="text()"),
        Invalid("from django.db.models.expressions import RawSQL\n\ndef f(qs, col):\n"
                "    return qs.annotate(val=RawSQL(f\"SELECT id FROM other WHERE code = '{code}'\", []))\n", line=4, message="RawSQL()"),
        Invalid("from app.models import User\n\ndef f(name):\n    return User.objects.raw(f\"SELECT * FROM auth_user WHERE username = '{name}'\")\n",
                line=4, message=".raw()"),
        Invalid("from app.models import Order\n\ndef f(status):\n    return Order.objects.extra(where=[f\"status = '{status}'\"])\n",
                line=4, message=".extra()"),
        Invalid("def f(cursor, uid, extra):\n    sql = 'SELECT * FROM t WHERE 1=1'\n    sql += f' AND owner = {uid}'\n    cursor.execute(sql)\n",
                line=4),
        Invalid("async def f(conn, email):\n    return await conn.fetchrow(f\"SELECT * FROM users WHERE email = '{email}'\")\n", line=2),
        # the message names the unknown value, not the expression around it
        Invalid("def f(cursor, key, value):\n    query = \"SELECT id FROM docs WHERE JSON_VALUE(meta, '$.\" + key + \"') = :v\"\n"
                "    cursor.execute(query, {'v': value})\n", line=3, message="from `key`:"),
        Invalid("def f(cursor, statement, name):\n    cursor.execute(f\"EXPLAIN {statement} -- {name}\")\n", line=2),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.context
        sinks.record_append(ctx, node)
        sink = sinks.sql_sink(ctx, node)
        if sink is None:
            return
        for query in sink.queries:
            building = sinks.string_building(ctx, query)
            if building is None:
                continue
            if _whole_statement(building):
                continue  # EXPLAIN {statement}: the value is the SQL itself, no parameter can stand for it
            ddl = bool(_DDL.match(building.literal_text))
            unsafe = [slot.expr for slot in building.slots if self._slot_is_data(slot, sink, ddl)]
            if not unsafe:
                continue
            if sink.label in _GENERIC_METHODS and not _sqlish_fragment(building.literal_text):
                continue  # an .execute()/.fetch() whose text is not recognisably SQL: a command bus, GraphQL, a URL
            parts = ", ".join(f"`{p}`" for p in sinks.dynamic_names(ctx, [_unknown_part(ctx, e) for e in unsafe[:2]]))
            via = f" (built into `{building.via}`)" if building.via else ""
            self._defer(node, f"`{callee_text(node)}()` runs SQL built by {building.kind}{via} from {parts}: "
                              f"pass the values as query parameters, quote identifiers")
            break

    def _slot_is_data(self, slot: sinks.Slot, sink: sinks.SqlSink, ddl: bool) -> bool:
        """Could this dynamic part put a value (data) into the SQL text?"""
        ctx = self.context
        if sinks.sql_part_is_safe(ctx, slot.expr):
            return False
        position = sinks.sql_slot_position(slot)
        if position in (sinks.PARAM_NAME, sinks.IDENTIFIER):
            return False  # a bind parameter's name, a table/column name: identifiers cannot be parameters
        if sinks.names_sql_identifier(slot.expr) or (slot.key and sinks.names_sql_identifier(cst.Name(slot.key))):
            return False  # `table_name`, `where_sql`, `%(suffix)s`: identifiers and SQL, not values
        if ddl:
            # DDL cannot take bind parameters: names, column definitions, sizes and options in
            # CREATE/ALTER are the schema; only a value inside quotes there is a string literal
            # someone can break out of
            return slot.before.count("'") % 2 == 1
        if position == sinks.VALUE:
            return True
        # a clause composed in: the values go as parameters
        return sink.params is None


def _unknown_part(ctx, expr: cst.BaseExpression) -> cst.BaseExpression:
    """The part of an unsafe expression the rule could not vouch for, for the message: ``key`` in
    ``"JSON_VALUE(m, '$." + key + "')"``, not the whole expression."""
    stack = [expr]
    seen = 0
    while stack and seen < 200:
        node = stack.pop()
        seen += 1
        if isinstance(node, (cst.Name, cst.Attribute, cst.Subscript)):
            if not sinks.sql_part_is_safe(ctx, node):
                return node
            continue
        if isinstance(node, cst.Call):
            if not sinks.sql_part_is_safe(ctx, node) and not node.args:
                return node
            stack.extend(reversed([a.value for a in node.args]))
            if isinstance(node.func, cst.Attribute):
                stack.append(node.func.value)  # the text a method works on comes first
        elif isinstance(node, cst.BinaryOperation):
            stack.extend((node.right, node.left))
        elif isinstance(node, cst.IfExp):
            stack.extend((node.orelse, node.body))
        elif isinstance(node, cst.FormattedString):
            stack.extend(reversed([p.expression for p in node.parts if isinstance(p, cst.FormattedStringExpression)]))
        elif isinstance(node, (cst.List, cst.Tuple)):
            stack.extend(reversed([e.value for e in node.elements]))
    return expr


_STATEMENT_PREFIX = re.compile(
    r"^\s*(?:EXPLAIN(?:\s*\([^)]*\))?(?:\s+(?:ANALY[SZ]E|VERBOSE|QUERY PLAN))*|PREPARE\s+\w+\s+AS)\s*$", re.IGNORECASE
)


def _whole_statement(building: sinks.Building) -> bool:
    """``f"EXPLAIN {statement}"``: a keyword prefix and one whole statement."""
    if len(building.slots) != 1:
        return False
    slot = building.slots[0]
    return bool(_STATEMENT_PREFIX.match(slot.before)) and slot.after.strip() in ("", ";")


_DDL = re.compile(r"^\s*(CREATE|ALTER|DROP|TRUNCATE|COMMENT ON|GRANT|REVOKE)\b", re.IGNORECASE)


_GENERIC_METHODS = frozenset({".execute()", ".executemany()", ".fetch()", ".fetchrow()", ".fetchval()", ".mogrify()"})


def _sqlish_fragment(text: str) -> bool:
    return sinks.looks_like_sql(text) or bool(sinks.security.SQL_CLAUSE.search(text))
