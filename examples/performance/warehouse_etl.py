"""Nightly ETL: copy stock movements from the warehouse (PostgreSQL) to reporting (SQLite, MongoDB)."""

import logging
import sqlite3

import psycopg2
from pymongo import MongoClient

logger = logging.getLogger(__name__)

STOCK_SQL = "SELECT * FROM stock_levels WHERE warehouse_id = %s"


def load_movements(dsn, movements):
    conn = psycopg2.connect(dsn)
    with conn, conn.cursor() as cur:
        for m in movements:
            cur.execute("SELECT name FROM products WHERE sku = %s", (m["sku"],))  # expect: PERF002
            name = cur.fetchone()
            cur.execute(  # expect: PERF003
                "INSERT INTO movements (sku, name, qty) VALUES (%s, %s, %s)",
                (m["sku"], name, m["qty"]),
            )


def load_movements_batched(dsn, movements):
    conn = psycopg2.connect(dsn)
    with conn, conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO movements (sku, qty) VALUES (%s, %s)",
            [(m["sku"], m["qty"]) for m in movements],
        )


def stock_for(dsn, warehouse_id):
    conn = psycopg2.connect(dsn)
    with conn.cursor() as cur:
        cur.execute(STOCK_SQL, (warehouse_id,))  # expect: PERF004
        return cur.fetchall()


def snapshot(path, levels):
    db = sqlite3.connect(path)
    for sku, qty in levels.items():
        db.execute("UPDATE snapshot SET qty = ? WHERE sku = ?", (qty, sku))  # expect: PERF003
    db.commit()


def snapshot_tables(path, tables):
    # DDL per table is not a per-row write, and the table name is only known at run time
    db = sqlite3.connect(path)
    for table in tables:
        db.execute(f"DELETE FROM {table}_staging")
        db.execute(f"SELECT * FROM {table}")


def enrich(mongo_uri, orders):
    client = MongoClient(mongo_uri)
    for order in orders:
        customer = client.reporting.customers.find_one({"_id": order["customer_id"]})  # expect: PERF002
        order["customer"] = customer


def enrich_batched(mongo_uri, orders):
    client = MongoClient(mongo_uri)
    ids = [o["customer_id"] for o in orders]
    found = {c["_id"]: c for c in client.reporting.customers.find({"_id": {"$in": ids}})}
    for order in orders:
        order["customer"] = found.get(order["customer_id"])
