"""scripts/ecosystem.py on tiny fabricated runs and sheets: no downloads, no network."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).parent.parent / "scripts/ecosystem.py"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "REVIEWLINT_ECOSYSTEM_CACHE": str(cwd / "no-cache")} if cwd else None
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, cwd=cwd, env=env)


def finding(app, path, code, line, message, source, column=1, severity="warning", name=""):
    return {"app": app, "path": path, "code": code, "name": name, "line": line, "column": column,
            "message": message, "severity": severity, "source": source}


def saved(tmp_path: Path, filename: str, findings: list[dict], apps=("appA", "appB")) -> Path:
    data = {
        "format": "reviewlint-ecosystem/1",
        "created": "2026-12-04T00:00:00+00:00",
        "reviewlint": {"version": "0.1.0", "commit": "0123456789abcdef", "dirty": False},
        "options": [],
        "pins": [],
        "apps": {a: {"version": "1.0", "status": "ok", "files": 2, "lines": 2000, "seconds": 0.5,
                     "findings": sum(1 for f in findings if f["app"] == a)} for a in apps},
        "findings": findings,
    }
    path = tmp_path / filename
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


OLD = [
    finding("appA", "a.py", "ERR001", 3, "bare except", "except:"),
    finding("appA", "a.py", "OBS001", 10, "print call", "print(x)"),
    finding("appA", "a.py", "OBS001", 30, "print call", "print(y)"),
    finding("appA", "b.py", "REL001", 5, "no timeout", "requests.get(u)"),
]
NEW = [
    finding("appA", "a.py", "ERR001", 3, "bare except", "except:"),  # unchanged
    finding("appA", "a.py", "ERR001", 20, "bare except", "except:"),  # added: a second one
    finding("appA", "a.py", "OBS001", 12, "print call", "print(x)"),  # moved from 10: unchanged
    finding("appA", "a.py", "OBS001", 31, "print call", "print(z)"),  # moved and changed: -30 +31
    finding("appB", "c.py", "REL001", 7, "no timeout", "httpx.get(u)"),  # added
]


def test_compare_lists_added_and_removed_by_rule_then_app(tmp_path):
    old, new = saved(tmp_path, "old.json", OLD), saved(tmp_path, "new.json", NEW)
    proc = run("--compare", str(old), str(new), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.splitlines()
    assert out[2] == "apps compared: appA, appB"
    start = out.index("added (3)")
    assert out[start:start + 13] == [
        "added (3)",
        "[ERR001] 1",
        "  appA ERR001 a.py:20 bare except",
        "[OBS001] 1",
        "  appA OBS001 a.py:31 print call",
        "[REL001] 1",
        "  appB REL001 c.py:7 no timeout",
        "",
        "removed (2)",
        "[OBS001] 1",
        "  appA OBS001 a.py:30 print call",
        "[REL001] 1",
        "  appA REL001 b.py:5 no timeout",
    ]
    assert "moved to another line with the same source text (unchanged): 1" in out
    table = out[out.index("rule    old  new  +added  -removed"):]
    assert table == [
        "rule    old  new  +added  -removed",
        "ERR001    1    2      +1        -0",
        "OBS001    2    2      +1        -1",
        "REL001    1    1      +1        -1",
        "total     4    5      +3        -2",
    ]


def test_compare_of_a_file_with_itself_changes_nothing_and_skips_apps_missing_on_one_side(tmp_path):
    old = saved(tmp_path, "old.json", OLD, apps=("appA", "appB", "gone"))
    new = saved(tmp_path, "new.json", OLD)
    proc = run("--compare", str(old), str(new), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "not compared: gone (only in old, or failed)" in proc.stdout
    assert "added (0)" in proc.stdout and "removed (0)" in proc.stdout
    assert "total     4    4      +0        -0" in proc.stdout


SOURCE = """\
import requests

TIMEOUT = 5


def fetch(url):
    try:
        return requests.get(url)
    except:
        return None


print("loaded")
"""


def test_sample_from_saved_file_shows_the_enclosing_function_or_module_context(tmp_path):
    root = tmp_path / "cache" / "src" / "appA-1.0"
    root.mkdir(parents=True)
    (root / "a.py").write_text(SOURCE, encoding="utf-8")
    findings = [
        finding("appA", "a.py", "REL001", 8, "no timeout", "return requests.get(url)", column=16,
                severity="error", name="http-call-without-timeout"),
        finding("appA", "a.py", "ERR001", 9, "bare except", "except:", column=5, name="bare-except"),
        finding("appA", "a.py", "OBS001", 13, "print call", 'print("loaded")', severity="info"),
        finding("appB", "gone.py", "OBS001", 2, "print call", "print(1)", severity="info"),
    ]
    data = saved(tmp_path, "run.json", findings)
    sheet = tmp_path / "sheet.md"
    proc = run("--from", str(data), "--sample", "5", "--seed", "1", "--sheet", str(sheet),
               "--cache-dir", str(tmp_path / "cache"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"sheet: {sheet} (4 findings to judge)\n"
    text = sheet.read_text(encoding="utf-8")
    entry = text[text.index("### 1. ERR001"):text.index("## OBS001")]
    assert entry == """\
### 1. ERR001 · appA · a.py:9:5

> bare except (warning)

in function `fetch` (lines 6-10)

```python
   6 def fetch(url):
   7     try:
   8         return requests.get(url)
>> 9     except:
  10         return None
```

verdict: \n
"""
    assert "## ERR001 bare-except — 1 of 1 findings" in text
    assert "## OBS001 — 2 of 2 findings" in text
    assert "## REL001 http-call-without-timeout — 1 of 1 findings" in text
    module_level = text[text.index("### 2. OBS001"):text.index("### 3. OBS001")]
    assert "module level, lines 1-13" in module_level
    assert ">>13 print(\"loaded\")" in module_level and "   1 import requests" in module_level
    missing = text[text.index("### 3. OBS001"):text.index("## REL001")]
    assert "(source not available" in missing and ">>2 print(1)" in missing
    assert text.count("\nverdict: \n") == 4

    # reproducible: the same seed gives the same sheet; --rules limits it by code or prefix
    again = tmp_path / "again.md"
    run("--from", str(data), "--sample", "5", "--seed", "1", "--sheet", str(again),
        "--cache-dir", str(tmp_path / "cache"), cwd=tmp_path)
    assert again.read_text(encoding="utf-8") == text
    only = tmp_path / "only.md"
    proc = run("--from", str(data), "--sample", "5", "--rules", "REL,ERR001", "--sheet", str(only),
               "--cache-dir", str(tmp_path / "cache"), cwd=tmp_path)
    assert proc.stdout == f"sheet: {only} (2 findings to judge)\n"
    assert "## OBS001" not in only.read_text(encoding="utf-8")


def test_sample_is_seeded_per_rule(tmp_path):
    findings = [finding("appA", "a.py", "OBS001", i, "print call", f"print({i})") for i in range(1, 41)]
    findings += [finding("appA", "a.py", "ERR001", i, "bare except", "except:") for i in range(41, 61)]
    data = saved(tmp_path, "run.json", findings)

    def entries(seed: str, *extra: str) -> list[str]:
        sheet = tmp_path / f"s{seed}.md"
        run("--from", str(data), "--sample", "3", "--seed", seed, "--sheet", str(sheet), *extra, cwd=tmp_path)
        return [line for line in sheet.read_text(encoding="utf-8").splitlines() if line.startswith("### ")]

    first = entries("7")
    assert len(first) == 6 and first == entries("7")
    assert first != entries("8")
    # the OBS001 sample does not depend on which other rules are sampled
    obs = [line.split(" ", 2)[2] for line in first if "OBS001" in line]
    assert obs == [line.split(" ", 2)[2] for line in entries("7", "--rules", "OBS")]


SHEET = """\
# reviewlint ecosystem judging sheet

- judge each entry: `verdict: TP` ...

## ERR001 bare-except — 3 of 9 findings

### 1. ERR001 · appA · a.py:9:5

```python
>> 9 verdict: TP (code that looks like a verdict line is not one)
```

verdict: TP swallows KeyboardInterrupt

### 2. ERR001 · appA · a.py:20:5

verdict: FP-noise a re-raise follows

### 3. ERR001 · appB · c.py:4:1

verdict: 

## REL001 http-call-without-timeout — 2 of 2 findings

### 4. REL001 · appA · b.py:5:1

verdict: fp-wrong the session sets a default timeout

### 5. REL001 · appB · c.py:7:1

verdict: tp
"""


def test_precision_per_rule_from_filled_sheets(tmp_path):
    sheet = tmp_path / "filled.md"
    sheet.write_text(SHEET, encoding="utf-8")
    proc = run("--precision", str(sheet), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "rule    name                       judged  TP  FP-wrong  FP-noise  precision",
        "ERR001  bare-except                     2   1         0         1        50%",
        "REL001  http-call-without-timeout       2   1         1         0        50%",
        "all                                     4   2         1         1        50%",
        "",
        "not judged yet: 1",
    ]
    proc = run("--precision", str(sheet), "--markdown", cwd=tmp_path)
    assert proc.stdout.splitlines()[:5] == [
        "| rule | name | judged | TP | FP-wrong | FP-noise | precision |",
        "|---|---|---:|---:|---:|---:|---:|",
        "| ERR001 | bare-except | 2 | 1 | 0 | 1 | 50% |",
        "| REL001 | http-call-without-timeout | 2 | 1 | 1 | 0 | 50% |",
        "| **all** | | **4** | **2** | **1** | **1** | **50%** |",
    ]


def test_precision_of_a_generated_sheet_once_filled(tmp_path):
    findings = [finding("appA", "a.py", "OBS001", i, "print call", f"print({i})", name="print-instead-of-logging")
                for i in (1, 2, 3)]
    data = saved(tmp_path, "run.json", findings)
    sheet = tmp_path / "sheet.md"
    run("--from", str(data), "--sample", "3", "--sheet", str(sheet), cwd=tmp_path)
    text = sheet.read_text(encoding="utf-8")
    for verdict in ("TP", "TP", "FP-noise a CLI"):
        text = text.replace("verdict: \n", f"verdict: {verdict}\n", 1)
    sheet.write_text(text, encoding="utf-8")
    proc = run("--precision", str(sheet), cwd=tmp_path)
    assert proc.stdout.splitlines()[1] == "OBS001  print-instead-of-logging       3   2         0         1        67%"


def test_bad_input_is_one_line_and_exit_2(tmp_path):
    corrupt = tmp_path / "corrupt.json"
    corrupt.write_text('{"format": "reviewlint-ecosystem/1", "apps": {', encoding="utf-8")
    good = saved(tmp_path, "good.json", OLD)
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"format": "reviewlint-ecosystem/1", "apps": {"appA": {}},
                                 "findings": [{"app": "appA", "path": "a.py"}]}), encoding="utf-8")
    sheet = tmp_path / "notes.md"
    sheet.write_text("just notes\n", encoding="utf-8")
    cases = [
        (["--compare", str(corrupt), str(good)], f"{corrupt}: not valid JSON"),
        (["--compare", str(good), str(tmp_path / "missing.json")], f"{tmp_path / 'missing.json'}: no such file"),
        (["--from", str(wrong)], f"{wrong}: not a reviewlint ecosystem file (finding 0: 'code' is missing"),
        (["--from", str(good), "--apps", "nope"], "unknown app 'nope' in this file"),
        (["--apps", "nope"], "unknown app 'nope' (apps: open-webui, wagtail, nautobot, ckan, changedetection.io"),
        (["--precision", str(tmp_path / "missing.md")], f"{tmp_path / 'missing.md'}: no such file"),
        (["--precision", str(sheet)], f"{sheet}: not a judging sheet"),
        (["--sample", "3"], "--sample N and --sheet FILE go together"),
    ]
    for args, message in cases:
        proc = run(*args, cwd=tmp_path)
        assert proc.returncode == 2, (args, proc.stderr)
        assert proc.stdout == ""
        lines = proc.stderr.splitlines()
        assert len(lines) == 1, (args, proc.stderr)
        assert lines[0].startswith(f"ecosystem.py: error: {message}"), (args, lines[0])


def test_sample_context_falls_back_to_indentation_when_the_file_does_not_parse(tmp_path):
    root = tmp_path / "cache" / "src" / "appA-1.0"
    root.mkdir(parents=True)
    source = "x = 1\n\n\n@route('/')\nasync def handler(request):\n    data = $ request\n\n    return data\n\n\ny = 2\n"
    (root / "a.py").write_text(source, encoding="utf-8")
    data = saved(tmp_path, "run.json", [finding("appA", "a.py", "SEC005", 6, "unvalidated", "data = $ request")])
    sheet = tmp_path / "sheet.md"
    run("--from", str(data), "--sample", "1", "--sheet", str(sheet), "--cache-dir", str(tmp_path / "cache"),
        cwd=tmp_path)
    text = sheet.read_text(encoding="utf-8")
    assert "in function `handler` (lines 4-8)\n\n```python\n" in text
    assert "  4 @route('/')\n  5 async def handler(request):\n>>6     data = $ request\n  7\n  8     return data\n```" in text


def test_sample_context_of_a_class_body_is_the_class(tmp_path):
    root = tmp_path / "cache" / "src" / "appA-1.0"
    root.mkdir(parents=True)
    source = "import x\n\n\nclass View(APIView):\n    permission_classes = []\n\n    def get(self):\n        return 1\n\n\nz = 3\n"
    (root / "a.py").write_text(source, encoding="utf-8")
    (root / "b.py").write_text(source.replace("return 1", "return $"), encoding="utf-8")  # no ast: indentation
    findings = [finding("appA", name, "AUTH001", 4, "anyone can call it", "class View(APIView):")
                for name in ("a.py", "b.py")]
    data = saved(tmp_path, "run.json", findings)
    sheet = tmp_path / "sheet.md"
    run("--from", str(data), "--sample", "2", "--sheet", str(sheet), "--cache-dir", str(tmp_path / "cache"),
        cwd=tmp_path)
    text = sheet.read_text(encoding="utf-8")
    for body in ("return 1", "return $"):
        assert (f"in class `View` (lines 4-8)\n\n```python\n>>4 class View(APIView):\n  5     permission_classes = []\n"
                f"  6\n  7     def get(self):\n  8         {body}\n```") in text
