"""Hourly job: recompute loyalty points from the orders table (asyncpg)."""

import asyncio
import logging
import time

import asyncpg
import requests

logger = logging.getLogger(__name__)


async def recompute(pool: asyncpg.Pool, customer_ids):
    async with pool.acquire() as conn:
        for cid in customer_ids:
            total = await conn.fetchval("SELECT sum(total) FROM orders WHERE customer_id = $1", cid)  # expect: PERF002
            await conn.execute("UPDATE customers SET points = $1 WHERE id = $2", int(total or 0), cid)  # expect: PERF003


async def recompute_in_sql(pool: asyncpg.Pool, customer_ids):
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT customer_id, sum(total) AS total FROM orders WHERE customer_id = ANY($1) GROUP BY customer_id",
            customer_ids,
        )
        await conn.executemany(
            "UPDATE customers SET points = $1 WHERE id = $2",
            [(int(r["total"] or 0), r["customer_id"]) for r in rows],
        )


async def notify_crm(pool: asyncpg.Pool):
    rows = await pool.fetch("SELECT id, email FROM customers WHERE points_changed")
    for row in rows:
        # a blocking request inside a coroutine stalls every other task of the job
        requests.post("https://crm.example.com/api/points", json=dict(row), timeout=10)  # expect: SCALE001, PERF001
    time.sleep(1)  # expect: SCALE001


async def notify_crm_without_blocking(pool: asyncpg.Pool):
    rows = await pool.fetch("SELECT id, email FROM customers WHERE points_changed")

    def post_all():
        # runs in a worker thread: blocking is fine here
        for row in rows:
            requests.post("https://crm.example.com/api/points", json=dict(row), timeout=10)  # expect: PERF001

    await asyncio.to_thread(post_all)
    await asyncio.sleep(1)


async def all_ids(pool: asyncpg.Pool):
    # keyset batches: the next key comes from the rows just read
    last_id, ids = 0, []
    while True:
        rows = await pool.fetch("SELECT id FROM customers WHERE id > $1 ORDER BY id LIMIT 1000", last_id)
        if not rows:
            return ids
        ids.extend(r["id"] for r in rows)
        last_id = rows[-1]["id"]


def main():
    logging.basicConfig(level=logging.INFO)
    asyncio.run(recompute(None, []))
