"""Is this code a command-line entry point (where printing and root logging are the point)?

Shared by OBS001 (print-instead-of-logging) and OBS005 (logger-not-module-scoped). Entry
points are: ``if __name__ == "__main__":`` blocks, ``__main__.py``/``cli.py``/``manage.py``
files, Django management commands (``management/commands/``), files under the
``script-paths`` globs, modules that parse arguments (argparse) or have a main block, functions decorated as click/typer commands, functions named
``main``, and functions named in ``[project.scripts]`` of the analysed project's
``pyproject.toml`` (read once per run from ``settings.root``).
"""

from __future__ import annotations

import os
import sys
from typing import Any

import libcst as cst

from reviewlint.engine.context import IMPORT, FileContext, is_main_guard

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULT_SCRIPT_PATHS = ["scripts/**", "bin/**", "tools/**"]
_CLI_LIBRARIES = ("click", "typer", "asyncclick", "rich_click", "cyclopts")
_COMMAND_DECORATORS = frozenset({"command", "group", "callback", "result_callback"})
_ENTRY_FUNCTION_NAMES = frozenset({"main"})
#: file names that mark a command-line module
_CLI_FILE_NAMES = frozenset({"__main__.py", "cli.py", "_cli.py", "console.py", "manage.py"})
#: folders whose modules are command-line commands (Django management commands)
_COMMAND_GLOBS = ["**/management/commands/**"]
#: modules whose import makes a file a command-line program
_ARG_PARSERS = frozenset({"argparse", "optparse", "getopt"})

#: settings.root → {(module, function)} from [project.scripts] / [project.gui-scripts]
_SCRIPTS_CACHE: dict[str, frozenset[tuple[str, str]]] = {}


def project_scripts(settings: Any) -> frozenset[tuple[str, str]]:
    """``(module, function)`` pairs named in the project's ``[project.scripts]`` (cached per root)."""
    root = getattr(settings, "root", None)
    if not root:
        return frozenset()
    cached = _SCRIPTS_CACHE.get(root)
    if cached is not None:
        return cached
    entries: set[tuple[str, str]] = set()
    path = os.path.join(root, "pyproject.toml")
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        data = {}
    project = data.get("project") if isinstance(data, dict) else None
    tables = []
    if isinstance(project, dict):
        tables = [project.get("scripts"), project.get("gui-scripts")]
    poetry = data.get("tool", {}).get("poetry", {}) if isinstance(data.get("tool"), dict) else {}
    if isinstance(poetry, dict):
        tables.append(poetry.get("scripts"))
    for table in tables:
        if not isinstance(table, dict):
            continue
        for target in table.values():
            if isinstance(target, dict):  # poetry: {reference = "...", type = "..."}
                target = target.get("reference") or target.get("callable")
            if not isinstance(target, str) or ":" not in target:
                continue
            module, _, func = target.partition(":")
            func = func.split("[", 1)[0].strip()  # "mod:func [extra]"
            entries.add((module.strip(), func.split(".")[-1]))
    result = frozenset(entries)
    _SCRIPTS_CACHE[root] = result
    return result


def _imports_cli_library(ctx: FileContext) -> bool:
    key = ("entry_points.imports_cli",)
    if key not in ctx.memo:
        found = False
        for binding in ctx.scopes[0].names.values():
            if binding.kind == IMPORT and (binding.value or "").split(".", 1)[0] in _CLI_LIBRARIES:
                found = True
                break
        ctx.memo[key] = found
    return ctx.memo[key]


def is_command_decorated(ctx: FileContext, func: cst.FunctionDef) -> bool:
    """``@click.command()``, ``@cli.command()``, ``@app.command()`` (typer), ``@click.group``..."""
    for decorator in func.decorators:
        expr = decorator.decorator
        if isinstance(expr, cst.Call):
            expr = expr.func
        qual = ctx.qualname(expr) or ""
        if qual.split(".", 1)[0] in _CLI_LIBRARIES:
            return True
        last = expr.attr.value if isinstance(expr, cst.Attribute) else expr.value if isinstance(expr, cst.Name) else ""
        if last in _COMMAND_DECORATORS and _imports_cli_library(ctx):
            return True
    return False


def _is_script_entry(ctx: FileContext, func: cst.FunctionDef) -> bool:
    scripts = project_scripts(ctx.settings)
    if not scripts:
        return False
    module = ctx.module_name or ""
    name = func.name.value
    for mod, entry in scripts:
        if entry == name and (module == mod or module.endswith("." + mod) or mod.endswith("." + module)):
            return True
    return False


def entry_point_reason(ctx: FileContext, script_paths: list[str] | None = None) -> str | None:
    """Why the current node is command-line code (for messages), or None when it is library code."""
    if ctx.in_main_block:
        return "main block"
    if os.path.basename(ctx.path) in _CLI_FILE_NAMES:
        return "command-line module"
    if _in_script_path(ctx, _COMMAND_GLOBS):
        return "management command"
    if _in_script_path(ctx, script_paths if script_paths is not None else DEFAULT_SCRIPT_PATHS):
        return "script"
    if is_command_line_module(ctx):
        return "command-line module"
    for func in ctx.functions:
        if func.name.value in _ENTRY_FUNCTION_NAMES:
            return "main()"
        if func.decorators and is_command_decorated(ctx, func):
            return "CLI command"
        if _is_script_entry(ctx, func):
            return "[project.scripts] entry point"
    return None


def is_command_line_module(ctx: FileContext) -> bool:
    """The file is a program: it has a module-level ``if __name__ == "__main__":`` block or parses
    command-line arguments (imports argparse/optparse/getopt)."""
    key = ("entry_points.command_line_module",)
    if key not in ctx.memo:
        found = any(isinstance(stmt, cst.If) and is_main_guard(stmt.test) for stmt in ctx.module.body)
        if not found:
            found = any(
                binding.kind == IMPORT and (binding.value or "").split(".", 1)[0] in _ARG_PARSERS
                for binding in ctx.scopes[0].names.values()
            )
        ctx.memo[key] = found
    return ctx.memo[key]


def _in_script_path(ctx: FileContext, globs: list[str]) -> bool:
    """Under a script folder: the globs match relative to the project root or, for a folder like
    ``bin/**``, at any depth (``mypkg/bin/tool.py``)."""
    key = ("entry_points.script_path", tuple(globs))
    if key not in ctx.memo:
        patterns = list(globs) + [f"**/{g}" for g in globs if not g.startswith(("**", "/"))]
        ctx.memo[key] = bool(globs) and ctx.matches(patterns)
    return ctx.memo[key]
