"""Bad input gets one clear diagnostic, never a traceback, and the other files still report."""

from __future__ import annotations

import os
import sys

import pytest

from clihelp import run_cli

GOOD = "import requests\nrequests.get('https://api.example.org/x')\n"


def write(path, data: bytes):
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "name, data, expected",
    [
        ("syntax.py", b"def broken(:\n    pass\n", "broken.py:1:12: E999 [diagnostic] invalid syntax: invalid syntax"),
        ("nul.py", b"x = 1\ny = '\x00'\n", "nul.py:2:6: E999 [diagnostic] source contains a NUL byte"),
        ("latin.py", b"x = '\xe9t\xe9'\n", "latin.py:1:6: E999 [diagnostic] source is not valid utf-8: byte 0xe9 cannot be decoded"),
        ("cookie.py", b"# -*- coding: klingon -*-\nx = 1\n", "cookie.py:1:1: E999 [diagnostic] unknown encoding 'klingon' in the coding declaration"),
    ],
)
def test_bad_file_is_one_diagnostic_and_others_still_report(project, name, data, expected):
    write(project / ("broken.py" if name == "syntax.py" else name), data)
    write(project / "good.py", GOOD.encode())
    proc = run_cli("check", "--select", "REL001", ".")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    assert expected in proc.stdout
    assert "good.py:2:1: REL001 [reliability] `requests.get()` has no timeout" in proc.stdout
    assert "2 files checked, 2 findings." in proc.stdout


def test_syntax_error_message_has_line_and_column(project):
    write(project / "broken.py", b"x = 1\ndef broken(:\n    pass\n")
    proc = run_cli("check", "--output-format", "concise", "broken.py")
    assert proc.returncode == 1
    line = proc.stdout.strip().splitlines()[0]
    assert line.startswith("broken.py:2:")
    assert " E999 invalid syntax" in line


def test_pep263_cookie_is_respected(project):
    source = "# -*- coding: latin-1 -*-\nimport requests\nNAME = 'caf\xe9'\nrequests.get('https://x.org/' + NAME)\n"
    write(project / "latin1.py", source.encode("latin-1"))
    proc = run_cli("check", "--select", "REL001", "--output-format", "concise", "latin1.py")
    assert proc.stdout.splitlines()[0].startswith("latin1.py:4:1: REL001 ")
    assert proc.returncode == 1


def test_utf8_bom_is_accepted(project):
    write(project / "bom.py", b"\xef\xbb\xbfimport requests\nrequests.get('https://x.org')\n")
    proc = run_cli("check", "--select", "REL001", "--output-format", "concise", "bom.py")
    assert proc.stdout.splitlines()[0].startswith("bom.py:2:1: REL001 ")


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(project):
    path = write(project / "secret.py", GOOD.encode())
    path.chmod(0)
    write(project / "good.py", GOOD.encode())
    proc = run_cli("check", "--select", "REL001", ".")
    assert "secret.py:1:1: E902 [diagnostic] permission denied: cannot read the file" in proc.stdout
    assert "good.py:2:1: REL001" in proc.stdout


def test_unreadable_file_as_root_via_directory_named_py(project):
    # a folder named like a Python file, passed explicitly: an io-error, not a crash
    (project / "pkg.py").mkdir()
    write(project / "good.py", GOOD.encode())
    proc = run_cli("check", "--select", "REL001", "--output-format", "concise", "pkg.py", "good.py")
    assert "Traceback" not in proc.stderr
    assert "good.py:2:1: REL001" in proc.stdout


def test_missing_path_is_an_error_but_other_paths_report(project):
    write(project / "good.py", GOOD.encode())
    proc = run_cli("check", "--select", "REL001", "nope.py", "good.py")
    assert proc.returncode == 2
    assert "reviewlint: error: nope.py: no such file or folder" in proc.stderr
    assert "good.py:2:1: REL001" in proc.stdout


def test_deeply_nested_expression_does_not_crash(project):
    expr = "+".join(["x"] * 3000)
    write(project / "deep.py", f"y = {expr}\n".encode())
    write(project / "good.py", GOOD.encode())
    proc = run_cli("check", "--select", "REL001", "--output-format", "concise", ".")
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "good.py:2:1: REL001" in proc.stdout
