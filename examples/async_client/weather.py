"""An async client for a weather API, used by the dashboard service."""

import asyncio
import logging

import httpx
from httpx import AsyncClient as AC

log = logging.getLogger("dashboard.weather")


class WeatherClient:
    def __init__(self, client: httpx.AsyncClient):
        self.client = client

    async def forecast(self, city: str) -> dict:
        resp = await self.client.get("/forecast", params={"city": city})
        resp.raise_for_status()
        return resp.json()

    async def forecasts(self, cities: list[str]) -> list[dict]:
        out = []
        for city in cities:
            resp = await self.client.get("/forecast", params={"city": city})  # expect: PERF001
            out.append(resp.json())  # expect: ERR004
        return out

    async def forecasts_bounded(self, cities: list[str]) -> list[dict]:
        limit = asyncio.Semaphore(5)

        async def one(city):
            async with limit:
                return await self.forecast(city)

        return await asyncio.gather(*(one(c) for c in cities))


def make_client() -> AC:
    # httpx's default timeout is 5 s; None removes it
    return AC(base_url="https://weather.example.com", timeout=None)  # expect: REL001


async def alerts(client: httpx.AsyncClient, region: str) -> list:
    resp = await client.get(f"/alerts/{region}")
    log.info("alerts for %s: %d", region, len(resp.json()))  # expect: ERR004
    log.error("alert fetch for " + region + " was slow")  # expect: OBS002
    return resp.json()
