"""PERF002-PERF006 and SCALE001-SCALE003: the DB knowledge they share, and how they divide the work."""

from __future__ import annotations

import textwrap

import pytest

from reviewlint.api import check_source
from reviewlint.knowledge import db


def findings(code: str, select: list[str], path: str = "service.py"):
    return [f for f in check_source(textwrap.dedent(code), path, select=select) if f.viewpoint != "diagnostic"]


def codes(code: str, select: list[str], path: str = "service.py") -> list[tuple[int, str]]:
    return sorted((f.line, f.code) for f in findings(code, select, path))


# ---------------------------------------------------------------------- knowledge.db
@pytest.mark.parametrize(
    "sql, kind",
    [
        ("SELECT id FROM t", db.READ),
        ("  select * from t", db.READ),
        ("-- comment\nSELECT 1", db.READ),
        ("/* hint */ (SELECT a FROM t)", db.READ),
        ("WITH x AS (SELECT 1) SELECT * FROM x", db.READ),
        ("WITH moved AS (DELETE FROM a RETURNING *) INSERT INTO b SELECT * FROM moved", db.WRITE),
        ("INSERT INTO t VALUES (1)", db.WRITE),
        ("update t set a = 1", db.WRITE),
        ("DELETE FROM t", db.WRITE),
        ("REPLACE INTO t VALUES (1)", db.WRITE),
        ("CREATE TABLE t (a int)", None),
        ("DROP TABLE t", None),
        ("", None),
        (None, None),
    ],
)
def test_sql_kind(sql, kind):
    assert db.sql_kind(sql) == kind


@pytest.mark.parametrize(
    "sql, star",
    [
        ("SELECT * FROM users", True),
        ("select distinct * from users where a = 1", True),
        ("SELECT *\n  FROM users", True),
        ('SELECT * FROM "users"', True),
        ("SELECT COUNT(*) FROM users", False),
        ("SELECT u.* FROM users u", False),
        ("SELECT id FROM t WHERE EXISTS (SELECT * FROM u)", False),
        ("SELECT * FROM (SELECT id FROM t) s", False),
        ("SELECT * FROM  ? ", False),  # an f-string placeholder: table known at run time
        ("INSERT INTO a SELECT * FROM b", False),
    ],
)
def test_select_star(sql, star):
    assert db.has_select_star(sql) is star


@pytest.mark.parametrize(
    "qualname, library, kind",
    [
        ("sqlalchemy.orm.Session.get", "sqlalchemy", db.READ),
        ("sqlmodel.Session.exec", "sqlalchemy", db.SQL),
        ("sqlalchemy.orm.session.Session.add", "sqlalchemy", db.STAGE),  # add() only stages: no SQL until flush,
        ("sqlite3.Cursor.execute", "sqlite3", db.SQL),
        ("psycopg2.extensions.cursor.execute", "psycopg2", db.SQL),
        ("asyncpg.Pool.fetchrow", "asyncpg", db.READ),
        ("asyncpg.pool.Pool.fetch", "asyncpg", db.READ),
        ("pymongo.collection.Collection.find", "pymongo", db.READ),
        ("pymongo.MongoClient.shop.orders.insert_one", "pymongo", db.WRITE),
        ("pymongo.database.Database.orders.find_one", "pymongo", db.READ),
    ],
)
def test_db_method(qualname, library, kind):
    found = db.db_method(qualname)
    assert found is not None and found.library == library and found.kind == kind


@pytest.mark.parametrize("qualname", [None, "", "requests.get", "builtins.dict.get", "pymongo.MongoClient.close"])
def test_db_method_unknown(qualname):
    assert db.db_method(qualname) is None


# ---------------------------------------------------------------------- object tracking
def test_cursor_from_connection_through_with_and_aliases():
    code = """
        import sqlite3 as lite

        def f(path, skus):
            with lite.connect(path) as conn:
                cur = conn.cursor()
                for sku in skus:
                    cur.execute("SELECT price FROM items WHERE sku = ?", (sku,))
    """
    assert codes(code, ["PERF002"]) == [(8, "PERF002")]


def test_session_attribute_set_in_init():
    code = """
        from sqlalchemy.orm import Session

        class Repo:
            def __init__(self, session: Session):
                self.session = session

            def names(self, ids):
                return [self.session.get(User, i).name for i in ids]
    """
    assert codes(code, ["PERF002"]) == [(9, "PERF002")]


def test_django_connection_cursor():
    code = """
        from django.db import connection

        def f(ids):
            with connection.cursor() as cursor:
                for i in ids:
                    cursor.execute("DELETE FROM t WHERE id = %s", [i])
    """
    assert codes(code, ["PERF002", "PERF003"]) == [(7, "PERF003")]


def test_queryset_variable_reassigned_in_steps():
    code = """
        from shop.models import Order

        def f(customers, status):
            for c in customers:
                qs = Order.objects.filter(customer=c)
                qs = qs.filter(status=status)
                qs.first()
    """
    assert codes(code, ["PERF002"]) == [(8, "PERF002")]


def test_self_referencing_queryset_does_not_recurse_forever():
    code = """
        from shop.models import Order

        def f(filters):
            qs = Order.objects.all()
            for key, value in filters.items():
                qs = qs.filter(**{key: value})
            return qs
    """
    assert codes(code, ["PERF002", "PERF005"]) == []


# ---------------------------------------------------------------------- reads vs writes
def test_reads_and_writes_are_separate_rules():
    code = """
        from shop.models import Customer, Order

        def f(orders):
            for o in orders:
                c = Customer.objects.get(id=o.customer_id)
                Order.objects.filter(id=o.id).update(customer_name=c.name)
                o.save()
    """
    # `o` is not known to be a model instance (orders is a parameter): no guess
    assert codes(code, ["PERF002", "PERF003"]) == [(6, "PERF002"), (7, "PERF003")]


def test_tests_are_skipped_for_db_rules():
    code = """
        from shop.models import Product

        def test_many():
            for i in range(100):
                Product.objects.create(sku=str(i))
    """
    assert codes(code, ["PERF003"], path="tests/test_shop.py") == []
    assert codes(code, ["PERF003"], path="shop/fixtures.py") == [(6, "PERF003")]


# ---------------------------------------------------------------------- one problem, one finding
def test_gather_fan_out_is_scale002_not_perf001():
    code = """
        import asyncio
        import httpx

        async def one(client: httpx.AsyncClient, uid):
            return await client.get(f"/users/{uid}")

        async def all_users(client: httpx.AsyncClient, ids):
            direct = await asyncio.gather(*(client.get(f"/users/{i}") for i in ids))
            helper = await asyncio.gather(*[one(client, i) for i in ids])
            return direct, helper
    """
    assert codes(code, ["PERF001", "SCALE002"]) == [(9, "SCALE002"), (10, "SCALE002")]


def test_sequential_awaits_in_a_loop_are_perf001_not_scale002():
    code = """
        import httpx

        async def all_users(client: httpx.AsyncClient, ids):
            return [await client.get(f"/users/{i}") for i in ids]
    """
    assert codes(code, ["PERF001", "SCALE002"]) == [(5, "PERF001")]


def test_client_in_loop_is_perf006_not_test001():
    code = """
        import requests

        def push(reports):
            for report in reports:
                session = requests.Session()
                session.post("https://reports.example.com/in", json=report, timeout=5)
    """
    found = codes(code, ["PERF006", "TEST001"])
    assert (6, "PERF006") in found
    assert (6, "TEST001") not in found


def test_blocking_call_in_nested_sync_def_is_not_scale001():
    code = """
        import asyncio, time

        async def f():
            def work():
                time.sleep(1)
            await asyncio.to_thread(work)
            await asyncio.to_thread(lambda: time.sleep(1))
            time.sleep(0.1)
    """
    assert codes(code, ["SCALE001"]) == [(9, "SCALE001")]


def test_fire_and_forget_only_as_a_bare_statement():
    code = """
        import asyncio

        async def f(coro, other, more):
            asyncio.create_task(coro)
            keep = asyncio.create_task(other)
            await asyncio.ensure_future(more)
            return keep
    """
    assert codes(code, ["SCALE003"]) == [(5, "SCALE003")]


# ---------------------------------------------------------------------- per-item loops (issue #14)
def test_loop_variable_named_through_derived_names():
    code = """
    from shop.models import Customer

    def f(orders):
        for o in orders:
            info = o.meta
            cid = info['customer']
            Customer.objects.get(id=cid)
    """
    [f] = findings(code, ["PERF002"])
    assert "per `o`" in f.message


@pytest.mark.parametrize(
    "header",
    [
        "for k in ('a', 'b', 'c', 'd', 'e'):",
        "for k in {'a': 1, 'b': 2}.items():",
        "for k in KEYS:",
        "for i, k in enumerate(KEYS):",
    ],
)
def test_small_fixed_collections_are_not_per_item(header):
    code = f"""
    from shop.models import Setting

    KEYS = ['vat', 'currency']

    def f():
        {header}
            Setting.objects.get(key=k)
    """
    assert codes(code, ["PERF002"]) == []


def test_a_large_or_rebound_constant_is_still_per_item():
    code = """
    from shop.models import Setting

    KEYS = ['a', 'b', 'c', 'd', 'e', 'f']

    def f(extra):
        for k in KEYS:
            Setting.objects.get(key=k)
        KEYS2 = extra
        for k in KEYS2:
            Setting.objects.get(key=k)
    """
    assert codes(code, ["PERF002"]) == [(8, "PERF002"), (11, "PERF002")]


@pytest.mark.parametrize("take", ["q.get()", "await q.get()", "q.get(timeout=1)", "next(it)", "q.get_nowait()"])
def test_consumer_loops_are_not_per_item(take):
    code = f"""
    from shop.models import Job

    async def worker(q, it):
        while True:
            msg = {take}
            job_id = msg['id']
            await Job.objects.aget(id=job_id)
    """
    assert codes(code, ["PERF002"]) == []


def test_a_while_loop_over_a_dict_lookup_is_still_judged():
    code = """
    from shop.models import Node

    def ancestors(parents, node_id):
        while node_id:
            node_id = parents.get(node_id)
            Node.objects.get(id=node_id)
    """
    assert codes(code, ["PERF002"]) == [(7, "PERF002")]


def test_staged_objects_flushed_per_iteration():
    code = """
    from sqlalchemy.orm import Session

    def f(session: Session, rows):
        for r in rows:
            session.add(Event(**r))
        session.commit()
        for r in rows:
            session.merge(Event(**r))
            session.flush()
    """
    assert codes(code, ["PERF003", "PERF002"]) == [(10, "PERF003")]


# ---------------------------------------------------------------------- SCALE002 (issue #14)
def test_gather_of_started_tasks_is_not_a_fan_out():
    code = """
    import asyncio

    async def f(hass, bridges, jobs):
        tasks = [hass.async_create_task(b.start()) for b in bridges]
        await asyncio.gather(*tasks)
        started = []
        for j in jobs:
            started.append(asyncio.ensure_future(run(j)))
        await asyncio.gather(*started)
        await asyncio.gather(*(run(j) for j in jobs))
    """
    assert codes(code, ["SCALE002"]) == [(11, "SCALE002")]


def test_gather_message_keeps_brackets_balanced():
    code = """
    import asyncio

    async def f(root):
        await asyncio.gather(*(parse(p) for p in walk_files(root=str(root), ignore_patterns=IGNORED, follow=True)))
    """
    [f] = findings(code, ["SCALE002"])
    collection = f.message.split(" in `", 1)[1].split("`", 1)[0]
    assert collection.count("(") == collection.count(")")
    assert collection.count("[") == collection.count("]")


def test_gather_over_a_small_module_constant_is_bounded():
    code = """
    import asyncio

    REGIONS = ('eu', 'us', 'ap')
    MANY = list(range(1000))

    async def f(client):
        await asyncio.gather(*(client.ping(r) for r in REGIONS))
        await asyncio.gather(*(client.ping(r) for r in MANY))
    """
    assert codes(code, ["SCALE002"]) == [(9, "SCALE002")]


def test_a_not_in_filter_is_not_a_memo():
    code = """
    from shop.models import Record

    def prune(keep):
        for record in Record.objects.filter(owner=1):
            if record.name not in keep:
                record.delete()
        cache = {}
        for record in Record.objects.filter(owner=1):
            if record.parent_id not in cache:
                cache[record.parent_id] = Record.objects.get(id=record.parent_id)
    """
    assert codes(code, ["PERF002", "PERF003"]) == [(7, "PERF003")]


def test_gather_of_stored_coroutines_by_index_is_judged():
    code = """
    import asyncio

    async def bind(pairs):
        bind_tasks = [(zdo_request(p), 'msg') for p in pairs]
        await asyncio.gather(*(t[0] for t in bind_tasks))
    """
    assert codes(code, ["SCALE002"]) == [(6, "SCALE002")]


def test_empty_literals_filled_later_are_not_fixed_collections():
    code = """
    import asyncio
    from shop.models import Setting

    REGISTRY = {}

    def f():
        for k in REGISTRY:
            Setting.objects.get(key=k)

    async def g(client, items):
        executions = {}
        for item in items:
            executions[item.id] = item
        await asyncio.gather(*(client.run(i, e) for i, e in executions.items()))
    """
    assert codes(code, ["PERF002", "SCALE002"]) == [(9, "PERF002"), (15, "SCALE002")]


def test_an_abstract_coroutine_is_not_in_process_work():
    code = """
    import asyncio

    class Base:
        async def report(self, user):
            \"\"\"Overridden by the cloud client.\"\"\"

        async def report_all(self, users):
            await asyncio.gather(*(self.report(u) for u in users))
    """
    assert codes(code, ["SCALE002"]) == [(9, "SCALE002")]
