"""Nightly job: push stock levels from the warehouse database to the shop's API."""

import logging
import os

import requests
import requests as rq
from urllib.request import urlopen

logger = logging.getLogger(__name__)

SHOP_API = os.environ.get("SHOP_API", "https://shop.example.com/api")
TIMEOUT = (3.05, 15)


class ShopClient:
    def __init__(self, token: str):
        self.session = requests.Session()  # expect: REL006
        self.session.headers["Authorization"] = f"Bearer {token}"

    def product(self, sku):
        # no timeout on a session call
        return self.session.get(f"{SHOP_API}/products/{sku}")  # expect: REL001

    def update_stock(self, sku, quantity):
        resp = self.session.put(f"{SHOP_API}/products/{sku}/stock", json={"quantity": quantity}, timeout=TIMEOUT)
        resp.raise_for_status()
        return resp


def push_levels(client: ShopClient, levels: dict[str, int]) -> None:
    for sku, quantity in levels.items():
        # one PUT per product: the shop has a batch endpoint
        client.session.put(  # expect: PERF001, REL001
            f"{SHOP_API}/products/{sku}/stock",
            json={"quantity": quantity},
        )
        logger.info(f"pushed {sku}")  # expect: OBS002


def fetch_prices(skus):
    return [rq.get(f"{SHOP_API}/prices/{sku}", timeout=TIMEOUT).json() for sku in skus]  # expect: PERF001, ERR004, REL006


def download_catalogue(url):
    with urlopen(url) as fh:  # expect: REL001
        return fh.read()


def all_orders():
    """Pagination follows the API's next link: one request per page, not per item."""
    orders, url = [], f"{SHOP_API}/orders"
    while url:
        resp = requests.get(url, timeout=TIMEOUT)
        resp.raise_for_status()
        orders.extend(resp.json()["results"])
        url = resp.json().get("next")
    return orders


def ping_regions():
    # a literal list of three regions is not an N+1 loop
    for region in ("eu", "us", "ap"):
        requests.get(f"https://{region}.status.example.com/ping", timeout=2)


def get_with_retry(url, attempts=4):
    for attempt in range(attempts):
        try:
            return requests.get(url, timeout=TIMEOUT)  # expect: REL002
        except requests.ConnectionError:
            logger.warning("attempt %d for %s failed", attempt, url, exc_info=True)
    raise RuntimeError(f"gave up on {url}")


def report(levels):
    logger.info("pushed %d stock levels", len(levels))
    logger.debug("levels: %s", levels)
