"""The rule API: what a rule is, what it reports, and the options it takes.

A rule is one class. It declares its identity (``code``, ``name``, ``viewpoint``,
``severity``), its documentation (the class docstring, with the sections *What it does*,
*Why it matters*, *Example* and *Use instead*), its options, and inline ``valid`` /
``invalid`` examples that are turned into tests by :mod:`reviewlint.testing`.

Rules never parse or walk files. The engine walks each file once and calls, on every
enabled rule, ``visit_<NodeType>(node)`` when it enters a LibCST node and
``leave_<NodeType>(node)`` when it leaves it. ``self.context`` holds the shared per-file
facts (:class:`reviewlint.engine.context.FileContext`); ``self.report(node, message)``
records a finding.
"""

from __future__ import annotations

import enum
import inspect
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Mapping, Sequence

if TYPE_CHECKING:  # pragma: no cover
    import libcst as cst

    from reviewlint.engine.context import FileContext


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


class Viewpoint(str, enum.Enum):
    """The ten review viewpoints. The value is the short name used in output."""

    ERROR_HANDLING = "error-handling"
    PERFORMANCE = "performance"
    SECURITY = "security"
    AUTH = "auth"
    RELIABILITY = "reliability"
    MAINTAINABILITY = "maintainability"
    TESTABILITY = "testability"
    SCALABILITY = "scalability"
    OBSERVABILITY = "observability"
    TEAM_DEBT = "team-debt"

    @property
    def prefix(self) -> str:
        return VIEWPOINT_PREFIX[self]

    @property
    def title(self) -> str:
        return VIEWPOINT_TITLE[self]

    @property
    def question(self) -> str:
        return VIEWPOINT_QUESTION[self]


VIEWPOINT_PREFIX = {
    Viewpoint.ERROR_HANDLING: "ERR",
    Viewpoint.PERFORMANCE: "PERF",
    Viewpoint.SECURITY: "SEC",
    Viewpoint.AUTH: "AUTH",
    Viewpoint.RELIABILITY: "REL",
    Viewpoint.MAINTAINABILITY: "MAINT",
    Viewpoint.TESTABILITY: "TEST",
    Viewpoint.SCALABILITY: "SCALE",
    Viewpoint.OBSERVABILITY: "OBS",
    Viewpoint.TEAM_DEBT: "DEBT",
}
VIEWPOINT_TITLE = {
    Viewpoint.ERROR_HANDLING: "Error handling",
    Viewpoint.PERFORMANCE: "Performance",
    Viewpoint.SECURITY: "Security",
    Viewpoint.AUTH: "Authentication / authorisation",
    Viewpoint.RELIABILITY: "Reliability",
    Viewpoint.MAINTAINABILITY: "Maintainability",
    Viewpoint.TESTABILITY: "Testability",
    Viewpoint.SCALABILITY: "Scalability",
    Viewpoint.OBSERVABILITY: "Observability",
    Viewpoint.TEAM_DEBT: "Team development",
}
VIEWPOINT_QUESTION = {
    Viewpoint.ERROR_HANDLING: "What happens when the other side answers 500, or not at all?",
    Viewpoint.PERFORMANCE: "Are API/DB calls repeated needlessly (N+1)? Is more data fetched than used?",
    Viewpoint.SECURITY: "Is input validated before it reaches SQL, a shell, a path or a URL?",
    Viewpoint.AUTH: "Can anyone call this API? Are JWTs really verified?",
    Viewpoint.RELIABILITY: "Are there timeouts and bounded retries with backoff?",
    Viewpoint.MAINTAINABILITY: "When the environment or API version changes, is there one place to change?",
    Viewpoint.TESTABILITY: "Are dependencies (HTTP clients above all) injected?",
    Viewpoint.SCALABILITY: "Can one slow dependency cascade? Does async code block?",
    Viewpoint.OBSERVABILITY: "When it fails, can we find out why, and for which user/request?",
    Viewpoint.TEAM_DEBT: "Is technical debt visible and tracked?",
}


@dataclass(frozen=True)
class Fix:
    """A suggested edit: replace the reported node's source with ``replacement``.

    ``replacement`` is source text (what the fixed node looks like). ``safe`` says whether
    the fix keeps behaviour; unsafe fixes are only applied on request.
    """

    replacement: str
    description: str = ""
    safe: bool = True


@dataclass(frozen=True)
class Finding:
    """One reported problem, with everything a reporter or filter needs."""

    code: str
    name: str
    viewpoint: str
    severity: str
    message: str
    path: str
    line: int
    column: int  # 1-based, like ruff
    end_line: int
    end_column: int  # 1-based, exclusive
    statement_line: int = 0  # first line of the enclosing statement (for suppressions)
    line_text: str = ""
    fix: Fix | None = None

    @property
    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.code, self.message)

    def to_dict(self) -> dict[str, Any]:
        d = {
            "code": self.code,
            "name": self.name,
            "viewpoint": self.viewpoint,
            "severity": self.severity,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "statement_line": self.statement_line,
            "line_text": self.line_text,
            "fix": None,
        }
        if self.fix is not None:
            d["fix"] = {
                "replacement": self.fix.replacement,
                "description": self.fix.description,
                "safe": self.fix.safe,
            }
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Finding":
        fix = d.get("fix")
        return cls(
            code=d["code"],
            name=d["name"],
            viewpoint=d["viewpoint"],
            severity=d["severity"],
            message=d["message"],
            path=d["path"],
            line=d["line"],
            column=d["column"],
            end_line=d["end_line"],
            end_column=d["end_column"],
            statement_line=d.get("statement_line", 0),
            line_text=d.get("line_text", ""),
            fix=Fix(**fix) if fix else None,
        )


@dataclass(frozen=True)
class LineAnchor:
    """A position with no node behind it (a comment): what :meth:`Rule.report_line` reports."""

    line: int
    column: int = 1  # 1-based
    end_column: int | None = None  # 1-based, exclusive; None: end of the line


@dataclass(frozen=True)
class NodeRange:
    """A range from the start of ``first`` to the end of ``last`` (sibling nodes, e.g. two
    decorators a fix swaps): report it like a node."""

    first: Any
    last: Any


class OptionError(ValueError):
    """A rule option has the wrong type or value."""


_LIST_OF_STR = "list[str]"


@dataclass(frozen=True)
class Option:
    """A typed rule option, set under ``[tool.reviewlint.rules.<code or name>]``.

    ``type`` is one of ``bool``, ``int``, ``float``, ``str`` or ``"list[str]"``.
    """

    type: Any
    default: Any
    help: str = ""
    choices: Sequence[Any] | None = None

    @property
    def type_name(self) -> str:
        return self.type if isinstance(self.type, str) else self.type.__name__

    def validate(self, value: Any) -> Any:
        if self.type == _LIST_OF_STR:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise OptionError(f"expected a list of strings, got {_describe(value)}")
            value = list(value)
        elif self.type is float:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise OptionError(f"expected a number, got {_describe(value)}")
            value = float(value)
        elif self.type is int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise OptionError(f"expected an integer, got {_describe(value)}")
        elif self.type is bool:
            if not isinstance(value, bool):
                raise OptionError(f"expected true or false, got {_describe(value)}")
        elif self.type is str:
            if not isinstance(value, str):
                raise OptionError(f"expected a string, got {_describe(value)}")
        if self.choices is not None and value not in self.choices:
            raise OptionError(f"expected one of {', '.join(map(repr, self.choices))}, got {value!r}")
        return value


def _describe(value: Any) -> str:
    return f"{type(value).__name__} {value!r}"


@dataclass(frozen=True)
class Valid:
    """Code the rule must not report. ``path`` lets a rule depend on the file's name."""

    code: str
    options: Mapping[str, Any] = field(default_factory=dict)
    path: str = "example.py"


@dataclass(frozen=True)
class Invalid:
    """Code the rule must report.

    ``line``: the 1-based line of the (first) expected finding, relative to the dedented
    example. ``message``: a substring the message must contain. ``count``: the exact number
    of findings of this rule (default: at least one).
    """

    code: str
    line: int | None = None
    message: str | None = None
    count: int | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    path: str = "example.py"


_CODE_RE = re.compile(r"^[A-Z]{1,8}[0-9]{3}$")
_NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


class Rule:
    """Base class of every rule. Subclass it and set the class attributes below."""

    code: ClassVar[str]
    name: ClassVar[str]
    viewpoint: ClassVar[Viewpoint]
    severity: ClassVar[Severity] = Severity.WARNING
    message: ClassVar[str] = ""
    fixable: ClassVar[bool] = False
    #: opt-in rules: only enabled when selected by code or name (or with ``preview = true``)
    preview: ClassVar[bool] = False
    #: not in the default set: enabled by ``strict`` (``extend-select = ["strict"]``), ``ALL``,
    #: its prefix, code or name. The built-in pack keeps a rule in the default set only while its
    #: judged precision on real applications is at least 0.8 (docs/precision.md).
    opt_in: ClassVar[bool] = False
    #: skip files that match the ``test-paths`` option (tests are code too, but this rule is noise there)
    skip_in_tests: ClassVar[bool] = False
    #: file roles (``"test"``, ``"migration"``, ``"script"``, ``"generated"``, ``"example"``; see
    #: :mod:`reviewlint.engine.roles`) where the rule does not run. Nobody reviews generated code.
    skip_roles: ClassVar[frozenset[str]] = frozenset({"generated"})
    #: file roles where the rule's findings are reported at ``info`` severity
    lower_roles: ClassVar[frozenset[str]] = frozenset()
    #: the codes (and names) other linters use for the same problem: a line those linters were
    #: told to ignore (``# noqa: S113``, ``# nosec B113``, ``# pylint: disable=missing-timeout``)
    #: is not reported again (``peer-suppressions``)
    peer_codes: ClassVar[frozenset[str]] = frozenset()
    options: ClassVar[Mapping[str, Option]] = {}
    valid: ClassVar[Sequence[str | Valid]] = ()
    invalid: ClassVar[Sequence[str | Invalid]] = ()

    # set by the engine
    context: "FileContext"

    def __init__(self, options: Mapping[str, Any] | None = None, settings: Any = None) -> None:
        values = {key: opt.default for key, opt in self.options.items()}
        for key, value in (options or {}).items():
            if key not in self.options:
                raise OptionError(f"unknown option {key!r}")
            values[key] = self.options[key].validate(value)
        #: validated option values, by option name
        self.config: dict[str, Any] = values
        #: run-wide settings (test-paths, project root ...), see :class:`reviewlint.config.Settings`
        self.settings = settings
        self._sink: Callable[..., None] | None = None

    # -- the engine calls these -------------------------------------------------------
    def start_file(self, context: "FileContext", sink: Callable[..., None]) -> None:
        self.context = context
        self._sink = sink
        self.begin()

    def begin(self) -> None:
        """Called at the start of every file: reset per-file state here."""

    # -- the API rules use ------------------------------------------------------------
    def report(
        self,
        node: "cst.CSTNode",
        message: str | None = None,
        *,
        fix: Fix | None = None,
        severity: Severity | None = None,
    ) -> None:
        """Report ``node`` with ``message`` (default: the class's ``message``)."""
        assert self._sink is not None, "report() called outside a file"
        self._sink(self, node, message or self.message, fix, severity)

    def report_line(
        self,
        line: int,
        column: int = 1,
        message: str | None = None,
        *,
        end_column: int | None = None,
        severity: Severity | None = None,
    ) -> None:
        """Report a position that no node stands for (a comment): ``line``, 1-based ``column``."""
        assert self._sink is not None, "report_line() called outside a file"
        self._sink(self, LineAnchor(line, column, end_column), message or self.message, None, severity)

    # -- introspection ----------------------------------------------------------------
    @classmethod
    def skipped_roles(cls) -> frozenset[str]:
        """Every role the rule does not run in (``skip_roles``, plus tests for ``skip_in_tests``)."""
        return cls.skip_roles | {"test"} if cls.skip_in_tests else frozenset(cls.skip_roles)

    @classmethod
    def docs(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        doc = cls.docs()
        return doc.split("\n\n", 1)[0].replace("\n", " ").strip() if doc else cls.message

    @classmethod
    def validate_class(cls) -> list[str]:
        """Problems with the class's declaration (used when loading rule packs)."""
        problems = []
        code = getattr(cls, "code", None)
        if not isinstance(code, str) or not _CODE_RE.match(code):
            problems.append(f"code {code!r} is not like 'ABC123'")
        name = getattr(cls, "name", None)
        if not isinstance(name, str) or not _NAME_RE.match(name):
            problems.append(f"name {name!r} is not kebab-case")
        if not isinstance(getattr(cls, "viewpoint", None), Viewpoint):
            problems.append("viewpoint is not a reviewlint.Viewpoint")
        if not isinstance(cls.severity, Severity):
            problems.append("severity is not a reviewlint.Severity")
        return problems


def is_rule_class(obj: Any) -> bool:
    return inspect.isclass(obj) and issubclass(obj, Rule) and obj is not Rule and "code" in vars(obj)
