"""bytes → text → LibCST module, with every failure turned into a one-line diagnostic."""

from __future__ import annotations

import ast
import codecs
import io
import re
import tokenize
from dataclasses import dataclass
from itertools import accumulate

import libcst as cst

SYNTAX_ERROR = ("E999", "syntax-error")
IO_ERROR = ("E902", "io-error")
INTERNAL_ERROR = ("E900", "internal-error")
TIMEOUT = ("E901", "file-timeout")

_COOKIE_RE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


@dataclass(frozen=True)
class SourceProblem(Exception):
    """Why a file could not be turned into a module: a diagnostic, not a crash."""

    kind: tuple[str, str]
    message: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return self.message


def read_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except IsADirectoryError:
        raise SourceProblem(IO_ERROR, "is a directory, not a file") from None
    except FileNotFoundError:
        raise SourceProblem(IO_ERROR, "no such file") from None
    except PermissionError:
        raise SourceProblem(IO_ERROR, "permission denied: cannot read the file") from None
    except OSError as exc:
        raise SourceProblem(IO_ERROR, f"cannot read the file: {exc.strerror or exc}") from None


def decode(data: bytes) -> str:
    """Decode Python source as the interpreter would (BOM, PEP 263 cookie, UTF-8)."""
    nul = data.find(b"\0")
    if nul != -1:
        line = data.count(b"\n", 0, nul) + 1
        column = nul - (data.rfind(b"\n", 0, nul) + 1) + 1
        raise SourceProblem(SYNTAX_ERROR, "source contains a NUL byte", line, column)
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        msg = str(exc.msg if hasattr(exc, "msg") else exc)
        if "invalid or missing encoding declaration" in msg:
            encoding = "utf-8"  # no usable cookie: decode as UTF-8 and say where it breaks
        else:
            match = _COOKIE_RE.match(data.split(b"\n", 2)[0]) or (
                _COOKIE_RE.match(data.split(b"\n", 2)[1]) if data.count(b"\n") >= 1 else None
            )
            name = match.group(1).decode("ascii", "replace") if match else "?"
            line = 1 if _COOKIE_RE.match(data.split(b"\n", 1)[0]) else 2
            raise SourceProblem(SYNTAX_ERROR, f"unknown encoding {name!r} in the coding declaration", line, 1) from None
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise SourceProblem(SYNTAX_ERROR, f"unknown encoding {encoding!r} in coding cookie") from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SourceProblem(
            SYNTAX_ERROR,
            f"source is not valid {encoding}: byte 0x{data[exc.start]:02x} cannot be decoded",
            line,
            column,
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


#: CPython's tokenizer refuses more than 200 nested brackets; LibCST's native parser, given far
#: more, exhausts the C stack or the memory and takes the whole process down with it
_MAX_PLAIN_DEPTH = 100
_LARGE_FILE = 256 * 1024
_NOT_BRACKETS = re.compile(r"[^()\[\]{}]+")
_BRACKET_DELTA = {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}
#: maximal runs of at least 20 prefix operators, found left to right: a near miss is given up
#: after 20 steps (a `{200}` repetition retried from every position is quadratic on near misses),
#: and only the rare runs found (comment rulers, long chains) are counted exactly
_UNARY_RUN = re.compile(r"(?:\b(?:not|await)\s+|\blambda\b[^:\n]{0,200}:\s*|[-+~]\s*){20,}")
_UNARY_TOKEN = re.compile(r"\b(?:not|await|lambda)\b|[-+~]")
_LONG_RUN_TOKENS = 200


def _deep_or_huge(text: str) -> bool:
    """Could this text nest deeper than LibCST's parser survives? A cheap upper bound: the
    bracket depth counted without regard to strings and comments, runs of prefix operators,
    and size (a long chain of `if/else` or `**` needs a large file)."""
    if len(text) > _LARGE_FILE:
        return True
    brackets = _NOT_BRACKETS.sub("", text)
    if brackets and max(accumulate(map(_BRACKET_DELTA.__getitem__, brackets))) > _MAX_PLAIN_DEPTH:
        return True
    operators = text.count("-") + text.count("+") + text.count("~")
    words = text.count("not") + text.count("await") + text.count("lambda")
    if operators + words < _LONG_RUN_TOKENS:
        return False  # most files: too few prefix operators for a long run (str.count is cheap)
    return any(
        len(run.group()) >= _LONG_RUN_TOKENS and len(_UNARY_TOKEN.findall(run.group())) >= _LONG_RUN_TOKENS
        for run in _UNARY_RUN.finditer(text)
    )


def _python_verdict(text: str) -> SourceProblem | None:
    """Python's own parser on text that may be too deep for LibCST: its syntax error, if any."""
    try:
        compile(text, "<source>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as exc:
        message = (exc.msg or "invalid syntax").strip()
        return SourceProblem(SYNTAX_ERROR, f"invalid syntax: {message}", exc.lineno or 1, exc.offset or 1)
    except (RecursionError, MemoryError):
        return SourceProblem(SYNTAX_ERROR, "source is nested too deeply for Python's parser")
    except ValueError as exc:
        return SourceProblem(SYNTAX_ERROR, f"invalid source: {exc}")
    return None


def parse(text: str) -> cst.Module:
    if _deep_or_huge(text):
        problem = _python_verdict(text)
        if problem is not None:
            raise problem
    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        module = _parse_without_target_parentheses(text)
        if module is not None:
            return module
        raise _syntax_problem(text, exc) from None
    except RecursionError:
        raise SourceProblem(SYNTAX_ERROR, "source is nested too deeply to parse") from None
    except Exception as exc:  # LibCST raises a few other types on exotic input
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise SourceProblem(SYNTAX_ERROR, f"cannot parse: {first}") from None


def _parse_without_target_parentheses(text: str) -> cst.Module | None:
    """Valid Python that LibCST (1.9) cannot parse: an annotated assignment whose target is
    in parentheses, ``(x): int = 1`` (CPython's own tests have it). The module of the same text
    with those parentheses blanked out, the target moved to where the first one was (lines, and
    columns from the colon on, stay as they are); None when there are none, or that is not it."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    lines = io.StringIO(text, newline="").readlines()  # the line breaks Python counts
    changed = False
    for node in ast.walk(tree):
        if not isinstance(node, ast.AnnAssign) or node.simple or node.end_lineno is None:
            continue
        target = node.target
        if not node.lineno == target.lineno == target.end_lineno or target.end_col_offset is None:
            continue
        raw = lines[node.lineno - 1].encode("utf-8")  # AST columns count UTF-8 bytes
        head = raw[node.col_offset:target.col_offset]
        rest = raw[target.end_col_offset:]
        colon = rest.find(b":")
        tail = rest[:colon]
        if b"(" not in head or colon < 0 or head.strip(b"( \t") or tail.strip(b") \t"):
            continue
        name = raw[target.col_offset:target.end_col_offset]
        blank = b" " * (len(head) + len(tail))
        lines[node.lineno - 1] = (raw[:node.col_offset] + name + blank + rest[colon:]).decode("utf-8")
        changed = True
    if not changed:
        return None
    try:
        return cst.parse_module("".join(lines))
    except Exception:  # reviewlint: ignore[ERR002] -- something else LibCST cannot parse: the first error stands
        return None


def _syntax_problem(text: str, exc: cst.ParserSyntaxError) -> SourceProblem:
    """Python's own compiler names and places syntax errors best; LibCST's position is a fallback."""
    try:
        compile(text, "<source>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as py_exc:
        message = (py_exc.msg or "invalid syntax").strip()
        return SourceProblem(SYNTAX_ERROR, f"invalid syntax: {message}", py_exc.lineno or 1, py_exc.offset or 1)
    except (ValueError, RecursionError, MemoryError):
        pass
    first = (str(exc.message).strip().splitlines() or ["invalid syntax"])[0]
    first = re.sub(r"^parser error: error at \d+:\d+: ", "", first)
    return SourceProblem(
        SYNTAX_ERROR,
        f"syntax that LibCST {cst_version()} cannot parse: {first}",
        exc.raw_line,
        exc.raw_column + 1,
    )


def cst_version() -> str:
    try:
        from importlib.metadata import version

        return version("libcst")
    except Exception:  # noqa: BLE001
        return "?"  # only used in a message
