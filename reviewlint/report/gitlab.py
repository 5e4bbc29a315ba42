"""GitLab Code Quality report (``artifacts: reports: codequality``).

A JSON array of issues: ``description``, ``check_name``, ``fingerprint``, ``severity``,
``location.path`` (relative to the repository root) and ``location.lines.begin/end``.
Fingerprints are stable across unrelated edits: they hash the same key as baselines (file,
code, normalised source line, occurrence), not line numbers, so GitLab's merge-request
widget shows a moved finding as unchanged rather than as fixed + new.
"""

from __future__ import annotations

import json
from typing import Any

from reviewlint.baseline import fingerprints
from reviewlint.report import Report, repo_relative, repo_root, rule_url

SEVERITY = {"error": "critical", "warning": "major", "info": "minor"}


def render(report: Report) -> str:
    root = repo_root()
    findings = report.findings

    def rel(path: str) -> str:
        return repo_relative(path, root)

    out: list[dict[str, Any]] = []
    for f, fp in zip(findings, fingerprints(findings, rel)):
        issue: dict[str, Any] = {
            "type": "issue",
            "description": f"{f.code} {f.message}",
            "check_name": f"{f.code} {f.name}",
            "fingerprint": fp,
            "severity": "blocker" if f.viewpoint == "diagnostic" else SEVERITY.get(f.severity, "major"),
            "categories": ["Bug Risk"] if f.viewpoint != "maintainability" else ["Complexity"],
            "location": {"path": rel(f.path), "lines": {"begin": f.line, "end": max(f.end_line, f.line)}},
        }
        if f.viewpoint == "security" or f.viewpoint == "auth":
            issue["categories"] = ["Security"]
        if f.viewpoint != "diagnostic":
            issue["content"] = {"body": f"Viewpoint: {f.viewpoint}. See {rule_url(f.name)}"}
        out.append(issue)
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"
