"""Rule packs: an installed third-party pack is discovered through its entry point and reports;
local rule folders load; duplicate codes and broken packs are one-line errors; a crashing rule
loses only its own findings."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import zipfile

import pytest

from clihelp import run_cli

PACK_SOURCE = textwrap.dedent(
    '''
    import libcst as cst
    from reviewlint import Invalid, Rule, Severity, Valid, Viewpoint


    class NoPrintCall(Rule):
        """Flags print() calls.

        ## What it does
        Flags print. ## Why it matters
        Demo. ## Example
        print(1) ## Use instead
        log
        """

        code = "DEMO001"
        name = "demo-no-print"
        viewpoint = Viewpoint.OBSERVABILITY
        severity = Severity.WARNING
        valid = ["log(1)\\n"]
        invalid = [Invalid("print(1)\\n", line=1, message="demo says no print")]

        def visit_Call(self, node):
            if self.context.qualname(node.func) == "builtins.print":
                self.report(node, "demo says no print")


    class Crashes(Rule):
        """Crashes on boom()."""

        code = "DEMO002"
        name = "demo-crash"
        viewpoint = Viewpoint.TEAM_DEBT
        valid = []
        invalid = []

        def visit_Call(self, node):
            if isinstance(node.func, cst.Name) and node.func.value == "boom":
                raise ValueError("kaboom")
    '''
)


def build_wheel(tmp_path, source=PACK_SOURCE, name="rl_demo_pack", ep_value=None):
    wheel = tmp_path / f"{name}-0.1-py3-none-any.whl"
    dist = f"{name}-0.1.dist-info"
    files = {
        f"{name}/__init__.py": source,
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n",
        f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        f"{dist}/entry_points.txt": f"[reviewlint.rules]\ndemo = {ep_value or name}\n",
    }
    record = "".join(f"{path},,\n" for path in files) + f"{dist}/RECORD,,\n"
    with zipfile.ZipFile(wheel, "w") as zf:
        for path, text in files.items():
            zf.writestr(path, text)
        zf.writestr(f"{dist}/RECORD", record)
    return wheel


@pytest.fixture
def installed_pack(tmp_path):
    """Install the demo pack with pip (into a target folder put on PYTHONPATH)."""
    wheel = build_wheel(tmp_path)
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    return {"PYTHONPATH": str(target)}


def test_installed_pack_is_discovered_and_reports(project, installed_pack):
    (project / "app.py").write_text("print('hi')\nboom()\n", encoding="utf-8")
    rules = run_cli("rules", env=installed_pack)
    assert any(line.split()[:2] == ["DEMO001", "demo-no-print"] for line in rules.stdout.splitlines())
    assert "REL001" in rules.stdout  # the built-in pack loads through the same interface
    proc = run_cli("check", "--select", "DEMO001", "--output-format", "concise", "app.py", env=installed_pack)
    assert proc.stdout == "app.py:1:1: DEMO001 demo says no print\n"
    assert proc.returncode == 1


def test_crashing_rule_keeps_other_findings(project, installed_pack):
    (project / "app.py").write_text("print('hi')\nboom()\n", encoding="utf-8")
    (project / "other.py").write_text("print('x')\n", encoding="utf-8")
    proc = run_cli("check", "--select", "DEMO", "--output-format", "concise", ".", env=installed_pack)
    assert proc.returncode == 2
    assert "app.py:1:1: DEMO001 demo says no print" in proc.stdout
    assert "app.py:1:1: E900 internal error in rule DEMO002 (demo-crash): ValueError: kaboom" in proc.stdout
    assert "other.py:1:1: DEMO001 demo says no print" in proc.stdout
    assert "Traceback" not in proc.stderr
    assert "run with --verbose" in proc.stderr
    verbose = run_cli("check", "--verbose", "--select", "DEMO", ".", env=installed_pack)
    assert "Traceback" in verbose.stderr and "kaboom" in verbose.stderr


def test_plugin_author_test_helper(installed_pack, monkeypatch):
    monkeypatch.syspath_prepend(installed_pack["PYTHONPATH"])
    import rl_demo_pack

    from reviewlint.testing import example_cases

    cases = example_cases(rl_demo_pack.NoPrintCall)
    assert [c.id for c in cases] == ["DEMO001-valid-0", "DEMO001-invalid-0"]
    for case in cases:
        case.check()


def test_broken_pack_is_a_one_line_error(project, tmp_path):
    wheel = build_wheel(tmp_path, source="raise ImportError('missing dependency foo')\n", name="rl_broken")
    target = tmp_path / "site2"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    (project / "app.py").write_text("x = 1\n", encoding="utf-8")
    proc = run_cli("check", "app.py", env={"PYTHONPATH": str(target)})
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "reviewlint: error: rule pack 'demo' (rl_broken) failed to load: ImportError: missing dependency foo"
    )


def test_local_rules_folder(project):
    rules_dir = project / "lint_rules"
    rules_dir.mkdir()
    (rules_dir / "no_print.py").write_text(PACK_SOURCE.replace("DEMO", "LOCAL").replace("demo-", "local-"), encoding="utf-8")
    (project / "pyproject.toml").write_text("[tool.reviewlint]\nlocal-rules = ['lint_rules']\n", encoding="utf-8")
    (project / "app.py").write_text("print('hi')\n", encoding="utf-8")
    proc = run_cli("check", "--select", "LOCAL001", "--output-format", "concise", "app.py")
    assert proc.stdout == "app.py:1:1: LOCAL001 demo says no print\n"


def test_duplicate_code_is_an_error(project):
    rules_dir = project / "lint_rules"
    rules_dir.mkdir()
    dup = PACK_SOURCE.replace('"DEMO001"', '"REL001"').replace("demo-no-print", "my-timeout")
    (rules_dir / "dup.py").write_text(dup, encoding="utf-8")
    (project / "pyproject.toml").write_text("[tool.reviewlint]\nlocal-rules = ['lint_rules']\n", encoding="utf-8")
    proc = run_cli("check", ".")
    assert proc.returncode == 2
    assert "reviewlint: error: duplicate rule code REL001: HttpCallWithoutTimeout (builtin) and NoPrintCall" in proc.stderr
