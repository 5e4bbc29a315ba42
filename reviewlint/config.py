"""Find, read, validate and explain reviewlint's configuration.

Sources, lowest precedence first: built-in defaults; ``[tool.reviewlint]`` in the nearest
``pyproject.toml`` (searched upward from the current directory) or the top level of a
``reviewlint.toml`` in the same search (``reviewlint.toml`` wins in one folder); the file
named by ``--config``; command-line options. Every value remembers where it came from, for
``reviewlint config``.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from reviewlint import globs

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib


class ConfigError(Exception):
    """A configuration problem; the message names the file and the key."""


SEVERITIES = ("error", "warning", "info")
DEFAULT_EXCLUDE = (
    ".git",
    ".hg",
    ".svn",
    ".bzr",
    ".tox",
    ".nox",
    ".venv",
    "venv",
    ".eggs",
    "*.egg-info",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".reviewlint_cache",
    "__pypackages__",
    "_build",
    "build",
    "dist",
    "node_modules",
    "site-packages",
)
# file roles (reviewlint.engine.roles)
DEFAULT_MIGRATION_PATHS = ("**/migrations/**", "**/*_migrations/**", "**/alembic/versions/**")
DEFAULT_SCRIPT_PATHS = ("scripts/**", "bin/**", "tools/**", "**/management/commands/**")
DEFAULT_GENERATED_PATHS = ("**/*_pb2.py", "**/*_pb2_grpc.py", "**/*_pb2.pyi")
DEFAULT_EXAMPLE_PATHS = ("examples/**", "example/**", "example_*/**", "docs/**", "doc/**", "docs_src/**")
DEFAULT_TEST_PATHS = ("tests/**", "test/**", "**/tests/**", "**/test/**", "**/testing/**", "test_*.py", "*_test.py", "tests.py", "conftest.py")


def _list_of_str(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError("expected a list of strings")
    return list(value)


def _globs(value: Any) -> list[str]:
    items = _list_of_str(value)
    for item in items:
        problem = globs.validate(item)
        if problem:
            raise TypeError(f"{problem}: {item!r}")
    return items


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError("expected true or false")
    return value


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("expected a string")
    return value


def _per_file_ignores(value: Any) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        raise TypeError("expected a table of glob = [codes]")
    out = {}
    for key, codes in value.items():
        problem = globs.validate(key)
        if problem:
            raise TypeError(f"{problem}: {key!r}")
        if isinstance(codes, str):
            codes = [codes]
        out[key] = _list_of_str(codes)
    return out


def _severity_map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise TypeError("expected a table of CODE = \"error\"|\"warning\"|\"info\"")
    for key, sev in value.items():
        if sev not in SEVERITIES:
            raise TypeError(f"{key}: expected one of error, warning, info, got {sev!r}")
    return dict(value)


def _codes_table(value: Any) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        raise TypeError("expected a table of CODE = [\"S113\", ...]")
    return {key: _list_of_str(codes) for key, codes in value.items()}


def _rules_table(value: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise TypeError("expected tables [tool.reviewlint.rules.<code or name>]")
    return {k: dict(v) for k, v in value.items()}


def _output_format(value: Any) -> str:
    from reviewlint.report import FORMATS

    if value not in FORMATS:
        raise TypeError(f"expected one of {', '.join(sorted(FORMATS))}, got {value!r}")
    return value


def _seconds(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise TypeError("expected a number of seconds (0: no limit)")
    return float(value)


def _fail_on(value: Any) -> str:
    if value not in SEVERITIES:
        raise TypeError(f"expected one of error, warning, info, got {value!r}")
    return value


@dataclass(frozen=True)
class Key:
    parse: Callable[[Any], Any]
    default: Any
    help: str


#: every configuration key, its validator, default and meaning
KEYS: dict[str, Key] = {
    "select": Key(_list_of_str, None, "rules to enable (codes, prefixes like REL, or names); default: all non-preview rules"),
    "extend-select": Key(_list_of_str, [], "rules to enable in addition to `select`"),
    "ignore": Key(_list_of_str, [], "rules to disable"),
    "extend-ignore": Key(_list_of_str, [], "rules to disable in addition to `ignore`"),
    "preview": Key(_bool, False, "enable preview rules that a selected prefix covers"),
    "exclude": Key(_globs, list(DEFAULT_EXCLUDE), "paths never discovered (replaces the defaults)"),
    "extend-exclude": Key(_globs, [], "paths never discovered, in addition to `exclude`"),
    "force-exclude": Key(_bool, False, "apply excludes to files named on the command line too"),
    "respect-gitignore": Key(_bool, True, "skip files that git ignores"),
    "per-file-ignores": Key(_per_file_ignores, {}, "glob = [codes] not reported in matching files"),
    "severity": Key(_severity_map, {}, "CODE/prefix/name = severity overrides"),
    "rules": Key(_rules_table, {}, "per-rule options, [tool.reviewlint.rules.<code or name>]"),
    "test-paths": Key(_globs, list(DEFAULT_TEST_PATHS), "files with the `test` role (rules marked skip-in-tests do not check them)"),
    "migration-paths": Key(_globs, list(DEFAULT_MIGRATION_PATHS), "files with the `migration` role (Django and Alembic migrations are also recognised by content)"),
    "script-paths": Key(_globs, list(DEFAULT_SCRIPT_PATHS), "files with the `script` role: developer scripts and command-line entry points (folder globs match at any depth)"),
    "generated-paths": Key(_globs, list(DEFAULT_GENERATED_PATHS), "files with the `generated` role (also: `@generated`/`DO NOT EDIT` markers); no rule checks them by default"),
    "example-paths": Key(_globs, list(DEFAULT_EXAMPLE_PATHS), "files with the `example` role: documentation and examples"),
    "local-rules": Key(_list_of_str, [], "folders of project-local rule modules (*.py), relative to the config file"),
    "output-format": Key(_output_format, "text", "default --output-format"),
    "fail-on": Key(_fail_on, "info", "lowest severity that makes the exit code 1"),
    "baseline": Key(_str, None, "baseline file of accepted findings (--baseline), relative to the config file"),
    "require-reason": Key(_bool, False, "DEBT002: suppressions must give a reason (`-- why`)"),
    "cache-dir": Key(_str, None, "where results are cached (default .reviewlint_cache/ in the project root)"),
    "peer-suppressions": Key(_bool, True, "honour other linters' suppressions of the same problem (`# noqa: S113` for REL001, `# nosec`, `# pylint: disable=...`)"),
    "peer-codes": Key(_codes_table, {}, "CODE/name = [other linters' codes] replacing a rule's built-in mapping for peer-suppressions"),
    "file-timeout": Key(_seconds, 20.0, "seconds of CPU time one file may take before it is abandoned with E901 (0: no limit)"),
}


@dataclass
class Settings:
    """The effective configuration of one run."""

    root: str
    config_file: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    # --------------------------------------------------------------- paths
    def relative(self, path: str) -> str:
        """``path`` relative to the project root, POSIX separators (absolute when outside)."""
        abspath = os.path.abspath(path)
        try:
            rel = os.path.relpath(abspath, self.root)
        except ValueError:  # other drive on Windows
            return abspath.replace(os.sep, "/")
        if rel == ".." or rel.startswith(".." + os.sep):
            return abspath.replace(os.sep, "/")
        return rel.replace(os.sep, "/")

    @property
    def exclude_patterns(self) -> list[str]:
        return list(self.values["exclude"]) + list(self.values["extend-exclude"])

    def is_excluded(self, path: str, base: str | None = None) -> bool:
        """Does an exclude pattern match ``path``, found below the folder ``base`` given on the
        command line? Patterns with a ``/`` describe the project's layout and match the path
        relative to the project root; name patterns (``build``, ``venv``, ``*.egg-info``) match
        the part below ``base``, so ``reviewlint check .venv/lib/site-packages/pkg`` checks
        ``pkg`` instead of excluding it for its parents."""
        anchored, names = self._exclude_groups()
        rel = self.relative(path)
        if anchored and not rel.startswith("/") and globs.match_any(rel, anchored):
            return True
        if base is not None:
            below = os.path.relpath(os.path.abspath(path), os.path.abspath(base)).replace(os.sep, "/")
            if below == ".":
                return False
            if not below.startswith("../"):
                rel = below
        return globs.match_any(rel, names)

    def _exclude_groups(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        patterns = tuple(self.exclude_patterns)
        if getattr(self, "_groups_key", None) != patterns:
            anchored = tuple(p for p in patterns if "/" in p.strip().strip("/").removeprefix("./"))
            self._groups = (anchored, tuple(p for p in patterns if p not in anchored))
            self._groups_key = patterns
        return self._groups

    def is_test_path(self, path: str) -> bool:
        return globs.match_any(self.relative(path), self.values["test-paths"])

    def ignored_selectors_for(self, path: str) -> list[str]:
        rel = self.relative(path)
        out: list[str] = []
        for pattern, codes in self.values["per-file-ignores"].items():
            if globs.match(rel, pattern):
                out.extend(codes)
        return out

    def extend(self, key: str, values: list[str], source: str = "command line") -> None:
        """Add command-line values to a list key (``--ignore``, ``--extend-select``)."""
        if values:
            self.values[key] = list(self.values[key]) + list(values)
            previous = self.sources.get(key, "default")
            self.sources[key] = source if previous == "default" else f"{previous} + {source}"

    def describe(self) -> list[tuple[str, Any, str]]:
        return [(key, self.values[key], self.sources.get(key, "default")) for key in KEYS]


def find_config_file(start: str | None = None) -> str | None:
    """The nearest ``reviewlint.toml`` or ``pyproject.toml`` with ``[tool.reviewlint]``."""
    directory = os.path.abspath(start or os.getcwd())
    while True:
        candidate = os.path.join(directory, "reviewlint.toml")
        if os.path.isfile(candidate):
            return candidate
        candidate = os.path.join(directory, "pyproject.toml")
        if os.path.isfile(candidate):
            try:
                data = _read_toml(candidate)
            except ConfigError:
                return candidate  # report the broken file rather than skipping it
            if isinstance(data.get("tool"), dict) and "reviewlint" in data["tool"]:
                return candidate
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def find_project_root(start: str | None = None) -> str:
    """The folder of the nearest ``pyproject.toml``/``reviewlint.toml``/``.git`` upward, else ``start``."""
    first = os.path.abspath(start or os.getcwd())
    directory = first
    while True:
        for marker in ("reviewlint.toml", "pyproject.toml", ".git"):
            if os.path.exists(os.path.join(directory, marker)):
                return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return first
        directory = parent


def _read_toml(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{_show(path)}: invalid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{_show(path)}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{_show(path)}: invalid TOML: not UTF-8") from None


def _show(path: str) -> str:
    try:
        rel = os.path.relpath(path)
        return rel if not rel.startswith("..") else path
    except ValueError:
        return path


def read_config_file(path: str) -> dict[str, Any]:
    """The raw reviewlint table of a config file (``{}`` when it has none)."""
    data = _read_toml(path)
    if os.path.basename(path) == "pyproject.toml":
        tool = data.get("tool", {})
        table = tool.get("reviewlint", {}) if isinstance(tool, dict) else {}
    else:
        table = data  # reviewlint.toml: the keys sit at the top level
    if not isinstance(table, dict):
        raise ConfigError(f"{_show(path)}: [tool.reviewlint] must be a table")
    return table


def _apply(settings: Settings, table: Mapping[str, Any], source: str, where: str) -> None:
    for key, raw in table.items():
        spec = KEYS.get(key)
        if spec is None:
            close = _closest(key, KEYS)
            hint = f" (did you mean {close!r}?)" if close else ""
            raise ConfigError(f"{where}: unknown key {key!r}{hint}")
        try:
            value = spec.parse(raw)
        except TypeError as exc:
            raise ConfigError(f"{where}: {key}: {exc}") from None
        if key == "local-rules" and settings.config_file and source != "command line":
            base = os.path.dirname(settings.config_file)
            value = [os.path.normpath(os.path.join(base, v)) for v in value]
        settings.values[key] = value
        settings.sources[key] = source


def _closest(word: str, choices: Mapping[str, Any]) -> str | None:
    import difflib

    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.7)
    return found[0] if found else None


def load_settings(config_path: str | None = None, overrides: Mapping[str, Any] | None = None,
                  cwd: str | None = None, isolated: bool = False) -> Settings:
    """Build the effective settings: defaults, then the config file, then ``overrides``."""
    cwd = os.path.abspath(cwd or os.getcwd())
    if config_path is not None:
        if not os.path.isfile(config_path):
            raise ConfigError(f"{config_path}: config file not found")
        path: str | None = os.path.abspath(config_path)
    elif isolated:
        path = None
    else:
        path = find_config_file(cwd)
    root = os.path.dirname(path) if path else find_project_root(cwd)
    settings = Settings(root=root, config_file=path)
    for key, spec in KEYS.items():
        settings.values[key] = _copy(spec.default)
    if path is not None:
        table = read_config_file(path)
        where = _show(path) + (" [tool.reviewlint]" if os.path.basename(path) == "pyproject.toml" else "")
        _apply(settings, table, _show(path), where)
    if overrides:
        _apply(settings, {k: v for k, v in overrides.items() if v is not None}, "command line", "command line")
    return settings


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value
