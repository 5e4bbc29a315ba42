"""`reviewlint review` against a fake GitHub API served on 127.0.0.1 (tests/github_fake.py).

No test sleeps: the retry tests inject sleep/clock into the client, and the CLI tests that
meet a retry replace ``time.sleep`` with a recorder.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from github_fake import FakeGitHub
from reviewlint.cli import cli
from reviewlint.github import command as cmd
from reviewlint.github.auth import AuthError, Secrets, app_jwt, resolve_credentials
from reviewlint.github.client import GitHubClient, GitHubError, RetryBudgetExceeded, RetryPolicy
from reviewlint.github.diff import parse_patch
from reviewlint.github.review import SUMMARY_MARKER, git_blob_sha

ENV_KEYS = ("GITHUB_TOKEN", "GITHUB_EVENT_PATH", "GITHUB_EVENT_NAME", "GITHUB_REPOSITORY", "GITHUB_API_URL",
            "GITHUB_SERVER_URL", "GITHUB_SHA", "GITHUB_APP_ID", "GITHUB_APP_CLIENT_ID", "GITHUB_APP_PRIVATE_KEY",
            "GITHUB_APP_PRIVATE_KEY_FILE", "GITHUB_STEP_SUMMARY")


# -- fixtures ------------------------------------------------------------------------------
@pytest.fixture
def fake():
    server = FakeGitHub()
    server.api_url = server.start()
    yield server
    server.stop()


class FakeTime:
    """A clock that only moves when the code under test 'sleeps'."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now

    def wall(self) -> float:
        return 1_700_000_000 + self.now


@pytest.fixture
def no_sleep(monkeypatch):
    """For CLI runs: time.sleep records instead of sleeping."""
    fake_time = FakeTime()
    monkeypatch.setattr(time, "sleep", fake_time.sleep)
    return fake_time


def added_patch(text: str) -> str:
    lines = text.splitlines()
    return f"@@ -0,0 +1,{len(lines)} @@\n" + "\n".join("+" + line for line in lines)


def add_file(fake: FakeGitHub, root: Path, name: str, text: str, patch: str | None = "added", *, local: bool = True) -> None:
    data = text.encode()
    if local:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    fake.contents[name] = data
    entry: dict[str, Any] = {"filename": name, "status": "added" if patch == "added" else "modified",
                             "sha": git_blob_sha(data)}
    if patch is not None:
        entry["patch"] = added_patch(text) if patch == "added" else patch
    fake.files.append(entry)


def http_lines(n: int, start: int = 0) -> str:
    body = "".join(f"requests.get('https://api.example.org/items/{i}')\n" for i in range(start, start + n))
    return "import requests\n\n" + body


def actions_env(fake: FakeGitHub, tmp_path: Path, **extra: str | None) -> dict[str, str | None]:
    event = tmp_path.parent / f"{tmp_path.name}-event.json"
    head_repo = "someone/app" if fake.fork else fake.repo
    event.write_text(json.dumps({
        "action": "synchronize", "number": fake.number,
        "pull_request": {"number": fake.number, "head": {"sha": fake.head_sha, "repo": {"full_name": head_repo}},
                         "base": {"sha": fake.base_sha, "repo": {"full_name": fake.repo}}},
        "repository": {"full_name": fake.repo},
    }))
    env: dict[str, str | None] = {k: None for k in ENV_KEYS}
    env.update({"GITHUB_EVENT_PATH": str(event), "GITHUB_EVENT_NAME": "pull_request", "GITHUB_REPOSITORY": fake.repo,
                "GITHUB_API_URL": fake.api_url, "GITHUB_TOKEN": fake.token, "GITHUB_SERVER_URL": "https://github.example"})
    env.update(extra)
    return env


def review(args: list[str], env: dict[str, str | None]) -> Any:
    runner = CliRunner()
    return runner.invoke(cli, ["review", "--select", "REL001,OBS002", *args], env=env, catch_exceptions=False)


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def posted_reviews(fake: FakeGitHub) -> list[Any]:
    return [r for r in fake.calls("POST", r".*/pulls/7/reviews") if r.body.get("event") == "COMMENT"]


# -- the diff ------------------------------------------------------------------------------
def test_parse_patch_added_and_visible_lines():
    patch = ("@@ -1,4 +1,5 @@\n import os\n-import sys\n+import re\n+import json\n \n def f():\n"
             "@@ -20,3 +21,2 @@ def g():\n     a = 1\n-    b = 2\n+    b = 3\n\\ No newline at end of file")
    lines = parse_patch(patch)
    assert lines.added == {2, 3, 22}
    assert lines.visible == {1, 2, 3, 4, 5, 21, 22}
    assert parse_patch(None).added == set()
    assert parse_patch("Binary files differ").added == set()


# -- the happy path ------------------------------------------------------------------------
def test_actions_run_posts_one_review_on_added_lines(fake, workdir):
    add_file(fake, workdir, "app/new.py", http_lines(2))
    # a modified file: only line 4 is added; line 3 is an old finding the PR did not touch
    old = http_lines(3)
    add_file(fake, workdir, "app/old.py", old, patch="@@ -1,4 +1,5 @@\n import requests\n \n requests.get('https://api.example.org/items/0')\n+requests.get('https://api.example.org/items/1')\n requests.get('https://api.example.org/items/2')\n")
    add_file(fake, workdir, "README.md", "# hello\n")
    add_file(fake, workdir, "app/clean.py", "x = 1\n")

    result = review([], actions_env(fake, workdir))
    assert result.exit_code == 0, result.output

    # the files list is paginated (2 per page here): pages 1 and 2 were fetched, following Link
    pages = fake.calls("GET", r"/api/v3/repos/octo/app/pulls/7/files")
    assert [p.query.get("page", ["1"]) for p in pages] == [["1"], ["2"]]
    for r in fake.requests:
        assert r.headers["authorization"] == f"Bearer {fake.token}"
        assert r.headers["x-github-api-version"] == "2022-11-28"
        assert r.headers["accept"].startswith("application/vnd.github")
    # local files match the PR head's blobs: no contents fetched
    assert not fake.calls("GET", r".*/contents/.*")

    [post] = posted_reviews(fake)
    assert post.path == "/api/v3/repos/octo/app/pulls/7/reviews"
    body = post.body
    assert body["event"] == "COMMENT" and body["commit_id"] == fake.head_sha
    placed = sorted((c["path"], c["line"]) for c in body["comments"])
    assert placed == [("app/new.py", 3), ("app/new.py", 4), ("app/old.py", 4)]
    for c in body["comments"]:
        assert c["side"] == "RIGHT"
        assert c["body"].startswith("**REL001**")
        assert f"<!-- reviewlint:REL001:{c['path']}:{c['line']} -->" in c["body"]
    assert SUMMARY_MARKER in body["body"]
    assert "reviewlint review checklist" in body["body"] and "Reliability" in body["body"]
    assert "https://github.example/octo/app/blob/" + fake.head_sha + "/app/new.py#L3" in body["body"]
    # findings are printed locally too
    assert "app/new.py:3:1: REL001" in result.stdout
    assert "app/old.py:3" not in result.stdout  # an untouched line is not the PR's business


def test_single_line_fix_becomes_a_suggestion(fake, workdir):
    text = "import requests\n\nrequests.get('https://api.example.org/items')\n"
    add_file(fake, workdir, "svc.py", text)
    result = review([], actions_env(fake, workdir))
    assert result.exit_code == 0, result.output
    [post] = posted_reviews(fake)
    [comment] = post.body["comments"]
    assert re.search(r"```suggestion\nrequests\.get\('https://api\.example\.org/items', timeout=[0-9.]+\)\n```", comment["body"])
    assert "check it" in comment["body"]  # REL001's fix is unsafe: said so


def test_at_most_30_inline_comments_most_severe_first(fake, workdir):
    logs = "import logging\nlog = logging.getLogger(__name__)\n" + "".join(f"log.info(f'item {{{i}}}')\n" for i in range(5)) + \
        "".join(f"log.info('lazy %s', {i})\n" for i in range(15))  # the project's convention is lazy arguments
    add_file(fake, workdir, "a_logs.py", logs)  # OBS002: info, sorts first by path
    add_file(fake, workdir, "b_http.py", http_lines(35))  # REL001: error
    result = review([], actions_env(fake, workdir))
    assert result.exit_code == 0, result.output
    [post] = posted_reviews(fake)
    comments = post.body["comments"]
    assert len(comments) == 30
    assert all(c["path"] == "b_http.py" for c in comments)  # errors before infos
    assert [c["line"] for c in comments] == list(range(3, 33))
    summary = post.body["body"]
    assert "Findings not commented inline" in summary
    assert "b_http.py:37" in summary and "a_logs.py:3" in summary
    assert "beyond the 30 inline comments" in summary


def test_rerun_does_not_pile_up(fake, workdir):
    add_file(fake, workdir, "svc.py", http_lines(3))
    env = actions_env(fake, workdir)
    assert review([], env).exit_code == 0
    assert len(posted_reviews(fake)) == 1 and len(fake.comments) == 3
    first_summary = fake.reviews[0]["id"]

    # same code again: no new review, no new comment; the summary is updated in place
    result = review([], env)
    assert result.exit_code == 0, result.output
    assert len(posted_reviews(fake)) == 1 and len(fake.comments) == 3
    [put] = fake.calls("PUT", rf".*/pulls/7/reviews/{first_summary}")
    assert SUMMARY_MARKER in put.body["body"]
    assert "already commented" in put.body["body"]

    # a push adds one more finding: one new review with just that comment; still one summary
    text = http_lines(4)
    (workdir / "svc.py").write_text(text)
    fake.files[0].update(sha=git_blob_sha(text.encode()), patch=added_patch(text))
    result = review([], env)
    assert result.exit_code == 0, result.output
    reviews = posted_reviews(fake)
    assert len(reviews) == 2
    assert [(c["path"], c["line"]) for c in reviews[1].body["comments"]] == [("svc.py", 6)]
    assert SUMMARY_MARKER not in reviews[1].body["body"]
    assert sum(SUMMARY_MARKER in r["body"] for r in fake.reviews) == 1
    assert len(fake.calls("PUT", r".*/reviews/\d+")) == 2
    assert len(fake.comments) == 4


def test_multi_line_call_touched_on_its_second_line(fake, workdir):
    text = "import requests\n\nrequests.get(\n    'https://api.example.org/new',\n)\n\nrequests.get(\n    'https://api.example.org/old',\n)\n"
    patch = ("@@ -1,9 +1,9 @@\n import requests\n \n requests.get(\n-    'https://api.example.org/was',\n"
             "+    'https://api.example.org/new',\n )\n \n requests.get(\n     'https://api.example.org/old',\n )")
    add_file(fake, workdir, "multi.py", text, patch=patch)
    result = review([], actions_env(fake, workdir))
    assert result.exit_code == 0, result.output
    [post] = posted_reviews(fake)
    # the call on line 3 was changed (its argument on line 4): commented on line 3, shown as context;
    # the call on line 7 was not touched
    assert [(c["path"], c["line"]) for c in post.body["comments"]] == [("multi.py", 3)]


def test_file_not_in_checkout_is_read_at_the_pr_head(fake, workdir):
    add_file(fake, workdir, "remote_only.py", http_lines(1), local=False)
    result = review([], actions_env(fake, workdir))
    assert result.exit_code == 0, result.output
    [get] = fake.calls("GET", r".*/contents/remote_only.py")
    assert get.query["ref"] == [fake.head_sha]
    [post] = posted_reviews(fake)
    assert [(c["path"], c["line"]) for c in post.body["comments"]] == [("remote_only.py", 3)]


def test_file_without_patch_goes_to_the_summary(fake, workdir):
    add_file(fake, workdir, "huge.py", http_lines(2), patch=None)  # GitHub omits big diffs
    result = review([], actions_env(fake, workdir))
    assert result.exit_code == 0, result.output
    [post] = posted_reviews(fake)
    assert post.body["comments"] == []
    assert "huge.py:3" in post.body["body"] and "diff not shown by GitHub" in post.body["body"]


def test_pure_rename_reports_nothing(fake, workdir):
    add_file(fake, workdir, "moved.py", http_lines(2), patch=None)
    fake.files[0].update(status="renamed", changes=0, previous_filename="old.py")
    result = review([], actions_env(fake, workdir))
    assert result.exit_code == 0, result.output
    [post] = posted_reviews(fake)
    assert post.body["comments"] == [] and "moved.py" not in post.body["body"]


def test_outside_actions_needs_repo_and_pr(fake, workdir):
    env = {k: None for k in ENV_KEYS}
    env["GITHUB_TOKEN"] = fake.token
    result = review(["--api-url", fake.api_url], env)
    assert result.exit_code == cmd.EXIT_USAGE
    assert "--repo owner/name --pr N" in result.stderr
    add_file(fake, workdir, "svc.py", http_lines(1))
    result = review(["--api-url", fake.api_url, "--repo", "octo/app", "--pr", "7"], env)
    assert result.exit_code == 0, result.output
    assert fake.calls("GET", r"/api/v3/repos/octo/app/pulls/7")  # SHAs from the API
    assert posted_reviews(fake)[0].body["commit_id"] == fake.head_sha


def test_dry_run_prints_the_payload_and_posts_nothing(fake, workdir):
    add_file(fake, workdir, "svc.py", http_lines(2))
    result = review(["--dry-run", "--check-run"], actions_env(fake, workdir))
    assert result.exit_code == 0, result.output
    payloads = json.loads(result.stdout)
    assert payloads[0]["method"] == "POST" and payloads[0]["path"].endswith("/pulls/7/reviews")
    assert len(payloads[0]["json"]["comments"]) == 2
    assert payloads[1]["path"].endswith("/check-runs")
    assert not [r for r in fake.requests if r.method != "GET"]
    assert "svc.py:3:1: REL001" in result.stderr


def test_dry_run_without_credentials_reads_anonymously(fake, workdir):
    fake.public = True
    add_file(fake, workdir, "svc.py", http_lines(1))
    result = review(["--dry-run"], actions_env(fake, workdir, GITHUB_TOKEN=None))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["json"]["comments"][0]["line"] == 3
    assert all("authorization" not in r.headers for r in fake.requests)


def test_summary_that_cannot_be_edited_is_replaced_not_lost(fake, workdir):
    add_file(fake, workdir, "svc.py", http_lines(1))
    env = actions_env(fake, workdir)
    assert review([], env).exit_code == 0
    summary_id = fake.reviews[0]["id"]
    fake.script[("PUT", f"/repos/octo/app/pulls/7/reviews/{summary_id}")] = [(403, {}, {"message": "Forbidden"})]
    result = review([], env)
    assert result.exit_code == 0, result.output
    reviews = posted_reviews(fake)
    assert len(reviews) == 2 and reviews[1].body["comments"] == [] and SUMMARY_MARKER in reviews[1].body["body"]
    assert "could not update the earlier summary" in result.stderr


# -- check runs ----------------------------------------------------------------------------
def test_check_run_annotations_in_batches_of_50(fake, workdir):
    add_file(fake, workdir, "many.py", http_lines(120))
    result = review(["--check-run", "--fail-on", "error"], actions_env(fake, workdir))
    assert result.exit_code == cmd.EXIT_FINDINGS, result.output
    [create] = fake.calls("POST", r".*/check-runs")
    assert create.body == {"name": "reviewlint", "head_sha": fake.head_sha, "status": "in_progress"}
    patches = fake.calls("PATCH", r".*/check-runs/\d+")
    assert [len(p.body["output"]["annotations"]) for p in patches] == [50, 50, 20]
    assert "conclusion" not in patches[0].body
    assert patches[-1].body["status"] == "completed" and patches[-1].body["conclusion"] == "failure"
    note = patches[0].body["output"]["annotations"][0]
    assert note["annotation_level"] == "failure" and note["path"] == "many.py" and note["start_line"] == 3
    assert note["title"] == "reviewlint REL001 (http-call-without-timeout)"
    run = next(iter(fake.check_runs.values()))
    assert len(run["annotations"]) == 120 and run["conclusion"] == "failure"


def test_check_run_without_findings_succeeds(fake, workdir):
    add_file(fake, workdir, "ok.py", "x = 1\n")
    result = review(["--check-run", "--fail-on", "warning"], actions_env(fake, workdir))
    assert result.exit_code == 0, result.output
    [patch] = fake.calls("PATCH", r".*/check-runs/\d+")
    assert patch.body["conclusion"] == "success" and patch.body["output"]["annotations"] == []


# -- retries (client level, injected clock: nothing sleeps) --------------------------------
def client_for(fake: FakeGitHub, fake_time: FakeTime, **policy: Any) -> GitHubClient:
    return GitHubClient(fake.token, api_url=fake.api_url, retry=RetryPolicy(**policy), sleep=fake_time.sleep,
                        clock=fake_time.clock, wall_clock=fake_time.wall, rng=lambda: 0.5)


def test_retry_on_502_then_success(fake):
    path = "/repos/octo/app/pulls/7"
    fake.script[("GET", path)] = [(502, {}, {"message": "Bad Gateway"}), (502, {}, {"message": "Bad Gateway"})]
    t = FakeTime()
    with client_for(fake, t, base_delay=1.0) as client:
        assert client.get(path)["number"] == 7
    assert len(fake.calls("GET", "/api/v3" + path)) == 3
    assert t.sleeps == [0.75, 1.5]  # exponential, with (fixed here) jitter: d/2 + rng*d/2


def test_retry_after_on_429_and_secondary_rate_limit_403(fake):
    path = "/repos/octo/app/pulls/7"
    fake.script[("GET", path)] = [
        (429, {"Retry-After": "7"}, {"message": "Too Many Requests"}),
        (403, {"Retry-After": "3"}, {"message": "You have exceeded a secondary rate limit"}),
        (403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(1_700_000_000 + 1000 + 10 + 20)},
         {"message": "API rate limit exceeded"}),
    ]
    t = FakeTime()
    with client_for(fake, t) as client:
        assert client.get(path)["number"] == 7
    assert t.sleeps == [7.0, 3.0, 21.0]  # retry-after, retry-after, reset - now + 1


def test_secondary_rate_limit_without_retry_after_waits_a_minute_then_longer(fake):
    path = "/repos/octo/app/pulls/7"
    limited = (403, {}, {"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."})
    fake.script[("GET", path)] = [limited, limited]
    t = FakeTime()
    with client_for(fake, t) as client:
        assert client.get(path)["number"] == 7
    assert t.sleeps == [60.0, 120.0]


def test_permission_403_is_not_retried(fake):
    fake.forbid_writes = True
    t = FakeTime()
    with client_for(fake, t) as client, pytest.raises(GitHubError) as info:
        client.post("/repos/octo/app/pulls/7/reviews", {"event": "COMMENT", "body": "x"})
    assert info.value.status == 403 and t.sleeps == []


def test_give_up_after_the_attempt_bound(fake):
    path = "/repos/octo/app/pulls/7"
    fake.script[("GET", path)] = [(502, {}, {"message": "Bad Gateway"})] * 10
    t = FakeTime()
    with client_for(fake, t, max_attempts=4) as client, pytest.raises(RetryBudgetExceeded) as info:
        client.get(path)
    assert len(fake.calls("GET", "/api/v3" + path)) == 4 and len(t.sleeps) == 3
    assert "gave up after 4 attempts" in str(info.value)


def test_give_up_when_the_server_asks_to_wait_beyond_the_time_budget(fake):
    path = "/repos/octo/app/pulls/7"
    fake.script[("GET", path)] = [(429, {"Retry-After": "3600"}, {"message": "Too Many Requests"})]
    t = FakeTime()
    with client_for(fake, t, max_total_seconds=120) as client, pytest.raises(RetryBudgetExceeded) as info:
        client.get(path)
    assert t.sleeps == [] and "beyond the retry budget" in str(info.value)


def test_connection_refused_is_retried_then_explained(fake, workdir, no_sleep):
    add_file(fake, workdir, "svc.py", http_lines(1))
    fake.stop()  # nothing listens any more
    result = review([], actions_env(fake, workdir))
    assert result.exit_code == cmd.EXIT_API
    assert len(no_sleep.sleeps) == 4  # 5 attempts
    assert "cannot reach GitHub" in result.stderr or "kept failing" in result.stderr
    fake.start()  # so the fixture can stop it


def test_get_follows_a_redirect_of_a_renamed_repository(fake):
    fake.script[("GET", "/repos/octo/old-name/pulls/7")] = [
        (301, {"Location": f"{fake.api_url}/repos/octo/app/pulls/7"}, {"message": "Moved Permanently"})]
    with client_for(fake, FakeTime()) as client:
        assert client.get("/repos/octo/old-name/pulls/7")["number"] == 7
        fake.script[("POST", "/repos/octo/old-name/pulls/7/reviews")] = [
            (307, {"Location": f"{fake.api_url}/repos/octo/app/pulls/7/reviews"}, {"message": "Temporary Redirect"})]
        with pytest.raises(GitHubError) as info:  # a write is never silently re-sent elsewhere
            client.post("/repos/octo/old-name/pulls/7/reviews", {"event": "COMMENT", "body": "x"})
        assert info.value.status == 307


def test_pagination_refuses_links_to_another_host(fake):
    t = FakeTime()
    with client_for(fake, t) as client, pytest.raises(GitHubError):
        client.get("https://elsewhere.example/steal")


# -- failures explained, findings still printed ---------------------------------------------
def test_cli_retries_502_when_posting(fake, workdir, no_sleep):
    add_file(fake, workdir, "svc.py", http_lines(1))
    fake.script[("POST", "/repos/octo/app/pulls/7/reviews")] = [(502, {}, {"message": "Server Error"})]
    result = review([], actions_env(fake, workdir))
    assert result.exit_code == 0, result.output
    assert len(no_sleep.sleeps) == 1 and len(posted_reviews(fake)) == 2  # the 502'd try and the real one
    assert "retrying in" in result.stderr


def test_fork_pr_with_read_only_token(fake, workdir):
    fake.fork = True
    fake.forbid_writes = True
    add_file(fake, workdir, "svc.py", http_lines(2))
    result = review([], actions_env(fake, workdir))
    assert result.exit_code == cmd.EXIT_FORK
    assert "svc.py:3:1: REL001" in result.stdout and "svc.py:4:1: REL001" in result.stdout
    [line] = result.stderr.strip().splitlines()[-1:]
    assert "comes from a fork" in line and "403" in line


def test_missing_permission(fake, workdir):
    fake.forbid_writes = True
    add_file(fake, workdir, "svc.py", http_lines(1))
    result = review([], actions_env(fake, workdir))
    assert result.exit_code == cmd.EXIT_PERMISSION
    assert "svc.py:3:1: REL001" in result.stdout
    assert "pull-requests: write" in result.stderr.strip().splitlines()[-1]


def test_missing_checks_permission(fake, workdir):
    add_file(fake, workdir, "svc.py", http_lines(1))
    fake.script[("POST", "/repos/octo/app/check-runs")] = [(403, {}, {"message": "Resource not accessible by integration"})]
    result = review(["--check-run"], actions_env(fake, workdir))
    assert result.exit_code == cmd.EXIT_PERMISSION
    assert "checks: write" in result.stderr


def test_bad_token(fake, workdir):
    add_file(fake, workdir, "svc.py", http_lines(1))
    result = review([], actions_env(fake, workdir, GITHUB_TOKEN="ghp_wrong_SECRET_value"))
    assert result.exit_code == cmd.EXIT_AUTH
    assert "401" in result.stderr and "ghp_wrong_SECRET_value" not in result.output + result.stderr


def test_findings_printed_from_the_checkout_when_github_cannot_be_read(fake, workdir):
    import subprocess

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=workdir, check=True, capture_output=True, text=True).stdout.strip()

    git("init", "-q")
    git("config", "user.email", "t@example.org")
    git("config", "user.name", "t")
    (workdir / "svc.py").write_text(http_lines(1))
    git("add", "svc.py")
    git("commit", "-q", "-m", "base")
    fake.base_sha = git("rev-parse", "HEAD")
    (workdir / "svc.py").write_text(http_lines(2))
    git("commit", "-q", "-am", "head")
    result = review([], actions_env(fake, workdir, GITHUB_TOKEN="ghp_wrong_SECRET_value"))
    assert result.exit_code == cmd.EXIT_AUTH
    assert result.stdout.splitlines() == ["svc.py:4:1: REL001 " + result.stdout.split(" REL001 ", 1)[1].splitlines()[0]]
    assert "from the local checkout" in result.stderr
    result = review([], actions_env(fake, workdir, GITHUB_TOKEN=None))  # no credentials at all
    assert result.exit_code == cmd.EXIT_AUTH and "svc.py:4:1: REL001" in result.stdout


def test_no_credentials(fake, workdir):
    result = review([], actions_env(fake, workdir, GITHUB_TOKEN=None))
    assert result.exit_code == cmd.EXIT_AUTH and "GITHUB_TOKEN" in result.stderr


def test_422_drops_the_refused_comment_and_posts_the_rest(fake, workdir):
    add_file(fake, workdir, "svc.py", http_lines(5))
    fake.rejected_lines = {("svc.py", 5)}
    result = review([], actions_env(fake, workdir))
    assert result.exit_code == 0, result.output
    final = [r for r in fake.reviews if r["state"] == "COMMENTED"]
    assert len(final) == 1
    assert sorted(c["line"] for c in final[0]["comments"]) == [3, 4, 6, 7]
    assert "svc.py:5" in final[0]["body"] and "GitHub refused a comment on this line" in final[0]["body"]
    assert not [r for r in fake.reviews if r["state"] == "PENDING"]  # probes cleaned up
    assert "refused 1 inline comment" in result.stderr


def test_422_that_is_not_about_a_line_is_explained(fake, workdir):
    add_file(fake, workdir, "svc.py", http_lines(1))
    fake.script[("POST", "/repos/octo/app/pulls/7/reviews")] = [
        (422, {}, {"message": "Validation Failed", "errors": [{"message": "body is too long"}]})]
    result = review([], actions_env(fake, workdir))
    assert result.exit_code == cmd.EXIT_REJECTED
    assert "422" in result.stderr and "body is too long" in result.stderr


# -- GitHub App ------------------------------------------------------------------------------
@pytest.fixture
def rsa_key():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    return key, pem


def test_app_auth_signs_a_jwt_and_uses_the_installation_token(fake, workdir, rsa_key):
    key, pem = rsa_key
    fake.public_key = key.public_key()
    key_file = workdir.parent / f"{workdir.name}-app.pem"
    key_file.write_text(pem)
    add_file(fake, workdir, "svc.py", http_lines(1))
    env = actions_env(fake, workdir, GITHUB_TOKEN=None, GITHUB_APP_CLIENT_ID=fake.app_id)
    result = review(["--private-key-file", str(key_file)], env)
    assert result.exit_code == 0, result.output

    [find] = fake.calls("GET", r"/api/v3/repos/octo/app/installation")
    [exchange] = fake.calls("POST", rf"/api/v3/app/installations/{fake.installation_id}/access_tokens")
    assert exchange.body == {"repositories": ["app"]}
    [claims] = fake.jwt_claims[:1]
    assert claims["iss"] == fake.app_id and isinstance(claims["iss"], str)
    assert claims["exp"] - claims["iat"] <= 600 and claims["iat"] <= time.time() - 55
    assert find.headers["authorization"] == exchange.headers["authorization"]
    later = [r for r in fake.requests if not r.path.endswith("/installation") and not r.path.startswith("/api/v3/app/")]
    assert later and all(r.headers["authorization"] == f"Bearer {fake.installation_token}" for r in later)
    assert len(posted_reviews(fake)) == 1
    assert fake.installation_token not in result.output + result.stderr
    assert all(line not in result.output + result.stderr for line in pem.splitlines()[1:-1])


def test_app_jwt_claims_with_numeric_id(rsa_key):
    import jwt

    key, pem = rsa_key
    token = app_jwt(12345, pem, now=lambda: 2_000_000_000.0)
    claims = jwt.decode(token, key.public_key(), algorithms=["RS256"], options={"verify_exp": False, "verify_iat": False})
    assert claims == {"iat": 2_000_000_000 - 60, "exp": 2_000_000_000 + 540, "iss": "12345"}
    assert jwt.get_unverified_header(token)["alg"] == "RS256"


def test_wrong_app_key_is_refused_by_the_server(fake, workdir, rsa_key):
    key, _ = rsa_key
    fake.public_key = key.public_key()
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = other.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                              serialization.NoEncryption()).decode()
    env = actions_env(fake, workdir, GITHUB_TOKEN=None, GITHUB_APP_ID="Iv1.testclientid", GITHUB_APP_PRIVATE_KEY=pem)
    result = review([], env)
    assert result.exit_code == cmd.EXIT_AUTH
    assert "401" in result.stderr
    assert all(line not in result.output + result.stderr for line in pem.splitlines()[1:-1])


def test_invalid_key_one_line_and_never_echoed(fake, workdir):
    garbage = "-----BEGIN RSA PRIVATE KEY-----\nTHISISNOTAKEYbutSECRETmaterial0123456789\n-----END RSA PRIVATE KEY-----\n"
    env = actions_env(fake, workdir, GITHUB_TOKEN=None, GITHUB_APP_CLIENT_ID="Iv1.x", GITHUB_APP_PRIVATE_KEY=garbage)
    result = review([], env)
    assert result.exit_code == cmd.EXIT_AUTH
    assert result.stderr.count("\n") == 1 and "not a valid" in result.stderr
    assert "THISISNOTAKEY" not in result.output + result.stderr
    assert not fake.requests  # nothing was sent


def test_app_id_without_key_is_explained():
    with pytest.raises(AuthError) as info:
        resolve_credentials(token=None, app_id="1", private_key=None, private_key_file=None, env={}, secrets=Secrets())
    assert "private key" in str(info.value)


# -- secrets -----------------------------------------------------------------------------------
def test_no_secret_in_any_output(fake, workdir, no_sleep, rsa_key, caplog):
    key, pem = rsa_key
    fake.public_key = key.public_key()
    add_file(fake, workdir, "svc.py", http_lines(3))
    # a retry (logged), a 422 (bisection), a permission error: every message path runs
    fake.script[("GET", "/repos/octo/app/pulls/7/files")] = [(503, {}, {"message": "busy"})]
    fake.rejected_lines = {("svc.py", 4)}
    outputs = []
    for args, env in [
        ([], actions_env(fake, workdir)),
        (["--token", fake.token, "--check-run", "--dry-run"], actions_env(fake, workdir, GITHUB_TOKEN=None)),
        ([], actions_env(fake, workdir, GITHUB_TOKEN=None, GITHUB_APP_CLIENT_ID=fake.app_id, GITHUB_APP_PRIVATE_KEY=pem)),
    ]:
        result = review(args, env)
        assert result.exit_code == 0, result.output
        outputs += [result.stdout, result.stderr]
    fake.forbid_writes = True
    result = review(["--check-run"], actions_env(fake, workdir))
    outputs += [result.stdout, result.stderr, caplog.text]
    assert "retrying in" in "".join(outputs)
    jwts = [r.headers["authorization"][7:] for r in fake.requests if "installation" in r.path]
    secrets = [fake.token, fake.installation_token, *jwts, *pem.splitlines()[1:-1]]
    for text in outputs:
        for secret in secrets:
            assert secret not in text


def test_redaction_is_a_safety_net():
    secrets = Secrets()
    secrets.add("ghp_abcdefghijklmnopqrstuvwxyz")
    assert secrets.redact("token ghp_abcdefghijklmnopqrstuvwxyz leaked") == "token *** leaked"
