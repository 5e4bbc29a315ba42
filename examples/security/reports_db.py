"""Reporting queries for the back office: raw SQL through DB-API, SQLAlchemy and the Django ORM."""

import pickle
import sqlite3

import yaml
from django.db.models.expressions import RawSQL
from psycopg import sql
from sqlalchemy import text

from shop.models import Order

ORDERS_TABLE = "shop_order"


def orders_for_customer(conn: sqlite3.Connection, customer_email):
    cur = conn.cursor()
    cur.execute(f"SELECT id, total FROM shop_order WHERE email = '{customer_email}'")  # expect: SEC001
    return cur.fetchall()


def orders_by_status(conn: sqlite3.Connection, status):
    query = "SELECT id, total FROM shop_order WHERE status = '%s'" % status
    return conn.execute(query).fetchall()  # expect: SEC001


def search_products(session, term):
    stmt = text("SELECT id, name FROM product WHERE name LIKE '%" + term + "%'")  # expect: SEC001
    return session.execute(stmt).all()


def orders_in_region(region):
    return Order.objects.extra(where=["shipping_region = '{}'".format(region)])  # expect: SEC001


def orders_for_customer_safe(conn: sqlite3.Connection, customer_email):
    cur = conn.cursor()
    cur.execute("SELECT id, total FROM shop_order WHERE email = ?", (customer_email,))
    return cur.fetchall()


def orders_in(conn: sqlite3.Connection, ids):
    placeholders = ", ".join(["?"] * len(ids))
    return conn.execute(f"SELECT id FROM {ORDERS_TABLE} WHERE id IN ({placeholders})", ids).fetchall()


def row_count(cursor, table):
    cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
    return cursor.fetchone()[0]


def with_margin(queryset):
    return queryset.annotate(margin=RawSQL("total - cost", []))


def load_cached_report(path):
    with open(path, "rb") as fh:
        return pickle.load(fh)  # expect: SEC003


def load_rules(stream):
    return yaml.load(stream, Loader=yaml.Loader)  # expect: SEC003


def load_rules_safely(stream):
    return yaml.safe_load(stream)


def evaluate_discount(expression, order_total):
    return eval(expression, {"total": order_total})  # expect: SEC003


def snapshot_roundtrip(report):
    return pickle.loads(pickle.dumps(report))
