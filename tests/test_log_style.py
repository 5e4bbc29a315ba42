"""The project's logging convention (reviewlint.analysis.log_style) and OBS002's project-level
decision: the same answer for a file whatever else was checked, with workers and the cache."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reviewlint.analysis.log_style import EAGER, LAZY, LogStyle, count_text
from reviewlint.api import check_paths
from reviewlint.config import load_settings

LAZY_MODULE = """\
import logging

logger = logging.getLogger(__name__)


def sync(users):
    for user in users:
        logger.info("syncing %s", user.id)
        logger.debug("payload %s", user.payload)
    logger.warning("skipped %d users", len(users), extra={"job": "sync"})
    logger.error("failed for %s", users[0])
    logger.info("done")  # no values: not counted
"""

EAGER_LINE = """\
import logging

logger = logging.getLogger(__name__)


def charge(order):
    logger.info(f"charged order {order.id}")
"""


def test_count_text_estimates_the_styles():
    text = (
        'logger.info(f"user {uid}")\n'
        'log.debug("a %s", x)\n'
        '_LOGGER.warning("x" % y)\n'
        'self.logger.error("static")\n'
        'LOG.info("static", exc_info=True)\n'
        'logger.info(\n    "multi "\n    "line %s", v)\n'
        'logging.info("x {}".format(3))\n'
        'report.info(f"{x}")\n'  # not a logger name
    )
    assert count_text(text) == {LAZY: 2, EAGER: 3}
    assert count_text("x = 1\n") is None


def test_convention_needs_evidence_and_a_clear_majority():
    assert LogStyle(3, 0).convention() is None  # too few calls
    assert LogStyle(8, 2).convention() == LAZY
    assert LogStyle(2, 8).convention() == EAGER
    assert LogStyle(5, 5).convention() is None  # mixed
    assert LogStyle.of([{LAZY: 4, EAGER: 1}, None, {LAZY: 1}]) == LogStyle(5, 1)
    assert "83%" in LogStyle(5, 1).describe()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'shop'\n")
    pkg = tmp_path / "shop"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    for i in range(3):
        (pkg / f"sync{i}.py").write_text(LAZY_MODULE)
    (pkg / "billing.py").write_text(EAGER_LINE)
    return tmp_path


def _obs002(result):
    return sorted((os.path.basename(f.path), f.line, f.message) for f in result.findings if f.code == "OBS002")


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_deviation_from_the_project_convention_is_reported(project, monkeypatch, jobs):
    monkeypatch.chdir(project)
    settings = load_settings(overrides={"select": ["OBS002"]}, cwd=str(project))
    whole = _obs002(check_paths(["shop"], settings, jobs=jobs))
    assert [(name, line) for name, line, _ in whole] == [("billing.py", 7)]
    assert "this project passes log values as arguments in 92% of its log calls with values" in whole[0][2]


def test_a_subset_gives_the_whole_project_answer(project, monkeypatch):
    monkeypatch.chdir(project)
    settings = load_settings(overrides={"select": ["OBS002"]}, cwd=str(project))
    whole = _obs002(check_paths(["shop"], settings))
    alone = _obs002(check_paths(["shop/billing.py"], load_settings(overrides={"select": ["OBS002"]}, cwd=str(project))))
    assert alone == whole


def test_the_cache_keeps_the_facts(project, monkeypatch):
    monkeypatch.chdir(project)
    first = _obs002(check_paths(["shop"], load_settings(overrides={"select": ["OBS002"]}, cwd=str(project)), cache=True))
    again = _obs002(check_paths(["shop"], load_settings(overrides={"select": ["OBS002"]}, cwd=str(project)), cache=True))
    assert first == again and first


def test_house_style_interpolation_reports_only_hot_debug_lines(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'app'\n")
    (tmp_path / "app.py").write_text(
        "from loguru import logger\n\n"
        "def run(items):\n"
        "    logger.info(f'start {len(items)}')\n"
        "    logger.warning(f'slow {items[0]}')\n"
        "    logger.error(f'failed {items[1]}')\n"
        "    for item in items:\n"
        "        logger.debug(f'item {item}')\n"
        "        logger.debug(f'item {item.to_dict()}')\n"
    )
    monkeypatch.chdir(tmp_path)
    found = _obs002(check_paths(["app.py"], load_settings(overrides={"select": ["OBS002"]}, cwd=str(tmp_path))))
    assert [(name, line) for name, line, _ in found] == [("app.py", 9)]
    assert "that calls item.to_dict()" in found[0][2]
    assert "formats log values into the message in 100%" in found[0][2]
