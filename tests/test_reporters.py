"""Every output format: golden files on a fixed fixture, structure on examples/, unit behaviour.

Golden outputs come from ``tests/fixtures/integrations/`` with a fixed rule selection (rules
added later do not change them). Regenerate after an intended change with
``REVIEWLINT_UPDATE_GOLDEN=1 pytest tests/test_reporters.py``.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from click.testing import CliRunner

from reviewlint import __version__
from reviewlint.api import check_paths
from reviewlint.cli import cli
from reviewlint.config import load_settings
from reviewlint.report import FORMATS, Report, get_renderer
from reviewlint.report.checklist import REMINDERS, checklist_markdown, touched_viewpoints
from reviewlint.report.github import escape_data, escape_property
from reviewlint.rule import Finding, Viewpoint

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = "tests/fixtures/integrations"
FIXTURE_CONFIG = f"{FIXTURE}/reviewlint.toml"  # the fixture is application code: no test role
GOLDEN = ROOT / "tests" / "golden"
SELECT = "REL001,PERF001,OBS002"
SARIF_SCHEMA = json.loads((ROOT / "tests" / "schemas" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
EXTENSIONS = {"json": "json", "sarif": "json", "gitlab": "json", "junit": "xml", "checklist": "md",
              "json-lines": "jsonl"}


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for var in ("GITHUB_STEP_SUMMARY", "GITHUB_REPOSITORY", "GITHUB_SHA", "GITHUB_SERVER_URL", "NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(ROOT)


def run_cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout


def _normalise(fmt: str, text: str) -> str:
    text = text.replace(__version__, "<version>")
    if fmt == "sarif":
        log = json.loads(text)
        for rule in log["runs"][0]["tool"]["driver"]["rules"]:
            # rule docs change whenever a rule's docstring is polished: compare their presence only
            for key in ("help", "fullDescription", "shortDescription"):
                assert rule[key]["text"]
                rule[key] = "<docs>"
        text = json.dumps(log, indent=2, ensure_ascii=False) + "\n"
    return text


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_golden_output(fmt):
    code, out = run_cli("check", "--config", FIXTURE_CONFIG, "--select", SELECT, "--output-format", fmt, FIXTURE)
    assert code == 1
    out = _normalise(fmt, out)
    golden = GOLDEN / f"{fmt}.{EXTENSIONS.get(fmt, 'txt')}"
    if os.environ.get("REVIEWLINT_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(out, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden.relative_to(ROOT)}: run with REVIEWLINT_UPDATE_GOLDEN=1"
    assert out == golden.read_text(encoding="utf-8"), (
        f"{fmt} output differs from {golden.relative_to(ROOT)} (intended? REVIEWLINT_UPDATE_GOLDEN=1 pytest {__file__})")


def _examples_report() -> tuple[Report, list[Finding]]:
    settings = load_settings(cwd=str(ROOT))
    result = check_paths(["examples"], settings)
    report = Report(findings=result.findings, files_checked=result.files_checked, rules=result.rules,
                    paths=[r.path for r in result.files])
    return report, result.findings


def test_every_format_on_examples_is_well_formed():
    report, findings = _examples_report()
    assert findings
    out = {fmt: get_renderer(fmt)(report) for fmt in FORMATS}
    assert len(json.loads(out["json"])) == len(findings)
    lines = out["json-lines"].splitlines()
    assert len(lines) == len(findings) and all(json.loads(line)["code"] for line in lines)
    sarif = json.loads(out["sarif"])
    validator = jsonschema.validators.validator_for(SARIF_SCHEMA)(SARIF_SCHEMA)
    validator.validate(sarif)
    assert len(sarif["runs"][0]["results"]) == len(findings)
    gitlab = json.loads(out["gitlab"])
    assert len(gitlab) == len(findings) and len({i["fingerprint"] for i in gitlab}) == len(findings)
    suites = ET.fromstring(out["junit"])
    assert int(suites.get("failures")) == len(findings)
    annotations = [line for line in out["github"].splitlines() if line.startswith("::")]
    assert 0 < len(annotations) <= 31
    assert all(re.match(r"::(error|warning|notice) file=examples/", a) or a.startswith("::notice title=reviewlint::")
               for a in annotations)
    rows = [line for line in out["checklist"].splitlines() if line.startswith(("| ✅", "| ❌"))]
    assert len(rows) == 10
    assert len(out["concise"].splitlines()) == len(findings)


# ---------------------------------------------------------------------------------- SARIF


def test_sarif_fixture_validates_and_has_what_code_scanning_needs():
    code, out = run_cli("check", "--config", FIXTURE_CONFIG, "--select", SELECT, "--output-format", "sarif", FIXTURE)
    log = json.loads(out)
    jsonschema.validators.validator_for(SARIF_SCHEMA)(SARIF_SCHEMA).validate(log)
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "reviewlint" and driver["version"] == __version__ and driver["informationUri"]
    ids = [r["id"] for r in driver["rules"]]
    assert ids == ["OBS002", "PERF001", "REL001"]
    rel = driver["rules"][ids.index("REL001")]
    assert rel["name"] == "http-call-without-timeout"
    assert rel["helpUri"].endswith("docs/rules.md#http-call-without-timeout")
    assert "## Why it matters" in rel["help"]["markdown"] or "Why it matters" in rel["help"]["markdown"]
    assert rel["defaultConfiguration"]["level"] == "error"
    assert "reliability" in rel["properties"]["tags"]
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == "tests/fixtures/integrations/service.py"
        assert {"startLine", "startColumn", "endLine", "endColumn"} <= set(location["region"])


def test_sarif_lists_diagnostics_as_rules(tmp_path):
    bad = tmp_path / "broken.py"
    bad.write_text("def f(:\n", encoding="utf-8")
    code, out = run_cli("check", "--isolated", "--output-format", "sarif", str(bad))
    log = json.loads(out)
    jsonschema.validators.validator_for(SARIF_SCHEMA)(SARIF_SCHEMA).validate(log)
    result = log["runs"][0]["results"][0]
    assert result["ruleId"] == "E999"
    assert log["runs"][0]["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "E999"


# ---------------------------------------------------------------------------------- GitHub


def _finding(line: int, severity: str = "warning", code: str = "REL001", path: str = "app.py", end_line: int | None = None,
             message: str = "m", viewpoint: str = "reliability", text: str = "x = 1") -> Finding:
    return Finding(code=code, name="http-call-without-timeout", viewpoint=viewpoint, severity=severity, message=message,
                   path=path, line=line, column=5, end_line=end_line or line, end_column=9, statement_line=line,
                   line_text=text)


def test_github_escaping():
    assert escape_data("100%\r\nnext") == "100%25%0D%0Anext"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"
    report = Report(findings=[_finding(3, message="50% of calls\nfail: retry, later", path="we,ird:name.py")])
    out = get_renderer("github")(report)
    line = out.splitlines()[0]
    assert line.startswith("::warning file=we%2Cird%3Aname.py,line=3,endLine=3,col=5,endColumn=9,title=reviewlint REL001 (http-call-without-timeout)::")
    assert line.endswith("::50%25 of calls%0Afail: retry, later")


def test_github_multi_line_span_has_no_columns():
    out = get_renderer("github")(Report(findings=[_finding(3, end_line=6)]))
    first = out.splitlines()[0]
    assert "line=3,endLine=6," in first and "col=" not in first and "endColumn=" not in first


def test_github_caps_most_severe_first_with_closing_notice():
    findings = [_finding(i, sev) for sev in ("info", "warning", "error") for i in range(1, 16)]
    out = get_renderer("github")(Report(findings=findings, files_checked=1)).splitlines()
    commands = [line for line in out if line.startswith("::")]
    levels = [c.split(" ", 1)[0] for c in commands]
    assert levels[:10] == ["::error"] * 10
    assert levels.count("::error") == 10 and levels.count("::warning") == 10
    assert levels.count("::notice") <= 10  # including the closing one
    assert len(commands) <= 50
    assert commands[-1].startswith("::notice title=reviewlint::16 more reviewlint findings")
    plain = [line for line in out if re.match(r"app\.py:\d+:", line)]
    assert len(plain) == 16  # the rest are still in the log


def test_github_few_findings_no_closing_notice():
    out = get_renderer("github")(Report(findings=[_finding(1, "info"), _finding(2, "error")]))
    commands = [line for line in out.splitlines() if line.startswith("::")]
    assert [c.split(" ", 1)[0] for c in commands] == ["::error", "::notice"]
    assert "more reviewlint" not in out


def test_github_paths_are_repo_relative(monkeypatch):
    monkeypatch.chdir(ROOT / "tests")
    out = get_renderer("github")(Report(findings=[_finding(1, path="fixtures/integrations/service.py")]))
    assert "file=tests/fixtures/integrations/service.py," in out


def test_github_workspace_fallback(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # not a git repository
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path.parent))
    out = get_renderer("github")(Report(findings=[_finding(1, path="pkg/app.py")]))
    assert f"file={tmp_path.name}/pkg/app.py," in out


# ---------------------------------------------------------------------------------- GitLab, JUnit, JSON lines


def test_gitlab_fingerprints_survive_inserted_lines():
    render = get_renderer("gitlab")
    before = json.loads(render(Report(findings=[_finding(3, text="requests.get(u)"), _finding(9, text="requests.get(v)")])))
    after = json.loads(render(Report(findings=[_finding(7, text="requests.get(u)"), _finding(13, text="requests.get(v)")])))
    assert [i["fingerprint"] for i in before] == [i["fingerprint"] for i in after]
    assert before[0]["fingerprint"] != before[1]["fingerprint"]
    same_text = json.loads(render(Report(findings=[_finding(3), _finding(4)])))
    assert same_text[0]["fingerprint"] != same_text[1]["fingerprint"]  # occurrence order keeps them apart
    assert before[0]["severity"] == "major" and before[0]["location"] == {"path": "app.py", "lines": {"begin": 3, "end": 3}}


def test_junit_clean_run_is_one_passing_case():
    root = ET.fromstring(get_renderer("junit")(Report(findings=[], files_checked=4)))
    assert root.get("failures") == "0"
    cases = root.findall(".//testcase")
    assert len(cases) == 1 and cases[0].find("failure") is None


def test_json_lines_is_one_object_per_line():
    out = get_renderer("json-lines")(Report(findings=[_finding(1), _finding(2)]))
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["location"]["row"] for r in rows] == [1, 2]
    assert rows[0]["url"].endswith("#http-call-without-timeout")


# ---------------------------------------------------------------------------------- checklist


def test_checklist_rows_findings_and_reminders():
    findings = [_finding(3, "error"), _finding(5, "error"),
                _finding(8, code="PERF001", viewpoint="performance", message="N+1 | pipes")]
    md = checklist_markdown(findings, 2)
    rows = [line for line in md.splitlines() if line.startswith("| ✅") or line.startswith("| ❌")]
    assert len(rows) == 10
    assert "| ❌ | Reliability | 2 | [REL001](" in md and "×2" in md
    assert "| ✅ | Security | none |" in md
    assert "- `app.py:3` **REL001** m" in md
    assert "N+1 \\| pipes" in md  # table/markdown-safe
    # reminders only for touched viewpoints (here: those with findings)
    assert "- [ ] Are retried calls idempotent?" in md
    assert "- [ ] Are the queries this change adds covered by an index?" in md
    assert "Are token lifetimes" not in md


def test_checklist_touched_viewpoints_from_imports(tmp_path):
    app = tmp_path / "app.py"
    app.write_text("import jwt\nfrom flask import Flask\n# TODO: remove\n", encoding="utf-8")
    touched = touched_viewpoints([str(app)])
    assert {"auth", "security", "team-debt"} <= touched and "performance" not in touched
    md = checklist_markdown([], 1, touched=touched)
    assert "Are token lifetimes, refresh and revocation (OAuth2) handled?" in md
    assert "Is the debt this change adds recorded in the tracker?" in md
    assert "covered by an index" not in md


def test_checklist_links_and_cap():
    findings = [_finding(i, text=f"call_{i}()") for i in range(1, 400)]
    md = checklist_markdown(findings, 1, link="https://example.org/blob/abc/{path}#L{line}")
    assert "[`app.py:7`](https://example.org/blob/abc/app.py#L7)" in md
    small = checklist_markdown(findings, 1, link=lambda f: f"https://x/{f.line}", max_bytes=4000)
    assert len(small.encode("utf-8")) <= 4000
    assert "| ❌ | Reliability | 399 |" in small and "more (see the full report)" in small


def test_checklist_reminders_match_the_catalogue():
    catalogue = Path("/work/shared/rule-catalogue.md")
    if not catalogue.exists():
        pytest.skip("rule catalogue not available")
    section = catalogue.read_text(encoding="utf-8").split("## The checklist beyond the rules", 1)[1].split("\n## ", 1)[0]
    for vp in Viewpoint:
        line = next(line for line in section.splitlines() if line.startswith(f"- {vp.prefix}:"))
        for question in REMINDERS[vp]:
            assert question.rstrip("?").lower()[:25] in line.lower(), (vp, question)


def test_step_summary_is_appended_whatever_the_format(monkeypatch, tmp_path):
    summary = tmp_path / "summary.md"
    summary.write_text("# earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out = run_cli("check", "--config", FIXTURE_CONFIG, "--select", SELECT, "--output-format", "concise", FIXTURE)
    assert code == 1 and out.count("\n") == 3
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("# earlier step\n") and "## reviewlint review checklist" in text
    assert "| ❌ | Reliability | 1 |" in text


def test_output_format_from_config_and_output_file(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[tool.reviewlint]\nselect = ["REL001"]\noutput-format = "json-lines"\n',
                                             encoding="utf-8")
    (tmp_path / "app.py").write_text("import requests\nrequests.get('u')\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out = run_cli("check")
    assert code == 1 and json.loads(out)["code"] == "REL001"
    code, out = run_cli("check", "--output-format", "sarif", "-o", "reports/reviewlint.sarif")
    assert code == 1 and out == ""
    log = json.loads((tmp_path / "reports" / "reviewlint.sarif").read_text(encoding="utf-8"))
    assert log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "app.py"
    (tmp_path / "pyproject.toml").write_text('[tool.reviewlint]\noutput-format = "xml"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["check"])
    assert result.exit_code == 2 and "output-format" in result.stderr and "checklist" in result.stderr
