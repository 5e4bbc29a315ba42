from __future__ import annotations

import libcst as cst

from reviewlint.analysis import db as dba
from reviewlint.analysis.calls import callee_text
from reviewlint.analysis.per_item import OneCallAway, dependent_loops, loop_kind_text
from reviewlint.rule import Invalid, Rule, Severity, Viewpoint


def _hint(found: dba.DbCall) -> str:
    lib, method = found.library, found.method.removeprefix("a") if found.library == "django" else found.method
    if lib == "django":
        if method in ("save",) or found.method == "asave":
            return "collect the objects and save them with `bulk_update()`/`bulk_create()`, or one `queryset.update(...)`"
        if found.method in ("create", "acreate"):
            return "build the objects in the loop and insert them with one `bulk_create()`"
        if found.method in ("update", "aupdate"):
            return "one `filter(id__in=...).update(...)`, or `bulk_update()`"
        if found.method in ("delete", "adelete"):
            return "one `filter(id__in=...).delete()`"
        return "batch the writes (`bulk_create()`/`bulk_update()`)"
    if lib == "sqlalchemy":
        if found.method == "add":
            return "build the objects and `session.add_all([...])` them once"
        return "one statement for all rows (`insert(...).values([...])`, `update(...).where(Model.id.in_(ids))`, `session.execute(stmt, [rows])`)"
    if lib == "pymongo":
        return "`insert_many()`/`bulk_write()` with one request"
    if lib == "asyncpg":
        return "`executemany()` or `copy_records_to_table()`"
    return "`executemany()` with all the rows, or one multi-row statement"


class WritePerRow(dba.DbLoopRule, Rule):
    """A database write per item of a loop.

    ## What it does
    Flags a DB **write** inside the body of a loop whose target depends on the loop
    variable: Django `obj.save()`/`obj.delete()` on a model instance, `Model.objects.create()`,
    `.update()`, `.delete()`, `get_or_create()`/`update_or_create()` (and the `a*` async
    twins); SQLAlchemy `session.add()`/`merge()`/`delete()` and `execute()` of an
    `insert()`/`update()`/`delete()` statement; a DB-API, SQLAlchemy or asyncpg `execute` of
    an `INSERT`/`UPDATE`/`DELETE` statement; pymongo `insert_one`/`update_one`/`delete_one`...
    A write one call away counts too: a function or method of the same module that writes
    with its parameters, called per item (reported at the call in the loop).

    Not flagged: loops over a literal of three items or fewer, retry loops, pagination or
    batching loops (a `batch`/`chunk` variable, `chunks(...)`/`itertools.batched(...)`), writes that do not depend on the loop variable (SQL text that differs per
    item, such as a table name per item, is a different statement, not a batchable row),
    DDL (`CREATE`/`DROP`/`ALTER`), un-awaited async writes
    collected for `asyncio.gather`, and objects reviewlint cannot identify (`obj.save()` is
    judged only when `obj` is surely a model instance: the variable of a loop over a
    queryset, built with a model's constructor, or returned by `.get()`/`.create()`).

    ## Why it matters
    Each write is a round trip and, outside a transaction, a commit: importing 10 000 rows
    one `INSERT` at a time takes minutes where one batch takes a second, and holds locks
    for the whole time.

    ## Example
    ```python
    for row in rows:
        Product.objects.create(sku=row["sku"], price=row["price"])
    ```

    ## Use instead
    ```python
    Product.objects.bulk_create(Product(sku=r["sku"], price=r["price"]) for r in rows)
    ```
    """

    code = "PERF003"
    name = "write-per-row"
    opt_in = True  # judged precision on real code below 0.8: docs/precision.md
    viewpoint = Viewpoint.PERFORMANCE
    severity = Severity.WARNING
    skip_roles = frozenset({"generated", "migration", "script", "test"})
    message = "database write inside a loop, once per item"

    valid = [
        # one batch write
        "from shop.models import Product\n\ndef load(rows):\n"
        "    Product.objects.bulk_create([Product(sku=r['sku']) for r in rows])\n",
        "import sqlite3\n\ndef load(conn: sqlite3.Connection, rows):\n"
        "    conn.executemany('INSERT INTO t (a, b) VALUES (?, ?)', rows)\n",
        # reads are PERF002's
        "from shop.models import Customer\n\ndef f(orders):\n    for o in orders:\n        Customer.objects.get(id=o.customer_id)\n",
        # not dependent on the loop variable
        "from shop.models import Counter\n\ndef f(events):\n    for e in events:\n        print(e)\n"
        "        Counter.objects.filter(name='seen').update(n=1)\n",
        # literal of three items or fewer
        "from shop.models import Setting\n\ndef seed():\n    for key in ('vat', 'currency', 'locale'):\n"
        "        Setting.objects.get_or_create(key=key)\n",
        # `save()` of something that is not surely a model instance
        "def f(images, forms):\n    for img in images:\n        img.save(img.filename)\n    for form in forms:\n        form.save()\n",
        "from PIL import Image\n\ndef f(paths):\n    for p in paths:\n        im = Image.open(p)\n        im.save(p + '.png')\n",
        # retry loop
        "from shop.models import Order\nfrom django.db import OperationalError\n\ndef mark(order_id):\n"
        "    for attempt in range(3):\n        try:\n            Order.objects.filter(id=order_id, v=attempt).update(paid=True)\n"
        "            return\n        except OperationalError:\n            continue\n",
        # DDL per table is not a per-row write
        "import sqlite3\n\ndef f(conn: sqlite3.Connection, tables):\n    for t in tables:\n"
        "        conn.execute(f'DROP TABLE {t}')\n",
        # the loop already works in batches
        "from sqlalchemy import insert\nfrom sqlalchemy.orm import Session\n\ndef load(s: Session, rows):\n"
        "    for batch in chunks(rows, 1000):\n        s.execute(insert(Event), batch)\n"
        "    for part in itertools.batched(rows, 500):\n        s.execute(insert(Event), list(part))\n",
        # the statement itself differs per item (a table per item): not batchable with executemany
        "import sqlite3\n\ndef f(conn: sqlite3.Connection, tables):\n    for t in tables:\n"
        "        conn.execute(f'DELETE FROM {t}_staging WHERE done')\n",
    ]
    invalid = [
        # one call away: a helper of this module that writes
        Invalid(
            "import sqlite3\n\nclass Store:\n    def __init__(self, conn: sqlite3.Connection):\n        self.conn = conn\n\n"
            "    def put(self, key, value):\n        self.conn.execute('INSERT INTO kv VALUES (?, ?)', (key, value))\n\n"
            "    def put_all(self, items):\n        for k, v in items.items():\n            self.put(k, v)\n",
            line=12, message="`self.put()` makes a write (`self.conn.execute()`)", count=1,
        ),
        Invalid(
            "from shop.models import Product\n\ndef load(rows):\n    for row in rows:\n"
            "        Product.objects.create(sku=row['sku'], price=row['price'])\n",
            line=5, message="one write per `row`", count=1,
        ),
        Invalid(
            "from shop.models import Order\n\ndef close(cutoff):\n"
            "    for order in Order.objects.filter(created__lt=cutoff):\n        order.status = 'closed'\n        order.save()\n",
            line=6, message="bulk_update",
        ),
        Invalid(
            "from django.db import models\n\nclass Tag(models.Model):\n    pass\n\ndef f(names):\n    for n in names:\n"
            "        t = Tag(name=n)\n        t.save()\n",
            line=9, message="`t.save()`",
        ),
        Invalid(
            "from sqlalchemy.orm import Session\n\ndef f(session: Session, rows):\n    for r in rows:\n"
            "        session.add(Event(**r))\n",
            line=5, message="add_all",
        ),
        Invalid(
            "import psycopg2\n\ndef f(rows):\n    conn = psycopg2.connect('dbname=x')\n"
            "    with conn.cursor() as cur:\n        for r in rows:\n"
            "            cur.execute('UPDATE stock SET qty = %s WHERE sku = %s', (r.qty, r.sku))\n",
            line=7, message="executemany",
        ),
        Invalid(
            "import asyncpg\n\nasync def f(conn: asyncpg.Connection, rows):\n    async for r in rows:\n"
            "        await conn.execute('INSERT INTO t(a) VALUES($1)', r)\n",
            line=5, message="copy_records_to_table",
        ),
        Invalid(
            "from sqlalchemy import delete\nfrom sqlalchemy.ext.asyncio import AsyncSession\n\n"
            "async def f(s: AsyncSession, ids):\n    for i in ids:\n        await s.execute(delete(User).where(User.id == i))\n",
            line=6,
        ),
        Invalid(
            "import pymongo\n\ndef f(coll: pymongo.collection.Collection, docs):\n"
            "    [coll.insert_one(d) for d in docs]\n",
            line=4, message="insert_many",
        ),
    ]

    def begin(self) -> None:
        self._tracker = dba.DbLoopTracker()
        self._away = OneCallAway()
        self._hints: dict[str, str] = {}

    # ------------------------------------------------------------------ one call away
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._away.enter_function(self.context, node)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._away.leave_function()

    def leave_Module(self, node: cst.Module) -> None:
        for hf in self._away.finish():
            self.report(
                hf.node,
                f"`{hf.shown}()` makes a write (`{hf.target}()`) per `{hf.variable}` in this "
                f"{loop_kind_text(hf.loop)}: {hf.extra}",
            )

    # ------------------------------------------------------------------ writes
    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.context
        found = dba.db_call(node, ctx)
        if found is None:
            self._away.note_call(ctx, node, callee_text(node))
        elif found.kind == dba.WRITE:
            self._away.note_target(ctx, found.inputs, dba.short_callee(node), _hint(found))
        if not ctx.loops:
            return
        if found is None or found.kind != dba.WRITE:
            return
        if found.is_async and not isinstance(ctx.parent, cst.Await):
            return  # a coroutine built for gather/create_task
        loops = dependent_loops(ctx, found.inputs)
        if not loops:
            return
        loop, variable = loops[0]
        message = (
            f"`{dba.short_callee(node)}()` makes one write per `{variable}` in this {loop_kind_text(loop)}: "
            f"{_hint(found)}"
        )
        self._loop_candidate(node, loop, variable, message)
