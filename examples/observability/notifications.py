"""Sends order notifications (e-mail and push) for the shop backend."""

import logging

import httpx
import structlog

logger = logging.getLogger(__name__)
events = structlog.get_logger()


class PushError(Exception):
    pass


class Notifier:
    def __init__(self, client: httpx.Client, mailer):
        self.client = client
        self.mailer = mailer
        self.log = logging.getLogger("shop.notify")

    def push(self, user_id: str, message: str) -> bool:
        try:
            self.client.post("/push", json={"user": user_id, "text": message}).raise_for_status()
        except Exception as exc:  # a bug here is logged as one line, with no traceback
            self.log.error("push to %s failed: %s", user_id, exc)  # expect: OBS003
            return False
        return True

    def email(self, user_id: str, template: str) -> None:
        try:
            self.mailer.send(user_id, template)
        except OSError:
            logger.exception("e-mail failed")  # expect: OBS004
            print("mail server down?")  # expect: OBS001

    def sms(self, phone_number: str, order_id: str) -> None:
        try:
            self.client.post("/sms", json={"order": order_id}).raise_for_status()
        except Exception:
            # a warning keeps its level; the fix adds exc_info=True
            logger.warning("sms for order %s failed", order_id)  # expect: OBS003

    def webhook(self, order_id: str) -> None:
        try:
            self.client.post(f"/webhooks/{order_id}").raise_for_status()
        except httpx.HTTPError:
            logger.exception("webhook for order %s failed", order_id)

    def receipt(self, order_id: str) -> None:
        try:
            self.client.post(f"/receipts/{order_id}").raise_for_status()
        except httpx.HTTPError:
            logger.error("receipt failed", extra={"order_id": order_id}, exc_info=True)

    def digest(self, account_id: str) -> None:
        try:
            self.client.post(f"/digests/{account_id}").raise_for_status()
        except httpx.HTTPError as exc:
            events.error("digest_failed", account_id=account_id, error=str(exc), exc_info=True)


def retry_later(order_id: str) -> None:
    try:
        enqueue(order_id)
    except ConnectionError as exc:
        logger.error("queue unavailable for order %s: %s", order_id, exc)
        raise  # the traceback travels with the exception


def parse_preferences(raw: str) -> dict:
    import json

    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        # an expected validation outcome: the message says it all
        logger.warning("preferences are not valid JSON, using defaults")
        return {}


def enqueue(order_id: str) -> None:
    logging.info("queued order %s", order_id)  # expect: OBS005
    print(f"queued {order_id}")  # expect: OBS001


def audit(order_id: str, sink) -> None:
    print(f"audit: {order_id}", file=sink)
