"""Packaging: every package folder is listed in pyproject.toml, and the rules are not a top-level module."""

from __future__ import annotations

import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_is_listed():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    listed = set(config["packages"])
    found = set()
    for base, prefix in (("reviewlint", "reviewlint"), ("rules", "reviewlint.rules")):
        for init in (ROOT / base).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / base).parts
            found.add(".".join((prefix, *rel)))
    assert found == listed
    assert config["package-dir"] == {"reviewlint": "reviewlint", "reviewlint.rules": "rules"}


def test_builtin_pack_is_an_entry_point():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["project"]["entry-points"]["reviewlint.rules"] == {"builtin": "reviewlint.rules:RULES"}
    import reviewlint.rules

    assert reviewlint.rules.__name__ == "reviewlint.rules"
    assert len(reviewlint.rules.RULES) >= 3
