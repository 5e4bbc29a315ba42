"""Billing service settings: the one place where endpoints and environment variables live."""

import os

# module-level constants and environment reads at import are what a settings module is for
BILLING_API_URL = os.environ.get("BILLING_API_URL", "https://api.stripe.com/v1")
LEDGER_URL = os.getenv("LEDGER_URL", "https://ledger.acme-payments.io")


def database_url() -> str:
    # a settings module may read the environment lazily too
    return os.environ["DATABASE_URL"]


def fallback_gateway() -> str:
    gateway = "https://gw2.acme-payments.io/api"
    return gateway
