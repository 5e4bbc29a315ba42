"""The default set and the opt-in `strict` set: what each selector enables."""

from __future__ import annotations

import pytest

from clihelp import run_cli
from reviewlint.plugins import PluginError, check_selectors, select_rules
from reviewlint.rule import Rule, Viewpoint


class OnByDefault(Rule):
    code = "XDF001"
    name = "on-by-default"
    viewpoint = Viewpoint.RELIABILITY


class OptIn(Rule):
    code = "XDF002"
    name = "opt-in-policy"
    viewpoint = Viewpoint.RELIABILITY
    opt_in = True


class Preview(Rule):
    code = "XDF003"
    name = "preview-rule"
    viewpoint = Viewpoint.RELIABILITY
    preview = True
    opt_in = True


CLASSES = [OnByDefault, OptIn, Preview]


@pytest.mark.parametrize(
    "select, extend, ignore, expected",
    [
        (None, [], [], ["XDF001"]),
        (None, ["strict"], [], ["XDF001", "XDF002"]),
        (["ALL"], [], [], ["XDF001", "XDF002"]),
        (["default"], [], [], ["XDF001"]),
        (["strict"], [], [], ["XDF002"]),
        (["XDF"], [], [], ["XDF001", "XDF002"]),
        (None, ["XDF002"], [], ["XDF001", "XDF002"]),
        (None, ["opt-in-policy"], [], ["XDF001", "XDF002"]),
        (None, ["strict"], ["XDF002"], ["XDF001"]),
        (None, ["XDF003"], [], ["XDF001", "XDF003"]),  # a preview rule selected by its code
    ],
)
def test_selection(select, extend, ignore, expected):
    assert [c.code for c in select_rules(CLASSES, select, extend, ignore)] == expected


def test_named_sets_are_known_selectors():
    check_selectors(["default", "strict", "ALL"], CLASSES, "pyproject.toml: select")
    with pytest.raises(PluginError, match="unknown rule selector 'stricter'"):
        check_selectors(["stricter"], CLASSES, "pyproject.toml: select")


def test_rules_command_shows_the_set(project):
    proc = run_cli("rules")
    assert proc.returncode == 0
    header = proc.stdout.splitlines()[0].split()
    assert header == ["code", "name", "viewpoint", "severity", "fixable", "set", "enabled"]
    rows = {line.split()[0]: line for line in proc.stdout.splitlines()[1:]}
    assert " default " in rows["REL001"] and rows["REL001"].endswith("yes")


def test_strict_enables_every_rule(project):
    proc = run_cli("config")
    default_count = int(proc.stdout.strip().splitlines()[-1].split()[1])
    (project / "pyproject.toml").write_text("[tool.reviewlint]\nextend-select = ['strict']\n", encoding="utf-8")
    proc = run_cli("config")
    strict_count = int(proc.stdout.strip().splitlines()[-1].split()[1])
    proc = run_cli("rules", "--output-format", "json")
    import json

    rows = json.loads(proc.stdout)
    assert strict_count == len([r for r in rows if not r["preview"]])
    assert default_count == len([r for r in rows if r["default"]])
