"""A JSON array of findings with ruff's keys, plus ``name``, ``viewpoint`` and ``severity``."""

from __future__ import annotations

import json
from typing import Any

from reviewlint.report import Report, rule_url
from reviewlint.rule import Finding


def finding_to_json(f: Finding) -> dict[str, Any]:
    fix = None
    if f.fix is not None:
        fix = {
            "applicability": "safe" if f.fix.safe else "unsafe",
            "message": f.fix.description or None,
            "edits": [
                {
                    "content": f.fix.replacement,
                    "location": {"row": f.line, "column": f.column},
                    "end_location": {"row": f.end_line, "column": f.end_column},
                }
            ],
        }
    return {
        "code": f.code,
        "name": f.name,
        "message": f.message,
        "viewpoint": f.viewpoint,
        "severity": f.severity,
        "filename": f.path,
        "location": {"row": f.line, "column": f.column},
        "end_location": {"row": f.end_line, "column": f.end_column},
        "fix": fix,
        "url": rule_url(f.name) if f.viewpoint != "diagnostic" else None,
    }


def render(report: Report) -> str:
    return json.dumps([finding_to_json(f) for f in report.findings], indent=2, ensure_ascii=False) + "\n"
