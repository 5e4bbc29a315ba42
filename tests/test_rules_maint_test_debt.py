"""MAINT001-004, TEST001-002, DEBT001-002: behaviour beyond the inline examples (options,
settings, suppression interplay, precedence, shared analyses, report_line)."""

from __future__ import annotations

import textwrap

import pytest

from reviewlint.analysis import config_modules as cm
from reviewlint.api import check_source
from reviewlint.config import load_settings
from reviewlint.rule import OptionError


def run(code: str, select, path: str = "app/service.py", options=None, **overrides):
    settings = None
    if overrides:
        settings = load_settings(overrides={"select": list(select), **overrides}, isolated=True)
        if options:
            settings.values["rules"] = options
    findings = check_source(textwrap.dedent(code).lstrip("\n"), path, select=select, options=options, settings=settings)
    return [f for f in findings if f.viewpoint != "diagnostic" or pytest.fail(f"diagnostic: {f.message}")]


# ---------------------------------------------------------------------- shared analysis


@pytest.mark.parametrize(
    "url, host",
    [
        ("https://api.stripe.com/v1", "api.stripe.com"),
        ("http://user:pw@db.acme.io:5432/x", "db.acme.io"),
        ("https://[::1]:8000/", "[::1]"),
        ("wss://stream.acme.io/socket", "stream.acme.io"),
        ("/relative/path", None),
        ("{http://www.w3.org/2005/Atom}entry", None),
    ],
)
def test_url_host(url, host):
    assert cm.url_host(url) == host


@pytest.mark.parametrize(
    "host, placeholder",
    [
        ("localhost", True),
        ("127.0.0.1", True),
        ("0.0.0.0", True),
        ("api.example.com", True),
        ("shop.test", True),
        ("printer.local", True),
        ("x.invalid", True),
        ("www.w3.org", True),
        ("schemas.xmlsoap.org", True),
        ("192.0.2.10", True),  # documentation range
        ("api.stripe.com", False),
        ("10.0.0.5", False),
        ("example.com.evil.io", False),
    ],
)
def test_placeholder_hosts(host, placeholder):
    assert cm.is_placeholder_host(host) is placeholder


def test_allowed_hosts_patterns():
    assert cm.is_placeholder_host("metrics.corp.acme.io", ["*.corp.acme.io"])
    assert cm.is_placeholder_host("corp.acme.io", [".corp.acme.io"])
    assert cm.is_placeholder_host("vault.acme.io", ["vault.acme.io"])
    assert not cm.is_placeholder_host("api.acme.io", ["*.corp.acme.io"])


@pytest.mark.parametrize(
    "path, expected",
    [
        ("myapp/settings.py", True),
        ("myapp/settings_prod.py", True),
        ("myapp/config.py", True),
        ("myapp/conf.py", True),
        ("myapp/payment_settings.py", True),
        ("myapp/stripe_config.py", True),
        ("myapp/settings/base.py", True),
        ("myapp/config/__init__.py", True),
        ("myapp/views.py", False),
        ("myapp/conf/locale.py", False),
        ("myapp/configure_logging.py", True),  # config*.py
    ],
)
def test_config_module_defaults(path, expected):
    code = "import os\n\ndef f():\n    return os.environ['DATABASE_URL']\n"
    found = run(code, ["MAINT003"], path=path)
    assert (not found) is expected


def test_config_modules_option_replaces_defaults():
    code = "import os\n\ndef f():\n    return os.environ['DATABASE_URL']\n"
    opts = {"MAINT003": {"config-modules": ["deploy/*.py"]}}
    assert not run(code, ["MAINT003"], path="deploy/env.py", options=opts)
    assert run(code, ["MAINT003"], path="myapp/settings.py", options=opts)


# ---------------------------------------------------------------------- MAINT001


def test_maint001_config_module_option_and_test_files():
    code = "def f():\n    url = 'https://api.stripe.com/v1'\n    return url\n"
    assert run(code, ["MAINT001"])
    assert not run(code, ["MAINT001"], path="app/settings.py")
    assert not run(code, ["MAINT001"], path="tests/test_pay.py")
    assert not run(code, ["MAINT001"], path="app/payments.py",
                   options={"MAINT001": {"config-modules": ["app/payments.py"]}})


def test_maint001_reports_the_literal_once_per_call():
    code = """
    import httpx

    def f():
        return httpx.get('https://api.acme.io/a', follow_redirects=True)
    """
    found = run(code, ["MAINT001"])
    assert [(f.line, f.column) for f in found] == [(4, 22)]


# ---------------------------------------------------------------------- MAINT002


def test_maint002_one_finding_per_file_at_the_second_string_with_the_count():
    code = """
    def a(c):
        return c.get('/api/v2/a')

    def b(c):
        return c.get('/api/v2/b')

    def d(c):
        return c.get('/api/v2/d')
    """
    found = run(code, ["MAINT002"])
    assert [f.line for f in found] == [5]
    assert "`/v2/` is hard-coded in 3 strings of this file (first `/api/v2/a`)" in found[0].message


# ---------------------------------------------------------------------- MAINT003


def test_maint003_project_scripts_entry_point(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n[project.scripts]\nsyncer = "tool:run_sync"\n')
    (tmp_path / "tool.py").write_text("")
    monkeypatch.chdir(tmp_path)
    settings = load_settings(overrides={"select": ["MAINT003"]}, cwd=str(tmp_path))
    code = "import os\n\ndef run_sync():\n    return os.environ['TOKEN']\n\ndef other():\n    return os.environ['TOKEN']\n"
    found = check_source(code, str(tmp_path / "tool.py"), select=["MAINT003"], settings=settings)
    assert [f.line for f in found] == [7]


# ---------------------------------------------------------------------- TEST001 / PERF006


def test_perf006_takes_precedence_over_test001():
    code = """
    import httpx

    def f(urls):
        out = []
        for url in urls:
            with httpx.Client() as client:
                out.append(client.get(url).text)
        return out
    """
    found = run(code, ["TEST001", "PERF006"])
    assert [f.code for f in found] == ["PERF006"]


def test_test001_skips_test_files_and_reports_at_construction():
    code = "import httpx\n\ndef f(u):\n    c = httpx.Client()\n    return c.get(u)\n"
    found = run(code, ["TEST001"])
    assert [(f.line, f.column) for f in found] == [(4, 9)]
    assert not run(code, ["TEST001"], path="tests/test_f.py")


# ---------------------------------------------------------------------- DEBT001


def test_debt001_invalid_reference_pattern_is_an_option_error():
    from reviewlint.rules.debt.debt001_untracked_todo import UntrackedTodo

    with pytest.raises(OptionError):
        UntrackedTodo({"reference-pattern": "(unclosed"})


def test_debt001_position_is_the_marker():
    found = run("x = 1  # later: TODO fix\n", ["DEBT001"])
    assert [(f.line, f.column) for f in found] == [(1, 17)]
    assert found[0].line_text == "x = 1  # later: TODO fix"


def test_comment_rules_do_not_tokenize_files_without_candidates(monkeypatch):
    import reviewlint.engine.context as context

    def boom(text):
        raise AssertionError("tokenized a file without candidates")

    monkeypatch.setattr(context, "_tokenize_comments", boom)
    assert run("import os\nx = os.getcwd()  # a plain comment\n", ["DEBT001", "DEBT002"]) == []


# ---------------------------------------------------------------------- DEBT002


def test_debt002_require_reason_setting():
    code = "x = f()  # reviewlint: ignore[REL001]\ny = g()  # reviewlint: ignore[REL001] -- vendor has no timeout\n"
    assert run(code, ["DEBT002"]) == []
    found = run(code, ["DEBT002"], **{"require-reason": True})
    assert [f.line for f in found] == [1]
    assert "no reason" in found[0].message


def test_blanket_reviewlint_ignore_hides_other_findings_but_not_debt002():
    code = "import requests\nrequests.get('https://api.acme.io/x')  # reviewlint: ignore\n"
    found = run(code, ["REL001", "DEBT002"])
    assert [f.code for f in found] == ["DEBT002"]


def test_debt002_coded_reviewlint_suppression_can_hide_debt002():
    code = "x = f()  # noqa  # reviewlint: ignore[DEBT002] -- generated file\n"
    assert run(code, ["DEBT002"]) == []


@pytest.mark.parametrize(
    "config, expected",
    [
        ("[tool.pyright]\n", "`# pyright: ignore[reportAttributeAccessIssue]`"),
        ("[tool.mypy]\n", "`# type: ignore[attr-defined]`"),
        ("[tool.ty]\n", "`# ty: ignore[unresolved-attribute]`"),
    ],
)
def test_debt002_suggests_the_projects_type_checker(project, config, expected):
    from clihelp import run_cli

    (project / "pyproject.toml").write_text("[project]\nname = 'demo'\n" + config, encoding="utf-8")
    (project / "a.py").write_text("x = f()  # type: ignore\n", encoding="utf-8")
    proc = run_cli("check", "--select", "DEBT002", "--output-format", "concise", "a.py")
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[0].endswith(f"name them ({expected})")
