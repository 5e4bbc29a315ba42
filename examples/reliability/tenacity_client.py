"""Exchange-rate client decorated with tenacity and backoff (REL003, REL004, REL005)."""

import logging
import os

import backoff
import httpx
import tenacity as tn
from tenacity import (
    AsyncRetrying,
    Retrying,
    retry,
    retry_if_exception_type,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential_jitter,
    wait_random_exponential,
)
from tenacity import retry as with_retries

logger = logging.getLogger(__name__)

RATES_URL = os.environ.get("RATES_URL", "https://rates.example.com")
TRANSIENT = (httpx.TransportError, httpx.RemoteProtocolError)

rates_client = httpx.Client(base_url=RATES_URL, transport=httpx.HTTPTransport(retries=2))


@retry  # expect: REL003
def latest_rates() -> dict:
    resp = rates_client.get("/latest")
    resp.raise_for_status()
    return resp.json()


@with_retries(stop=stop_after_attempt(5))  # expect: REL004, REL005
def historical_rates(day: str) -> dict:
    resp = rates_client.get(f"/history/{day}")
    resp.raise_for_status()
    return resp.json()


@tn.retry(wait=tn.wait_exponential(multiplier=0.5, max=20), retry=tn.retry_if_exception_type(TRANSIENT))  # expect: REL003
def currencies() -> list:
    resp = rates_client.get("/currencies")
    resp.raise_for_status()
    return resp.json()


@retry(
    stop=stop_after_attempt(4) | stop_after_delay(30),
    wait=wait_exponential_jitter(initial=0.5, max=10),
    retry=retry_if_exception_type(TRANSIENT),
    reraise=True,
)
def convert(amount: float, source: str, target: str) -> float:
    # a complete policy: bounded, backs off, retries only transient errors
    resp = rates_client.get("/convert", params={"amount": amount, "from": source, "to": target})
    resp.raise_for_status()
    return resp.json()["result"]


@retry(stop=stop_after_attempt(3), wait=wait_random_exponential(max=5), retry=retry_if_exception_type(Exception))  # expect: REL005
def symbols() -> dict:
    resp = rates_client.get("/symbols")
    resp.raise_for_status()
    return resp.json()


def fluctuation(start: str, end: str) -> dict:
    # a Retrying controller without stop= or wait=
    for attempt in Retrying(retry=retry_if_exception_type(TRANSIENT)):  # expect: REL003, REL004
        with attempt:
            resp = rates_client.get("/fluctuation", params={"start": start, "end": end})
            resp.raise_for_status()
            return resp.json()
    return {}


def timeseries(start: str, end: str) -> dict:
    for attempt in Retrying(stop=stop_after_attempt(3), wait=wait_exponential_jitter(), retry=retry_if_exception_type(TRANSIENT)):
        with attempt:
            resp = rates_client.get("/timeseries", params={"start": start, "end": end})
            resp.raise_for_status()
            return resp.json()
    return {}


async def quote(client: httpx.AsyncClient, pair: str) -> float:
    async for attempt in AsyncRetrying(stop=stop_after_attempt(3), wait=wait_exponential_jitter()):  # expect: REL005
        with attempt:
            resp = await client.get(f"/quote/{pair}")
            resp.raise_for_status()
            return resp.json()["price"]
    return 0.0


@backoff.on_exception(backoff.expo, Exception)  # expect: REL003, REL005
def bank_holidays(country: str) -> list:
    resp = rates_client.get(f"/holidays/{country}")
    resp.raise_for_status()
    return resp.json()


@backoff.on_exception(backoff.expo, httpx.TransportError, max_tries=5, jitter=backoff.full_jitter)
def market_status() -> dict:
    resp = rates_client.get("/market")
    resp.raise_for_status()
    return resp.json()


@backoff.on_predicate(backoff.fibo, lambda status: status != "done", max_time=120)
def export_status(job_id: str) -> str:
    resp = rates_client.get(f"/exports/{job_id}")
    resp.raise_for_status()
    return resp.json()["status"]


@backoff.on_predicate(backoff.constant, lambda status: status == "pending", interval=5)  # expect: REL003
def import_status(job_id: str) -> str:
    resp = rates_client.get(f"/imports/{job_id}")
    resp.raise_for_status()
    return resp.json()["status"]
