"""The pull-request review: which findings go inline, the summary body, re-runs, check runs.

Flow (:func:`run_review`):

1. the pull request: from ``$GITHUB_EVENT_PATH``/``$GITHUB_REPOSITORY`` in an Actions
   ``pull_request`` run, else ``--repo``/``--pr`` (then the PR itself is fetched for its SHAs);
2. the files it changes (PR files API, paginated) and, from each file's ``patch``, the lines it
   adds; Python files are checked as they are at the PR head (the local checkout when its git
   blob matches GitHub's, else the file's content fetched from GitHub at the head SHA);
3. findings on added lines become inline comments (most severe first, at most 30); the rest of
   them, and findings in files whose diff GitHub does not show, go into the review body under
   the viewpoint checklist; findings on lines the PR did not touch are not the PR's business;
4. re-runs: every comment carries ``<!-- reviewlint:CODE:path:line -->``; a finding already
   commented on the same line is not posted again, and the earlier summary review's body is
   updated (``PUT .../reviews/{id}``, GitHub's "update a review") instead of posting another;
5. a 422 (a line GitHub does not accept) drops just the rejected comments — found by probing
   with pending reviews that are deleted again — and posts the rest; dropped ones move to the body.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Sequence
from urllib.parse import quote, urlsplit

from reviewlint.github.client import GitHubClient, GitHubError
from reviewlint.github.diff import PatchLines, parse_patch
from reviewlint.rule import Finding

MAX_INLINE_COMMENTS = 30
ANNOTATION_BATCH = 50
MAX_BODY_CHARS = 65_000  # GitHub refuses review bodies over 65,536 characters
SUMMARY_MARKER = "<!-- reviewlint:summary -->"
FOLLOW_UP_MARKER = "<!-- reviewlint:review -->"
_MARKER = re.compile(r"<!-- reviewlint:([A-Z]+[0-9]+):(.+?):([0-9]+) -->")
_SEVERITY_RANK = {"error": 3, "warning": 2, "info": 1}
_ANNOTATION_LEVEL = {"error": "failure", "warning": "warning", "info": "notice"}
PYTHON_SUFFIXES = (".py", ".pyi")
LONG_SPAN = 10  # as reviewlint.diff: longer constructs count only by their first lines
#: what GitHub's 422 says when an inline comment's line or path is not in the diff
_LINE_PROBLEM = re.compile(r"line|path|position|diff|could not be resolved", re.IGNORECASE)


class UsageError(Exception):
    """The command was called without what it needs (no PR to review, bad --repo)."""


# -- the pull request --------------------------------------------------------------------
@dataclass
class PullRequest:
    repo: str
    number: int
    head_sha: str = ""
    base_sha: str = ""
    fork: bool = False  # the head branch lives in another repository


def _check_repo(repo: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", repo or ""):
        raise UsageError(f"--repo must be owner/name, not {repo!r}")
    return repo


def _from_event(event: Mapping[str, Any], repo: str) -> PullRequest | None:
    pr = event.get("pull_request")
    if not isinstance(pr, Mapping) or not pr.get("number"):
        return None
    head = pr.get("head") or {}
    base = pr.get("base") or {}
    head_repo = (head.get("repo") or {}).get("full_name")
    base_repo = (base.get("repo") or {}).get("full_name") or repo
    return PullRequest(repo=repo, number=int(pr["number"]), head_sha=str(head.get("sha") or ""),
                       base_sha=str(base.get("sha") or ""), fork=head_repo != base_repo)


def pull_request_from_env(env: Mapping[str, str], repo: str | None = None, number: int | None = None) -> PullRequest:
    """The PR to review: ``--repo``/``--pr`` when given, else the Actions event."""
    event: Mapping[str, Any] = {}
    event_path = env.get("GITHUB_EVENT_PATH")
    if event_path and os.path.isfile(event_path):
        try:
            with open(event_path, encoding="utf-8") as handle:
                loaded = json.load(handle)
        except (OSError, ValueError) as exc:
            raise UsageError(f"cannot read the Actions event file $GITHUB_EVENT_PATH: {type(exc).__name__}") from None
        event = loaded if isinstance(loaded, Mapping) else {}
    repo = repo or env.get("GITHUB_REPOSITORY") or ((event.get("repository") or {}).get("full_name"))
    if number is not None:
        if not repo:
            raise UsageError("--pr needs --repo owner/name outside GitHub Actions")
        from_event = _from_event(event, _check_repo(repo))
        if from_event is not None and from_event.number == number:
            return from_event
        return PullRequest(repo=repo, number=number)
    if repo:
        from_event = _from_event(event, _check_repo(repo))
        if from_event is not None:
            return from_event
    raise UsageError("no pull request to review: run in a GitHub Actions pull_request workflow, or give --repo owner/name --pr N")


def complete_pull_request(client: GitHubClient, pr: PullRequest) -> PullRequest:
    """Fill in the SHAs and the fork flag from the API when the event did not give them."""
    if pr.head_sha:
        return pr
    data = client.get(f"/repos/{pr.repo}/pulls/{pr.number}")
    head, base = data.get("head") or {}, data.get("base") or {}
    pr.head_sha = str(head.get("sha") or "")
    pr.base_sha = str(base.get("sha") or "")
    pr.fork = (head.get("repo") or {}).get("full_name") != (base.get("repo") or {}).get("full_name", pr.repo)
    return pr


# -- changed files and findings ------------------------------------------------------------
@dataclass
class ChangedFile:
    filename: str
    status: str
    sha: str
    patch: str | None
    lines: PatchLines = field(default_factory=PatchLines)
    changes: int = 1  # lines added + deleted (0: a pure rename)


def list_changed_files(client: GitHubClient, pr: PullRequest) -> list[ChangedFile]:
    files = []
    for item in client.paginate(f"/repos/{pr.repo}/pulls/{pr.number}/files"):
        patch = item.get("patch")
        files.append(ChangedFile(filename=item["filename"], status=item.get("status", "modified"),
                                 sha=item.get("sha") or "", patch=patch, lines=parse_patch(patch),
                                 changes=int(item.get("changes", 1) or 0)))
    return files


def git_blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()  # noqa: S324 - git's object id, not security


def _source_at_head(client: GitHubClient, pr: PullRequest, changed: ChangedFile, root: str) -> bytes:
    local = os.path.join(root, changed.filename)
    if os.path.isfile(local):
        with open(local, "rb") as handle:
            data = handle.read()
        if not changed.sha or git_blob_sha(data) == changed.sha:
            return data
    response = client.request("GET", f"/repos/{pr.repo}/contents/{quote(changed.filename)}",
                              params={"ref": pr.head_sha}, headers={"Accept": "application/vnd.github.raw+json"})
    return response.content


def check_changed_files(client: GitHubClient, pr: PullRequest, files: Sequence[ChangedFile], settings: Any,
                        engine: Any, root: str) -> tuple[list[Finding], int, list[str]]:
    """Check the Python files the PR adds or modifies, as they are at its head.

    Returns the findings, the number of files checked and their texts (for the checklist's
    "which viewpoints does this change touch").
    """
    from reviewlint.engine.project import finish_project

    results = []
    texts = []
    for changed in files:
        if changed.status == "removed" or not changed.filename.endswith(PYTHON_SUFFIXES):
            continue
        local = os.path.join(root, changed.filename)
        if settings.is_excluded(local):
            continue
        data = _source_at_head(client, pr, changed, root)
        texts.append(data.decode("utf-8", errors="replace"))
        results.append(engine.check_bytes(data, local, changed.filename))
    finish_project(results, engine)
    findings = sorted((f for r in results for f in (*r.diagnostics, *r.findings)), key=lambda f: f.sort_key)
    return findings, len(results), texts


# -- planning the review -------------------------------------------------------------------
def marker(f: Finding) -> str:
    return f"<!-- reviewlint:{f.code}:{f.path}:{f.line} -->"


def marker_key(f: Finding) -> tuple[str, str, int]:
    return (f.code, f.path, f.line)


def severity_order(f: Finding) -> tuple:
    return (-_SEVERITY_RANK.get(f.severity, 0), f.path, f.line, f.column, f.code)


@dataclass
class Plan:
    inline: list[Finding] = field(default_factory=list)  # to post as new inline comments
    already: list[Finding] = field(default_factory=list)  # commented on the same line by an earlier run
    overflow: list[Finding] = field(default_factory=list)  # on added lines, beyond the inline cap
    outside: list[Finding] = field(default_factory=list)  # in changed files whose diff GitHub does not show
    dropped: list[Finding] = field(default_factory=list)  # GitHub refused the line (422)
    lines: dict[tuple[str, str, int], int] = field(default_factory=dict)  # marker key -> line to comment on

    @property
    def reported(self) -> list[Finding]:
        """Every finding this PR is told about, most severe first."""
        return sorted([*self.inline, *self.already, *self.overflow, *self.outside, *self.dropped], key=severity_order)

    @property
    def in_body(self) -> list[Finding]:
        return sorted([*self.overflow, *self.dropped, *self.outside], key=severity_order)


def comment_line(f: Finding, lines: PatchLines) -> int | None:
    """Where to comment on ``f``, or None when the PR did not touch it.

    The PR touched a finding when it added a line of the reported construct, from its
    statement's first line to its end (as ``check --diff-base`` decides: for constructs longer
    than LONG_SPAN lines only their first line and their statement's first line count). The
    comment goes on the finding's own line when the diff shows it (added or context), else on
    the first added line of the construct.
    """
    first = min(f.line, f.statement_line or f.line)
    last = max(f.end_line, f.line)
    if last - first + 1 > LONG_SPAN:
        span = sorted({f.line, f.statement_line or f.line})
    else:
        span = list(range(first, last + 1))
    touched = [n for n in span if n in lines.added]
    if not touched:
        return None
    return f.line if f.line in lines.visible else min(touched)


def plan_review(findings: Iterable[Finding], files: Sequence[ChangedFile], existing: set[tuple[str, str, int]],
                max_inline: int = MAX_INLINE_COMMENTS) -> Plan:
    """Sort findings into inline comments, already-commented ones and body-only ones."""
    by_name = {f.filename: f for f in files}
    plan = Plan()
    seen: set[tuple[str, str, int]] = set()
    for f in sorted(findings, key=severity_order):
        changed = by_name.get(f.path)
        if changed is None:
            continue
        key = marker_key(f)
        if key in seen:
            continue  # one comment per rule and line
        seen.add(key)
        if changed.patch is None:
            if changed.changes:  # GitHub leaves out the patch of very large diffs
                plan.outside.append(f)
            continue
        place = comment_line(f, changed.lines)
        if place is None:
            continue  # a construct this PR did not touch
        plan.lines[key] = place
        if key in existing or (f.code, f.path, place) in existing:
            plan.already.append(f)
        elif len(plan.inline) < max_inline:
            plan.inline.append(f)
        else:
            plan.overflow.append(f)
    return plan


# -- markdown ------------------------------------------------------------------------------
def web_url(api_url: str, env: Mapping[str, str]) -> str:
    """The web host that goes with the API: github.com for api.github.com, the host for GHES."""
    if env.get("GITHUB_SERVER_URL"):
        return env["GITHUB_SERVER_URL"].rstrip("/")
    parts = urlsplit(api_url)
    if parts.netloc == "api.github.com":
        return "https://github.com"
    return f"{parts.scheme}://{parts.netloc}"


def link_maker(server: str, pr: PullRequest) -> Callable[[Finding], str]:
    def link(f: Finding) -> str:
        return f"{server}/{pr.repo}/blob/{pr.head_sha}/{quote(f.path)}#L{f.line}"

    return link


def _checklist(findings: list[Finding], files_checked: int, link: Callable[[Finding], str], max_bytes: int,
               texts: Sequence[str]) -> str:
    from reviewlint.report.checklist import checklist_markdown, touched_viewpoints

    return checklist_markdown(findings, files_checked, link=link, max_bytes=max_bytes,
                              touched=touched_viewpoints((), texts), title="reviewlint review checklist")


def _escape(text: str) -> str:
    return text.replace("<", "&lt;").replace(">", "&gt;")


def suggestion(f: Finding) -> str | None:
    """The fixed line as a GitHub ``suggestion`` block, for a fix within one line."""
    fix = f.fix
    text = f.line_text.rstrip("\r\n")
    if fix is None or f.end_line != f.line or "\n" in fix.replacement or not text or f.end_column > len(text) + 1:
        return None
    fixed = text[: f.column - 1] + fix.replacement + text[f.end_column - 1:]
    what = fix.description or "suggested fix"
    caution = "" if fix.safe else " (this changes behaviour: check it)"
    return f"{_escape(what)}{caution}:\n\n```suggestion\n{fixed}\n```"


def comment_body(f: Finding, rule_link: str | None = None, *, with_suggestion: bool = True) -> str:
    name = f"[{f.name}]({rule_link})" if rule_link else f.name
    parts = [f"**{f.code}** ({name}) · {f.viewpoint} · {f.severity}", _escape(f.message)]
    fixed = suggestion(f) if with_suggestion else None
    if fixed:
        parts.append(fixed)
    parts.append(marker(f))
    return "\n\n".join(parts)


def summary_body(plan: Plan, files_checked: int, link: Callable[[Finding], str], *, texts: Sequence[str] = (),
                 note: str = "") -> str:
    """The review body: marker, checklist, then the findings that are not inline comments."""
    head = f"{SUMMARY_MARKER}\n"
    tail_lines: list[str] = []
    rest = plan.in_body
    if rest:
        tail_lines.append("\n### Findings not commented inline\n")
        why = {id(f): "beyond the 30 inline comments" for f in plan.overflow}
        why.update({id(f): "GitHub refused a comment on this line" for f in plan.dropped})
        why.update({id(f): "diff not shown by GitHub" for f in plan.outside})
        for f in rest:
            tail_lines.append(f"- [{f.path}:{f.line}]({link(f)}) **{f.code}** {_escape(f.message)} _({why[id(f)]})_")
    if plan.already:
        tail_lines.append(f"\n{len(plan.already)} finding(s) already commented on by an earlier run are not repeated.")
    if note:
        tail_lines.append(f"\n{note}")
    tail = "\n".join(tail_lines)
    budget = MAX_BODY_CHARS - len(head) - 200
    tail_budget = min(len(tail), budget // 3)
    if len(tail) > tail_budget:
        cut = tail[:tail_budget].rsplit("\n", 1)[0]
        tail = cut + f"\n- … and more: {len(rest)} findings in all (see the job log)"
    checklist = _checklist(plan.reported, files_checked, link, budget - len(tail.encode()), texts)
    return head + checklist.rstrip() + "\n" + tail + "\n"


# -- talking to GitHub -------------------------------------------------------------------
@dataclass
class Existing:
    keys: set[tuple[str, str, int]] = field(default_factory=set)
    summary_review_id: int | None = None


def existing_state(client: GitHubClient, pr: PullRequest) -> Existing:
    """What earlier runs left: commented (code, path, line) keys and the summary review."""
    state = Existing()
    for comment in client.paginate(f"/repos/{pr.repo}/pulls/{pr.number}/comments"):
        for code, path, line in _MARKER.findall(comment.get("body") or ""):
            state.keys.add((code, path, int(line)))
            if comment.get("line"):  # GitHub moves a comment's line along with later pushes
                state.keys.add((code, path, int(comment["line"])))
    for review in client.paginate(f"/repos/{pr.repo}/pulls/{pr.number}/reviews"):
        if SUMMARY_MARKER in (review.get("body") or ""):
            state.summary_review_id = int(review["id"])
    return state


def inline_comment(f: Finding, line: int, rule_link: Callable[[Finding], str | None]) -> dict[str, Any]:
    # a suggestion replaces the commented line: only offer one when that is the finding's line
    return {"path": f.path, "line": line, "side": "RIGHT", "body": comment_body(f, rule_link(f), with_suggestion=line == f.line)}


def _probe(client: GitHubClient, pr: PullRequest, comments: list[dict[str, Any]]) -> bool:
    """Does GitHub accept these comments? Asked with a pending review that is deleted again."""
    try:
        pending = client.post(f"/repos/{pr.repo}/pulls/{pr.number}/reviews",
                              {"commit_id": pr.head_sha, "comments": comments})
    except GitHubError as exc:
        if exc.status == 422:
            return False
        raise
    client.delete(f"/repos/{pr.repo}/pulls/{pr.number}/reviews/{pending['id']}")
    return True


def rejected_comments(client: GitHubClient, pr: PullRequest, comments: list[dict[str, Any]],
                      known_bad: bool = True) -> list[int]:
    """Indexes of the comments GitHub refuses (bisection over pending reviews)."""
    if not comments:
        return []
    if not known_bad and _probe(client, pr, comments):
        return []
    if len(comments) == 1:
        return [0]
    mid = len(comments) // 2
    left = rejected_comments(client, pr, comments[:mid], known_bad=False)
    right = rejected_comments(client, pr, comments[mid:], known_bad=False)
    return left + [mid + i for i in right]


@dataclass
class Outcome:
    plan: Plan
    review: dict[str, Any] | None = None  # the review posted (None: only the summary was updated, or dry run)
    updated_summary: int | None = None
    payloads: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    check_run: dict[str, Any] | None = None


def publish_review(client: GitHubClient, pr: PullRequest, plan: Plan, files_checked: int, existing: Existing,
                   link: Callable[[Finding], str], rule_link: Callable[[Finding], str | None],
                   *, texts: Sequence[str] = (), dry_run: bool = False) -> Outcome:
    outcome = Outcome(plan=plan)
    reviews_path = f"/repos/{pr.repo}/pulls/{pr.number}/reviews"

    def payloads() -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        comments = [inline_comment(f, plan.lines.get(marker_key(f), f.line), rule_link) for f in plan.inline]
        body = summary_body(plan, files_checked, link, texts=texts)
        if existing.summary_review_id is None:
            return None, {"commit_id": pr.head_sha, "event": "COMMENT", "body": body, "comments": comments}
        update = {"body": body}
        if not comments:
            return update, None
        n = len(comments)
        short = (f"{FOLLOW_UP_MARKER}\nreviewlint: {n} new finding{'s' if n != 1 else ''} on this push; "
                 "the checklist summary in the first reviewlint review is updated.")
        return update, {"commit_id": pr.head_sha, "event": "COMMENT", "body": short, "comments": comments}

    update, review = payloads()
    if dry_run:
        if update is not None:
            outcome.payloads.append({"method": "PUT", "path": f"{reviews_path}/{existing.summary_review_id}", "json": update})
        if review is not None:
            outcome.payloads.append({"method": "POST", "path": reviews_path, "json": review})
        return outcome
    if review is not None:
        try:
            outcome.review = client.post(reviews_path, review)
        except GitHubError as exc:
            if exc.status != 422 or not review["comments"] or not _LINE_PROBLEM.search(exc.error_text):
                raise
            bad = set(rejected_comments(client, pr, review["comments"]))
            if not bad:
                raise
            kept = [f for i, f in enumerate(plan.inline) if i not in bad]
            plan.dropped.extend(f for i, f in enumerate(plan.inline) if i in bad)
            plan.inline = kept
            outcome.warnings.append(f"GitHub refused {len(bad)} inline comment(s) on lines outside the diff (422); "
                                    "they are listed in the review body instead")
            update, review = payloads()
            if review is not None:
                outcome.review = client.post(reviews_path, review)
    if update is not None:
        try:
            client.put(f"{reviews_path}/{existing.summary_review_id}", update)
            outcome.updated_summary = existing.summary_review_id
        except GitHubError as exc:
            if exc.status not in (403, 404, 422):
                raise
            # not ours to edit (another account posted it) or gone: post a fresh summary instead
            outcome.warnings.append(f"could not update the earlier summary review ({exc.status} {exc.message}); "
                                    "posting a new one")
            existing.summary_review_id = None
            _, fresh = payloads()
            assert fresh is not None
            fresh["comments"] = []
            outcome.review = client.post(reviews_path, fresh)
    return outcome


def conclusion_for(findings: Sequence[Finding], fail_on: str | None) -> str:
    if fail_on is not None:
        threshold = _SEVERITY_RANK[fail_on]
        return "failure" if any(_SEVERITY_RANK.get(f.severity, 0) >= threshold for f in findings) else "success"
    return "neutral" if findings else "success"


def annotation(f: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {
        "path": f.path,
        "start_line": f.line,
        "end_line": max(f.end_line, f.line),
        "annotation_level": _ANNOTATION_LEVEL.get(f.severity, "notice"),
        "title": f"reviewlint {f.code} ({f.name})",
        "message": f.message,
    }
    if f.end_line == f.line and f.end_column > f.column:
        out["start_column"], out["end_column"] = f.column, f.end_column
    return out


def publish_check_run(client: GitHubClient, pr: PullRequest, findings: Sequence[Finding], summary: str,
                      fail_on: str | None, *, dry_run: bool = False, payloads: list[dict[str, Any]] | None = None,
                      name: str = "reviewlint") -> dict[str, Any]:
    """Create a check run, add annotations 50 per PATCH, and complete it with a conclusion."""
    conclusion = conclusion_for(findings, fail_on)
    n = len(findings)
    title = f"{n} finding{'s' if n != 1 else ''}" if n else "no findings"
    summary = summary[:65_000]
    annotations = [annotation(f) for f in sorted(findings, key=severity_order)]
    batches = [annotations[i:i + ANNOTATION_BATCH] for i in range(0, len(annotations), ANNOTATION_BATCH)] or [[]]
    create = {"name": name, "head_sha": pr.head_sha, "status": "in_progress"}
    path = f"/repos/{pr.repo}/check-runs"
    updates = []
    for index, batch in enumerate(batches):
        body: dict[str, Any] = {"output": {"title": title, "summary": summary, "annotations": batch}}
        if index == len(batches) - 1:
            body.update({"status": "completed", "conclusion": conclusion})
        updates.append(body)
    if dry_run:
        if payloads is not None:
            payloads.append({"method": "POST", "path": path, "json": create})
            payloads.extend({"method": "PATCH", "path": f"{path}/{{id}}", "json": u} for u in updates)
        return {"conclusion": conclusion}
    created = client.post(path, create)
    for body in updates:
        client.patch(f"{path}/{created['id']}", body)
    return {"id": created["id"], "conclusion": conclusion, "annotations": len(annotations)}
