"""Configuration: discovery, precedence, validation errors naming key and file, `reviewlint config`."""

from __future__ import annotations

from clihelp import run_cli

APP = "import requests\nrequests.get('https://x.org')\nimport logging\nlogging.getLogger(__name__).info(f'{x}')\n"


def write_config(project, text, name="pyproject.toml"):
    (project / name).write_text(text, encoding="utf-8")


def test_pyproject_found_upward_and_applied(project):
    write_config(project, "[tool.reviewlint]\nselect = ['OBS']\n")
    sub = project / "src" / "pkg"
    sub.mkdir(parents=True)
    (sub / "app.py").write_text(APP, encoding="utf-8")
    proc = run_cli("check", "--output-format", "concise", ".", cwd=sub)
    assert proc.stdout == "app.py:4:1: OBS002 log message built with an f-string, formatted even when INFO is disabled and its values are lost as fields; no project convention yet, and arguments are logging's default: pass the values as arguments (log.info(\"user %s\", uid)) or in extra=\n"


def test_reviewlint_toml_and_explicit_config(project, tmp_path):
    write_config(project, "select = ['REL001', 'OBS002']\nignore = ['OBS002']\n", name="reviewlint.toml")
    (project / "app.py").write_text(APP, encoding="utf-8")
    proc = run_cli("check", "--output-format", "concise", "app.py")
    assert [line.split()[1] for line in proc.stdout.splitlines()] == ["REL001"]
    other = tmp_path / "other.toml"
    other.write_text("select = ['OBS002']\n", encoding="utf-8")
    proc = run_cli("check", "--config", str(other), "--output-format", "concise", "app.py")
    assert [line.split()[1] for line in proc.stdout.splitlines()] == ["OBS002"]


def test_unknown_key_names_key_and_file(project):
    write_config(project, "[tool.reviewlint]\nselcet = ['REL']\n")
    proc = run_cli("check", ".")
    assert proc.returncode == 2
    assert proc.stderr == "reviewlint: error: pyproject.toml [tool.reviewlint]: unknown key 'selcet' (did you mean 'select'?)\n"


def test_wrong_type_names_key(project):
    write_config(project, "[tool.reviewlint]\nselect = 'REL'\n")
    proc = run_cli("check", ".")
    assert proc.returncode == 2
    assert proc.stderr == "reviewlint: error: pyproject.toml [tool.reviewlint]: select: expected a list of strings\n"


def test_unknown_code_in_config(project):
    write_config(project, "[tool.reviewlint]\nignore = ['REL999']\n")
    proc = run_cli("check", ".")
    assert proc.returncode == 2
    assert proc.stderr == "reviewlint: error: pyproject.toml: ignore: unknown rule selector 'REL999' (not a code, prefix, rule name, ALL, default or strict)\n"


def test_broken_toml(project):
    write_config(project, "[tool.reviewlint\nselect = 1\n")
    proc = run_cli("check", ".")
    assert proc.returncode == 2
    assert proc.stderr.startswith("reviewlint: error: pyproject.toml: invalid TOML: ")
    assert "Traceback" not in proc.stderr


def test_rule_options_validated(project):
    write_config(project, "[tool.reviewlint.rules.REL001]\ndefault-timeout = 'soon'\n")
    proc = run_cli("check", ".")
    assert proc.returncode == 2
    assert proc.stderr == "reviewlint: error: pyproject.toml: rules.REL001.default-timeout: expected a number, got str 'soon'\n"
    write_config(project, "[tool.reviewlint.rules.http-call-without-timeout]\nretries = 3\n")
    proc = run_cli("check", ".")
    assert proc.stderr == "reviewlint: error: pyproject.toml: rules.REL001: unknown option 'retries' (options: default-timeout)\n"
    write_config(project, "[tool.reviewlint.rules.NOPE001]\nx = 1\n")
    proc = run_cli("check", ".")
    assert proc.stderr == "reviewlint: error: pyproject.toml: rules.NOPE001: no rule has this code or name\n"


def test_rule_option_reaches_the_rule(project):
    write_config(project, "[tool.reviewlint]\nselect = ['REL001']\n[tool.reviewlint.rules.REL001]\ndefault-timeout = 2.5\n")
    (project / "app.py").write_text(APP, encoding="utf-8")
    proc = run_cli("check", "--output-format", "json", "app.py")
    assert '"content": "requests.get(\'https://x.org\', timeout=2.5)"' in proc.stdout


def test_per_file_ignores_and_severity(project):
    write_config(
        project,
        "[tool.reviewlint]\nselect = ['REL001', 'OBS002']\n"
        "[tool.reviewlint.per-file-ignores]\n'legacy/*.py' = ['REL']\n"
        "[tool.reviewlint.severity]\nOBS002 = 'error'\n",
    )
    (project / "legacy").mkdir()
    (project / "legacy" / "old.py").write_text(APP, encoding="utf-8")
    (project / "new.py").write_text(APP, encoding="utf-8")
    proc = run_cli("check", "--output-format", "json", ".")
    import json

    found = sorted((f["filename"], f["code"], f["severity"]) for f in json.loads(proc.stdout))
    assert found == [
        ("legacy/old.py", "OBS002", "error"),
        ("new.py", "OBS002", "error"),
        ("new.py", "REL001", "error"),
    ]


def test_config_command_shows_sources(project):
    write_config(project, "[tool.reviewlint]\nignore = ['OBS002']\n")
    proc = run_cli("config")
    assert proc.returncode == 0
    assert 'ignore = ["OBS002"]  # pyproject.toml' in proc.stdout
    assert 'select = null  # default' in proc.stdout
    assert "# config file: " in proc.stdout and "pyproject.toml" in proc.stdout
