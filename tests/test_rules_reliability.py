"""Retry rules (REL002-REL006) beyond their inline examples: interplay, shared analysis, PERF001."""

from __future__ import annotations

import textwrap

from reviewlint.api import check_source


def _codes(source: str, select: str) -> list[tuple[str, int]]:
    findings = check_source(textwrap.dedent(source), select=select.split(","))
    return sorted((f.code, f.line) for f in findings if f.code.startswith(("REL", "PERF")))


def test_unbounded_loop_without_backoff_reports_both_at_the_retried_call():
    src = """
        import requests

        def get(url):
            while True:
                try:
                    return requests.get(url, timeout=5)
                except Exception:
                    pass
    """
    assert _codes(src, "REL002,REL003,REL005") == [("REL002", 7), ("REL003", 7), ("REL005", 8)]


def test_continue_on_some_path_makes_a_retry_loop_for_perf001_too():
    # ``if can_retry: continue`` then ``raise``: a retry loop (PERF001 must stay silent)
    src = """
        import time, requests

        def get(url, tries):
            for attempt in range(tries):
                try:
                    return requests.get(f"{url}?a={attempt}", timeout=5)
                except requests.ConnectionError:
                    if attempt < tries - 1:
                        time.sleep(2 ** attempt)
                        continue
                    raise
    """
    assert _codes(src, "PERF001,REL002,REL005") == []


def test_retry_name_aliases_resolve():
    src = """
        from tenacity import retry as with_retries, stop_after_attempt
        import tenacity as tn

        @with_retries(stop=stop_after_attempt(3))
        def a():
            pass

        @tn.retry
        def b():
            pass
    """
    assert _codes(src, "REL003,REL004,REL005") == [("REL003", 9), ("REL004", 5), ("REL005", 5)]


def test_requests_reexported_retry_is_urllib3s():
    src = """
        from requests.packages.urllib3.util.retry import Retry
        r = Retry(total=4)
    """
    assert _codes(src, "REL004") == [("REL004", 3)]


def test_missing_retry_policy_is_once_per_module_for_functions_and_once_per_client():
    src = """
        import requests

        session = requests.Session()

        def a():
            return session.get("https://x.org/a", timeout=5)

        def b():
            return session.head("https://x.org/b", timeout=5)

        def c():
            return requests.get("https://x.org/c", timeout=5)

        def d():
            return requests.get("https://x.org/d", timeout=5)
    """
    assert _codes(src, "REL006") == [("REL006", 4), ("REL006", 13)]


def test_missing_retry_policy_sees_mount_in_another_method():
    src = """
        import requests
        from requests.adapters import HTTPAdapter
        from urllib3 import Retry

        class Api:
            def __init__(self):
                self.session = requests.Session()
                self._setup()

            def _setup(self):
                self.session.mount("https://", HTTPAdapter(max_retries=Retry(3, backoff_factor=1)))

            def user(self, uid):
                return self.session.get(f"https://x.org/u/{uid}", timeout=5)
    """
    assert _codes(src, "REL006") == []


def test_missing_retry_policy_ignores_calls_under_a_custom_retry_decorator():
    src = """
        import httpx
        from myproject.resilience import with_retries

        client = httpx.Client()

        @with_retries(attempts=3)
        def rates():
            return client.get("https://x.org/rates")
    """
    assert _codes(src, "REL006") == []


def test_bound_written_as_continue_under_the_limit_then_raise():
    src = """
        import time
        import sqlalchemy

        def engine_with_retry(uri, max_attempts=10):
            attempts = 0
            while True:
                attempts += 1
                try:
                    return sqlalchemy.inspect(sqlalchemy.create_engine(uri))
                except sqlalchemy.exc.OperationalError:
                    if attempts < max_attempts:
                        time.sleep(0.1 * 2 ** attempts)
                        continue
                    raise
    """
    assert _codes(src, "REL002,REL003") == []


def test_timer_loop_is_not_a_retry_for_any_retry_rule():
    src = """
        import asyncio

        class EventsClient:
            async def checkpoint_loop(self):
                while True:
                    await asyncio.sleep(30)
                    try:
                        if self._ws:
                            await self._ws.ping()
                            continue
                        await self._reconnect()
                    except (ConnectionError, Exception):
                        continue
                    return
    """
    assert _codes(src, "REL002,REL003,REL005") == []


def test_local_resource_retry_needs_no_backoff_but_is_still_a_retry():
    # REL002 has nothing to say (no remote service to give room to); REL005 still judges the loop
    src = """
        import subprocess

        def run():
            for attempt in range(5):
                try:
                    return subprocess.run(['nmap'], check=True)
                except Exception:
                    continue
    """
    assert _codes(src, "REL002,REL005") == [("REL005", 8)]


def test_retry_loop_with_subscripts_in_the_try_does_not_crash():
    src = """
        import time, requests

        def get(urls, i):
            for attempt in range(3):
                try:
                    return requests.get(urls[attempt], headers=H[i, 1:2], timeout=5)
                except requests.ConnectionError:
                    time.sleep(1)
    """
    assert _codes(src, "REL002") == [("REL002", 7)]
