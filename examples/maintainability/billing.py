"""A billing client: charges, refunds and the ledger, talking to Stripe and an internal ledger."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import httpx
import requests

from examples.maintainability.settings import BILLING_API_URL, LEDGER_URL

log = logging.getLogger(__name__)

API_V1 = "/api/v1"  # a named constant is the one place to change
ATOM_NS = "http://www.w3.org/2005/Atom"


@dataclass
class Charge:
    id: str
    amount: int
    currency: str


def create_charge(session: requests.Session, amount: int, currency: str) -> Charge:
    resp = session.post(f"{BILLING_API_URL}/charges", data={"amount": amount, "currency": currency}, timeout=10)
    resp.raise_for_status()
    body = resp.json()
    return Charge(id=body["id"], amount=body["amount"], currency=body["currency"])


def refund(session: requests.Session, charge_id: str) -> str:
    resp = session.post(
        "https://api.stripe.com/v1/refunds", data={"charge": charge_id}, timeout=10  # expect: MAINT001
    )
    resp.raise_for_status()
    return resp.json()["id"]


def ledger_balance(client: httpx.Client, account: str) -> int:
    resp = client.get(f"{LEDGER_URL}{API_V1}/accounts/{account}")
    resp.raise_for_status()
    return resp.json()["balance"]["available"]  # expect: MAINT004


def ledger_entries(client: httpx.Client, account: str) -> list[dict]:
    resp = client.get(f"{LEDGER_URL}/api/v2/accounts/{account}/entries")
    resp.raise_for_status()
    payload = resp.json()
    return [e for e in payload["data"]["entries"] if e["status"] == "posted"]  # expect: MAINT004


def ledger_holds(client: httpx.Client, account: str) -> list[dict]:
    resp = client.get(f"{LEDGER_URL}/api/v2/accounts/{account}/holds")  # expect: MAINT002
    resp.raise_for_status()
    return resp.json()["holds"]


def payout_webhook() -> str:
    url = "https://hooks.slack.com/services/T0001/B0002/payouts"  # expect: MAINT001
    return url


def fraud_score(amount: int) -> float:
    fraud_host = "10.20.4.17"  # expect: MAINT001
    resp = requests.get(f"http://{fraud_host}:8080/score", params={"amount": amount}, timeout=2)  # expect: REL006
    return resp.json()["score"]  # expect: ERR004


def statement_feed(root) -> list:
    # namespace URIs are identifiers, not endpoints
    atom = "http://www.w3.org/2005/Atom"
    return root.findall(f"{{{atom}}}entry") + root.findall("{http://www.w3.org/2005/Atom}link")


def health(port: int) -> bool:
    local = f"http://localhost:{port}/health"
    return requests.get(local, timeout=1).ok


def retry_delay() -> float:
    # hidden knowledge: nobody can list what the service needs to start
    return float(os.environ.get("BILLING_RETRY_DELAY", "0.5"))  # expect: MAINT003


def audit_enabled() -> bool:
    return os.environ["AUDIT_ENABLED"] == "1"  # expect: MAINT003


def editor() -> str:
    # a variable of the OS, not of the application
    return os.environ.get("EDITOR", "vi")


class LedgerSettings:
    def __init__(self) -> None:
        self.base_url = os.environ.get("LEDGER_URL", "https://ledger.acme-payments.io")
        self.timeout = float(os.getenv("LEDGER_TIMEOUT", "5"))


def create_app():
    app = {"ledger": os.environ.get("LEDGER_URL")}
    return app
