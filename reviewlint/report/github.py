"""GitHub Actions workflow commands: ``::error file=...,line=...::message``.

GitHub turns these lines of a job's log into annotations on the pull request's diff. It shows
at most 10 annotations of each level (error, warning, notice) per step and 50 per job, so
the most severe findings are emitted first, one closing ``::notice`` says how many more
there are, and the rest are printed as plain log lines (still in the job log, not on the diff).

Paths are relative to the repository root (``git rev-parse --show-toplevel``, else
``$GITHUB_WORKSPACE``) with ``/`` separators, as GitHub resolves them.
"""

from __future__ import annotations

from reviewlint.report import Report, most_severe_first, repo_relative, repo_root
from reviewlint.rule import Finding

#: GitHub's limits: annotations per level per step, and per job
PER_LEVEL = 10
PER_JOB = 50
LEVELS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(value: str) -> str:
    """Escape a command's message (GitHub's ``escapeData``)."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a command property value (GitHub's ``escapeProperty``)."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, **properties: object) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items() if value is not None)
    return f"::{level}{' ' + props if props else ''}::{escape_data(message)}"


def annotation(f: Finding, root: str) -> str:
    level = LEVELS.get(f.severity, "warning")
    props: dict[str, object] = {"file": repo_relative(f.path, root), "line": f.line, "endLine": max(f.end_line, f.line)}
    if f.end_line == f.line:  # GitHub ignores columns for spans over several lines
        props["col"] = f.column
        props["endColumn"] = max(f.end_column, f.column)
    props["title"] = f"reviewlint {f.code} ({f.name})"
    return command(level, f.message, **props)


def plain(f: Finding, root: str) -> str:
    # never starts with "::", so the runner does not read it as a command
    return f"{repo_relative(f.path, root)}:{f.line}:{f.column}: {f.code} [{f.severity}] {f.message}".replace("\r", " ").replace("\n", " ")


def _select(ordered: list[Finding], notice_cap: int, budget: int) -> tuple[list[Finding], list[Finding]]:
    shown: list[Finding] = []
    rest: list[Finding] = []
    per_level: dict[str, int] = {}
    for f in ordered:
        level = LEVELS.get(f.severity, "warning")
        cap = notice_cap if level == "notice" else PER_LEVEL
        if per_level.get(level, 0) < cap and len(shown) < budget:
            per_level[level] = per_level.get(level, 0) + 1
            shown.append(f)
        else:
            rest.append(f)
    return shown, rest


def render(report: Report) -> str:
    root = repo_root()
    ordered = most_severe_first(report.findings)
    shown, rest = _select(ordered, PER_LEVEL, PER_JOB)
    if rest:  # the closing notice needs a notice slot and a job slot of its own
        shown, rest = _select(ordered, PER_LEVEL - 1, PER_JOB - 1)
    lines = [annotation(f, root) for f in shown]
    if rest:
        n = len(rest)
        lines.append(
            command(
                "notice",
                f"{n} more reviewlint finding{'s' if n != 1 else ''} not shown as annotations "
                f"(GitHub shows at most {PER_LEVEL} per level per step); they are listed in this step's log.",
                title="reviewlint",
            )
        )
        lines.extend(plain(f, root) for f in rest)
    n = len(report.findings)
    lines.append(
        f"reviewlint: {report.files_checked} file{'s' if report.files_checked != 1 else ''} checked, "
        f"{n} finding{'s' if n != 1 else ''}."
    )
    return "\n".join(lines) + "\n"
