"""Human output: ``path:line:col: CODE [viewpoint] message``, the source line with a caret
under the span, then a summary per viewpoint."""

from __future__ import annotations

from collections import Counter

from reviewlint.report import Report
from reviewlint.rule import Finding

_RESET = "\033[0m"
_BOLD = "\033[1m"
_RED = "\033[31m"
_YELLOW = "\033[33m"
_CYAN = "\033[36m"
_DIM = "\033[2m"
_SEVERITY_COLOR = {"error": _RED, "warning": _YELLOW, "info": _CYAN}


def _caret_line(f: Finding) -> tuple[str, str]:
    text = f.line_text.rstrip("\n").expandtabs(1)
    start = max(f.column - 1, 0)
    if f.end_line == f.line:
        end = max(f.end_column - 1, start + 1)
    else:
        end = max(len(text.rstrip()), start + 1)
    end = min(end, max(len(text), start + 1))
    return text, " " * start + "^" * (end - start)


def format_finding(f: Finding, color: bool, suffix: str = "") -> list[str]:
    location = f"{f.path}:{f.line}:{f.column}:"
    code = f.code
    if color:
        location = f"{_BOLD}{location}{_RESET}"
        code = f"{_SEVERITY_COLOR.get(f.severity, '')}{_BOLD}{code}{_RESET}"
    out = [f"{location} {code} [{f.viewpoint}] {f.message}{suffix}"]
    if f.line_text.strip():
        text, caret = _caret_line(f)
        out.append(f"    {text}")
        out.append(f"    {_RED if color else ''}{caret}{_RESET if color else ''}")
    return out


def statistics(findings: list[Finding]) -> list[str]:
    counts = Counter((f.code, f.name) for f in findings)
    width = max((len(str(n)) for n in counts.values()), default=1)
    return [f"{n:>{width}}\t{code}\t{name}" for (code, name), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def render(report: Report) -> str:
    lines: list[str] = []
    if not report.quiet:
        for f in report.findings:
            lines.extend(format_finding(f, report.color))
        if report.show_suppressed:
            for finding, sup in report.suppressed:
                reason = f": {sup.reason}" if sup.reason else ""
                lines.extend(format_finding(finding, report.color, f" (suppressed{reason})"))
        if lines:
            lines.append("")
    if report.statistics:
        lines.extend(statistics(report.findings))
        lines.append("")
    per_viewpoint = Counter(f.viewpoint for f in report.findings)
    if per_viewpoint:
        parts = ", ".join(f"{vp}: {n}" for vp, n in sorted(per_viewpoint.items(), key=lambda kv: (-kv[1], kv[0])))
        lines.append(f"Findings by viewpoint: {parts}")
    n = len(report.findings)
    files = report.files_checked
    summary = f"{files} file{'s' if files != 1 else ''} checked, {n} finding{'s' if n != 1 else ''}"
    if report.suppressed:
        summary += f" ({len(report.suppressed)} suppressed)"
    lines.append(summary + ".")
    return "\n".join(lines) + "\n"
