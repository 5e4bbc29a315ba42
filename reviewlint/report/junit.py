"""JUnit XML: one test suite per file with findings, one failing test case per finding.

CI systems that render JUnit (GitLab, Jenkins, Azure Pipelines, CircleCI) then list the
findings as failed tests. A clean run is one passing test case, so the report is never empty.
"""

from __future__ import annotations

from collections import defaultdict
from xml.etree import ElementTree as ET

from reviewlint.report import Report, rule_url


def render(report: Report) -> str:
    suites = ET.Element("testsuites", name="reviewlint", tests=str(max(len(report.findings), 1)),
                        failures=str(len(report.findings)), errors="0")
    by_file: dict[str, list] = defaultdict(list)
    for f in report.findings:
        by_file[f.path.replace("\\", "/")].append(f)
    if not by_file:
        suite = ET.SubElement(suites, "testsuite", name="reviewlint", tests="1", failures="0", errors="0", skipped="0")
        ET.SubElement(suite, "testcase", name=f"{report.files_checked} files checked", classname="reviewlint")
    for path in sorted(by_file):
        items = by_file[path]
        suite = ET.SubElement(suites, "testsuite", name=path, tests=str(len(items)), failures=str(len(items)),
                              errors="0", skipped="0")
        for f in items:
            case = ET.SubElement(suite, "testcase", name=f"{f.code} {f.name} at line {f.line}",
                                 classname=path, file=path, line=str(f.line))
            failure = ET.SubElement(case, "failure", message=f.message, type=f"{f.code} ({f.severity})")
            body = f"{path}:{f.line}:{f.column}: {f.code} [{f.viewpoint}] {f.message}"
            if f.line_text.strip():
                body += f"\n    {f.line_text.strip()}"
            if f.viewpoint != "diagnostic":
                body += f"\n{rule_url(f.name)}"
            failure.text = body
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
