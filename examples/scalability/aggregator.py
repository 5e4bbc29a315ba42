"""Price aggregator: asks every supplier API for a quote, concurrently."""

import asyncio
import logging

import httpx

logger = logging.getLogger(__name__)
_background: set[asyncio.Task] = set()


class QuoteClient:
    def __init__(self, client: httpx.AsyncClient, max_in_flight: int = 10):
        self.client = client
        self._limit = asyncio.Semaphore(max_in_flight)

    async def quote(self, supplier: str, sku: str) -> dict:
        async with self._limit:
            resp = await self.client.get(f"/suppliers/{supplier}/quotes", params={"sku": sku})
            resp.raise_for_status()
            return resp.json()

    async def all_quotes(self, suppliers, sku):
        # bounded: the class holds a semaphore
        return await asyncio.gather(*(self.quote(s, sku) for s in suppliers))


async def fetch_quote(client: httpx.AsyncClient, supplier: str, sku: str) -> dict:
    resp = await client.get(f"/suppliers/{supplier}/quotes", params={"sku": sku})
    resp.raise_for_status()
    return resp.json()


async def best_price(client: httpx.AsyncClient, suppliers: list[str], sku: str) -> float:
    quotes = await asyncio.gather(*(fetch_quote(client, s, sku) for s in suppliers))  # expect: SCALE002
    return min(q["price"] for q in quotes)


async def prices_for(client: httpx.AsyncClient, skus: list[str]) -> list[dict]:
    tasks = [fetch_quote(client, "acme", sku) for sku in skus]
    return await asyncio.gather(*tasks, return_exceptions=True)  # expect: SCALE002


async def prices_bounded(client: httpx.AsyncClient, skus: list[str]) -> list[dict]:
    limit = asyncio.Semaphore(8)

    async def one(sku):
        async with limit:
            return await fetch_quote(client, "acme", sku)

    return await asyncio.gather(*(one(sku) for sku in skus))


async def regional_prices(client: httpx.AsyncClient, sku: str) -> list[dict]:
    # a fixed, literal fan-out
    return await asyncio.gather(*(fetch_quote(client, region, sku) for region in ("eu", "us", "apac")))


async def record_quote(quote: dict) -> None:
    logger.info("quote %s for %s", quote.get("price"), quote.get("sku"))


async def on_quote(quote: dict) -> None:
    asyncio.create_task(record_quote(quote))  # expect: SCALE003


async def on_quote_loop(quote: dict) -> None:
    loop = asyncio.get_running_loop()
    loop.create_task(record_quote(quote))  # expect: SCALE003


async def on_quote_tracked(quote: dict) -> None:
    task = asyncio.create_task(record_quote(quote))
    _background.add(task)
    task.add_done_callback(_background.discard)


async def on_quotes(quotes: list[dict]) -> None:
    async with asyncio.TaskGroup() as tg:
        for quote in quotes:
            tg.create_task(record_quote(quote))


async def quote_with_sync_client(client: httpx.Client, sku: str) -> dict:
    # a sync httpx client blocks the event loop as much as requests does
    resp = client.get("/quotes", params={"sku": sku})  # expect: SCALE001
    resp.raise_for_status()
    return resp.json()
