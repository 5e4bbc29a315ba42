"""Pull the supplier catalogue into the shop (runs inside the async worker)."""

import logging

import aiohttp
import httpx

from .settings import TIMEOUT

log = logging.getLogger(__name__)


class SupplierError(Exception):
    pass


async def fetch_page(session: aiohttp.ClientSession, url: str) -> list[dict]:
    async with session.get(url) as resp:
        return await resp.json()  # expect: ERR004


async def fetch_page_checked(session: aiohttp.ClientSession, url: str) -> list[dict] | None:
    async with session.get(url) as resp:
        if resp.status == 404:
            return None
        resp.raise_for_status()
        return await resp.json()


async def fetch_strict(url: str) -> bytes:
    # the session raises ClientResponseError on 4xx/5xx itself
    async with aiohttp.ClientSession(raise_for_status=True) as session:  # expect: REL006, TEST001
        async with session.get(url) as resp:
            return await resp.read()


async def stock_level(client: httpx.AsyncClient, sku: str) -> int:
    resp = await client.get(f"/stock/{sku}")
    return int(resp.text)  # expect: ERR004


async def price(client: httpx.AsyncClient, sku: str) -> float:
    resp = await client.get(f"/prices/{sku}")
    if resp.is_error:
        raise SupplierError(f"price for {sku}: HTTP {resp.status_code}")
    return resp.json()["price"]


def _raise_on_error(response: httpx.Response) -> None:
    response.raise_for_status()


hooked = httpx.Client(event_hooks={"response": [_raise_on_error]}, timeout=TIMEOUT[1])  # expect: REL006


def supplier_info(supplier_id: str) -> dict:
    return hooked.get(f"/suppliers/{supplier_id}").json()


async def import_all(session: aiohttp.ClientSession, urls: list[str]) -> None:
    for url in urls:
        try:
            await fetch_page_checked(session, url)  # expect: PERF001
        except aiohttp.ClientError as exc:
            log.warning("page %s skipped: %s", url, exc, exc_info=True)
        except ValueError as exc:
            raise SupplierError(f"page {url} is not JSON") from exc
