"""A small GitHub REST client on one ``httpx.Client``.

- explicit connect/read/write/pool timeouts;
- retries with exponential backoff and jitter on connection errors, 5xx, 429 and secondary
  rate-limit 403s, honouring ``retry-after`` and ``x-ratelimit-reset``, bounded both in
  attempts and in total time (a server that asks for a longer wait than the budget left is
  not waited for);
- the ``X-GitHub-Api-Version`` header; ``api_url`` for GitHub Enterprise Server;
- pagination that follows the ``Link: <...>; rel="next"`` header (same host only, bounded).

``sleep``, ``clock`` (monotonic), ``wall_clock`` (epoch seconds, for ``x-ratelimit-reset``) and
``rng`` are injected so tests never sleep.  The token is only ever put in the
``Authorization`` header: it is never logged and never part of an error message.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping
from urllib.parse import urlsplit

import httpx

from reviewlint import __version__

log = logging.getLogger("reviewlint.github")

DEFAULT_API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"
#: seconds: connect, then read/write/pool
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
MAX_PAGES = 100

#: methods that are safe to send again after the request may have reached the server
_IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
#: transport errors raised before the request could have reached the server
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class GitHubError(Exception):
    """GitHub answered with an error, or could not be reached within the retry budget.

    ``status`` is the HTTP status (0 when no answer came); ``message`` is GitHub's own
    one-line ``message`` field (never a header, never the token).
    """

    def __init__(self, method: str, path: str, status: int, message: str, errors: Any = None,
                 headers: Mapping[str, str] | None = None) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.message = message
        self.errors = errors
        self.headers = dict(headers or {})
        where = f"{method} {path}"
        super().__init__(f"{where}: {status} {message}" if status else f"{where}: {message}")

    @property
    def error_text(self) -> str:
        """``message`` plus the ``errors`` details GitHub sometimes adds (422s)."""
        parts = [self.message]
        for item in self.errors or []:
            if isinstance(item, Mapping):
                parts.append(str(item.get("message") or item.get("code") or ""))
            else:
                parts.append(str(item))
        return "; ".join(p for p in parts if p)


class RetryBudgetExceeded(GitHubError):
    """Transient failures (or rate limits) outlasted the attempts or the time allowed."""


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    max_total_seconds: float = 300.0
    base_delay: float = 1.0
    max_delay: float = 30.0
    #: a secondary rate limit without retry-after: GitHub asks for at least a minute, then longer
    rate_limit_delay: float = 60.0

    def backoff(self, attempt: int, rng: Callable[[], float]) -> float:
        """Exponential backoff with "equal jitter": half fixed, half random (attempt is 1-based)."""
        delay = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return delay / 2 + rng() * delay / 2


def _json_or_none(response: httpx.Response) -> Any:
    """The JSON body, or None when there is none. Error bodies are parsed too, on purpose:
    GitHub's ``message`` explains the failure; :meth:`GitHubClient.request` checks the status."""
    try:
        return response.json()  # reviewlint: ignore[ERR004] -- callers check the status; error bodies are read on purpose
    except ValueError:  # reviewlint: ignore[ERR002] -- no JSON body is a normal answer (204, raw content): None says so
        return None


def _retry_after(value: str | None, now: float) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):  # reviewlint: ignore[ERR002] -- an unparsable retry-after falls back to backoff
        return None
    return max(0.0, parsed.timestamp() - now)


def _is_rate_limited_403(response: httpx.Response, body: Any) -> bool:
    if response.headers.get("retry-after") or response.headers.get("x-ratelimit-remaining") == "0":
        return True
    message = str(body.get("message", "")) if isinstance(body, Mapping) else ""
    return "rate limit" in message.lower()


class GitHubClient:
    """Calls the GitHub REST API with one connection pool and a bounded retry policy."""

    def __init__(self, token: str | None = None, *, api_url: str = DEFAULT_API_URL,
                 http: httpx.Client | None = None, timeout: httpx.Timeout = DEFAULT_TIMEOUT,
                 retry: RetryPolicy = RetryPolicy(), sleep: Callable[[float], None] | None = None,
                 clock: Callable[[], float] | None = None, wall_clock: Callable[[], float] | None = None,
                 rng: Callable[[], float] | None = None) -> None:
        self.api_url = api_url.rstrip("/")
        self._token = token
        self.retry = retry
        # looked up at construction, not import, so tests can replace time.sleep
        self._sleep = sleep or time.sleep
        self._clock = clock or time.monotonic
        self._wall_clock = wall_clock or time.time
        self._rng = rng or random.random
        self._owns_http = http is None
        self._http = http if http is not None else httpx.Client(timeout=timeout, follow_redirects=False)
        self._http.headers.update({
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": f"reviewlint/{__version__}",
        })

    # -- lifecycle -----------------------------------------------------------------------
    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> "GitHubClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def set_token(self, token: str | None) -> None:
        self._token = token

    # -- requests ------------------------------------------------------------------------
    def _url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            # only ever follow links to the API we were given: the token must not leak elsewhere
            if urlsplit(path).netloc != urlsplit(self.api_url).netloc:
                raise GitHubError("GET", urlsplit(path).path, 0, "refusing to follow a link to another host")
            return path
        return f"{self.api_url}/{path.lstrip('/')}"

    def request(self, method: str, path: str, *, json: Any = None, params: Mapping[str, Any] | None = None,
                headers: Mapping[str, str] | None = None, token: str | None = None) -> httpx.Response:
        """Send one API request with retries; return the successful response or raise GitHubError.

        ``token`` overrides the client's token for this request (the App JWT).
        """
        method = method.upper()
        url = self._url(path)
        shown = urlsplit(url).path
        send_headers = dict(headers or {})
        bearer = token if token is not None else self._token
        if bearer:
            send_headers["Authorization"] = f"Bearer {bearer}"
        policy = self.retry
        start = self._clock()
        attempt = 0
        while True:  # bounded: every path below returns, raises, or counts an attempt
            attempt += 1
            wait: float | None = None
            try:
                # GET follows GitHub's redirects (a renamed repository); httpx drops the
                # Authorization header if a redirect leaves the host
                response = self._http.request(method, url, json=json, params=params, headers=send_headers,
                                              follow_redirects=method == "GET")
            except httpx.TransportError as exc:
                if not isinstance(exc, _NOT_SENT) and method not in _IDEMPOTENT:
                    raise GitHubError(method, shown, 0, f"connection failed after sending: {type(exc).__name__}") from None
                reason = f"{type(exc).__name__}"
                status = 0
                body: Any = None
                resp_headers: Mapping[str, str] = {}
            else:
                if response.status_code < 300:
                    return response
                body = _json_or_none(response)
                status = response.status_code
                resp_headers = response.headers
                message = str(body.get("message", "")) if isinstance(body, Mapping) else response.reason_phrase
                errors = body.get("errors") if isinstance(body, Mapping) else None
                retryable = status >= 500 or status == 429 or (status == 403 and _is_rate_limited_403(response, body))
                if not retryable:
                    raise GitHubError(method, shown, status, message, errors, resp_headers)
                reason = f"{status} {message}".strip()
                wait = _retry_after(response.headers.get("retry-after"), self._wall_clock())
                if wait is None and response.headers.get("x-ratelimit-remaining") == "0":
                    reset = response.headers.get("x-ratelimit-reset", "")
                    if reset.isdigit():
                        wait = max(0.0, int(reset) - self._wall_clock()) + 1.0
                if wait is None and status in (403, 429):
                    wait = policy.rate_limit_delay * (2 ** (attempt - 1))
            if wait is None:
                wait = policy.backoff(attempt, self._rng)
            elapsed = self._clock() - start
            if attempt >= policy.max_attempts or elapsed + wait > policy.max_total_seconds:
                why = (f"gave up after {attempt} attempts" if attempt >= policy.max_attempts
                       else f"GitHub asks to wait {wait:.0f} s, beyond the retry budget of {policy.max_total_seconds:.0f} s")
                raise RetryBudgetExceeded(method, shown, status, f"{reason} ({why})", None, resp_headers)
            log.warning("reviewlint: %s %s: %s; retrying in %.1f s (attempt %d of %d)",
                        method, shown, reason, wait, attempt + 1, policy.max_attempts)
            self._sleep(wait)

    def get(self, path: str, **kw: Any) -> Any:
        return _json_or_none(self.request("GET", path, **kw))

    def post(self, path: str, json: Any, **kw: Any) -> Any:
        return _json_or_none(self.request("POST", path, json=json, **kw))

    def patch(self, path: str, json: Any, **kw: Any) -> Any:
        return _json_or_none(self.request("PATCH", path, json=json, **kw))

    def put(self, path: str, json: Any, **kw: Any) -> Any:
        return _json_or_none(self.request("PUT", path, json=json, **kw))

    def delete(self, path: str, **kw: Any) -> None:
        self.request("DELETE", path, **kw)

    def paginate(self, path: str, params: Mapping[str, Any] | None = None, *, max_pages: int = MAX_PAGES,
                 **kw: Any) -> Iterator[Any]:
        """Yield the items of a list endpoint, following ``Link: rel="next"`` (at most ``max_pages``)."""
        query: Mapping[str, Any] | None = {"per_page": 100, **(params or {})}
        url = path
        for _page in range(max_pages):
            response = self.request("GET", url, params=query, **kw)
            data = _json_or_none(response)
            items = data if isinstance(data, list) else []
            yield from items
            next_url = response.links.get("next", {}).get("url")
            if not next_url:
                return
            url, query = next_url, None  # the next link carries the query already
        log.warning("reviewlint: %s: stopped after %d pages", urlsplit(self._url(path)).path, max_pages)
