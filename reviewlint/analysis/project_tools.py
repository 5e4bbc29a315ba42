"""Which tools the analysed project uses, read once per run from its root (for advice in messages).

``type_checker(settings)``: ``"pyright"``, ``"ty"``, ``"mypy"`` or None, from the project's
configuration files (``[tool.pyright]``/``pyrightconfig.json``, ``[tool.ty]``/``ty.toml``,
``[tool.mypy]``/``mypy.ini``/``.mypy.ini``/``setup.cfg [mypy]``), checked in that order.
"""

from __future__ import annotations

import os
import sys
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_CHECKERS: dict[str, str | None] = {}


def type_checker(settings: Any) -> str | None:
    root = getattr(settings, "root", None)
    if not root:
        return None
    if root not in _CHECKERS:
        _CHECKERS[root] = _detect(root)
    return _CHECKERS[root]


def _detect(root: str) -> str | None:
    try:
        with open(os.path.join(root, "pyproject.toml"), "rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        data = {}  # no readable pyproject.toml: nothing configured there
    tool = data.get("tool", {}) if isinstance(data.get("tool"), dict) else {}
    exists = lambda name: os.path.isfile(os.path.join(root, name))  # noqa: E731
    if "pyright" in tool or "basedpyright" in tool or exists("pyrightconfig.json"):
        return "pyright"
    if "ty" in tool or exists("ty.toml"):
        return "ty"
    if "mypy" in tool or exists("mypy.ini") or exists(".mypy.ini"):
        return "mypy"
    try:
        with open(os.path.join(root, "setup.cfg"), encoding="utf-8", errors="replace") as fh:
            setup_cfg = fh.read()
    except OSError:
        setup_cfg = ""  # no setup.cfg: nothing configured there
    return "mypy" if "[mypy" in setup_cfg else None


#: how each checker spells a narrow ignore, for messages
NARROW_IGNORE = {
    "pyright": "`# pyright: ignore[reportAttributeAccessIssue]`",
    "ty": "`# ty: ignore[unresolved-attribute]`",
    "mypy": "`# type: ignore[attr-defined]`",
    None: "`# type: ignore[attr-defined]` (mypy) or `# pyright: ignore[reportAttributeAccessIssue]`",
}
