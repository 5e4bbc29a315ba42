"""Feature flags for the storefront, read from the flag service."""

from __future__ import annotations

import functools
import sqlite3

import httpx
import requests

FLAGS_BASE = "https://flags.acme-retail.io"
FLAGS_URL = f"{FLAGS_BASE}/api/flags"

# building a client does no I/O
client = httpx.Client(base_url=FLAGS_BASE, timeout=5)  # expect: REL006

# fetched while the module is imported: tests cannot even import this file offline
DEFAULT_FLAGS = requests.get(FLAGS_URL, timeout=5).json()  # expect: ERR004, REL006, TEST002
BETA_USERS = client.get("/beta-users").json()  # expect: ERR004, TEST002

conn = sqlite3.connect("flags-cache.db")
conn.execute("CREATE TABLE IF NOT EXISTS flags (name TEXT PRIMARY KEY, enabled INTEGER)")  # expect: TEST002


@functools.cache
def flags() -> dict:
    # fetched on first use, at runtime
    return requests.get(FLAGS_URL, timeout=5).json()  # expect: ERR004


refresh = lambda: requests.get(FLAGS_URL, timeout=5).json()  # noqa: E731  (runs only when called)  # expect: ERR004


if __name__ == "__main__":
    print(requests.get(FLAGS_URL, timeout=5).json())  # expect: ERR004
