"""A fake GitHub REST API for the `reviewlint review` tests: a real HTTP server on 127.0.0.1.

It keeps just enough state (PR, files, review comments, reviews, check runs, an App
installation) to answer the calls reviewlint makes, records every request (method, path,
query, headers, JSON body), checks the Authorization header, verifies App JWTs with the
public key, and can be told to fail: scripted answers per (method, path), a read-only token,
lines that are not in the diff.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import jwt


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class FakeGitHub:
    repo: str = "octo/app"
    number: int = 7
    head_sha: str = "a" * 40
    base_sha: str = "b" * 40
    token: str = "ghp_testtoken_SECRET_1234567890"
    fork: bool = False
    files: list[dict[str, Any]] = field(default_factory=list)
    contents: dict[str, bytes] = field(default_factory=dict)
    page_size: int = 2  # small pages so pagination is exercised
    comments: list[dict[str, Any]] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    check_runs: dict[int, dict[str, Any]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    #: (METHOD, path) -> answers to give before the real one: (status, headers, body)
    script: dict[tuple[str, str], list[tuple[int, dict[str, str], Any]]] = field(default_factory=dict)
    public: bool = False  # anonymous GETs allowed
    forbid_writes: bool = False  # a read-only token: POST/PUT/PATCH answer 403
    rejected_lines: set[tuple[str, int]] = field(default_factory=set)  # comments GitHub answers 422 for
    # GitHub App
    app_id: str = "Iv1.testclientid"
    public_key: Any = None
    installation_id: int = 4242
    installation_token: str = "ghs_installation_SECRET_abcdef"
    jwt_claims: list[dict[str, Any]] = field(default_factory=list)
    _ids: int = 100
    lock: threading.Lock = field(default_factory=threading.Lock)

    # -- server lifecycle ------------------------------------------------------------------
    def start(self) -> str:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                parts = urlsplit(self.path)
                rec = Recorded(self.command, unquote(parts.path), parse_qs(parts.query),
                               {k.lower(): v for k, v in self.headers.items()}, body)
                with fake.lock:
                    fake.requests.append(rec)
                    status, headers, payload = fake.answer(rec, f"http://{self.headers['Host']}")
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/api/v3"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- helpers for tests -----------------------------------------------------------------
    def calls(self, method: str | None = None, path: str | None = None) -> list[Recorded]:
        return [r for r in self.requests if (method is None or r.method == method) and (path is None or re.fullmatch(path, r.path))]

    def next_id(self) -> int:
        self._ids += 1
        return self._ids

    # -- routing -----------------------------------------------------------------------------
    def answer(self, rec: Recorded, base: str) -> tuple[int, dict[str, str], Any]:
        path = rec.path.removeprefix("/api/v3")
        scripted = self.script.get((rec.method, path))
        if scripted:
            return scripted.pop(0)
        if path.startswith("/app/") or path == f"/repos/{self.repo}/installation":
            return self.app_route(rec, path)
        anonymous_read = self.public and rec.method == "GET" and "authorization" not in rec.headers
        if not anonymous_read and rec.headers.get("authorization") not in (f"Bearer {self.token}", f"Bearer {self.installation_token}"):
            return 401, {}, {"message": "Bad credentials"}
        if rec.headers.get("x-github-api-version") != "2022-11-28":
            return 400, {}, {"message": "missing X-GitHub-Api-Version"}
        if self.forbid_writes and rec.method in ("POST", "PUT", "PATCH"):
            return 403, {}, {"message": "Resource not accessible by integration"}
        pr = f"/repos/{self.repo}/pulls/{self.number}"
        if rec.method == "GET" and path == pr:
            head_repo = "someone/app" if self.fork else self.repo
            return 200, {}, {"number": self.number, "head": {"sha": self.head_sha, "repo": {"full_name": head_repo}},
                             "base": {"sha": self.base_sha, "repo": {"full_name": self.repo}}}
        if rec.method == "GET" and path == f"{pr}/files":
            return self.page(rec, base, path, self.files)
        if rec.method == "GET" and path == f"{pr}/comments":
            return self.page(rec, base, path, self.comments)
        if rec.method == "GET" and path == f"{pr}/reviews":
            return self.page(rec, base, path, [r for r in self.reviews if r["state"] != "PENDING"])
        if rec.method == "POST" and path == f"{pr}/reviews":
            return self.create_review(rec.body)
        match = re.fullmatch(rf"{pr}/reviews/(\d+)", path)
        if match:
            review = next((r for r in self.reviews if r["id"] == int(match.group(1))), None)
            if review is None:
                return 404, {}, {"message": "Not Found"}
            if rec.method == "PUT":
                review["body"] = rec.body["body"]
                return 200, {}, review
            if rec.method == "DELETE" and review["state"] == "PENDING":
                self.reviews.remove(review)
                return 200, {}, review
        if rec.method == "GET" and path.startswith(f"/repos/{self.repo}/contents/"):
            name = path.removeprefix(f"/repos/{self.repo}/contents/")
            if name in self.contents and rec.query.get("ref") == [self.head_sha]:
                return 200, {"Content-Type": "application/vnd.github.raw+json"}, self.contents[name]
            return 404, {}, {"message": "Not Found"}
        if rec.method == "POST" and path == f"/repos/{self.repo}/check-runs":
            run = {"id": self.next_id(), **rec.body, "annotations": [], "patches": 0}
            self.check_runs[run["id"]] = run
            return 201, {}, {"id": run["id"]}
        match = re.fullmatch(rf"/repos/{self.repo}/check-runs/(\d+)", path)
        if match and rec.method == "PATCH":
            run = self.check_runs[int(match.group(1))]
            output = rec.body.get("output") or {}
            if len(output.get("annotations", [])) > 50:
                return 422, {}, {"message": "Only 50 annotations are allowed per request"}
            run["annotations"].extend(output.get("annotations", []))
            run["patches"] += 1
            run.update({k: v for k, v in rec.body.items() if k != "output"})
            return 200, {}, {"id": run["id"]}
        return 404, {}, {"message": "Not Found"}

    def page(self, rec: Recorded, base: str, path: str, items: list[Any]) -> tuple[int, dict[str, str], Any]:
        page = int(rec.query.get("page", ["1"])[0])
        chunk = items[(page - 1) * self.page_size: page * self.page_size]
        headers = {}
        if page * self.page_size < len(items):
            headers["Link"] = (f'<{base}/api/v3{path}?per_page=100&page={page + 1}>; rel="next", '
                               f'<{base}/api/v3{path}?per_page=100&page=1>; rel="first"')
        return 200, headers, chunk

    def create_review(self, body: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
        for c in body.get("comments", []):
            if (c["path"], c["line"]) in self.rejected_lines:
                return 422, {}, {"message": "Unprocessable Entity", "errors": ["Line could not be resolved"]}
        if body.get("commit_id") != self.head_sha:
            return 422, {}, {"message": "Unprocessable Entity", "errors": ["commit_id is not part of the pull request"]}
        pending = "event" not in body
        if pending and any(r["state"] == "PENDING" for r in self.reviews):
            return 422, {}, {"message": "Unprocessable Entity", "errors": ["User can only have one pending review per pull request"]}
        review = {"id": self.next_id(), "body": body.get("body", ""), "state": "PENDING" if pending else "COMMENTED",
                  "html_url": f"https://github.example/{self.repo}/pull/{self.number}#review", "comments": body.get("comments", [])}
        self.reviews.append(review)
        if not pending:
            for c in body.get("comments", []):
                self.comments.append({"id": self.next_id(), "path": c["path"], "line": c["line"], "body": c["body"],
                                      "pull_request_review_id": review["id"]})
        return 200, {}, review

    # -- GitHub App --------------------------------------------------------------------------
    def verify_jwt(self, rec: Recorded) -> dict[str, Any] | None:
        auth = rec.headers.get("authorization", "")
        if not auth.startswith("Bearer "):
            return None
        try:
            claims = jwt.decode(auth[7:], self.public_key, algorithms=["RS256"],
                                options={"require": ["iat", "exp", "iss"]})
        except jwt.PyJWTError:
            return None
        now = time.time()
        ok = (isinstance(claims["iss"], str) and claims["iss"] == self.app_id
              and claims["iat"] <= now - 50 and claims["exp"] - now <= 600 and claims["exp"] > now)
        self.jwt_claims.append(claims)
        return claims if ok else None

    def app_route(self, rec: Recorded, path: str) -> tuple[int, dict[str, str], Any]:
        if self.verify_jwt(rec) is None:
            return 401, {}, {"message": "A JSON web token could not be decoded"}
        if rec.method == "GET" and path == f"/repos/{self.repo}/installation":
            return 200, {}, {"id": self.installation_id, "account": {"login": self.repo.split("/")[0]}}
        if rec.method == "POST" and path == f"/app/installations/{self.installation_id}/access_tokens":
            return 201, {}, {"token": self.installation_token, "expires_at": "2030-01-01T00:00:00Z"}
        return 404, {}, {"message": "Not Found"}
