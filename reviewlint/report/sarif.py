"""SARIF 2.1.0, as GitHub code scanning accepts it (``github/codeql-action/upload-sarif``).

``tool.driver`` lists every enabled rule (id, name, descriptions, help text and Markdown from
the rule's docs, default level, viewpoint tag, ``helpUri`` into docs/rules.md); each result
names its rule by ``ruleId`` and ``ruleIndex`` and has one physical location with a
repository-relative URI and a full region. ``partialFingerprints`` use the same key as
baselines, so code scanning tracks a finding across edits elsewhere in the file.
"""

from __future__ import annotations

import json
from typing import Any

from reviewlint import __version__
from reviewlint.baseline import fingerprints
from reviewlint.report import Report, repo_relative, repo_root, rule_url
from reviewlint.rule import Finding

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/reviewlint/reviewlint"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}
#: GitHub code scanning ranks security alerts by this number (0.0-10.0)
SECURITY_SEVERITY = {"error": "7.5", "warning": "5.0", "info": "2.0"}


def _rule_descriptor(cls: Any) -> dict[str, Any]:
    from reviewlint.docs import explain_rule

    summary = cls.summary() or cls.message or cls.name
    docs = cls.docs() or summary
    viewpoint = cls.viewpoint.value
    tags = [viewpoint, f"reviewlint/{cls.viewpoint.prefix}"]
    properties: dict[str, Any] = {"tags": tags, "precision": "medium" if cls.preview else "high"}
    if viewpoint in ("security", "auth"):
        if "security" not in tags:
            tags.append("security")
        properties["security-severity"] = SECURITY_SEVERITY.get(cls.severity.value, "5.0")
    return {
        "id": cls.code,
        "name": cls.name,
        "shortDescription": {"text": cls.message or summary},
        "fullDescription": {"text": summary},
        "help": {"text": docs, "markdown": explain_rule(cls)},
        "helpUri": rule_url(cls.name),
        "defaultConfiguration": {"level": LEVEL.get(cls.severity.value, "warning")},
        "properties": properties,
    }


def _diagnostic_descriptor(f: Finding) -> dict[str, Any]:
    return {
        "id": f.code,
        "name": f.name,
        "shortDescription": {"text": f"reviewlint could not check a file ({f.name})"},
        "fullDescription": {"text": "A file that reviewlint could not read, decode or parse, or a rule that crashed on it."},
        "help": {"text": "Fix the file (or report the crash); no rule ran on it.", "markdown": "Fix the file (or report the crash); no rule ran on it."},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["diagnostic"]},
    }


def sarif_log(report: Report, root: str | None = None) -> dict[str, Any]:
    root = root or repo_root()
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    for cls in sorted(report.rules, key=lambda c: c.code):
        index[cls.code] = len(rules)
        rules.append(_rule_descriptor(cls))
    for f in report.findings:
        if f.code not in index:
            index[f.code] = len(rules)
            rules.append(_diagnostic_descriptor(f))

    def rel(path: str) -> str:
        return repo_relative(path, root)

    results = []
    for f, fp in zip(report.findings, fingerprints(report.findings, rel)):
        region: dict[str, Any] = {
            "startLine": f.line,
            "startColumn": max(f.column, 1),
            "endLine": max(f.end_line, f.line),
            "endColumn": max(f.end_column, 1) if f.end_line > f.line else max(f.end_column, f.column),
        }
        if f.line_text:
            region["snippet"] = {"text": f.line_text.rstrip("\r\n")}
        result: dict[str, Any] = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": LEVEL.get(f.severity, "warning"),
            "message": {"text": f.message},
            "locations": [
                {"physicalLocation": {"artifactLocation": {"uri": rel(f.path), "uriBaseId": "%SRCROOT%"}, "region": region}}
            ],
            "partialFingerprints": {"reviewlintFindingKey/v1": fp},
            "properties": {"viewpoint": f.viewpoint, "severity": f.severity},
        }
        results.append(result)
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "reviewlint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "automationDetails": {"id": "reviewlint/"},
                "columnKind": "unicodeCodePoints",
                "invocations": [{"executionSuccessful": not any(f.code == "E900" for f in report.findings)}],
                "results": results,
            }
        ],
    }


def render(report: Report) -> str:
    return json.dumps(sarif_log(report), indent=2, ensure_ascii=False) + "\n"
