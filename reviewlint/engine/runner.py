"""Files → findings: read, parse, walk once with every enabled rule, place, filter.

``Engine`` holds the rule instances for a run (built once, options validated once) and
checks one file at a time; ``check_file`` never raises for a bad file: syntax errors,
unreadable files and rule crashes come back as diagnostics in the result.
"""

from __future__ import annotations

import os
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Sequence

import libcst as cst

from reviewlint.engine import source as src
from reviewlint.engine.context import FileContext
from reviewlint.engine.guard import (
    DEFAULT_FILE_TIMEOUT,
    FileTimeout,
    rule_in_traceback,
    run_deep,
    thread_cpu_clock,
    thread_cpu_seconds,
    time_limit,
)
from reviewlint.engine.positions import Span, compute_spans
from reviewlint.engine.walk import DispatchTable, walk
from reviewlint.rule import Finding, Fix, LineAnchor, NodeRange, Rule, Severity
from reviewlint.suppress import Suppression, SuppressionIndex, parse_peer_suppressions, parse_suppressions

DIAGNOSTIC_VIEWPOINT = "diagnostic"
#: hidden, for scripts/sweep.py: ``REVIEWLINT_TIMINGS=FILE`` appends one line per checked file:
#: wall seconds, CPU seconds of the checking process, its peak RSS in KiB, its pid, display path
#: (tab-separated)
TIMINGS_ENV = "REVIEWLINT_TIMINGS"
_INCOMPLETE = (src.INTERNAL_ERROR[0], src.TIMEOUT[0])


@dataclass
class FileResult:
    path: str
    display_path: str
    findings: list[Finding] = field(default_factory=list)
    suppressed: list[tuple[Finding, Suppression]] = field(default_factory=list)
    #: E999/E902/E900 diagnostics (also counted as findings by reporters)
    diagnostics: list[Finding] = field(default_factory=list)
    #: tracebacks of rule crashes, shown with --verbose
    tracebacks: list[str] = field(default_factory=list)
    #: facts for project-level passes
    facts: dict[str, Any] = field(default_factory=dict)
    parsed: bool = False

    @property
    def internal_error(self) -> bool:
        """A rule crashed or the file ran out of time: the file's result is incomplete."""
        return any(d.code in _INCOMPLETE for d in self.diagnostics)


def diagnostic(kind: tuple[str, str], message: str, display_path: str, line: int = 1, column: int = 1,
               line_text: str = "") -> Finding:
    return Finding(
        code=kind[0],
        name=kind[1],
        viewpoint=DIAGNOSTIC_VIEWPOINT,
        severity=Severity.ERROR.value,
        message=message,
        path=display_path,
        line=line,
        column=column,
        end_line=line,
        end_column=column,
        statement_line=line,
        line_text=line_text,
    )


class Engine:
    """The enabled rules of one run, ready to check files."""

    def __init__(self, rules: Sequence[Rule], settings: Any = None, severities: dict[str, Severity] | None = None) -> None:
        self.rules = list(rules)
        self.settings = settings
        self.severities = severities or {}
        self.table = DispatchTable(self.rules)
        self._tables: dict[frozenset[str], DispatchTable] = {frozenset(): self.table}
        self._by_selector_cache: dict[str, frozenset[str]] = {}
        timeout = settings.get("file-timeout", DEFAULT_FILE_TIMEOUT) if settings is not None else DEFAULT_FILE_TIMEOUT
        #: rule code → other linters' codes for the same problem (empty: peer-suppressions off)
        self.peer_codes: dict[str, frozenset[str]] = {}
        if settings is None or settings.get("peer-suppressions", True):
            overrides = settings.get("peer-codes", {}) if settings is not None else {}
            for rule in self.rules:
                codes = overrides.get(rule.code, overrides.get(rule.name))
                codes = frozenset(codes) if codes is not None else rule.peer_codes
                if codes:
                    self.peer_codes[rule.code] = codes
        #: seconds of CPU time one file may take (0: no limit; see guard.time_limit)
        self.file_timeout: float = timeout if timeout is not None else DEFAULT_FILE_TIMEOUT

    # ------------------------------------------------------------------ public
    def check_file(self, path: str, display_path: str | None = None) -> FileResult:
        display = display_path or path
        try:
            data = src.read_bytes(path)
        except src.SourceProblem as problem:
            return FileResult(path, display, diagnostics=[diagnostic(problem.kind, problem.message, display)])
        return self.check_bytes(data, path, display)

    def check_bytes(self, data: bytes, path: str, display_path: str | None = None) -> FileResult:
        display = display_path or path
        try:
            text = src.decode(data)
        except src.SourceProblem as problem:
            return FileResult(path, display, diagnostics=[diagnostic(problem.kind, problem.message, display, problem.line, problem.column)])
        return self.check_text(text, path, display)

    def check_text(self, text: str, path: str, display_path: str | None = None) -> FileResult:
        """Check one file's text; never raises for the file's sake.

        The file is checked under the time limit (E901 when it runs out). Input nested
        deeper than Python's recursion limit allows is checked again in a thread with room
        for it; only if that fails too does the file get an E900 naming the problem.
        """
        display = display_path or path
        timings = os.environ.get(TIMINGS_ENV)  # reviewlint: ignore[MAINT003] -- a measuring hook, per run
        if not timings:
            return self._check_text_limited(text, path, display)
        started, cpu = time.perf_counter(), time.process_time()
        result = self._check_text_limited(text, path, display)
        _record_timing(timings, time.perf_counter() - started, time.process_time() - cpu, display)
        return result

    def _check_text_limited(self, text: str, path: str, display: str) -> FileResult:
        started = time.monotonic()
        clock = thread_cpu_clock()
        cpu_started = thread_cpu_seconds(clock)

        def cpu_used(clock: int | None, since: float | None) -> float | None:
            now = thread_cpu_seconds(clock)
            return None if now is None or since is None else now - since

        try:
            with time_limit(self.file_timeout):
                return self._check_text(text, path, display, deep=False)
        except RecursionError:
            pass
        except FileTimeout as exc:
            return self._timed_out(path, display, exc, started, cpu_used(clock, cpu_started))
        except Exception as exc:  # noqa: BLE001 - the engine's own bug must not lose the other files
            return self._crashed(path, display, exc)
        used = cpu_used(clock, cpu_started)
        spent = used if used is not None else time.monotonic() - started
        remaining = max(self.file_timeout - spent, 1.0) if self.file_timeout else 0

        def deep() -> FileResult:
            deep_clock = thread_cpu_clock()
            deep_started = thread_cpu_seconds(deep_clock)
            try:
                with time_limit(remaining):
                    return self._check_text(text, path, display, deep=True)
            except FileTimeout as exc:
                more = cpu_used(deep_clock, deep_started)
                return self._timed_out(path, display, exc, started,
                                       None if used is None or more is None else used + more)
            except Exception as exc:  # noqa: BLE001 - RecursionError beyond even the deep limit
                return self._crashed(path, display, exc)

        return run_deep(deep)

    def _timed_out(self, path: str, display: str, exc: FileTimeout, started: float, cpu: float | None) -> FileResult:
        rule = rule_in_traceback(exc.__traceback__)
        where = f" (in rule {rule.code} {rule.name})" if rule is not None else ""
        seconds = time.monotonic() - started
        spent = f"{seconds:.0f} s" if cpu is None else f"{cpu:.1f} s of CPU time ({seconds:.1f} s in all)"
        message = (f"checking this file was abandoned after {spent}{where}: exclude it, or raise "
                   f"`file-timeout` (now {self.file_timeout:g} s)")
        result = FileResult(path, display, diagnostics=[diagnostic(src.TIMEOUT, message, display)])
        result.tracebacks.append(f"{display}: timeout\n" + "".join(traceback.format_exception(exc)))
        return result

    def _crashed(self, path: str, display: str, exc: BaseException) -> FileResult:
        if isinstance(exc, RecursionError):
            message = "internal error: the file is nested too deeply to check (RecursionError)"
        else:
            message = f"internal error: {type(exc).__name__}: {exc}"
        result = FileResult(path, display, diagnostics=[diagnostic(src.INTERNAL_ERROR, " ".join(message.split()), display)])
        result.tracebacks.append(f"{display}: engine\n" + "".join(traceback.format_exception(exc)))
        return result

    def _check_text(self, text: str, path: str, display: str, deep: bool) -> FileResult:
        result = FileResult(path, display)
        try:
            module = src.parse(text)
        except src.SourceProblem as problem:
            lines = text.splitlines()
            line_text = lines[problem.line - 1] if 0 < problem.line <= len(lines) else ""
            result.diagnostics.append(diagnostic(problem.kind, problem.message, display, problem.line, problem.column, line_text))
            return result
        result.parsed = True
        ctx = FileContext(path, text, module, self.settings, display)
        table = self._table_for(ctx)
        reports: list[tuple[Rule, cst.CSTNode, str, Fix | None, Severity | None]] = []
        crashed: list[Rule] = []

        def sink(rule: Rule, node: cst.CSTNode, message: str, fix: Fix | None, severity: Severity | None) -> None:
            if "\n" in message or "\r" in message:
                message = " ".join(message.split())  # a finding's message is one line
            reports.append((rule, node, message, fix, severity))

        def on_crash(rule: Rule, error: BaseException) -> DispatchTable:
            if isinstance(error, RecursionError) and not deep:
                raise error  # check the whole file again with room for deep nesting
            crashed.append(rule)
            result.diagnostics.append(
                diagnostic(
                    src.INTERNAL_ERROR,
                    f"internal error in rule {rule.code} ({rule.name}): {type(error).__name__}: {error}",
                    display,
                )
            )
            result.tracebacks.append(f"{display}: rule {rule.code}\n" + "".join(traceback.format_exception(error)))
            return table.without(crashed)

        for rule in table.rules:
            rule.start_file(ctx, sink)
        walk(module, ctx, table, on_crash)

        crashed_ids = {id(r) for r in crashed}
        reports = [r for r in reports if id(r[0]) not in crashed_ids]
        result.facts = ctx.facts
        if not reports:
            return result
        nodes = [r[1] for r in reports if not isinstance(r[1], (LineAnchor, NodeRange))]
        nodes += [n for r in reports if isinstance(r[1], NodeRange) for n in (r[1].first, r[1].last)]
        spans = compute_spans(module, nodes) if nodes else {}
        findings = []
        seen: set[tuple] = set()
        for rule, node, message, fix, severity in reports:
            if isinstance(node, LineAnchor):  # Rule.report_line(): a comment, no node
                end = node.end_column or len(ctx.line_text(node.line)) + 1
                span = Span(node.line, node.column, node.line, end, node.line)
            elif isinstance(node, NodeRange):  # from the start of one node to the end of another
                first, last = spans.get(id(node.first)), spans.get(id(node.last))
                span = Span(first.line, first.column, last.end_line, last.end_column, first.statement_line) \
                    if first is not None and last is not None else None
            else:
                span = spans.get(id(node))
            if span is None:
                continue
            key = (rule.code, span.line, span.column, message)
            if key in seen:
                continue
            seen.add(key)
            sev = severity or self.severities.get(rule.code) or rule.severity
            if rule.lower_roles and not ctx.roles.isdisjoint(rule.lower_roles):
                sev = Severity.INFO
            findings.append(
                Finding(
                    code=rule.code,
                    name=rule.name,
                    viewpoint=rule.viewpoint.value,
                    severity=Severity(sev).value,
                    message=message,
                    path=display,
                    line=span.line,
                    column=span.column,
                    end_line=span.end_line,
                    end_column=span.end_column,
                    statement_line=span.statement_line,
                    line_text=ctx.line_text(span.line),
                    fix=fix,
                )
            )
        findings.sort(key=lambda f: f.sort_key)
        suppressions = parse_suppressions(text)
        if self.peer_codes:
            suppressions += parse_peer_suppressions(text)
        index = SuppressionIndex(suppressions, self.peer_codes)
        for finding in findings:
            sup = index.find(finding)
            if sup is None:
                result.findings.append(finding)
            else:
                result.suppressed.append((finding, sup))
        return result

    # ------------------------------------------------------------------ internals
    def _table_for(self, ctx: FileContext) -> DispatchTable:
        """The dispatch table for this file: without test-skipping and per-file-ignored rules."""
        excluded: set[str] = set()
        if self.settings is not None:
            selectors = self.settings.ignored_selectors_for(ctx.path)
            if selectors:
                for rule in self.rules:
                    for sel in selectors:
                        if sel == rule.code or sel == rule.name or rule.code.startswith(sel) or sel == "ALL":
                            excluded.add(rule.code)
        roles = ctx.roles
        if roles:
            excluded.update(r.code for r in self.rules if not roles.isdisjoint(r.skipped_roles()))
        key = frozenset(excluded)
        table = self._tables.get(key)
        if table is None:
            table = self.table.without([r for r in self.rules if r.code in excluded])
            self._tables[key] = table
        return table


def _record_timing(target: str, seconds: float, cpu: float, display: str) -> None:
    try:
        import resource

        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    except (ImportError, OSError):  # pragma: no cover - no resource module (Windows)
        rss = 0
    line = f"{seconds:.4f}\t{cpu:.4f}\t{rss}\t{os.getpid()}\t{' '.join(display.split())}\n".encode("utf-8", "surrogateescape")
    try:  # one write to an O_APPEND file: lines from parallel workers do not interleave
        fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)
    except OSError:  # reviewlint: ignore[ERR002] -- a measuring hook must never fail the check
        pass


def relative_display(path: str, cwd: str | None = None) -> str:
    """``path`` relative to the current directory when under it, else as given."""
    cwd = cwd or os.getcwd()
    abspath = os.path.abspath(path)
    try:
        rel = os.path.relpath(abspath, cwd)
    except ValueError:
        return path
    if rel.startswith(".." + os.sep) or rel == "..":
        return abspath
    return rel
