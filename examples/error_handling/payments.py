"""Payment gateway client used by the checkout service."""

import json
import logging

import httpx
import requests

from .settings import GATEWAY_URL, RATES_URL, TIMEOUT

logger = logging.getLogger(__name__)


class PaymentError(Exception):
    pass


class Gateway:
    def __init__(self, client: httpx.Client):
        self.client = client

    def charge(self, order_id: str, amount: int) -> dict:
        resp = self.client.post("/charges", json={"order": order_id, "amount": amount})
        try:
            resp.raise_for_status()
        except httpx.HTTPStatusError as exc:
            raise PaymentError(f"charge for order {order_id} failed")  # expect: ERR003
        return resp.json()

    def refund(self, charge_id: str) -> dict:
        resp = self.client.post(f"/charges/{charge_id}/refund")
        if resp.status_code == 404:
            raise PaymentError(f"unknown charge {charge_id}")
        return resp.json()

    def receipt(self, charge_id: str) -> str:
        resp = self.client.get(f"/charges/{charge_id}/receipt")
        return resp.text  # expect: ERR004

    def raw(self, path: str) -> httpx.Response:
        # the caller decides what to do with the status
        resp = self.client.get(path)
        return resp

    def cancel(self, charge_id: str) -> bool:
        try:
            self.client.post(f"/charges/{charge_id}/cancel").raise_for_status()
        except httpx.HTTPError:  # expect: ERR002
            return False
        return True

    def void(self, charge_id: str) -> None:
        try:
            self.client.delete(f"/charges/{charge_id}").raise_for_status()
        except httpx.HTTPStatusError as exc:
            raise PaymentError(f"void of {charge_id} failed") from exc


def exchange_rate(currency: str) -> float:
    resp = requests.get(f"{RATES_URL}/{currency}", timeout=TIMEOUT)  # expect: REL006
    return resp.json()["rate"]  # expect: ERR004


def exchange_rate_checked(currency: str) -> float:
    resp = requests.get(f"{RATES_URL}/{currency}", timeout=TIMEOUT)
    data = resp.json()
    if not resp.ok:
        raise PaymentError(data.get("error", "rates unavailable"))
    return data["rate"]


def load_card_config(path: str) -> dict:
    try:
        with open(path) as fh:
            return json.load(fh)
    except:  # expect: ERR001
        return {}


def close_session(session: requests.Session) -> None:
    try:
        session.close()
    except:
        logger.warning("closing the gateway session failed")
        raise


def parse_amount(text: str) -> int | None:
    # EAFP: the ValueError is the answer, not a failure
    try:
        return int(text)
    except ValueError:
        return None


def cached_token(cache: dict, merchant_id: str) -> str | None:
    try:
        return cache[merchant_id]
    except KeyError:
        return None


def notify_webhooks(urls: list[str], payload: dict) -> None:
    for url in urls:
        try:
            requests.post(url, json=payload, timeout=TIMEOUT).raise_for_status()  # expect: PERF001
        except requests.RequestException:  # expect: ERR002
            continue


def ping_gateway(session: requests.Session) -> bool:
    for attempt in range(3):
        try:
            session.get(f"{GATEWAY_URL}/ping", timeout=TIMEOUT).raise_for_status()  # expect: REL002
            return True
        except requests.ConnectionError:
            continue  # a retry loop: REL rules judge it
    return False


def settle(batch_id: str) -> None:
    try:
        requests.post(f"{GATEWAY_URL}/settle/{batch_id}", timeout=TIMEOUT).raise_for_status()
    except requests.HTTPError:
        raise PaymentError("settlement rejected")  # expect: ERR003
