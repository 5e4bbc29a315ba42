"""``reviewlint review``: the click command, its messages and exit codes.

Exit codes (also in the README):

==  ==================================================================================
0   the review was posted (or printed with ``--dry-run``)
1   posted, and there are findings at or above ``--fail-on``
2   usage or configuration error (no pull request to review, bad option, bad config)
3   fork pull request: the token is read-only there (403 when posting)
4   missing permission: the token may not post reviews / check runs (403)
5   authentication failed: no or bad credentials (401), invalid App private key,
    App not installed on the repository
6   GitHub could not be reached, or kept failing / rate limiting beyond the retry budget,
    or answered an unexpected error
7   GitHub rejected the review (422) even after dropping the comments it refused
==  ==================================================================================

Whatever happens after the findings are known, they are printed locally first (stdout;
stderr with ``--dry-run``, whose stdout is the JSON payload), so nothing is lost.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from typing import Any, Callable, Mapping

import click

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_FORK = 3
EXIT_PERMISSION = 4
EXIT_AUTH = 5
EXIT_API = 6
EXIT_REJECTED = 7

_SEVERITIES = {"error": 3, "warning": 2, "info": 1}
_NEEDS = {
    "reading the pull request": "`pull-requests: read` and `contents: read`",
    "posting the review": "`pull-requests: write`",
    "creating the check run": "`checks: write`",
}


class ReviewFailed(Exception):
    def __init__(self, code: int, message: str) -> None:
        self.code = code
        super().__init__(message)


def _explain(exc: Exception, stage: str, fork: bool) -> ReviewFailed:
    """One line and an exit code for a failure talking to GitHub."""
    from reviewlint.github.auth import AuthError
    from reviewlint.github.client import GitHubError, RetryBudgetExceeded

    if isinstance(exc, AuthError):
        return ReviewFailed(EXIT_AUTH, str(exc))
    if isinstance(exc, RetryBudgetExceeded):
        return ReviewFailed(EXIT_API, f"{stage}: GitHub kept failing: {exc.method} {exc.path}: {exc.message}")
    assert isinstance(exc, GitHubError)
    where = f"{exc.method} {exc.path}"
    if exc.status == 401:
        return ReviewFailed(EXIT_AUTH, f"{stage}: GitHub rejected the credentials (401 {exc.message}): check the token")
    if exc.status == 403 and fork and stage != "reading the pull request":
        return ReviewFailed(EXIT_FORK, f"{stage}: this pull request comes from a fork, where the workflow token is read-only "
                                       f"(403 {exc.message}); the findings are printed above (see the README for fork PRs)")
    if exc.status == 403:
        return ReviewFailed(EXIT_PERMISSION, f"{stage}: the token lacks permission (403 {exc.message}): "
                                             f"give the workflow {_NEEDS.get(stage, 'the needed permission')}")
    if exc.status == 422:
        return ReviewFailed(EXIT_REJECTED, f"{stage}: GitHub rejected the request (422 {exc.error_text})")
    if exc.status == 0:
        return ReviewFailed(EXIT_API, f"{stage}: cannot reach GitHub: {where}: {exc.message}")
    if exc.status == 404:
        return ReviewFailed(EXIT_API, f"{stage}: {where}: 404 not found (wrong --repo/--pr or --api-url, or the token cannot see the repository)")
    return ReviewFailed(EXIT_API, f"{stage}: {where}: {exc.status} {exc.message}")


def _print_local_findings(pr: Any, settings: Any, engine: Any, out: Callable[..., None]) -> None:
    """GitHub could not be read: print the findings on the lines changed since the PR's base,
    computed from the local checkout (``check --diff-base`` logic), so nothing is lost."""
    if not pr.base_sha:
        return
    from reviewlint.api import check_paths
    from reviewlint.diff import DiffError, changed_lines, restrict_to_diff

    try:
        changes = changed_lines(pr.base_sha)
    except (DiffError, OSError) as exc:
        # no checkout, or the base commit was not fetched: the one-line error says enough
        logging.getLogger("reviewlint.github").debug("no local findings: %s", exc)
        return
    paths = [p for p in changes.files if p.endswith((".py", ".pyi")) and os.path.isfile(p)]
    if not paths:
        return
    result = check_paths(paths, settings, engine=engine)
    findings = restrict_to_diff(result.findings, changes, engine=engine, settings=settings, paths=paths)
    for line in _concise(findings):
        out(line)
    out(f"reviewlint: {len(findings)} finding(s) on lines changed since {pr.base_sha[:12]}, from the local checkout", err=True)


def _concise(findings: list[Any]) -> list[str]:
    return [f"{f.path}:{f.line}:{f.column}: {f.code} {f.message}" for f in findings]


@click.command("review")
@click.option("--repo", metavar="OWNER/NAME", default=None, help="Repository (default: $GITHUB_REPOSITORY in Actions).")
@click.option("--pr", "pr_number", type=click.IntRange(min=1), default=None, help="Pull request number (default: from the Actions event).")
@click.option("--token", default=None, help="Token (default: $GITHUB_TOKEN). Prefer the environment: options show up in process lists.")
@click.option("--app-id", default=None, help="GitHub App client id or App id (default: $GITHUB_APP_CLIENT_ID / $GITHUB_APP_ID).")
@click.option("--private-key-file", type=click.Path(dir_okay=False), default=None,
              help="GitHub App private key, PEM (default: $GITHUB_APP_PRIVATE_KEY text or $GITHUB_APP_PRIVATE_KEY_FILE).")
@click.option("--api-url", default=None, help="API root, for GitHub Enterprise Server (default: $GITHUB_API_URL or https://api.github.com).")
@click.option("--check-run", is_flag=True, help="Also create a check run with annotations and a conclusion.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info"]), default=None,
              help="Lowest severity that fails the check run and makes the exit code 1.")
@click.option("--max-comments", type=click.IntRange(0, 30), default=30, show_default=True, help="Most inline comments per review.")
@click.option("--dry-run", is_flag=True, help="Print the review (and check run) payloads instead of posting them.")
@click.option("--config", "config_path", type=click.Path(), default=None, help="Use this config file.")
@click.option("--select", multiple=True, metavar="CODES", help="Rules to enable (replaces the configured selection).")
@click.option("--ignore", multiple=True, metavar="CODES", help="Rules to disable.")
def review(repo: str | None, pr_number: int | None, token: str | None, app_id: str | None, private_key_file: str | None,
           api_url: str | None, check_run: bool, fail_on: str | None, max_comments: int, dry_run: bool,
           config_path: str | None, select: tuple[str, ...], ignore: tuple[str, ...]) -> None:
    """Post findings on a pull request's changed lines as one GitHub review.

    In a GitHub Actions pull_request run it needs no arguments; elsewhere give --repo and --pr.
    Exit codes: 0 posted, 1 findings at/above --fail-on, 2 usage, 3 fork PR with a read-only
    token, 4 missing permission, 5 authentication, 6 GitHub unreachable or failing,
    7 review rejected (422).
    """
    from reviewlint.github.auth import RedactingFilter, Secrets

    secrets = Secrets()
    secrets.add(token)
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter(secrets))
    logger = logging.getLogger("reviewlint.github")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)

    def out(text: str, err: bool = False) -> None:
        click.echo(secrets.redact(text), err=err)

    try:
        code = run(dict(os.environ), out=out, secrets=secrets, repo=repo, pr_number=pr_number, token=token, app_id=app_id,
                   private_key_file=private_key_file, api_url=api_url, check_run=check_run, fail_on=fail_on,
                   max_comments=max_comments, dry_run=dry_run, config_path=config_path, select=select, ignore=ignore)
    except ReviewFailed as failed:
        out(f"reviewlint: error: {failed}", err=True)
        code = failed.code
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    sys.exit(code)


def run(env: Mapping[str, str], *, out: Callable[..., None], secrets: Any, repo: str | None = None,
        pr_number: int | None = None, token: str | None = None, app_id: str | None = None,
        private_key_file: str | None = None, api_url: str | None = None, check_run: bool = False,
        fail_on: str | None = None, max_comments: int = 30, dry_run: bool = False, config_path: str | None = None,
        select: tuple[str, ...] = (), ignore: tuple[str, ...] = (), client_factory: Callable[..., Any] | None = None) -> int:
    """The review, as a function of its environment (the command's body; tests call it too)."""
    from reviewlint.api import build_engine
    from reviewlint.config import ConfigError, load_settings
    from reviewlint.github import review as rv
    from reviewlint.github.auth import AuthError, Credentials, authenticate, resolve_credentials
    from reviewlint.github.client import DEFAULT_API_URL, GitHubClient, GitHubError
    from reviewlint.plugins import PluginError
    from reviewlint.report import rule_url

    try:
        pr = rv.pull_request_from_env(env, repo, pr_number)
    except rv.UsageError as exc:
        raise ReviewFailed(EXIT_USAGE, str(exc)) from None
    try:
        overrides: dict[str, Any] = {}
        if select:
            overrides["select"] = [c.strip() for s in select for c in s.split(",") if c.strip()]
        settings = load_settings(config_path, overrides)
        if ignore:
            settings.extend("ignore", [c.strip() for s in ignore for c in s.split(",") if c.strip()])
        engine = build_engine(settings)
    except (ConfigError, PluginError) as exc:
        raise ReviewFailed(EXIT_USAGE, str(exc)) from None
    try:
        credentials = resolve_credentials(token=token, app_id=app_id, private_key=None, private_key_file=private_key_file,
                                          env=env, secrets=secrets)
    except AuthError as exc:
        if not (dry_run and exc.kind == "no-credentials"):
            _print_local_findings(pr, settings, engine, out)
            raise ReviewFailed(EXIT_AUTH, str(exc)) from None
        credentials = Credentials()  # a dry run may read a public repository anonymously

    api = (api_url or env.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")
    factory = client_factory or (lambda: GitHubClient(api_url=api))
    stage = "authenticating"
    with factory() as client:
        try:
            authenticate(client, credentials, pr.repo, secrets)
            stage = "reading the pull request"
            pr = rv.complete_pull_request(client, pr)
            files = rv.list_changed_files(client, pr)
            findings, files_checked, texts = rv.check_changed_files(client, pr, files, settings, engine, os.getcwd())
            existing = rv.existing_state(client, pr)
        except (AuthError, GitHubError) as exc:
            failed = _explain(exc, stage, pr.fork)
            _print_local_findings(pr, settings, engine, out)
            raise failed from None
        plan = rv.plan_review(findings, files, existing.keys, max_inline=max_comments)
        reported = plan.reported
        for line in _concise(sorted(reported, key=lambda f: f.sort_key)):
            out(line, err=dry_run)
        n = len(reported)
        out(f"reviewlint: {files_checked} changed file(s) checked, {n} finding(s) on the PR's changes: "
            f"{len(plan.inline)} new inline, {len(plan.already)} already commented, {len(plan.in_body)} in the summary",
            err=True)
        server = rv.web_url(api, env)
        link = rv.link_maker(server, pr)

        def rule_link(f: Any) -> str | None:
            return rule_url(f.name) if f.viewpoint != "diagnostic" else None

        try:
            stage = "posting the review"
            outcome = rv.publish_review(client, pr, plan, files_checked, existing, link, rule_link,
                                        texts=texts, dry_run=dry_run)
            for warning in outcome.warnings:
                out(f"reviewlint: warning: {warning}", err=True)
            if check_run:
                stage = "creating the check run"
                summary = rv.summary_body(outcome.plan, files_checked, link, texts=texts)
                outcome.check_run = rv.publish_check_run(client, pr, outcome.plan.reported, summary, fail_on,
                                                         dry_run=dry_run, payloads=outcome.payloads)
        except GitHubError as exc:
            raise _explain(exc, stage, pr.fork) from None
    if dry_run:
        out(json.dumps(outcome.payloads, indent=2, ensure_ascii=False))
    else:
        if outcome.review is not None:
            out(f"reviewlint: posted review {outcome.review.get('html_url') or outcome.review.get('id')}", err=True)
        if outcome.updated_summary is not None:
            out(f"reviewlint: updated the summary of review {outcome.updated_summary}", err=True)
        if outcome.check_run is not None:
            out(f"reviewlint: check run concluded {outcome.check_run['conclusion']}", err=True)
    if fail_on is not None and any(_SEVERITIES.get(f.severity, 0) >= _SEVERITIES[fail_on] for f in reported):
        return EXIT_FINDINGS
    return EXIT_OK
