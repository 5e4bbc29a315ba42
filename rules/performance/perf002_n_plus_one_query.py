from __future__ import annotations

import libcst as cst

from reviewlint.analysis import db as dba
from reviewlint.analysis.calls import callee_text
from reviewlint.analysis.per_item import (
    ONE_CALL_AWAY_NOTE,
    ONE_CALL_AWAY_SEVERITY,
    OneCallAway,
    dependent_loops,
    loop_kind_text,
)
from reviewlint.rule import Invalid, Rule, Severity, Valid, Viewpoint

_MATERIALISE = frozenset({"builtins.list", "builtins.tuple", "builtins.set", "builtins.sorted"})


class NPlusOneQuery(dba.DbLoopRule, Rule):
    """A database read per item of a loop (N+1 queries).

    ## What it does
    Flags a DB **read** inside the body of a loop (`for`, `async for`, `while`, a
    comprehension or generator expression) whose arguments depend on the loop variable:
    a Django ORM query (`Customer.objects.get(id=o.customer_id)`, `.first()`, `.count()`,
    `.exists()`, iterating or `list()`-ing a queryset filtered per item, and the `a*` async
    twins), SQLAlchemy `session.get/execute/scalar/scalars` and legacy `query(...).first()`,
    a DB-API `cursor.execute("SELECT ...", (x,))`, asyncpg `fetch/fetchrow/fetchval`, pymongo
    `find/find_one`. Writes are PERF003's. A query one call away counts too: a function or
    method of the same module that runs the query with its parameters, called per item
    (reported at the call in the loop, naming the helper). A `for`/`while` loop that makes
    several such queries is reported once, at the first, with the count of the others.

    Not flagged: loops over a literal or a module constant of five items or fewer, retry
    loops (and `while` loops counted by attempts), queue consumers (`item = queue.get()`),
    memoised lookups (`if key not in cache:`, `@functools.cache` helpers), queries only on
    the error path (in an `except`), a `for` over a queryset built before the loop, a query per
    group that fetches the whole group (`filter(type=ct, id__in=pks)`), pagination or
    batching loops (the variable is a page/offset/cursor, or the next key comes from the
    rows just read), SQL text that itself differs per item (a table per item), un-awaited
    async queries collected for `asyncio.gather` (SCALE002
    judges those), statements whose SQL reviewlint cannot read, and objects it cannot
    identify (related managers such as `order.items.all()`, custom managers, unknown
    cursors): no guessing.

    ## Why it matters
    One query per row turns a page of 50 orders into 51 round trips to the database: the
    page gets slower as the data grows, and the database works 50 times as hard. It is the
    classic ORM performance bug, and invisible in a test with three rows.

    ## Example
    ```python
    for order in orders:
        customer = Customer.objects.get(id=order.customer_id)
    ```

    ## Use instead
    ```python
    customers = Customer.objects.in_bulk({o.customer_id for o in orders})
    for order in orders:
        customer = customers[order.customer_id]
    # or: orders = Order.objects.select_related("customer")
    ```
    """

    code = "PERF002"
    name = "n-plus-one-query"
    opt_in = True  # judged precision on real code below 0.8: docs/precision.md
    viewpoint = Viewpoint.PERFORMANCE
    severity = Severity.WARNING
    skip_roles = frozenset({"generated", "migration", "script", "test"})
    message = "database query inside a loop, once per item (N+1)"

    valid = [
        # one query before the loop
        "from shop.models import Customer\n\ndef names(orders):\n"
        "    customers = Customer.objects.in_bulk({o.customer_id for o in orders})\n"
        "    return [customers[o.customer_id].name for o in orders]\n",
        # the query does not depend on the loop variable
        "from shop.models import Setting\n\ndef f(orders):\n    for o in orders:\n        flag = Setting.objects.get(key='vat')\n",
        # literal of three items or fewer
        "from shop.models import Setting\n\ndef f():\n    for key in ('vat', 'currency'):\n        Setting.objects.get(key=key)\n",
        # writes are PERF003's, not PERF002's
        "from shop.models import Order\n\ndef f(ids):\n    for i in ids:\n        Order.objects.filter(id=i).update(paid=True)\n",
        "import sqlite3\n\ndef f(rows):\n    conn = sqlite3.connect('x.db')\n    for r in rows:\n"
        "        conn.execute('INSERT INTO t VALUES (?)', (r,))\n",
        # keyset batching: the next key comes from the rows just read
        "import sqlite3\n\ndef batches(conn: sqlite3.Connection):\n    last_id = 0\n    while True:\n"
        "        rows = conn.execute('SELECT id, name FROM t WHERE id > ? ORDER BY id LIMIT 500', (last_id,)).fetchall()\n"
        "        if not rows:\n            break\n        yield rows\n        last_id = rows[-1][0]\n",
        # pagination variable
        "from shop.models import Order\n\ndef pages(size):\n    for offset in range(0, 1000, size):\n"
        "        yield list(Order.objects.all()[offset:offset + size].values_list('id', flat=True).iterator())\n",
        # retry loop
        "import asyncpg\n\nasync def f(conn: asyncpg.Connection, uid):\n    for attempt in range(3):\n        try:\n"
        "            return await conn.fetchrow('SELECT * FROM users WHERE id = $1', uid, timeout=2 ** attempt)\n"
        "        except asyncpg.PostgresConnectionError:\n            continue\n",
        # un-awaited coroutines collected for gather: SCALE002's business
        "import asyncio, asyncpg\n\nasync def f(pool: asyncpg.Pool, ids):\n"
        "    return await asyncio.gather(*(pool.fetchrow('SELECT name FROM u WHERE id = $1', i) for i in ids))\n",
        # unknown objects and related managers are not guessed at
        "def f(orders, cursor):\n    for o in orders:\n        cursor.execute('SELECT 1 FROM t WHERE id = %s', (o.id,))\n"
        "        o.items.all().first()\n",
        # a helper that reads and writes per item is PERF003's
        "from shop.models import Stock\n\ndef bump(sku):\n    s = Stock.objects.get(sku=sku)\n"
        "    Stock.objects.filter(sku=sku).update(n=s.n + 1)\n\ndef bump_all(skus):\n    for sku in skus:\n        bump(sku)\n",
        # a helper whose query does not depend on its parameters
        "from shop.models import Setting\n\ndef vat(order):\n    return Setting.objects.get(key='vat').value * order.total\n\n"
        "def totals(orders):\n    return [vat(o) for o in orders]\n",
        # a dict's get is not a query
        "def f(orders, prices):\n    for o in orders:\n        prices.get(o.sku)\n",
        # one statement per table (the SQL text itself varies): not an IN-able N+1
        "import sqlite3\n\ndef sizes(conn: sqlite3.Connection, tables):\n"
        "    return {t: conn.execute(f'SELECT count(*) FROM {t}').fetchone() for t in tables}\n",
        # one query per group, each fetching the whole group with `__in`
        "from notes.models import Note\n\ndef f(ct_to_pks):\n    for ct, pks in ct_to_pks.items():\n"
        "        for note in Note.objects.filter(assigned_object_type=ct, assigned_object_id__in=pks):\n            print(note)\n",
        # a module constant of two different tables: one query per table, not an IN-able N+1
        "import sqlalchemy as sa\nfrom sqlalchemy.orm import Session\n\nMODELS = [(QUERY, 'database_id'), (SAVED, 'db_id')]\n\n"
        "def count_rows(session: Session, db_id):\n    for table, column in MODELS:\n"
        "        session.query(sa.func.count(table.c.id)).filter(table.c[column] == db_id).scalar()\n",
        # a memoised lookup: once per distinct key
        "from app.models import Annotation\n\ndef f(views):\n    cache = {}\n    for view in views:\n"
        "        pid = view['project_id']\n        if pid not in cache:\n"
        "            cache[pid] = set(Annotation.objects.filter(project_id=pid).values_list('user_id', flat=True))\n",
        "import functools\nfrom shop.models import Customer\n\n@functools.lru_cache\ndef customer(cid):\n"
        "    return Customer.objects.get(pk=cid)\n\ndef f(orders):\n    return [customer(o.cid) for o in orders]\n",
        # only on the error path
        "from shop.models import Query\n\ndef f(files):\n    for name in files:\n        try:\n            load(name)\n"
        "        except ValueError:\n            Query.objects.filter(name=name).first()\n",
        # iterating a queryset built before: the `for` header evaluates it once
        "from shop.models import Item\n\ndef f(fields):\n    for field in fields:\n"
        "        items = Item.objects.filter(kind=field)\n        for item in items:\n            print(item)\n",
        # a helper that writes (a project statement builder with .values()) is PERF003's
        "import sqlalchemy as sa\nfrom sqlalchemy.ext.asyncio import AsyncSession\n\n"
        "async def add_edge(session: AsyncSession, parent, child):\n"
        "    await session.execute(upsert(edges).values(parent=parent, child=child))\n"
        "    return (await session.execute(sa.select(edges).where(edges.c.child == child))).first()\n\n"
        "async def link(session: AsyncSession, parent, children):\n    for child in children:\n"
        "        await add_edge(session, parent, child)\n",
        # SQL reviewlint cannot read
        "import sqlite3\n\ndef f(conn: sqlite3.Connection, queries):\n    for q in queries:\n        conn.execute(q)\n",
    ]
    invalid = [
        Invalid(
            "from shop.models import Customer\n\ndef f(orders):\n    for o in orders:\n"
            "        c = Customer.objects.get(id=o.customer_id)\n",
            line=5, message="one query per `o`", count=1,
        ),
        # several queries in one loop: one finding, with the count
        Invalid(
            "from jobs.models import Log\n\ndef report(groups):\n    for group in groups:\n"
            "        logs = Log.objects.filter(grouping=group)\n        a = logs.filter(level='info').count()\n"
            "        b = logs.filter(level='error').count()\n        c = logs.filter(level='debug').count()\n",
            line=6, message="(and 2 more in this loop)", count=1,
        ),
        # the message names the loop variable, not a name derived from it; never `set()`
        Invalid(
            "from shop.models import Tag\n\ndef f(posts):\n    for post in posts:\n        ids = post.tag_ids\n"
            "        tags = set(Tag.objects.filter(id__in=ids))\n",
            line=6, message="`set(Tag.objects.filter())` runs one query per `post`", count=1,
        ),
        Invalid(
            "from django.contrib.auth import get_user_model\n\nUser = get_user_model()\n\ndef f(ids):\n"
            "    return [User.objects.filter(pk=i).first() for i in ids]\n",
            line=6, message="in_bulk",
        ),
        Invalid(
            "from sqlalchemy.orm import Session\nfrom app.models import User\n\ndef f(session: Session, ids):\n"
            "    for uid in ids:\n        user = session.get(User, uid)\n",
            line=6, message="`session.get()`",
        ),
        Invalid(
            "from sqlalchemy import select\nfrom sqlalchemy.orm import Session as S\n\ndef f(db: S, names):\n"
            "    for n in names:\n        db.execute(select(User).where(User.name == n)).scalar_one()\n",
            line=6, message="selectinload",
        ),
        Invalid(
            "import sqlite3\n\ndef f(rows):\n    conn = sqlite3.connect('x.db')\n    cur = conn.cursor()\n    for r in rows:\n"
            "        cur.execute('SELECT price FROM items WHERE sku = ?', (r['sku'],))\n",
            line=7, message="`cur.execute()`",
        ),
        Invalid(
            "import asyncpg\n\nasync def f(pool: asyncpg.Pool, ids):\n    async with pool.acquire() as conn:\n"
            "        for i in ids:\n            await conn.fetchval('SELECT name FROM u WHERE id = $1', i)\n",
            line=6, message="ANY($1)",
        ),
        Invalid(
            "from pymongo import MongoClient\n\nclient = MongoClient()\n\ndef f(orders):\n    for o in orders:\n"
            "        client.shop.customers.find_one({'_id': o['customer']})\n",
            line=7, message="$in",
        ),
        # one call away: a helper of this module that runs the query
        Invalid(
            "from shop.models import Customer\n\ndef load_customer(cid):\n    return Customer.objects.get(pk=cid)\n\n"
            "def names(orders):\n    return [load_customer(o.customer_id).name for o in orders]\n",
            line=7, message="`load_customer()` runs a query (`Customer.objects.get()`)", count=1,
        ),
        # iterating a queryset filtered per item of an outer loop
        Invalid(
            "from shop.models import Item\n\ndef f(orders):\n    for o in orders:\n"
            "        for item in Item.objects.filter(order_id=o.id):\n            print(item)\n",
            line=5, message="`Item.objects.filter()`",
        ),
        Invalid(
            "from shop.models import Item\n\ndef f(orders):\n    for o in orders:\n"
            "        qs = Item.objects.filter(order_id=o.id)\n        if qs.exists():\n            print(o)\n",
            line=6, message="`qs.exists()`",
        ),
        Invalid(
            "from shop import models\nfrom sqlalchemy.orm import Session\n\ndef f(s: Session, ids):\n"
            "    return [s.query(models.User).filter(models.User.id == i).first() for i in ids]\n",
            line=5,
        ),
    ]

    def begin(self) -> None:
        self._tracker = dba.DbLoopTracker()
        self._away = OneCallAway()
        #: helpers that also write: PERF003 reports those calls (one problem, one finding)
        self._writers = OneCallAway()

    # ------------------------------------------------------------------ one call away
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._away.enter_function(self.context, node)
        self._writers.enter_function(self.context, node)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._away.leave_function()
        self._writers.leave_function()

    def leave_Module(self, node: cst.Module) -> None:
        writes = {id(hf.node) for hf in self._writers.finish()}
        for hf in self._away.finish():
            if id(hf.node) in writes:
                continue
            hint = dba.BATCH_READ_HINT.get(hf.extra or "", dba.DEFAULT_BATCH_READ_HINT)
            self.report(
                hf.node,
                f"`{hf.shown}()` runs a query (`{hf.target}()`) per `{hf.variable}` in this "
                f"{loop_kind_text(hf.loop)} (N+1): {hint}{ONE_CALL_AWAY_NOTE}",
                severity=ONE_CALL_AWAY_SEVERITY,
            )

    # ------------------------------------------------------------------ reads
    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.context
        found = dba.db_call(node, ctx)
        if found is None:
            self._away.note_call(ctx, node, callee_text(node))
            self._writers.note_call(ctx, node, callee_text(node))
        elif found.kind == dba.READ:
            self._away.note_target(ctx, found.inputs, dba.short_callee(node), found.library)
        elif found.kind == dba.WRITE:
            self._writers.note_target(ctx, found.inputs, dba.short_callee(node))
        if not ctx.loops:
            return
        if found is not None:
            if found.kind != dba.READ:
                return
            if found.is_async and not isinstance(ctx.parent, cst.Await):
                return  # a coroutine built for gather/create_task, not a sequential query
            self._judge(node, found.inputs, dba.short_callee(node) + "()", found.library)
            return
        # list(qs) / sorted(qs): evaluates the queryset
        if ctx.call_name(node) in _MATERIALISE and node.args and dba.is_queryset(node.args[0].value, ctx):
            qs = node.args[0].value
            shown = f"{dba.short_callee(node)}({_shown_queryset(qs)})"
            self._judge(node, self._queryset_inputs(qs), shown, "django")

    def visit_For(self, node: cst.For) -> None:
        # the iterable runs once per item of the enclosing loops (this loop is not entered yet)
        self._judge_iterable(node.iter)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._judge_iterable(node.iter)

    def _judge_iterable(self, expr: cst.BaseExpression) -> None:
        ctx = self.context
        if not ctx.loops or isinstance(expr, cst.Name) or not dba.is_queryset(expr, ctx):
            # ``for x in qs:`` over a queryset built earlier: the header evaluates it once;
            # only a query written in the header itself is judged per item of an outer loop
            return
        self._judge(expr, self._queryset_inputs(expr), _shown_queryset(expr), "django")

    def _queryset_inputs(self, qs: cst.BaseExpression) -> tuple[cst.BaseExpression, ...]:
        return (qs,)

    def _judge(self, node: cst.CSTNode, inputs: tuple[cst.BaseExpression, ...], shown: str, library: str) -> None:
        loops = dependent_loops(self.context, inputs)
        if not loops:
            return
        loop, variable = loops[0]
        if dba.batches_per_group(node, self.context, loop):
            return  # ``filter(type=ct, id__in=pks)``: one query per group of rows, already batched
        hint = dba.BATCH_READ_HINT.get(library, dba.DEFAULT_BATCH_READ_HINT)
        message = f"`{shown}` runs one query per `{variable}` in this {loop_kind_text(loop)} (N+1): {hint}"
        self._loop_candidate(node, loop, variable, message)


def _shown_queryset(qs: cst.BaseExpression) -> str:
    """The queryset as shown in a message: ``Item.objects.filter(…)`` or the name it is bound to."""
    if isinstance(qs, cst.Call):
        return dba.short_callee(qs) + "()"
    if isinstance(qs, cst.Name):
        return qs.value
    return "…"
