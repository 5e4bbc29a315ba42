"""Status crawler: polls the health endpoints of the partner services."""

import logging
import time

import httpx
import requests as rq
from aiohttp import ClientSession, ClientTimeout

logger = logging.getLogger(__name__)


def check_all(urls):
    results = {}
    for url in urls:
        with httpx.Client(timeout=5) as client:  # expect: PERF006, REL006
            results[url] = client.get(url).status_code  # expect: PERF001
    return results


def check_all_reusing(client: httpx.Client, urls):
    return {url: client.get(url).status_code for url in urls}  # expect: PERF001


def post_reports(reports):
    for report in reports:
        session = rq.Session()  # expect: PERF006
        session.headers["X-Source"] = "crawler"
        session.post("https://reports.example.com/ingest", json=report, timeout=10)  # expect: PERF001


async def fetch_pages(urls):
    pages = []
    for url in urls:
        async with ClientSession(timeout=ClientTimeout(total=10)) as session:  # expect: PERF006, REL006
            async with session.get(url) as resp:  # expect: PERF001
                resp.raise_for_status()
                pages.append(await resp.text())
    return pages


def check_tenants(tenants):
    # one client per tenant: the configuration depends on the tenant
    for tenant in tenants:
        with httpx.Client(base_url=tenant.base_url, auth=(tenant.user, tenant.key)) as client:
            client.get("/health")


def fetch_with_fresh_connection(url, attempts=3):
    # a retry loop may build a new session on purpose
    for attempt in range(attempts):
        try:
            with rq.Session() as s:
                return s.get(url, timeout=5)
        except rq.ConnectionError:
            logger.warning("attempt %d for %s failed", attempt, url, exc_info=True)
            time.sleep(2**attempt)
    return None
