"""scripts/sweep.py on a tiny local folder and fabricated runs: no downloads, no network."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).parent.parent / "scripts/sweep.py"


def load_script():
    spec = importlib.util.spec_from_file_location("sweep_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["sweep_script"] = module  # dataclasses and NamedTuples look their module up
    spec.loader.exec_module(module)
    return module


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_one_package_is_measured(tmp_path):
    sweep = load_script()
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "good.py").write_text("import requests\n\nrequests.get('https://x.org')\n", encoding="utf-8")
    (pkg / "broken.py").write_text("def f(:\n    pass\n", encoding="utf-8")
    row = sweep.sweep_one("pkg", "1.0", pkg, jobs=1, file_timeout=20, timeout=120)
    assert row["status"] == "ok"
    assert (row["files"], row["lines"]) == (2, 5)
    assert (row["e900"], row["e901"], row["e999"], row["e999_valid"]) == (0, 0, 1, 0)  # compile() rejects it too
    assert row["findings"] > 1
    assert {path for path, *_ in row["slowest"]} == {"good.py", "broken.py"}
    assert row["worker_rss_mib"] > 0 and row["process_rss_mib"] >= row["worker_rss_mib"]
    assert "alone" not in row  # nothing above the targets


def test_rss_culprit_is_the_file_that_raised_the_worst_worker_most():
    sweep = load_script()
    timings = {
        "a.py": sweep.Timing(0.1, 0.1, 50_000, 1),
        "big.py": sweep.Timing(2.0, 2.0, 400_000, 1),
        "b.py": sweep.Timing(0.1, 0.1, 410_000, 1),
        "c.py": sweep.Timing(0.1, 0.1, 90_000, 2),
    }
    assert sweep.rss_culprit(timings) == (410_000, "big.py")


def saved(tmp_path: Path) -> Path:
    row = {"version": "1.0", "status": "ok", "seconds": 9.0, "cpu_seconds": 5.0, "process_rss_mib": 320.0,
           "files": 2, "lines": 1000, "findings": 3, "e900": 0, "e901": 1, "e999": 1, "e999_valid": 0, "e902": 0,
           "exit_code": 0, "worker_rss_mib": 320.0, "rss_file": "big.py",
           "slowest": [["big.py", 2.5, 3.0], ["small.py", 0.1, 0.1]],
           "problems": ["big.py:1: E901 checking this file was abandoned"],
           "alone": {"big.py": {"cpu": 2.4, "wall": 2.5, "rss_mib": 318.0, "parse_cpu": 2.1, "parse_rss_mib": 300.0}},
           "commit": "0123456789ab"}
    data = {"format": "reviewlint-sweep/1", "created": "2026-12-04T00:00:00+00:00",
            "reviewlint": {"version": "0.1.0", "commit": "0123456789abcdef", "dirty": False}, "python": "3.11.7",
            "machine": {"cpus": 2, "platform": "Linux"}, "jobs": 2, "file_timeout": 20.0,
            "packages": {"pkg": row, "gone": {"version": "2.0", "status": "failed", "error": "download failed: no"}}}
    path = tmp_path / "run.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_saved_run_prints_the_table_targets_and_problems(tmp_path):
    proc = run("--from", str(saved(tmp_path)), "--markdown", "sweep.md", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "MISS  0 E901: 1" in out
    assert "met   0 E999 on code that compile() accepts: 0" in out
    assert "MISS  no file above 2 s (CPU): 1 in the parallel run, 1 alone, 0 of them where LibCST's parse" in out
    assert "MISS  worker RSS ≤ 300 MB: max 320 MiB" in out
    assert "  gone: failed: download failed: no" in out
    assert ("  pkg: big.py: 2.50 s CPU (3.00 s wall) in the run (alone 2.40 s CPU, 318 MiB; "
            "LibCST parse alone 2.10 s, 300 MiB)") in out
    markdown = (tmp_path / "sweep.md").read_text(encoding="utf-8")
    assert "| pkg | 1.0 | 2 | 1,000 | 9.0 | 5.0 | 3 | 0 | 1 | 0 (1) | `big.py` | 2.40 (parse 2.10) | 320 | 320 | ok |" \
        in markdown
    assert "- machine: 2 cores, Linux" in markdown
    assert "- reviewlint: 0.1.0 at commit 0123456789ab" in markdown


def test_bad_input_is_one_line(tmp_path):
    proc = run("--packages", "nosuchpackage", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith("sweep: error: unknown package 'nosuchpackage'; known: sympy, ")
    assert len(proc.stderr.splitlines()) == 1
    proc = run("--from", "missing.json", cwd=tmp_path)
    assert (proc.returncode, proc.stderr) == (2, "sweep: error: missing.json: no such file\n")
