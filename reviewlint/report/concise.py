"""``path:line:col: CODE message``, one line per finding (ruff's concise format)."""

from __future__ import annotations

from reviewlint.report import Report


def render(report: Report) -> str:
    lines = [f"{f.path}:{f.line}:{f.column}: {f.code} {f.message}" for f in report.findings]
    if report.show_suppressed:
        for finding, sup in report.suppressed:
            lines.append(f"{finding.path}:{finding.line}:{finding.column}: {finding.code} {finding.message} (suppressed)")
    return "\n".join(lines) + ("\n" if lines else "")
