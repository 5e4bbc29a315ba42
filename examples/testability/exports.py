"""Report exports: pulls orders from the shop API and pushes CSVs to the warehouse."""

from __future__ import annotations

import csv
import io
from contextlib import asynccontextmanager

import aiohttp
import click
import httpx
import requests
from pymongo import MongoClient
from sqlalchemy.orm import Session

SHOP_URL = "https://shop.acme-retail.io"


def orders_since(day: str) -> list[dict]:
    with httpx.Client(base_url=SHOP_URL, timeout=10) as client:  # expect: REL006, TEST001
        resp = client.get("/orders", params={"since": day})
        resp.raise_for_status()
        return resp.json()


def orders_since_injected(client: httpx.Client, day: str) -> list[dict]:
    resp = client.get("/orders", params={"since": day})
    resp.raise_for_status()
    return resp.json()


async def push_csv(rows: list[dict]) -> None:
    buf = io.StringIO()
    csv.DictWriter(buf, fieldnames=sorted(rows[0])).writerows(rows)
    async with aiohttp.ClientSession() as session:  # expect: REL006, TEST001
        async with session.put(f"{SHOP_URL}/warehouse/export.csv", data=buf.getvalue()) as resp:
            resp.raise_for_status()


def archive(uri: str, rows: list[dict]) -> None:
    client = MongoClient(uri)  # expect: TEST001
    client.get_database("exports").archive.insert_many(rows)


def count_exports(engine) -> int:
    # the engine is injected: a test passes a SQLite engine
    with Session(engine) as session:
        return session.execute("SELECT count(*) FROM exports").scalar_one()


class ShopApi:
    def __init__(self, base_url: str = SHOP_URL) -> None:
        # __init__ builds what the object needs; tests pass a fake ShopApi
        self.session = requests.Session()  # expect: REL006
        self.session.headers["Accept"] = "application/json"
        self.base_url = base_url

    def order(self, order_id: str) -> dict:
        resp = self.session.get(f"{self.base_url}/orders/{order_id}", timeout=10)
        resp.raise_for_status()
        return resp.json()


def make_client() -> httpx.Client:
    # a factory: its return value is the client
    client = httpx.Client(base_url=SHOP_URL, timeout=10)
    client.headers["User-Agent"] = "exports/1.0"
    return client


@asynccontextmanager
async def lifespan(app):
    async with httpx.AsyncClient(base_url=SHOP_URL) as client:
        await client.get("/health")
        app.state.shop = client
        yield


def fetch_each(urls: list[str]) -> list[str]:
    out = []
    for url in urls:
        with httpx.Client() as client:  # expect: PERF006, REL006
            out.append(client.get(url).text)  # expect: ERR004, PERF001
    return out


@click.command()
@click.argument("day")
def export(day: str) -> None:
    # a CLI command is a composition root: it wires the real client
    with httpx.Client(base_url=SHOP_URL, timeout=10) as client:  # expect: REL006
        for order in orders_since_injected(client, day):
            click.echo(order["id"])
