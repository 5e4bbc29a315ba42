"""`reviewlint check examples/` reports exactly the lines marked `# expect: CODE[, CODE]`."""

from __future__ import annotations

import os
import re
from pathlib import Path

from reviewlint.api import check_paths
from reviewlint.config import load_settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
MARKER = re.compile(r"#\s*expect:\s*([A-Z]+[0-9]{3}(?:\s*,\s*[A-Z]+[0-9]{3})*)")


def expected_findings() -> set[tuple[str, int, str]]:
    out = set()
    for path in sorted(EXAMPLES.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = MARKER.search(line)
            if match:
                for code in match.group(1).split(","):
                    out.add((rel, lineno, code.strip()))
    return out


def test_examples_report_exactly_the_marked_lines(monkeypatch):
    monkeypatch.chdir(ROOT)
    settings = load_settings(cwd=str(ROOT))  # as `reviewlint check examples/` from the repo root
    result = check_paths(["examples"], settings)
    actual = {(f.path.replace(os.sep, "/"), f.line, f.code) for f in result.findings}
    expected = expected_findings()
    missing = sorted(expected - actual)
    unexpected = sorted(actual - expected)
    details = {(f.path.replace(os.sep, "/"), f.line, f.code): f.message for f in result.findings}
    lines = [f"missing   {p}:{n} {c}" for p, n, c in missing]
    lines += [f"unexpected {p}:{n} {c}  {details[(p, n, c)]}" for p, n, c in unexpected]
    assert not lines, "examples/ and its `# expect:` markers disagree:\n" + "\n".join(lines)
    assert len(expected) >= 3
