"""The review checklist: a per-viewpoint summary in the reviewer's own terms (Markdown).

One row per viewpoint (✅ no findings / ❌ N findings, with the top rules), then the findings
grouped by viewpoint with ``file:line`` links, and under each viewpoint the change touches
the questions no static rule can settle, as unchecked boxes for the human reviewer
(rule-catalogue.md, "The checklist beyond the rules").

:func:`checklist_markdown` is the public entry point (``reviewlint check --output-format
checklist``, ``$GITHUB_STEP_SUMMARY``, and the body of ``reviewlint review``).
"""

from __future__ import annotations

import os
import re
from collections import Counter
from typing import Callable, Iterable, Sequence, Union

from reviewlint.report import Report, repo_relative, repo_root, rule_url
from reviewlint.rule import Finding, Viewpoint

#: the questions no static rule can settle, per viewpoint (rule-catalogue.md)
REMINDERS: dict[Viewpoint, tuple[str, ...]] = {
    Viewpoint.ERROR_HANDLING: ("Are errors from each external dependency mapped to a clear response for the caller?",),
    Viewpoint.PERFORMANCE: (
        "Are the queries this change adds covered by an index?",
        "Is over-fetching avoided in API responses?",
    ),
    Viewpoint.SECURITY: (
        "Are new endpoints reachable only by whom they should be (object-level permissions, `/admin/1`)?",
    ),
    Viewpoint.AUTH: ("Are token lifetimes, refresh and revocation (OAuth2) handled?",),
    Viewpoint.RELIABILITY: (
        "Does a hot dependency have a circuit breaker?",
        "Are retried calls idempotent?",
    ),
    Viewpoint.MAINTAINABILITY: ("Are API versions and schemas changed in one place, with migration?",),
    Viewpoint.TESTABILITY: ("Can the new code run in a test without network (injected clients)?",),
    Viewpoint.SCALABILITY: (
        "Is there rate limiting and batching where load can spike?",
        "Can one slow dependency cascade?",
    ),
    Viewpoint.OBSERVABILITY: (
        "Are response time and error rate measured (metrics), and is the request traceable (trace ids)?",
    ),
    Viewpoint.TEAM_DEBT: ("Is the debt this change adds recorded in the tracker?",),
}

_HTTP = ("requests", "httpx", "aiohttp", "urllib3", "urllib.request", "http.client", "grpc", "boto3", "botocore")
_WEB = ("flask", "fastapi", "starlette", "django", "rest_framework", "aiohttp.web", "sanic", "litestar", "tornado", "quart")
_DB = ("sqlalchemy", "django.db", "psycopg", "psycopg2", "asyncpg", "pymongo", "motor", "sqlite3", "redis", "peewee", "tortoise", "pymysql", "MySQLdb")
_AUTH = ("jwt", "jose", "authlib", "oauthlib", "itsdangerous", "passlib", "django.contrib.auth", "flask_login", "fastapi.security")
_SHELL = ("subprocess", "pickle", "yaml", "xml", "shlex")
_LOGS = ("logging", "structlog", "loguru", "opentelemetry", "prometheus_client", "sentry_sdk")
_ASYNC = ("asyncio", "concurrent.futures", "threading", "multiprocessing", "celery")
#: module prefixes → the viewpoints a file importing them touches
TOUCHES: tuple[tuple[tuple[str, ...], tuple[Viewpoint, ...]], ...] = (
    (_HTTP, (Viewpoint.ERROR_HANDLING, Viewpoint.PERFORMANCE, Viewpoint.RELIABILITY, Viewpoint.MAINTAINABILITY,
             Viewpoint.TESTABILITY, Viewpoint.SCALABILITY, Viewpoint.OBSERVABILITY)),
    (_WEB, (Viewpoint.ERROR_HANDLING, Viewpoint.SECURITY, Viewpoint.AUTH, Viewpoint.OBSERVABILITY,
            Viewpoint.MAINTAINABILITY, Viewpoint.SCALABILITY)),
    (_DB, (Viewpoint.PERFORMANCE, Viewpoint.SECURITY, Viewpoint.MAINTAINABILITY, Viewpoint.SCALABILITY)),
    (_AUTH, (Viewpoint.AUTH, Viewpoint.SECURITY)),
    (_SHELL, (Viewpoint.SECURITY,)),
    (_LOGS, (Viewpoint.OBSERVABILITY,)),
    (_ASYNC, (Viewpoint.SCALABILITY,)),
)
_IMPORT_RE = re.compile(r"^\s*(?:from\s+([\w.]+)\s+import|import\s+([\w.]+(?:\s*,\s*[\w.]+)*))", re.MULTILINE)
_DEBT_RE = re.compile(r"#.*\b(?:TODO|FIXME|XXX|HACK)\b|#\s*reviewlint\s*:\s*ignore")

Link = Union[str, Callable[[Finding], Union[str, None]], None]


def touched_viewpoints(paths: Iterable[str], texts: Iterable[str] = ()) -> set[str]:
    """The viewpoints a change touches, from what its files import (HTTP clients, web frameworks,
    DB drivers, JWT...) and whether they carry debt markers. ``texts``: sources already read."""
    out: set[str] = set()

    def scan(text: str) -> None:
        for match in _IMPORT_RE.finditer(text):
            names = [match.group(1)] if match.group(1) else [n.strip() for n in match.group(2).split(",")]
            for name in names:
                for prefixes, viewpoints in TOUCHES:
                    if any(name == p or name.startswith(p + ".") for p in prefixes):
                        out.update(v.value for v in viewpoints)
        if _DEBT_RE.search(text):
            out.add(Viewpoint.TEAM_DEBT.value)

    for text in texts:
        scan(text)
    for path in paths:
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                scan(handle.read())
        except OSError:  # reviewlint: ignore[ERR002] -- an unreadable file touches nothing; the check reports it
            continue
    return out


def github_blob_link() -> Link:
    """Links to the files at this commit when running in GitHub Actions, else ``None``."""
    server = os.environ.get("GITHUB_SERVER_URL", "https://github.com")  # reviewlint: ignore[MAINT003] -- the Actions run, not configuration
    repo = os.environ.get("GITHUB_REPOSITORY")  # reviewlint: ignore[MAINT003] -- the Actions run, not configuration
    sha = os.environ.get("GITHUB_SHA")  # reviewlint: ignore[MAINT003] -- the Actions run, not configuration
    if not (repo and sha):
        return None
    root = repo_root()
    return lambda f: f"{server}/{repo}/blob/{sha}/{repo_relative(f.path, root)}#L{f.line}"


def _href(f: Finding, link: Link) -> str | None:
    if link is None:
        return None
    if callable(link):
        return link(f)
    return link.format(path=f.path.replace(os.sep, "/"), line=f.line, end_line=f.end_line, code=f.code)


def _md(text: str) -> str:
    """Inline text safe in a Markdown table cell or list item."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ").replace("<", "&lt;")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _top_rules(items: Sequence[Finding], limit: int = 3) -> str:
    counts = Counter((f.code, f.name) for f in items)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    parts = [f"[{code}]({rule_url(name)}) {name} ×{n}" for (code, name), n in ranked[:limit]]
    if len(ranked) > limit:
        parts.append(f"+{len(ranked) - limit} more")
    return ", ".join(parts)


def _render(findings: Sequence[Finding], files_checked: int, link: Link, touched: set[str],
            per_viewpoint: int | None, title: str) -> str:
    by_vp: dict[str, list[Finding]] = {}
    diagnostics: list[Finding] = []
    for f in sorted(findings, key=lambda f: f.sort_key):
        if f.viewpoint == "diagnostic":
            diagnostics.append(f)
        else:
            by_vp.setdefault(f.viewpoint, []).append(f)
    known = {v.value for v in Viewpoint}
    n = len(findings)
    out = [f"## {title}", ""]
    out.append(f"{_plural(files_checked, 'file')} checked, {_plural(n, 'finding')}"
               + (f" in {_plural(len(by_vp), 'viewpoint')}." if by_vp else "."))
    out += ["", "| | Viewpoint | Findings | Top rules |", "|---|---|---|---|"]
    for vp in Viewpoint:
        items = by_vp.get(vp.value, [])
        mark = "❌" if items else "✅"
        out.append(f"| {mark} | {vp.title} | {len(items) if items else 'none'} | {_top_rules(items) if items else ''} |")
    for name in sorted(set(by_vp) - known):  # a plugin's own viewpoint
        items = by_vp[name]
        out.append(f"| ❌ | {_md(name)} | {len(items)} | {_top_rules(items)} |")
    if diagnostics:
        out.append(f"| ⚠️ | Files not checked | {len(diagnostics)} | syntax or read errors |")

    def item(f: Finding) -> str:
        where = f"{f.path.replace(os.sep, '/')}:{f.line}"
        href = _href(f, link)
        location = f"[`{where}`]({href})" if href else f"`{where}`"
        return f"- {location} **{f.code}** {_md(f.message)}"

    for vp in Viewpoint:
        items = by_vp.get(vp.value, [])
        reminders = REMINDERS.get(vp, ()) if (items or vp.value in touched) else ()
        if not items and not reminders:
            continue
        heading = f"### {'❌' if items else '✅'} {vp.title}" + (f" ({len(items)})" if items else "")
        out += ["", heading, "", f"_{vp.question}_", ""]
        shown = items if per_viewpoint is None else items[:per_viewpoint]
        out.extend(item(f) for f in shown)
        if len(items) > len(shown):
            out.append(f"- … and {len(items) - len(shown)} more (see the full report)")
        if items and reminders:
            out.append("")
        out.extend(f"- [ ] {q}" for q in reminders)
    for name in sorted(set(by_vp) - known):
        items = by_vp[name]
        shown = items if per_viewpoint is None else items[:per_viewpoint]
        out += ["", f"### ❌ {_md(name)} ({len(items)})", ""]
        out.extend(item(f) for f in shown)
        if len(items) > len(shown):
            out.append(f"- … and {len(items) - len(shown)} more (see the full report)")
    if diagnostics:
        shown = diagnostics if per_viewpoint is None else diagnostics[:per_viewpoint]
        out += ["", f"### ⚠️ Files reviewlint could not check ({len(diagnostics)})", ""]
        out.extend(item(f) for f in shown)
        if len(diagnostics) > len(shown):
            out.append(f"- … and {len(diagnostics) - len(shown)} more")
    return "\n".join(out) + "\n"


def checklist_markdown(findings: Sequence[Finding], files_checked: int, *, link: Link = None,
                       max_bytes: int | None = None, touched: Iterable[str] | None = None,
                       title: str = "reviewlint review checklist") -> str:
    """The review checklist as Markdown.

    ``link``: how to link a finding's ``file:line``: ``None`` (no link), a format string with
    ``{path}``, ``{line}``, ``{end_line}``, ``{code}`` (e.g.
    ``"https://github.com/o/r/blob/SHA/{path}#L{line}"``), or a callable ``Finding -> URL|None``.
    ``max_bytes``: cap on the UTF-8 size; findings lists are shortened per viewpoint first
    (with "… and N more"), the table always stays. ``touched``: viewpoint names the change
    touches (see :func:`touched_viewpoints`); their reviewer questions are shown even without
    findings. Viewpoints with findings always count as touched.
    """
    touched_set = set(touched or ()) | {f.viewpoint for f in findings}
    text = _render(findings, files_checked, link, touched_set, None, title)
    if max_bytes is None or len(text.encode("utf-8")) <= max_bytes:
        return text
    limit = max(len(findings), 1)
    while limit > 0:
        limit //= 2
        text = _render(findings, files_checked, link, touched_set, limit, title)
        if len(text.encode("utf-8")) <= max_bytes:
            return text
    note = "\n\n_(truncated)_\n"
    data = text.encode("utf-8")[: max(max_bytes - len(note.encode("utf-8")), 0)]
    return data.decode("utf-8", errors="ignore").rsplit("\n", 1)[0] + note


def render(report: Report) -> str:
    touched = touched_viewpoints(report.paths)
    return checklist_markdown(report.findings, report.files_checked, link=github_blob_link(), touched=touched)
