"""Where configuration is *supposed* to live, and which hosts are not real endpoints.

Shared by MAINT001 (hard-coded endpoints) and MAINT003 (environment reads), and by the
composition-root checks of TEST001:

* ``is_config_module(ctx, patterns)``: the file is a settings/config module (option
  ``config-modules``; defaults :data:`DEFAULT_CONFIG_MODULES`);
* ``in_settings_class(ctx)``: the walk is inside a class named ``*Settings``/``*Config``/
  ``*Configuration`` or deriving from pydantic's ``BaseSettings``;
* ``url_host(text)`` / ``is_placeholder_host(host, allowed)``: the host of an absolute URL, and
  whether it is one that is never a real endpoint (localhost, example.com, ``.test`` ...,
  schema/namespace hosts, and the ``allowed-hosts`` option);
* ``composition_root(ctx)``: the innermost function is ``main``, an app factory, a CLI
  entry point (click/typer command, a ``[project.scripts]`` target, a Django management
  command's ``handle``), where reading config and wiring clients belongs.

Answers that do not depend on the node are cached in ``ctx.memo``.
"""

from __future__ import annotations

import ipaddress
import os
import re
from typing import TYPE_CHECKING, Iterable, Sequence

import libcst as cst

from reviewlint.analysis import entry_points
from reviewlint.globs import match_any

if TYPE_CHECKING:  # pragma: no cover
    from reviewlint.engine.context import FileContext

#: option ``config-modules``: where endpoints and environment reads are expected
DEFAULT_CONFIG_MODULES: tuple[str, ...] = (
    "settings*.py",
    "config*.py",
    "conf.py",
    "*_settings.py",
    "*_config.py",
    "settings/",  # modules inside a settings/ or config/ package
    "config/",
)

_SETTINGS_CLASS_RE = re.compile(r"(?:Settings|Config|Configuration)$")
_BASE_SETTINGS = frozenset(
    {
        "pydantic.BaseSettings",
        "pydantic_settings.BaseSettings",
        "pydantic_settings.main.BaseSettings",
        "pydantic.env_settings.BaseSettings",
    }
)


def is_config_module(ctx: "FileContext", patterns: Sequence[str] | None = None) -> bool:
    """Is the file a settings/config module (by the ``config-modules`` globs)?"""
    pats = tuple(patterns if patterns is not None else DEFAULT_CONFIG_MODULES)
    key = ("config_modules.is_config_module", pats)
    cached = ctx.memo.get(key)
    if cached is None:
        rel = ctx.relative_path
        cached = match_any(rel, pats)
        if not cached and rel.startswith("/"):
            # a file outside the project root: judge it by its package path, not by /tmp/... above it
            cached = match_any(_package_relative(ctx.path), pats)
        ctx.memo[key] = cached
    return cached


def _package_relative(path: str) -> str:
    """``pkg/sub/mod.py`` for a file inside packages (the folders with ``__init__.py``)."""
    directory, name = os.path.split(os.path.abspath(path))
    parts = [name]
    while os.path.isfile(os.path.join(directory, "__init__.py")):
        directory, folder = os.path.split(directory)
        parts.append(folder)
        if not folder:
            break
    return "/".join(reversed(parts))


def is_settings_class(ctx: "FileContext", node: cst.ClassDef) -> bool:
    """A class named ``*Settings``/``*Config``/``*Configuration``, or deriving from ``BaseSettings``."""
    if _SETTINGS_CLASS_RE.search(node.name.value):
        return True
    for base in node.bases:
        name = ctx.qualname(base.value) or ""
        if name in _BASE_SETTINGS or name.rsplit(".", 1)[-1] == "BaseSettings":
            return True
    return False


def in_settings_class(ctx: "FileContext") -> bool:
    """Is the walk inside (a method of) a settings/config class?"""
    return any(is_settings_class(ctx, info.node) for info in ctx.classes)


# ---------------------------------------------------------------------------- hosts

_URL_RE = re.compile(r"^(?:https?|wss?)://(?P<netloc>[^/?#\s]*)", re.IGNORECASE)
_PLACEHOLDER_HOSTS = frozenset({"localhost", "0.0.0.0", "::1", "::", "[::1]", "[::]"})
_PLACEHOLDER_SUFFIXES = (".test", ".invalid", ".local", ".localhost", ".example", ".internal.example")
_EXAMPLE_DOMAINS = ("example.com", "example.org", "example.net", "example.edu")
#: hosts of namespace and schema URIs: identifiers, never fetched
_SCHEMA_HOSTS = frozenset({"www.w3.org", "w3.org", "json-schema.org", "purl.org", "xmlns.com", "www.xmlns.com",
                           "ns.adobe.com", "www.openarchives.org"})
_DOC_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in ("127.0.0.0/8", "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "0.0.0.0/32", "::1/128", "2001:db8::/32")
)
_HOST_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.[a-z][a-z0-9-]*[a-z0-9]$")


def url_host(text: str) -> str | None:
    """The host of an absolute ``http(s)://`` (or ``ws(s)://``) URL at the start of ``text``."""
    match = _URL_RE.match(text)
    if match is None:
        return None
    netloc = match.group("netloc")
    netloc = netloc.rsplit("@", 1)[-1]  # user:password@
    if netloc.startswith("["):
        end = netloc.find("]")
        return netloc[: end + 1].lower() if end != -1 else None
    return netloc.split(":", 1)[0].lower().rstrip(".")


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def is_real_host(host: str) -> bool:
    """A host a program could really reach: a dotted DNS name with an alphabetic TLD, or an IP."""
    if not host or "{" in host or "}" in host or "%" in host:
        return False
    return is_ip(host) or _HOST_RE.match(host) is not None


def is_placeholder_host(host: str, allowed: Iterable[str] = ()) -> bool:
    """Hosts that are never a hard-coded production endpoint (see MAINT001's guards)."""
    host = host.lower()
    if host in _PLACEHOLDER_HOSTS:
        return True
    if is_ip(host):
        ip = ipaddress.ip_address(host.strip("[]"))
        if ip.is_unspecified or ip.is_loopback or any(ip in net for net in _DOC_NETWORKS):
            return True
    elif host.endswith(_PLACEHOLDER_SUFFIXES):
        return True
    for domain in _EXAMPLE_DOMAINS:
        if host == domain or host.endswith("." + domain):
            return True
    if host in _SCHEMA_HOSTS or host.startswith("schemas."):
        return True
    for pattern in allowed:
        pattern = pattern.lower().strip()
        if not pattern:
            continue
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]) or host == pattern[2:]:
                return True
        elif pattern.startswith("."):
            if host.endswith(pattern) or host == pattern[1:]:
                return True
        elif host == pattern:
            return True
    return False


# ---------------------------------------------------------------------------- composition roots

#: functions where config is read and dependencies are wired by design
COMPOSITION_ROOT_NAMES = frozenset(
    {"main", "_main", "cli", "create_app", "make_app", "build_app", "app_factory", "create_application",
     "get_application", "get_wsgi_application", "get_asgi_application"}
)


def is_cli_command(ctx: "FileContext", func: cst.FunctionDef) -> bool:
    """Decorated as a click/typer command or group (shared with OBS001: :mod:`reviewlint.analysis.entry_points`)."""
    return bool(func.decorators) and entry_points.is_command_decorated(ctx, func)


def is_project_script(ctx: "FileContext", func: cst.FunctionDef) -> bool:
    """``func`` is a module-level function named in ``[project.scripts]`` of the analysed project."""
    if ctx.settings is None:
        return False
    scripts = entry_points.project_scripts(ctx.settings)
    if not scripts or not any(stmt is func for stmt in ctx.module.body):
        return False
    own = ctx.module_name or os.path.splitext(os.path.basename(ctx.path))[0]
    name = func.name.value
    for module, obj in scripts:
        if obj == name and (module == own or module.endswith("." + own) or own.endswith("." + module)):
            return True
    return False


def is_composition_root(ctx: "FileContext", func: cst.FunctionDef) -> bool:
    """``main()``, an app factory, a CLI entry point or a method of a Django management ``Command``."""
    name = func.name.value
    if name in COMPOSITION_ROOT_NAMES:
        return True
    if ctx.classes and _is_management_command(ctx, ctx.classes[-1].node):
        return True
    return is_cli_command(ctx, func) or is_project_script(ctx, func)


def _is_management_command(ctx: "FileContext", node: cst.ClassDef) -> bool:
    """``class Command(BaseCommand)``: a Django management command (its methods are the CLI)."""
    if node.name.value != "Command":
        return False
    for base in node.bases:
        name = ctx.qualname(base.value) or ""
        if name.rsplit(".", 1)[-1].endswith("Command"):
            return True
    return False


def in_composition_root(ctx: "FileContext") -> bool:
    """Is any function around the current node a composition root (or is this the main block)?"""
    if ctx.in_main_block:
        return True
    key = ("config_modules.roots", tuple(id(f) for f in ctx.functions))
    cached = ctx.memo.get(key)
    if cached is None:
        cached = any(is_composition_root(ctx, f) for f in ctx.functions)
        ctx.memo[key] = cached
    return cached
