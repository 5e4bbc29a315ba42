"""The built-in rule pack, installed as ``reviewlint.rules``.

One folder per viewpoint, one module per rule. ``RULES`` lists every rule class defined in
the modules below; the entry point ``reviewlint.rules: builtin = reviewlint.rules:RULES``
loads it exactly like a third-party pack.
"""

from __future__ import annotations

import importlib
import pkgutil

from reviewlint.rule import Rule, is_rule_class


def _collect() -> list[type[Rule]]:
    found: list[type[Rule]] = []
    for info in pkgutil.walk_packages(__path__, prefix=__name__ + "."):
        if info.ispkg:
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if is_rule_class(value) and value.__module__ == module.__name__:
                found.append(value)
    found.sort(key=lambda cls: cls.code)
    return found


RULES: list[type[Rule]] = _collect()
