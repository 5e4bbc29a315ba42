"""Shared HTTP clients for the warehouse integration: where retry policies are decided (REL004, REL006)."""

import os

import aiohttp
import httpx
import requests
import urllib3
from aiohttp_retry import ExponentialRetry, RetryClient
from requests.adapters import HTTPAdapter
from urllib3.util import Retry
from urllib3.util.retry import Retry as UrllibRetry

WAREHOUSE_URL = os.environ.get("WAREHOUSE_URL", "https://warehouse.example.com")
LABELS_URL = os.environ.get("LABELS_URL", "https://labels.example.com")
TIMEOUT = (3.05, 15)


def warehouse_session() -> requests.Session:
    # retries, but all of them at once
    session = requests.Session()
    session.mount("https://", HTTPAdapter(max_retries=Retry(total=5, status_forcelist=[502, 503, 504])))  # expect: REL004
    return session


def labels_session() -> requests.Session:
    # a complete policy: bounded, backs off with jitter, retries gateway errors
    session = requests.Session()
    retries = UrllibRetry(total=5, backoff_factor=0.5, backoff_jitter=0.25, status_forcelist=[429, 502, 503, 504])
    session.mount("https://", HTTPAdapter(max_retries=retries))
    session.get(f"{LABELS_URL}/health/ready", timeout=TIMEOUT).raise_for_status()
    return session


# no retries at all on purpose: redirects only
redirect_only = urllib3.PoolManager(retries=Retry(total=False, redirect=3), timeout=urllib3.Timeout(connect=2, read=10))
# retries without backoff_factor
pool = urllib3.PoolManager(retries=urllib3.Retry(connect=3, read=3), timeout=urllib3.Timeout(connect=2, read=10))  # expect: REL004
tracking_pool = urllib3.PoolManager(timeout=urllib3.Timeout(connect=2, read=10))  # expect: REL006


def tracking_events(parcel_id: str) -> list:
    resp = tracking_pool.request("GET", f"https://tracking.example.com/parcels/{parcel_id}/events")
    if resp.status >= 400:
        raise RuntimeError(f"tracking lookup for {parcel_id} failed: HTTP {resp.status}")
    return resp.json()


def stock_level(sku: str) -> int:
    resp = pool.request("GET", f"{WAREHOUSE_URL}/stock/{sku}")
    if resp.status >= 400:
        raise RuntimeError(f"stock lookup for {sku} failed: HTTP {resp.status}")
    return int(resp.data)


class BinLocations:
    """Bin lookups; the client is handed in by whoever builds it."""

    def __init__(self, client):
        self.client = client

    def locate(self, sku: str) -> str:
        resp = self.client.get(f"/bins/{sku}")
        resp.raise_for_status()
        return resp.json()["bin"]


def bins() -> BinLocations:
    # a plain client with default transport: no retries anywhere
    return BinLocations(httpx.Client(base_url=WAREHOUSE_URL))  # expect: REL006


def reservations() -> httpx.Client:
    # retries failed connects on the transport
    return httpx.Client(base_url=WAREHOUSE_URL, transport=httpx.HTTPTransport(retries=3))


async def label_pdf(client: httpx.AsyncClient, shipment_id: str) -> bytes:
    # an injected client is judged where it is built, not here
    resp = await client.get(f"/labels/{shipment_id}.pdf")
    resp.raise_for_status()
    return resp.content


async def pickup_slots(depot: str) -> list:
    async with aiohttp.ClientSession(base_url=WAREHOUSE_URL) as session:  # expect: REL006, TEST001
        async with session.get(f"/depots/{depot}/slots") as resp:
            resp.raise_for_status()
            return await resp.json()


async def pickup_windows(depot: str) -> list:
    async with aiohttp.ClientSession(base_url=WAREHOUSE_URL) as session:
        client = RetryClient(client_session=session, retry_options=ExponentialRetry(attempts=3))
        async with client.get(f"/depots/{depot}/windows") as resp:
            resp.raise_for_status()
            return await resp.json()


async def book_pickup(depot: str, slot: dict) -> dict:
    # POST only: not idempotent, not retried blindly
    async with aiohttp.ClientSession(base_url=WAREHOUSE_URL) as session:  # expect: TEST001
        async with session.post(f"/depots/{depot}/pickups", json=slot) as resp:
            resp.raise_for_status()
            return await resp.json()


def local_agent_version() -> str:
    # the local sidecar on loopback
    with httpx.Client(base_url="http://127.0.0.1:9901") as client:  # expect: TEST001
        resp = client.get("/version")
        resp.raise_for_status()
        return resp.text
