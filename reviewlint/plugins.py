"""Rule packs: discovery through entry points and local folders, and rule selection.

A rule pack is anything an entry point in the group ``reviewlint.rules`` points at:

* a module: its ``RULES`` attribute if it has one, else every rule class defined in it;
* an iterable of rule classes (the built-in pack is ``reviewlint.rules:RULES``);
* a single rule class, or a callable returning an iterable of rule classes.

Local rules: every ``*.py`` file in the folders named by the ``local-rules`` option is
loaded as a module and contributes the rule classes defined in it.
"""

from __future__ import annotations

import importlib.util
import inspect
import os
import sys
import types
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from reviewlint.rule import Option, OptionError, Rule, Severity, is_rule_class

ENTRY_POINT_GROUP = "reviewlint.rules"


class PluginError(Exception):
    """A rule pack could not be loaded, or two packs define the same code."""


@dataclass(frozen=True)
class LoadedRule:
    cls: type[Rule]
    source: str  # the pack it came from ("builtin", entry point name, or a file)


def _rules_from(obj: Any, origin: str) -> list[type[Rule]]:
    if isinstance(obj, types.ModuleType):
        if hasattr(obj, "RULES"):
            return _rules_from(obj.RULES, origin)
        return [v for v in vars(obj).values() if is_rule_class(v) and v.__module__ == obj.__name__]
    if is_rule_class(obj):
        return [obj]
    if callable(obj) and not inspect.isclass(obj):
        return _rules_from(obj(), origin)
    if isinstance(obj, Iterable) and not isinstance(obj, (str, bytes)):
        out = []
        for item in obj:
            if not is_rule_class(item):
                raise PluginError(f"rule pack {origin!r}: {item!r} is not a reviewlint Rule class")
            out.append(item)
        return out
    raise PluginError(f"rule pack {origin!r}: {obj!r} is neither a module, a Rule class nor a list of them")


def _entry_points() -> list[Any]:
    from importlib.metadata import entry_points

    return list(entry_points(group=ENTRY_POINT_GROUP))


def load_local_rules(folder: str) -> list[LoadedRule]:
    if not os.path.isdir(folder):
        raise PluginError(f"local-rules: {folder} is not a folder")
    out: list[LoadedRule] = []
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".py") or name.startswith("_"):
            continue
        path = os.path.join(folder, name)
        module_name = f"reviewlint_local_rules.{os.path.basename(os.path.abspath(folder))}.{name[:-3]}"
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise PluginError(f"local-rules: cannot load {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:  # noqa: BLE001 - a broken local rule is a config problem
            raise PluginError(f"local-rules: {path}: {type(exc).__name__}: {exc}") from None
        for cls in _rules_from(module, path):
            out.append(LoadedRule(cls, path))
    return out


def load_rules(local_folders: Sequence[str] = (), entry_points: Sequence[Any] | None = None) -> list[LoadedRule]:
    """Every rule class available: entry-point packs, then local folders. Codes must be unique."""
    loaded: list[LoadedRule] = []
    for ep in entry_points if entry_points is not None else _entry_points():
        try:
            obj = ep.load()
        except Exception as exc:  # noqa: BLE001 - a broken third-party pack must be named, not crash
            raise PluginError(f"rule pack {ep.name!r} ({ep.value}) failed to load: {type(exc).__name__}: {exc}") from None
        for cls in _rules_from(obj, ep.name):
            loaded.append(LoadedRule(cls, ep.name))
    for folder in local_folders:
        loaded.extend(load_local_rules(folder))

    by_code: dict[str, LoadedRule] = {}
    by_name: dict[str, LoadedRule] = {}
    seen: set[type] = set()
    unique: list[LoadedRule] = []
    for item in loaded:
        if item.cls in seen:  # the same class reached twice (e.g. re-exported)
            continue
        seen.add(item.cls)
        problems = item.cls.validate_class()
        if problems:
            raise PluginError(f"rule {item.cls.__qualname__} from {item.source!r}: {'; '.join(problems)}")
        other = by_code.get(item.cls.code)
        if other is not None:
            raise PluginError(
                f"duplicate rule code {item.cls.code}: {other.cls.__qualname__} ({other.source}) "
                f"and {item.cls.__qualname__} ({item.source})"
            )
        other = by_name.get(item.cls.name)
        if other is not None:
            raise PluginError(f"duplicate rule name {item.cls.name!r}: {other.cls.code} ({other.source}) and {item.cls.code} ({item.source})")
        by_code[item.cls.code] = item
        by_name[item.cls.name] = item
        unique.append(item)
    unique.sort(key=lambda r: r.cls.code)
    return unique


# ---------------------------------------------------------------------- selection


#: named rule sets: ``default`` (the rules on by default) and ``strict`` (the opt-in rules:
#: policies a careful team may reject, and rules below the default set's judged precision)
DEFAULT_SET = "default"
STRICT = "strict"
NAMED_SETS = (DEFAULT_SET, STRICT)


def _selector_matches(selector: str, cls: type[Rule]) -> int:
    """How specifically ``selector`` names ``cls`` (0: not at all). Codes and names beat prefixes."""
    if selector == "ALL":
        return 1
    if selector in NAMED_SETS:
        return 1 if cls.opt_in == (selector == STRICT) else 0
    if selector == cls.code or selector == cls.name:
        return 1000
    if cls.code.startswith(selector):
        return 1 + len(selector)
    return 0


def check_selectors(selectors: Iterable[str], classes: Sequence[type[Rule]], where: str) -> None:
    for selector in selectors:
        if not any(_selector_matches(selector, cls) for cls in classes):
            if selector in NAMED_SETS:
                continue  # a named set that happens to be empty
            raise PluginError(f"{where}: unknown rule selector {selector!r} (not a code, prefix, rule name, "
                              "ALL, default or strict)")


def select_rules(classes: Sequence[type[Rule]], select: Sequence[str] | None, extend_select: Sequence[str],
                 ignore: Sequence[str], preview: bool = False) -> list[type[Rule]]:
    """The enabled rules: the most specific matching selector decides, ``ignore`` wins ties."""
    enabled = []
    for cls in classes:
        best_on = 0
        explicit = False
        if select is None and not cls.opt_in:
            best_on = 1  # default: the default set
        for selector in list(select or []) + list(extend_select):
            score = _selector_matches(selector, cls)
            if score:
                best_on = max(best_on, score)
                explicit = explicit or score == 1000
        best_off = max((_selector_matches(s, cls) for s in ignore), default=0)
        if best_on == 0 or best_off >= best_on:
            continue
        if cls.preview and not (explicit or preview):
            continue
        enabled.append(cls)
    return enabled


def severity_for(cls: type[Rule], overrides: dict[str, str]) -> Severity:
    best, value = 0, None
    for selector, sev in overrides.items():
        score = _selector_matches(selector, cls)
        if score > best:
            best, value = score, sev
    return Severity(value) if value else cls.severity


def options_for(cls: type[Rule], table: dict[str, dict[str, Any]], where: str) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for key in (cls.code, cls.name):
        merged.update(table.get(key, {}))
    for key, value in merged.items():
        if key not in cls.options:
            known = ", ".join(sorted(cls.options)) or "none"
            raise PluginError(f"{where}: rules.{cls.code}: unknown option {key!r} (options: {known})")
        try:
            cls.options[key].validate(value)
        except OptionError as exc:
            raise PluginError(f"{where}: rules.{cls.code}.{key}: {exc}") from None
    return merged


def check_rule_tables(table: dict[str, dict[str, Any]], classes: Sequence[type[Rule]], where: str) -> None:
    known = {c.code for c in classes} | {c.name for c in classes}
    for key in table:
        if key not in known:
            raise PluginError(f"{where}: rules.{key}: no rule has this code or name")


__all__ = ["Option", "load_rules", "select_rules", "PluginError", "LoadedRule"]
