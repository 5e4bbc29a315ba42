"""The parts of ``reviewlint check`` that fit it into a workflow: baseline, diff mode,
``--add-ignore``, ``--fail-on`` and the GitHub step summary. The CLI calls these in order:
:func:`prepare` → (check) → :func:`filter_findings` → :func:`act` → (render) →
:func:`step_summary` → :func:`fails`.

``options`` is the dict of the command's integration options (``fail_on``, ``baseline_path``,
``write_baseline``, ``diff_base``, ``add_ignore``); this module adds its own working values.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Sequence

import click

from reviewlint.report import SEVERITY_RANK
from reviewlint.rule import Finding

EXIT_ERROR = 2
#: GitHub caps a step summary at 1 MiB; stay well under it
STEP_SUMMARY_MAX = 256 * 1024
STEP_SUMMARY_LIMIT = 1024 * 1024


def _fail(message: str) -> None:
    click.echo(f"reviewlint: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def prepare(options: dict[str, Any], paths: Sequence[str], settings: Any) -> None:
    """Validate option combinations; settle ``--add-ignore PATH`` (a path, not a reason)."""
    paths = list(paths)
    reason = options.get("add_ignore")
    if reason and not paths and os.path.exists(reason) and not reason.strip().count(" "):
        # `reviewlint check --add-ignore src/`: click took the path as the reason
        paths, options["add_ignore"] = [reason], ""
    options["paths"] = paths
    if options.get("add_ignore") is not None and options.get("write_baseline"):
        _fail("--add-ignore and --write-baseline do not go together: choose one way to accept today's findings")
    if options.get("add_ignore") == "" and settings.get("require-reason", False):
        _fail("require-reason is set: give the reason, --add-ignore=\"why these are accepted\"")


def _baseline_file(options: dict[str, Any], settings: Any) -> str | None:
    path = options.get("baseline_path")
    if path:
        return path
    path = settings.get("baseline")
    if path and settings.config_file and settings.sources.get("baseline", "command line") != "command line":
        path = os.path.join(os.path.dirname(settings.config_file), path)
    return path or None


def filter_findings(result: Any, options: dict[str, Any], paths: Sequence[str], settings: Any,
                    engine: Any) -> tuple[list[Finding], list[str]]:
    """Apply diff mode, then the baseline; (findings to report, notes for stderr)."""
    from reviewlint.baseline import BaselineError, filter_baseline, read_baseline

    findings = list(result.findings)
    notes: list[str] = []
    options["all_findings"] = findings
    options["touched_paths"] = None
    ref = options.get("diff_base")
    if ref:
        from reviewlint.diff import DiffError, changed_lines, restrict_to_diff

        try:
            changes = changed_lines(ref)
        except DiffError as exc:
            _fail(str(exc))
        before = len(findings)
        findings = restrict_to_diff(findings, changes, engine=engine, settings=settings, paths=list(paths) or ["."],
                                    results=result.files)
        options["all_findings"] = findings
        checked = {os.path.normcase(os.path.realpath(os.path.abspath(r.path))) for r in result.files}
        options["touched_paths"] = [p for p in changes.files if p in checked]
        if before != len(findings):
            notes.append(f"diff mode: {before - len(findings)} finding(s) outside the changes since {ref} not shown")
    baseline = _baseline_file(options, settings)
    if baseline and not options.get("write_baseline"):
        try:
            keys = read_baseline(baseline)
        except BaselineError as exc:
            _fail(str(exc))
        findings, hidden = filter_baseline(findings, keys, settings.root)
        if hidden:
            notes.append(f"{hidden} finding(s) recorded in the baseline {baseline} not shown")
    return findings, notes


def act(report: Any, options: dict[str, Any], settings: Any, result: Any) -> bool:
    """``--write-baseline`` / ``--add-ignore``: do it, say so, and return True (exit 0)."""
    from reviewlint import __version__

    if options.get("touched_paths") is not None:
        report.paths = list(options["touched_paths"])  # diff mode: the checklist is about the change
    target = options.get("write_baseline")
    if target:
        from reviewlint.baseline import write_baseline

        try:
            n = write_baseline(target, options.get("all_findings", report.findings), settings.root, __version__,
                               checked=[r.path for r in result.files])
        except OSError as exc:
            _fail(f"{target}: cannot write the baseline: {exc.strerror or exc}")
        click.echo(f"reviewlint: recorded {n} finding{'s' if n != 1 else ''} in {target}; "
                   f"run with --baseline {target} to report only new ones", err=True)
        return True
    reason = options.get("add_ignore")
    if reason is not None:
        from reviewlint.addignore import add_ignores

        done = add_ignores(report.findings, reason)
        for path, why in done.skipped:
            click.echo(f"reviewlint: {path}: {why}", err=True)
        click.echo(f"reviewlint: added {done.comments} ignore comment{'s' if done.comments != 1 else ''} "
                   f"in {len(done.files)} file{'s' if len(done.files) != 1 else ''}", err=True)
        if done.skipped:
            sys.exit(1)
        return True
    return False


def step_summary(report: Any, options: dict[str, Any]) -> None:
    """Append the review checklist to ``$GITHUB_STEP_SUMMARY`` when it is set."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")  # reviewlint: ignore[MAINT003] -- set by the Actions runner per step
    if not target:
        return
    from reviewlint.report.checklist import checklist_markdown, github_blob_link, touched_viewpoints

    try:
        used = os.path.getsize(target) if os.path.exists(target) else 0
    except OSError:
        used = 0
    budget = min(STEP_SUMMARY_MAX, STEP_SUMMARY_LIMIT - used - 4096)
    if budget < 2048:
        click.echo("reviewlint: the step summary is full; checklist not added", err=True)
        return
    touched_paths = options.get("touched_paths")
    touched = touched_viewpoints(report.paths if touched_paths is None else touched_paths)
    text = checklist_markdown(report.findings, report.files_checked, link=github_blob_link(), max_bytes=budget,
                              touched=touched)
    try:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(text + "\n")
    except OSError as exc:
        click.echo(f"reviewlint: cannot write the step summary {target}: {exc.strerror or exc}", err=True)


def fails(findings: Sequence[Finding], options: dict[str, Any], settings: Any) -> bool:
    """Whether the findings make the exit code 1 (``--fail-on`` / ``fail-on``)."""
    threshold = SEVERITY_RANK[options.get("fail_on") or settings.get("fail-on", "info") or "info"]
    return any(SEVERITY_RANK.get(f.severity, 3) >= threshold for f in findings)


def output(text: str, options: dict[str, Any], color: bool) -> None:
    """Print the report, or write it to ``--output-file`` (atomically)."""
    target = options.get("output_file")
    if not target:
        click.echo(text, nl=False, color=color)
        return
    directory = os.path.dirname(target) or "."
    tmp = os.path.join(directory, f".{os.path.basename(target)}.{os.getpid()}.tmp")
    try:
        os.makedirs(directory, exist_ok=True)  # like ruff: `-o reports/reviewlint.sarif` just works
        with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except OSError as exc:
        _fail(f"{target}: cannot write the report: {exc.strerror or exc}")
