"""Real code never hangs or crashes a run: self-referencing bindings, deep nesting, huge
expressions, slow rules (the watchdog), and folders with nothing to check."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import time

import pytest

from clihelp import run_cli
from reviewlint import Rule, Severity, Viewpoint
from reviewlint.api import check_source
from reviewlint.config import load_settings
from reviewlint.engine.guard import thread_cpu_clock


def codes(findings) -> list[str]:
    return [f.code for f in findings]


def test_path_rebound_from_itself_does_not_hang():
    # SEC005's path check followed `p = p / name` back to itself forever
    source = textwrap.dedent(
        """\
        from pathlib import Path

        def read_part(root, name):
            p = Path(root)
            p = p / name
            return p.read_text()
        """
    )
    assert codes(check_source(source)) == []


def test_number_rebound_through_divide_then_replace_does_not_hang():
    source = "def f(e, a, b):\n    e = e / 2\n    e = e / 3\n    return e.replace(a, b)\n"
    assert codes(check_source(source)) == []


def test_log_message_passed_by_keyword_is_reported_without_a_broken_fix():
    source = (
        "import logging\nlogger = logging.getLogger(__name__)\n\n"
        "def done(name, state):\n"
        "    logger.log(level=logging.INFO, msg=f'Finished {name} in state {state}')\n"
    )
    findings = check_source(source, select=["OBS002"])
    assert [(f.code, f.line) for f in findings] == [("OBS002", 5)]
    assert findings[0].fix is None


def test_three_thousand_adjacent_string_literals():
    parts = "\n".join(f'    "/api/v1/item{i} "' for i in range(3000))
    source = f"HELP = (\n{parts}\n)\nURL = '/api/v1/other'\n"
    findings = check_source(source)
    assert "E900" not in codes(findings)


def test_long_elif_chain_is_checked_and_placed():
    lines = ["def f(x):", "    if x == 0:", "        return 0"]
    for i in range(1, 1500):
        lines += [f"    elif x == {i}:", "        pass"]
    lines += ["    else:", "        print(x)"]
    findings = check_source("\n".join(lines) + "\n", select=["OBS001"])
    assert [(f.code, f.line) for f in findings] == [("OBS001", len(lines))]


def test_long_attribute_chain_and_plus_chain_finish():
    chain = "import requests\nx = requests" + ".a" * 3000 + ".get('http://x')\n"
    assert "E900" not in codes(check_source(chain))
    plus = "x = " + " + ".join(f"'/api/v1/{i}'" for i in range(2000)) + "\n"
    findings = check_source(plus, select=["MAINT002"])
    assert "E900" not in codes(findings)


@pytest.mark.parametrize(
    "source, message",
    [
        ("x = " + "(" * 5000 + "1" + ")" * 5000 + "\n", "E999 invalid syntax: too many nested parentheses"),
        ("x = " + "[" * 300 + "]" * 300 + "\n", "E999 invalid syntax: too many nested parentheses"),
        ("x = " + "- " * 50000 + "1\n", "E999 source is nested too deeply for Python's parser"),
    ],
)
def test_nesting_beyond_pythons_limits_is_a_syntax_error_not_a_crash(project, source, message):
    (project / "deep.py").write_text(source, encoding="utf-8")
    (project / "good.py").write_text("import requests\nrequests.get('https://x.org')\n", encoding="utf-8")
    proc = run_cli("check", "--select", "REL001", "--output-format", "concise", "deep.py", "good.py")
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("deep.py:1:") and message in lines[0]
    assert lines[1].startswith("good.py:2:1: REL001 ")


def test_brackets_inside_strings_do_not_count_as_nesting():
    source = "X = '" + "(" * 500 + "'\nimport requests\nrequests.get('https://x.org')\n"
    assert codes(check_source(source, select=["REL001"])) == ["REL001"]


SPIN_RULE = '''\
from reviewlint import Rule, Severity, Viewpoint


class Spin(Rule):
    """Never returns on a marker name (a stand-in for a rule with a runaway loop)."""

    code = "XSP001"
    name = "spin"
    viewpoint = Viewpoint.MAINTAINABILITY
    severity = Severity.WARNING
    message = "spin"

    def visit_Name(self, node):
        if node.value == "spin_forever":
            while True:
                try:
                    pass
                except Exception:  # a rule's own handler must not swallow the timeout
                    pass
'''


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_watchdog_abandons_a_slow_file_and_keeps_the_others(project, jobs):
    (project / "local").mkdir()
    (project / "local" / "spin.py").write_text(SPIN_RULE, encoding="utf-8")
    (project / "pyproject.toml").write_text("[tool.reviewlint]\nlocal-rules = ['local']\n", encoding="utf-8")
    (project / "slow.py").write_text("spin_forever = 1\n", encoding="utf-8")
    for i in range(20):  # enough files for the process pool with --jobs 2
        (project / f"ok{i:02}.py").write_text("import requests\nrequests.get('https://x.org')\n", encoding="utf-8")
    proc = run_cli("check", "--no-cache", "--select", "REL001,XSP001", "--file-timeout", "0.5", "--jobs", jobs,
                   "--output-format", "concise", "slow.py", *[f"ok{i:02}.py" for i in range(20)])
    assert proc.returncode == 2
    lines = proc.stdout.splitlines()
    assert any(
        line.startswith("slow.py:1:1: E901 checking this file was abandoned after ")
        and "(in rule XSP001 spin): exclude it, or raise `file-timeout` (now 0.5 s)" in line
        for line in lines
    ), proc.stdout
    assert sum(1 for line in lines if " REL001 " in line) == 20
    assert "reviewlint: error: a file ran out of time (E901): the results are incomplete" in proc.stderr
    assert "Traceback" not in proc.stderr


class Nap(Rule):
    """Waits without using the CPU on a marker name, as a file does on a machine busy with other work."""

    code = "XNP001"
    name = "nap"
    viewpoint = Viewpoint.MAINTAINABILITY
    severity = Severity.WARNING
    message = "nap"

    def visit_Name(self, node):
        if node.value == "nap_briefly":
            time.sleep(0.6)
        elif node.value == "nap_forever":
            while True:
                time.sleep(0.01)


def check_with_timeout(source, seconds):
    settings = load_settings(overrides={"select": ["XNP001"], "file-timeout": seconds}, isolated=True)
    return [(f.code, f.message) for f in check_source(source, settings=settings, classes=[Nap])]


needs_cpu_clock = pytest.mark.skipif(thread_cpu_clock() is None, reason="no per-thread CPU clock here")


@needs_cpu_clock
def test_file_timeout_counts_cpu_time_not_time_spent_waiting():
    # 0.6 s asleep is past a 0.3 s limit on the wall clock, but uses no CPU: not abandoned
    assert check_with_timeout("nap_briefly = 1\n", 0.3) == []


@needs_cpu_clock
def test_file_that_waits_forever_is_abandoned_by_the_wall_clock_backstop():
    started = time.monotonic()
    found = check_with_timeout("nap_forever = 1\n", 0.3)
    assert [code for code, _ in found] == ["E901"]
    assert re.fullmatch(
        r"checking this file was abandoned after 0\.\d s of CPU time \(\d+\.\d s in all\) \(in rule XNP001 nap\): "
        r"exclude it, or raise `file-timeout` \(now 0\.3 s\)",
        found[0][1],
    ), found[0][1]
    assert 1.4 < time.monotonic() - started < 10  # 5 × 0.3 s of wall-clock time


def test_file_timeout_is_validated(project):
    (project / "pyproject.toml").write_text("[tool.reviewlint]\nfile-timeout = 'soon'\n", encoding="utf-8")
    proc = run_cli("check", ".")
    assert proc.returncode == 2
    assert "file-timeout" in proc.stderr and "expected a number of seconds (0: no limit)" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_folder_with_only_ignored_files_warns(project):
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    (project / ".gitignore").write_text("generated/\n", encoding="utf-8")
    (project / "generated").mkdir()
    (project / "generated" / "a.py").write_text("x = 1\n", encoding="utf-8")
    (project / "empty").mkdir()
    proc = run_cli("check", "generated", "empty")
    assert proc.returncode == 0
    assert "0 files checked, 0 findings." in proc.stdout
    assert proc.stderr.splitlines() == [
        "reviewlint: warning: no Python files found under generated (1 git-ignored)",
        "reviewlint: warning: no Python files found under empty",
    ]


def test_folder_with_only_excluded_files_warns(project):
    (project / "pyproject.toml").write_text("[tool.reviewlint]\nextend-exclude = ['gen_*.py']\n", encoding="utf-8")
    (project / "pkg").mkdir()
    (project / "pkg" / "gen_a.py").write_text("x = 1\n", encoding="utf-8")
    proc = run_cli("check", "pkg")
    assert proc.returncode == 0
    assert proc.stderr.strip() == (
        "reviewlint: warning: no Python files found under pkg (1 files or folders excluded by `exclude`/`extend-exclude`)"
    )


def test_parenthesized_annotation_target_is_valid_python_not_a_syntax_error():
    # LibCST 1.9 cannot parse `(x): int` (CPython's test_grammar.py has it): it was E999
    source = textwrap.dedent(
        """\
        import requests

        (pars): bool = True

        class C:
            ((a.b)): int = requests.get('https://x.org')

        def f():
            ( no_such_global ): int
            requests.get('https://x.org')
        """
    )
    findings = check_source(source, select=["REL001"])
    assert [(f.code, f.line, f.column) for f in findings] == [("REL001", 6, 20), ("REL001", 10, 5)]


def test_parenthesized_target_does_not_hide_a_real_syntax_error():
    findings = check_source("(x): int = 1\ndef f(:\n    pass\n")
    assert [(f.code, f.line) for f in findings] == [("E999", 2)]


WORKER_RSS_SCRIPT = """\
import resource, sys
from reviewlint.engine.pool import run_files
from reviewlint.engine.runner import Engine, FileResult

class Measure(Engine):
    def check_bytes(self, data, path, display=None):
        result = FileResult(path, display or path)
        result.facts["rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return result

before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
results = run_files([(f, f) for f in sys.argv[1:]], Measure([]), jobs=2)
print(before, max(r.facts["rss"] for r in results))
"""


def test_workers_do_not_inherit_the_bytes_of_every_file(tmp_path):
    # the parent read all files, then forked the workers: each carried them all in its RSS
    pytest.importorskip("resource")
    paths = []
    for i in range(16):
        path = tmp_path / f"big{i:02}.py"
        path.write_bytes(b"#" * (4 * 1024 * 1024))
        paths.append(str(path))
    proc = subprocess.run([sys.executable, "-c", WORKER_RSS_SCRIPT, *paths], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    before, worker = map(int, proc.stdout.split())
    assert worker - before < 32 * 1024, (before, worker)  # KiB; the files hold 64 MiB


@pytest.mark.parametrize(
    "source, codes_expected",
    [
        # near misses of a long prefix-operator run: the pre-parse screen must give up at once
        # (a `{200}` repetition retried from every position took minutes on the first of these)
        ("x = " + "lambda " * 150 + ":\n", ["E999"]),
        ("".join("# " + "-" * 199 + "x\n" for _ in range(200)), []),
        # long chains Python accepts are parsed and checked
        ("f = " + "lambda: " * 300 + "1\n", []),
        ("x = " + "not " * 300 + "y\n", []),
    ],
)
def test_prefix_operator_runs_are_screened_without_backtracking(source, codes_expected):
    assert [c for c in codes(check_source(source, select=["REL001"])) if c.startswith("E")] == codes_expected
