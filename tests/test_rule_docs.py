"""docs/rules.md is generated from the rule classes and must be current; rule URLs resolve to anchors."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import yaml

from reviewlint.report import rule_url
from reviewlint.rules import RULES

ROOT = Path(__file__).resolve().parent.parent


def _generator():
    spec = importlib.util.spec_from_file_location("gen_rule_docs", ROOT / "scripts" / "gen_rule_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_rule_docs_are_current():
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == _generator().render(), "docs/rules.md is stale: run `python scripts/gen_rule_docs.py`"


def test_every_rule_url_has_an_anchor():
    text = _generator().render()
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', text))
    for cls in RULES:
        url = rule_url(cls.name)
        assert url.split("#", 1)[0].endswith("docs/rules.md")
        assert url.split("#", 1)[1] in anchors, cls.code
        assert f"### {cls.code} {cls.name}" in text


def test_generator_check_mode(tmp_path, monkeypatch):
    gen = _generator()
    monkeypatch.setattr(gen, "TARGET", str(tmp_path / "rules.md"))
    assert gen.main(["--check"]) == 1
    assert gen.main([]) == 0
    assert gen.main(["--check"]) == 0


def test_example_workflow_uses_the_action_inputs():
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    workflow = yaml.safe_load((ROOT / "examples" / "github-workflow.yml").read_text(encoding="utf-8"))
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            if step.get("uses", "").startswith("reviewlint/reviewlint@"):
                assert set(step.get("with", {})) <= set(action["inputs"]), step
