"""The command line as a user sees it: output formats, exit codes, selection, rules/explain/config."""

from __future__ import annotations

import json

from clihelp import run_cli

APP = """\
import logging
import requests

logger = logging.getLogger(__name__)


def fetch(ids):
    for i in ids:
        requests.get(f"https://api.example.org/items/{i}")
    logger.info(f"fetched {len(ids)}")
    logger.debug("fetched %s", ids)
    logger.debug("count %d", len(ids))
    logger.debug("first %s", ids[:1])
    logger.debug("last %s", ids[-1:])
"""


def test_text_output_is_exact(project):
    (project / "app.py").write_text(APP, encoding="utf-8")
    proc = run_cli("check", "--select", "REL001,PERF001,OBS002", "app.py")
    assert proc.returncode == 1
    assert proc.stdout == (
        "app.py:9:9: PERF001 [performance] `requests.get()` sends one HTTP request per `i` in this loop (N+1): "
        "use a batch endpoint, or bounded concurrency (asyncio.gather with a Semaphore)\n"
        '            requests.get(f"https://api.example.org/items/{i}")\n'
        "            ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "app.py:9:9: REL001 [reliability] `requests.get()` has no timeout: if the server never answers, "
        "this call waits forever; pass timeout=(connect, read)\n"
        '            requests.get(f"https://api.example.org/items/{i}")\n'
        "            ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "app.py:10:5: OBS002 [observability] log message built with an f-string, formatted even when INFO is "
        "disabled and its values are lost as fields; this project passes log values as arguments in 80% of its "
        'log calls with values: pass the values as arguments (log.info("user %s", uid)) or in extra=\n'
        '        logger.info(f"fetched {len(ids)}")\n'
        "        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "\n"
        "Findings by viewpoint: observability: 1, performance: 1, reliability: 1\n"
        "1 file checked, 3 findings.\n"
    )


def test_no_findings_exit_zero_and_summary(project):
    (project / "ok.py").write_text("x = 1\n", encoding="utf-8")
    proc = run_cli("check", "--select", "REL001", "ok.py")
    assert proc.returncode == 0
    assert proc.stdout == "1 file checked, 0 findings.\n"


def test_color_only_when_forced_and_not_with_no_color(project):
    (project / "app.py").write_text(APP, encoding="utf-8")
    plain = run_cli("check", "--select", "REL001", "app.py")
    assert "\x1b[" not in plain.stdout
    forced = run_cli("check", "app.py", env={"FORCE_COLOR": "1", "NO_COLOR": ""})
    assert "\x1b[1m" in forced.stdout


def test_json_output_has_ruff_keys(project):
    (project / "app.py").write_text(APP, encoding="utf-8")
    proc = run_cli("check", "--output-format", "json", "--select", "REL001", "app.py")
    data = json.loads(proc.stdout)
    assert data == [
        {
            "code": "REL001",
            "name": "http-call-without-timeout",
            "message": "`requests.get()` has no timeout: if the server never answers, this call waits forever; "
            "pass timeout=(connect, read)",
            "viewpoint": "reliability",
            "severity": "error",
            "filename": "app.py",
            "location": {"row": 9, "column": 9},
            "end_location": {"row": 9, "column": 59},
            "fix": {
                "applicability": "unsafe",
                "message": "add timeout=10",
                "edits": [
                    {
                        "content": 'requests.get(f"https://api.example.org/items/{i}", timeout=10)',
                        "location": {"row": 9, "column": 9},
                        "end_location": {"row": 9, "column": 59},
                    }
                ],
            },
            "url": data[0]["url"],
        }
    ]
    assert data[0]["url"].endswith("#http-call-without-timeout")


def test_select_ignore_prefix_and_name(project):
    (project / "app.py").write_text(APP, encoding="utf-8")
    codes = lambda proc: sorted({line.split()[1] for line in proc.stdout.splitlines()})  # noqa: E731
    assert codes(run_cli("check", "--output-format", "concise", "--select", "REL,OBS", "app.py")) == ["OBS002", "REL001", "REL006"]
    assert codes(run_cli("check", "--output-format", "concise", "--select", "REL", "--extend-select",
                         "eager-log-formatting", "app.py")) == ["OBS002", "REL001", "REL006"]
    assert codes(run_cli("check", "--output-format", "concise", "--select", "REL,PERF,OBS002", "--ignore", "PERF001",
                         "--ignore", "http-call-without-timeout", "--ignore", "missing-retry-policy", "app.py")) == ["OBS002"]
    # the most specific selector wins: ignore the prefix, select one code of it back
    proc = run_cli("check", "--output-format", "concise", "--select", "REL001", "--ignore", "REL", "app.py")
    assert codes(proc) == ["REL001"]


def test_exit_zero_and_statistics(project):
    (project / "app.py").write_text(APP, encoding="utf-8")
    proc = run_cli("check", "--select", "REL001,PERF001,OBS002", "--exit-zero", "--statistics", "--quiet", "app.py")
    assert proc.returncode == 0
    assert proc.stdout == (
        "1\tOBS002\teager-log-formatting\n"
        "1\tPERF001\tn-plus-one-http\n"
        "1\tREL001\thttp-call-without-timeout\n"
        "\n"
        "Findings by viewpoint: observability: 1, performance: 1, reliability: 1\n"
        "1 file checked, 3 findings.\n"
    )


def test_unknown_selector_is_a_usage_error(project):
    (project / "app.py").write_text(APP, encoding="utf-8")
    proc = run_cli("check", "--select", "NOPE999", "app.py")
    assert proc.returncode == 2
    assert proc.stderr == "reviewlint: error: command line: select: unknown rule selector 'NOPE999' (not a code, prefix, rule name, ALL, default or strict)\n"
    assert proc.stdout == ""


def test_bad_option_is_click_usage_error(project):
    proc = run_cli("check", "--output-format", "xml")
    assert proc.returncode == 2
    assert "Invalid value for '--output-format'" in proc.stderr


def test_rules_and_explain(project):
    proc = run_cli("rules")
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["code", "name", "viewpoint", "severity", "fixable", "set", "enabled"]
    assert any(line.split()[:4] == ["REL001", "http-call-without-timeout", "reliability", "error"] for line in lines)
    by_code = run_cli("explain", "REL001")
    by_name = run_cli("explain", "http-call-without-timeout")
    assert by_code.stdout == by_name.stdout
    assert by_code.stdout.startswith("# REL001 http-call-without-timeout\n")
    for section in ("## What it does", "## Why it matters", "## Example", "## Use instead", "## Options", "## Flagged", "## Not flagged"):
        assert section in by_code.stdout
    missing = run_cli("explain", "XYZ123")
    assert missing.returncode == 2
    assert missing.stderr == "reviewlint: error: unknown rule 'XYZ123'; `reviewlint rules` lists them\n"


def test_version_and_python_m(project):
    proc = run_cli("--version")
    assert proc.returncode == 0
    assert proc.stdout.startswith("reviewlint 0.")


def test_paths_relative_to_cwd(project):
    (project / "pkg").mkdir()
    (project / "pkg" / "mod.py").write_text("import requests\nrequests.get('https://x.org')\n", encoding="utf-8")
    from_root = run_cli("check", "--output-format", "concise", "pkg")
    assert from_root.stdout.startswith("pkg/mod.py:2:1: REL001")
    from_inside = run_cli("check", "--output-format", "concise", ".", cwd=project / "pkg")
    assert from_inside.stdout.startswith("mod.py:2:1: REL001")
