"""Payment gateway client with hand-written retry loops (REL002, REL003, REL005)."""

import asyncio
import logging
import os
import random
import time

import httpx
import requests
import requests as rq

logger = logging.getLogger(__name__)

GATEWAY_URL = os.environ.get("GATEWAY_URL", "https://pay.example.com/api")
TIMEOUT = (3.05, 20)
MAX_RETRIES = 4


class GatewayError(Exception):
    """The gateway answered with an error."""


class GatewayBusy(GatewayError):
    """429/503: worth trying again later."""


class PaymentClient:
    def __init__(self, gateway, session: requests.Session):
        self.gateway = gateway
        self.session = session

    def charge(self, order):
        # retries the gateway as fast as it can: no wait at all
        for attempt in range(MAX_RETRIES):
            try:
                return self.gateway.charge(order.id, order.total)  # expect: REL002
            except GatewayBusy:
                logger.warning("gateway busy charging order %s, attempt %d", order.id, attempt, exc_info=True)
        raise GatewayError(f"could not charge order {order.id}")

    def refund_status(self, refund_id):
        # a constant pause is not backoff: every client retries in lock-step
        for _ in range(5):
            try:
                resp = self.session.get(f"{GATEWAY_URL}/refunds/{refund_id}", timeout=TIMEOUT)  # expect: REL002
                resp.raise_for_status()
                return resp.json()
            except requests.ConnectionError:
                time.sleep(2)
        raise GatewayError("refund status unavailable")

    def capture(self, charge_id):
        # exponential backoff with jitter, only on transient errors: fine
        for attempt in range(MAX_RETRIES):
            try:
                resp = self.session.post(f"{GATEWAY_URL}/charges/{charge_id}/capture", timeout=TIMEOUT)
                resp.raise_for_status()
                return resp.json()
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(min(30, 0.5 * 2 ** attempt) + random.uniform(0, 0.5))
        raise GatewayError(f"capture of {charge_id} failed")

    def void(self, charge_id):
        # everything is retried, a 400 or a bug in our own code included
        for attempt in range(MAX_RETRIES):
            try:
                resp = self.session.delete(f"{GATEWAY_URL}/charges/{charge_id}", timeout=TIMEOUT)
                resp.raise_for_status()
                return True
            except Exception:  # expect: REL005
                logger.exception("void failed, attempt %d", attempt)
                time.sleep(2 ** attempt)
        return False

    def receipt(self, charge_id):
        # the handler re-raises what is not transient: not "retry on any error"
        delay = 0.5
        for _ in range(MAX_RETRIES):
            try:
                resp = self.session.get(f"{GATEWAY_URL}/receipts/{charge_id}", timeout=TIMEOUT)
                resp.raise_for_status()
                return resp.content
            except Exception as exc:
                status = getattr(getattr(exc, "response", None), "status_code", None)
                if status is not None and status < 500:
                    raise
                time.sleep(delay)
                delay *= 2
        raise GatewayError(f"no receipt for {charge_id}")


def wait_for_settlement(batch_id):
    # retries forever if the gateway stays down
    while True:
        try:
            resp = rq.get(f"{GATEWAY_URL}/batches/{batch_id}", timeout=TIMEOUT)  # expect: REL003
            resp.raise_for_status()
            return resp.json()
        except rq.ConnectionError:
            logger.warning("gateway unreachable for batch %s, retrying", batch_id, exc_info=True)
            time.sleep(random.uniform(1, 5))


def settlement_report(batch_id):
    # bounded by a deadline, exponential backoff: fine
    deadline = time.monotonic() + 120
    pause = 1.0
    while True:
        try:
            resp = requests.get(f"{GATEWAY_URL}/batches/{batch_id}/report", timeout=TIMEOUT)
            resp.raise_for_status()
            return resp.text
        except requests.RequestException:
            if time.monotonic() + pause > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 30)


def first_reachable(mirrors):
    # a fallback chain over mirrors is not a retry loop
    for mirror in mirrors:
        try:
            resp = requests.post(f"{mirror}/ping", timeout=2)
            resp.raise_for_status()
            return mirror
        except requests.ConnectionError:
            continue
    return None


async def poll_payout(client: httpx.AsyncClient, payout_id: str) -> dict:
    # async while True with no bound, and a bare except
    while True:
        try:
            resp = await client.get(f"/payouts/{payout_id}")  # expect: REL003
            resp.raise_for_status()
            return resp.json()
        except:  # expect: REL005, ERR001
            await asyncio.sleep(random.uniform(0.5, 2.0))


async def payout_status(client: httpx.AsyncClient, payout_id: str) -> dict:
    # counts attempts and gives up: bounded, backs off, retries only transport errors
    attempts = 0
    while True:
        try:
            resp = await client.get(f"/payouts/{payout_id}/status")
            resp.raise_for_status()
            return resp.json()
        except httpx.TransportError:
            attempts += 1
            if attempts >= MAX_RETRIES:
                raise
            await asyncio.sleep(0.2 * 2 ** attempts)
