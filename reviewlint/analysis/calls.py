"""Small questions about a call's arguments, asked by many rules."""

from __future__ import annotations

import libcst as cst


def keyword(call: cst.Call, name: str) -> cst.Arg | None:
    """The ``name=...`` argument of ``call``."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def positional(call: cst.Call) -> list[cst.Arg]:
    """Plain positional arguments (no ``*args``), in order."""
    return [a for a in call.args if a.keyword is None and not a.star]


def argument(call: cst.Call, index: int | None, name: str | None) -> cst.BaseExpression | None:
    """The value of the argument passed at ``index`` or as ``name=``."""
    if name is not None:
        arg = keyword(call, name)
        if arg is not None:
            return arg.value
    if index is not None:
        pos = positional(call)
        if len(pos) > index:
            return pos[index].value
    return None


def has_star_kwargs(call: cst.Call) -> bool:
    """``**kwargs`` pass-through: anything may be in there."""
    return any(arg.star == "**" for arg in call.args)


def has_star_args(call: cst.Call) -> bool:
    return any(arg.star == "*" for arg in call.args)


def is_none(expr: cst.BaseExpression | None) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "None"


def is_true(expr: cst.BaseExpression | None) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "True"


def is_false(expr: cst.BaseExpression | None) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "False"


def string_pieces(expr: cst.BaseExpression, *, with_plus: bool = False) -> list[cst.BaseExpression]:
    """The pieces of an implicit concatenation (``"a" f"{b}" "c"``), left to right, without
    recursion: generated modules hold thousands of adjacent literals. With ``with_plus``,
    ``+`` chains are flattened too (``"a" + x + "b"``)."""
    pieces: list[cst.BaseExpression] = []
    stack = [expr]
    while stack:
        node = stack.pop()
        if type(node) is cst.ConcatenatedString:
            stack.append(node.right)
            stack.append(node.left)
        elif with_plus and type(node) is cst.BinaryOperation and type(node.operator) is cst.Add:
            stack.append(node.right)
            stack.append(node.left)
        else:
            pieces.append(node)
    return pieces


def string_value(expr: cst.BaseExpression | None) -> str | None:
    """The value of a plain (possibly implicitly concatenated) string literal."""
    if isinstance(expr, cst.SimpleString):
        try:
            value = expr.evaluated_value
        except Exception:  # reviewlint: ignore[ERR002] -- escapes LibCST cannot evaluate: no known value
            return None
        return value if isinstance(value, str) else None
    if isinstance(expr, cst.ConcatenatedString):
        values = [string_value(piece) for piece in string_pieces(expr)]
        return None if any(v is None for v in values) else "".join(values)  # type: ignore[arg-type]
    return None


_EMPTY = cst.Module(body=[])


def code_of(node: cst.CSTNode) -> str:
    """The source text of a node (as LibCST generates it)."""
    return _EMPTY.code_for_node(node)


def _dotted_text(node: cst.BaseExpression) -> str | None:
    parts: list[str] = []
    while type(node) is cst.Attribute:
        parts.append(node.attr.value)
        node = node.value
    if type(node) is not cst.Name:
        return None
    parts.append(node.value)
    return ".".join(reversed(parts))


def expr_text(node: cst.BaseExpression) -> str:
    """Source text of an expression; dotted names without generating code."""
    text = _dotted_text(node)
    return text if text is not None else code_of(node)


def callee_text(call: cst.Call, limit: int = 40) -> str:
    """``requests.get`` / ``self.client.get`` for messages (shortened when long)."""
    text = _dotted_text(call.func)  # the common case, without generating code
    if text is None:
        text = " ".join(code_of(call.func).split())
    return text if len(text) <= limit else "…" + text[-(limit - 1) :]
