from __future__ import annotations

import libcst as cst

from reviewlint.analysis import db as dba
from reviewlint.analysis.calls import callee_text
from reviewlint.analysis.per_item import (
    ONE_CALL_AWAY_NOTE,
    ONE_CALL_AWAY_SEVERITY,
    OneCallAway,
    dependent_loops,
    loop_is_exempt,
    loop_kind_text,
)
from reviewlint.rule import Invalid, Rule, Severity, Viewpoint


def _hint(found: dba.DbCall) -> str:
    lib, method = found.library, found.method.removeprefix("a") if found.library == "django" else found.method
    if lib == "django":
        if method in ("save",) or found.method == "asave":
            return "collect the objects and save them with `bulk_update()`/`bulk_create()` (they skip the model's `save()` and signals), or one `queryset.update(...)`"
        if found.method in ("create", "acreate"):
            return "build the objects in the loop and insert them with one `bulk_create()` (it skips the model's `save()` and signals)"
        if found.method in ("update", "aupdate"):
            return "one `filter(id__in=...).update(...)`, or `bulk_update()`"
        if found.method in ("delete", "adelete"):
            return "one `filter(id__in=...).delete()` (it skips an overridden `delete()` of the model)"
        return "batch the writes (`bulk_create()`/`bulk_update()`)"
    if lib == "sqlalchemy":
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
    twins); SQLAlchemy `execute()` of an `insert()`/`update()`/`delete()` statement (or one
    with `.values()`/`.on_conflict_*()`), and `session.commit()`/`flush()` on every iteration
    of a loop that stages an object per item (`session.add()`/`merge()`/`delete()` alone
    only stage: the unit of work batches them at flush); a DB-API, SQLAlchemy or asyncpg `execute` of
    an `INSERT`/`UPDATE`/`DELETE` statement; pymongo `insert_one`/`update_one`/`delete_one`...
    A write one call away counts too: a function or method of the same module that writes
    with its parameters, called per item (reported at the call in the loop). A `for`/`while`
    loop that makes several such writes is reported once, at the first, with the count.

    Django's `bulk_create()`/`bulk_update()` skip the model's `save()` and the signals: the
    message says so, so that a model whose `save()` does work is not "fixed" into a bug.

    Not flagged: loops over a literal or a module constant of five items or fewer, retry loops,
    writes only on the error path (in an `except`), a statement per group that covers the
    whole group (`filter(type=ct, id__in=pks).delete()`), pagination or
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
        # session.add() only stages: the unit of work batches the INSERTs at flush
        "from sqlalchemy.orm import Session\n\ndef f(session: Session, rows):\n    for i, r in enumerate(rows):\n"
        "        session.add(Event(**r))\n        if i % 1000 == 0:\n            session.flush()\n    session.commit()\n",
        "from sqlalchemy.ext.asyncio import AsyncSession\n\nasync def f(s: AsyncSession, objs):\n    for o in objs:\n"
        "        await s.delete(o)\n        s.add(o)\n    await s.commit()\n",
        # a fixed, small collection: a module constant of two tables
        "import sqlite3\n\nTABLES = {'a': 1, 'b': 2}\n\ndef f(conn: sqlite3.Connection, uid):\n    for t in TABLES:\n"
        "        conn.execute('DELETE FROM log WHERE kind = ? AND uid = ?', (t, uid))\n",
        # a recursive helper: its UPDATE is reported at the statement, not again at the recursion
        "import sqlite3\n\nclass Tree:\n    def __init__(self, conn: sqlite3.Connection):\n        self.conn = conn\n\n"
        "    def move(self, node_id, parent, children):\n"
        "        self.conn.execute('UPDATE node SET parent = ? WHERE id = ?', (parent, node_id))\n"
        "        for child in children:\n            self.move(child.id, node_id, child.children)\n",
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
            "        session.add(Event(**r))\n        session.commit()\n",
            line=6, message="`session.commit()` sends the objects staged per `r` on every iteration", count=1,
        ),
        Invalid(
            "from django.db import models\n\nclass Tag(models.Model):\n    pass\n\ndef f(names):\n    for n in names:\n"
            "        Tag.objects.create(name=n)\n",
            line=8, message="skips the model's `save()` and signals",
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
        #: loops (by node id) that stage an object per item with ``session.add()``
        self._staged: dict[int, str] = {}

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
                f"{loop_kind_text(hf.loop)}: {hf.extra}{ONE_CALL_AWAY_NOTE}",
                severity=ONE_CALL_AWAY_SEVERITY,
            )

    # ------------------------------------------------------------------ writes
    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.context
        found = dba.db_call(node, ctx)
        if found is None:
            self._away.note_call(ctx, node, callee_text(node))
        elif found.kind == dba.WRITE:
            self._away.note_target(ctx, found.inputs, dba.short_callee(node), _hint(found))
        if not ctx.loops or found is None:
            return
        if found.kind == dba.STAGE:
            self._note_staged(found)
            return
        if found.kind == dba.FLUSH:
            self._judge_flush(node)
            return
        if found.kind != dba.WRITE:
            return
        if found.is_async and not isinstance(ctx.parent, cst.Await):
            return  # a coroutine built for gather/create_task
        loops = dependent_loops(ctx, found.inputs)
        if not loops:
            return
        loop, variable = loops[0]
        if dba.batches_per_group(node, ctx, loop):
            return  # ``filter(type=ct, id__in=pks).delete()``: one statement per group of rows
        message = (
            f"`{dba.short_callee(node)}()` makes one write per `{variable}` in this {loop_kind_text(loop)}: "
            f"{_hint(found)}"
        )
        self._loop_candidate(node, loop, variable, message)

    # ------------------------------------------------------------------ staged objects
    def _note_staged(self, found: dba.DbCall) -> None:
        """``session.add(Row(**r))`` only stages: remember the loop, the flush decides."""
        loops = dependent_loops(self.context, found.inputs)
        if loops:
            loop, variable = loops[0]
            self._staged.setdefault(id(loop.node), variable)

    def _judge_flush(self, node: cst.Call) -> None:
        """``session.commit()``/``flush()`` on every iteration of a loop that stages per item."""
        ctx = self.context
        if found_conditional(ctx):
            return  # ``if i % 1000 == 0: session.flush()``: flushes in batches
        for loop in reversed(ctx.loops_in_current_function()):
            variable = self._staged.get(id(loop.node))
            if variable is None:
                continue
            if loop_is_exempt(loop, [variable], ctx):
                return
            message = (
                f"`{dba.short_callee(node)}()` sends the objects staged per `{variable}` on every "
                f"iteration of this {loop_kind_text(loop)}: stage them all and flush/commit once after the loop"
            )
            self._loop_candidate(node, loop, variable, message)
            return


def found_conditional(ctx) -> bool:
    """The call sits under an ``if`` (or ``try``/``with`` handler path) inside its loop."""
    for node in reversed(ctx.ancestors):
        if isinstance(node, (cst.For, cst.While, cst.FunctionDef)):
            return False
        if isinstance(node, (cst.If, cst.ExceptHandler)):
            return True
    return False
