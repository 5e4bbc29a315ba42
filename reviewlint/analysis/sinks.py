"""Where does a string end up as code? SQL and shell sinks, and how their text was built.

Shared by SEC001 (SQL built from strings), SEC002 (shell injection) and SEC005 (taint):

* :func:`sql_sink` / :func:`shell_sink` classify a call as a sink and hand back the
  expression that holds the query or command;
* :func:`record_assignment` (called from a rule's ``visit_Assign``/``visit_AugAssign``/
  ``visit_AnnAssign``) remembers the string values local names were given, so that
  ``sql = f"... {x}"; cursor.execute(sql)`` is seen through; it is idempotent, so several
  rules may feed it;
* :func:`string_building` says whether an expression builds text from non-literal parts
  (f-string, ``%``, ``.format()``, concatenation) and which parts are dynamic;
* :func:`claim_sink` / :func:`sink_claimed`: the suppression hook of "one problem, one
  finding". A more specific rule (SEC005, which names the request source) claims the sink
  call when it reports it; SEC001/SEC002 decide at ``leave_Module`` and stay silent on a
  claimed sink. A claim must therefore be made no later than ``leave_Module`` of the file's
  walk begins (from ``visit_Call``, ``leave_Call`` or ``leave_FunctionDef``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

import libcst as cst

from reviewlint.analysis.calls import argument, is_true, keyword, string_pieces, string_value
from reviewlint.engine.context import dotted_name
from reviewlint.knowledge import security

if TYPE_CHECKING:  # pragma: no cover
    from reviewlint.engine.context import FileContext

_CLAIMS = "sinks.claims"
_ASSIGNMENTS = "sinks.assignments"
_SEEN = "sinks.seen"

F_STRING = "f-string"
PERCENT = "%-format"
FORMAT = ".format()"
CONCAT = "concatenation"


# ---------------------------------------------------------------------------- claims (suppression hook)
def claim_sink(ctx: "FileContext", call: cst.Call, code: str) -> None:
    """A more specific rule (``code``) reported this sink: SEC001/SEC002 stay silent on it."""
    ctx.memo.setdefault(_CLAIMS, {})[id(call)] = code


def sink_claimed(ctx: "FileContext", call: cst.Call) -> str | None:
    """The code of the rule that claimed ``call`` (see :func:`claim_sink`), or None."""
    return ctx.memo.get(_CLAIMS, {}).get(id(call))


# ---------------------------------------------------------------------------- local string values
def _scope_key(ctx: "FileContext") -> int:
    func = ctx.function
    return id(func) if func is not None else 0


def record_assignment(ctx: "FileContext", node: cst.Assign | cst.AnnAssign | cst.AugAssign) -> None:
    """Remember ``name = value`` / ``name += value`` for :func:`resolve` (idempotent)."""
    seen = ctx.memo.setdefault(_SEEN, set())
    if id(node) in seen:
        return
    seen.add(id(node))
    table: dict[tuple[int, str], list[tuple[cst.BaseExpression, bool]]] = ctx.memo.setdefault(_ASSIGNMENTS, {})
    key = _scope_key(ctx)
    if isinstance(node, cst.Assign):
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                table.setdefault((key, target.target.value), []).append((node.value, False))
    elif isinstance(node, cst.AnnAssign):
        if node.value is not None and isinstance(node.target, cst.Name):
            table.setdefault((key, node.target.value), []).append((node.value, False))
    elif isinstance(node, cst.AugAssign):
        if isinstance(node.target, cst.Name) and isinstance(node.operator, (cst.AddAssign, cst.ModuloAssign)):
            table.setdefault((key, node.target.value), []).append((node.value, True))


def resolve(ctx: "FileContext", name: str) -> list[tuple[cst.BaseExpression, bool]]:
    """The values assigned so far to ``name`` in the current function (else at module level).

    Each item is ``(value, augmented)``; ``augmented`` is True for ``name += value``.
    """
    table = ctx.memo.get(_ASSIGNMENTS, {})
    own = table.get((_scope_key(ctx), name))
    if own is not None:
        return own
    if ctx.function is not None:
        binding = ctx.lookup(name)
        # a parameter or other local binding shadows the module-level name
        if binding is not None and ctx.scopes[-1].names.get(name) is binding:
            return []
        return table.get((0, name), [])
    return []


# ---------------------------------------------------------------------------- building text
@dataclass
class Slot:
    """One non-literal part of built text, with the literal text around it (as far as known)."""

    expr: cst.BaseExpression
    before: str = ""
    after: str = ""
    #: the placeholder's name in a ``%(name)s`` / ``{name}`` template, when it has one
    key: str | None = None


@dataclass
class Building:
    """How an expression builds text: the kind, the dynamic parts, the literal parts."""

    kind: str
    node: cst.BaseExpression
    slots: list[Slot] = field(default_factory=list)
    literal_text: str = ""
    #: the local name the text was built into, when the sink receives a variable
    via: str | None = None

    @property
    def dynamic(self) -> list[cst.BaseExpression]:
        return [s.expr for s in self.slots]


def is_literal_text(expr: cst.BaseExpression | None) -> bool:
    """A string literal, an f-string without placeholders, or a concatenation of those."""
    if expr is None:
        return False
    for piece in string_pieces(expr, with_plus=True):
        if isinstance(piece, cst.FormattedString):
            if not all(isinstance(p, cst.FormattedStringText) for p in piece.parts):
                return False
        elif not isinstance(piece, cst.SimpleString):
            return False
    return True


def _literal_parts(expr: cst.BaseExpression) -> str:
    texts = []
    for piece in string_pieces(expr, with_plus=True):
        if isinstance(piece, cst.SimpleString):
            texts.append(string_value(piece) or "")
        elif isinstance(piece, cst.FormattedString):
            texts.append("".join(p.value if isinstance(p, cst.FormattedStringText) else " ? " for p in piece.parts))
    return "".join(texts)


def _fstring_slots(parts: list[cst.BaseExpression]) -> tuple[list[Slot], str]:
    """Slots of a sequence of string pieces (literals and f-strings)."""
    pieces: list[str | cst.BaseExpression] = []
    for piece in parts:
        if isinstance(piece, cst.FormattedString):
            for p in piece.parts:
                if isinstance(p, cst.FormattedStringText):
                    pieces.append(p.value)
                elif isinstance(p, cst.FormattedStringExpression):
                    pieces.append(p.expression)
        elif is_literal_text(piece):
            pieces.append(_literal_parts(piece))
        else:
            pieces.append(piece)
    return _slots_from_pieces(pieces)


def _slots_from_pieces(pieces: list) -> tuple[list[Slot], str]:
    slots: list[Slot] = []
    text = ""
    for i, piece in enumerate(pieces):
        if isinstance(piece, str):
            text += piece
            continue
        after = ""
        for nxt in pieces[i + 1 :]:
            if not isinstance(nxt, str):
                break
            after += nxt
        slots.append(Slot(piece, text, after))
        text += " ? "
    return slots, text


_PERCENT_SPEC = re.compile(r"%(?:\((\w+)\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[sdifrxXeEgGcaou%]")
_FORMAT_SPEC = re.compile(r"\{\{|\}\}|\{([^{}!:]*)(?:![rsa])?(?::[^{}]*)?\}")


def _template_slots(template: str, values: list[tuple[str | int | None, cst.BaseExpression]], pattern: re.Pattern[str],
                    percent: bool) -> list[Slot]:
    """Slots of a ``%``/``.format()`` template filled with ``values`` (key: name, index, or None = whole)."""
    by_key = {k: v for k, v in values}
    slots: list[Slot] = []
    index = 0
    matches = [m for m in pattern.finditer(template) if m.group(0) not in ("%%", "{{", "}}")]
    for n, m in enumerate(matches):
        key = m.group(1)
        if percent:
            lookup: str | int | None = key if key else index
        else:
            lookup = (int(key) if key.isdigit() else key) if key else index
        if not key or (not percent and key.isdigit()):
            index += 1
        expr = by_key.get(lookup)
        if expr is None and None in by_key:
            expr = by_key[None]
        if expr is None:
            continue
        before = template[: m.start()]
        after = template[m.end() : matches[n + 1].start() if n + 1 < len(matches) else len(template)]
        slots.append(Slot(expr, before, after, key if key and not key.isdigit() else None))
    # values that match no placeholder still are part of the text (unknown position)
    seen = {id(s.expr) for s in slots}
    for _, expr in values:
        if id(expr) not in seen:
            slots.append(Slot(expr, template, ""))
            seen.add(id(expr))
    return slots


def _is_static(expr: cst.BaseExpression) -> bool:
    return is_literal_text(expr) or _is_number(expr) or (isinstance(expr, cst.Name) and expr.value in ("None", "True", "False"))


def string_building(ctx: "FileContext", expr: cst.BaseExpression | None, _depth: int = 0) -> Building | None:
    """How ``expr`` builds a string from non-literal parts, or None when it does not.

    Sees through local variables (``q = f"..."; run(q)``, ``q += ...``).
    """
    if expr is None or _depth > 3:
        return None
    if isinstance(expr, (cst.ConcatenatedString, cst.FormattedString)):
        parts = _flatten_concat(expr)
        slots, text = _fstring_slots(parts)
        if not slots:
            return None
        return Building(F_STRING, expr, slots, text)
    if isinstance(expr, cst.BinaryOperation):
        if isinstance(expr.operator, cst.Modulo):
            template = _text_of(ctx, expr.left, _depth)
            if template is None:
                return None
            right = expr.right
            values: list[tuple[str | int | None, cst.BaseExpression]] = []
            if isinstance(right, cst.Tuple):
                values = [(i, e.value) for i, e in enumerate(right.elements)]
            elif isinstance(right, cst.Dict):
                for e in right.elements:
                    if isinstance(e, cst.DictElement):
                        key = string_value(e.key)
                        values.append((key if key is not None else None, e.value))
                    else:
                        values.append((None, e.value))
            else:
                values = [(None, right)]
            values = [(k, v) for k, v in values if not _is_static(v)]
            if not values:
                return None
            return Building(PERCENT, expr, _template_slots(template, values, _PERCENT_SPEC, True), template)
        if isinstance(expr.operator, cst.Add):
            operands = _flatten_add(expr)
            if not any(_could_be_text(ctx, o, _depth) for o in operands):
                return None
            pieces: list = []
            for operand in operands:
                if is_literal_text(operand):
                    pieces.append(_literal_parts(operand))
                    continue
                if isinstance(operand, (cst.FormattedString, cst.ConcatenatedString)):
                    for p in _flatten_concat(operand):
                        if isinstance(p, cst.FormattedString):
                            for q in p.parts:
                                pieces.append(q.value if isinstance(q, cst.FormattedStringText) else q.expression)
                        else:
                            pieces.append(_literal_parts(p))
                    continue
                inner = string_building(ctx, operand, _depth + 1) if isinstance(operand, cst.Name) else None
                if inner is not None and inner.via is not None:
                    # a local built string: its own slots keep their context
                    pieces.append(inner.literal_text)
                    pieces.extend(s.expr for s in inner.slots)
                else:
                    pieces.append(operand)
            slots, text = _slots_from_pieces(pieces)
            if not slots:
                return None
            return Building(CONCAT, expr, slots, text)
        return None
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "format":
        template = _text_of(ctx, expr.func.value, _depth)
        if template is None:
            return None  # psycopg.sql.SQL(...).format(...) and other non-str .format()
        values = []
        index = 0
        for a in expr.args:
            if a.star:
                values.append((None, a.value))
            elif a.keyword is not None:
                values.append((a.keyword.value, a.value))
            else:
                values.append((index, a.value))
                index += 1
        values = [(k, v) for k, v in values if not _is_static(v)]
        if not values:
            return None
        return Building(FORMAT, expr, _template_slots(template, values, _FORMAT_SPEC, False), template)
    if isinstance(expr, cst.Name):
        assigned = resolve(ctx, expr.value)
        if not assigned:
            return None
        slots: list[Slot] = []
        text = ""
        kind = None
        node: cst.BaseExpression | None = None
        for value, augmented in assigned:
            if is_literal_text(value):
                text += _literal_parts(value)
                continue
            inner = string_building(ctx, value, _depth + 1)
            if inner is None:
                if augmented:
                    slots.append(Slot(value, text, ""))
                    text += " ? "
                    kind = kind or CONCAT
                    node = node or value
                continue
            prefix = text if augmented else ""
            for slot in inner.slots:
                slots.append(Slot(slot.expr, prefix + slot.before, slot.after))
            text = (text if augmented else "") + inner.literal_text
            kind = kind or (CONCAT if augmented else inner.kind)
            node = node or inner.node
        if not slots or kind is None or node is None:
            return None
        return Building(kind, node, slots, text, via=expr.value)
    return None


def _text_of(ctx: "FileContext", expr: cst.BaseExpression, depth: int) -> str | None:
    """The literal text of a string template (a literal, or a local name bound to literals)."""
    if is_literal_text(expr):
        return _literal_parts(expr)
    if isinstance(expr, cst.Name) and depth < 3:
        values = resolve(ctx, expr.value)
        if values and all(is_literal_text(v) for v, _ in values):
            return "".join(_literal_parts(v) for v, _ in values)
        if values:
            inner = string_building(ctx, expr, depth + 1)
            return inner.literal_text if inner is not None else None
    return None


def _could_be_text(ctx: "FileContext", expr: cst.BaseExpression, depth: int) -> bool:
    if is_literal_text(expr) or isinstance(expr, cst.FormattedString):
        return True
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value == "str":
        return True
    return string_building(ctx, expr, depth + 1) is not None


def _flatten_add(expr: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
        return _flatten_add(expr.left) + _flatten_add(expr.right)
    return [expr]


def _flatten_concat(expr: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(expr, cst.ConcatenatedString):
        return _flatten_concat(expr.left) + _flatten_concat(expr.right)
    return [expr]


def _is_number(expr: cst.BaseExpression) -> bool:
    if isinstance(expr, cst.UnaryOperation):
        expr = expr.expression
    return isinstance(expr, (cst.Integer, cst.Float))


def looks_like_sql(text: str) -> bool:
    return bool(security.SQL_START.search(text)) or len(security.SQL_CLAUSE.findall(text)) >= 2


# ---------------------------------------------------------------------------- SQL slot positions
VALUE = "value"  # a literal value position: after =, LIKE, IN (, inside quotes ...
IDENTIFIER = "identifier"  # a table/column/index name position: after FROM, TABLE, INTO, ``.`` ...
PARAM_NAME = "param-name"  # the name of a bind parameter: ``:{name}``, ``%({name})s``, ``${n}``
CLAUSE = "clause"  # anything else: a whole expression or clause composed in

_IDENT_BEFORE = re.compile(
    r"(?:\b(?:FROM|JOIN|TABLE|INTO|INDEX|UPDATE|DATABASE|SCHEMA|SEQUENCE|VIEW|COLUMN|CONSTRAINT|TRIGGER|EXISTS|"
    r"EXTENSION|TYPE|ROLE|USER|REFERENCES|FUNCTION|PROCEDURE|ONLY|RENAME TO|RENAME|CASCADE|COLLATE|TABLESPACE|"
    r"OWNER TO|SAVEPOINT|RELEASE|TRUNCATE|ANALYZE|VACUUM|DESCRIBE|PRAGMA|USING)\s*|[.\"`\[]|::)$",
    re.IGNORECASE,
)
_PARAM_BEFORE = re.compile(r"(?:(?<!:):|\$|@|%\()\w*$")
_VALUE_BEFORE = re.compile(
    r"(?:=|<|>|\bLIKE|\bILIKE|\bIN\s*\(|\bVALUES\s*\(|\bLIMIT|\bOFFSET|\bBETWEEN|\bAGAINST\s*\(|\|\||[-+*/])\s*$",
    re.IGNORECASE,
)


def sql_slot_position(slot: Slot) -> str:
    """Where in the SQL text a dynamic part sits (see the constants above)."""
    before = slot.before
    if before.count("'") % 2 == 1:
        return VALUE
    tail = before[-120:].rstrip() if not before.endswith(("\"", "`", "[", ".")) else before[-120:]
    if _PARAM_BEFORE.search(before):
        return PARAM_NAME
    if _IDENT_BEFORE.search(tail):
        return IDENTIFIER
    if _VALUE_BEFORE.search(tail):
        return VALUE
    return CLAUSE


#: words that, as the last word of a name, say "an identifier or a piece of SQL", not a value
SQL_IDENTIFIER_WORDS = frozenset(
    {
        "table", "tables", "column", "columns", "col", "cols", "index", "indexes", "schema", "constraint",
        "alias", "field", "fields", "func", "function", "operator", "op", "sql", "clause", "clauses", "where",
        "condition", "conditions", "fragment", "fragments", "join", "joins", "ordering", "order", "select",
        "expression", "expr", "template", "suffix", "prefix", "db", "dbname", "identifier", "ident", "tbl",
        "dialect", "type", "cast", "collation", "direction", "options", "opclass", "method",
    }
)
_IDENT_NAME_PAIRS = ("table", "column", "col", "index", "constraint", "schema", "db", "database", "sequence",
                     "field", "model", "view", "trigger", "function", "fk", "pk", "key", "tablespace", "savepoint",
                     "collection", "attr", "attribute", "relation", "rel", "type")


def names_sql_identifier(expr: cst.BaseExpression) -> bool:
    """``table_name``, ``self.db_table``, ``quoted_cols``, ``where_sql``: the part is SQL or an identifier."""
    node = expr
    while isinstance(node, cst.Subscript):
        node = node.value
    if isinstance(node, cst.Call):
        node = node.func
    if isinstance(node, cst.Attribute):
        name = node.attr.value
    elif isinstance(node, cst.Name):
        name = node.value
    else:
        return False
    from reviewlint.analysis.credentials import words

    parts = words(name)
    if not parts:
        return False
    if parts[-1] in SQL_IDENTIFIER_WORDS or "db_table" in name:
        return True
    if parts[-1] == "name" and len(parts) >= 2 and parts[-2] in _IDENT_NAME_PAIRS:
        return True
    return parts[-1] in ("names", "name") and any(p in _IDENT_NAME_PAIRS for p in parts[:-1])


# ---------------------------------------------------------------------------- SQL sinks
@dataclass
class SqlSink:
    call: cst.Call
    label: str
    #: the query expressions (several for ``.extra(where=[...])``)
    queries: list[cst.BaseExpression]
    params: cst.BaseExpression | None


def sql_sink(ctx: "FileContext", call: cst.Call) -> SqlSink | None:
    """The SQL this call runs or wraps, when it is a DB call taking SQL text."""
    qualname = ctx.call_name(call)
    spec = security.SQL_FUNCTIONS.get(qualname or "")
    if spec is not None:
        query = argument(call, spec.query_index, spec.query_keyword)
        if query is None:
            return None
        return SqlSink(call, spec.label, [query], argument(call, spec.params_index, spec.params_keyword))
    if not isinstance(call.func, cst.Attribute):
        return None
    method = call.func.attr.value
    if method == "extra":
        queries: list[cst.BaseExpression] = []
        for kw in security.EXTRA_SQL_KEYWORDS:
            arg = keyword(call, kw)
            if arg is None:
                continue
            value = arg.value
            if isinstance(value, (cst.List, cst.Tuple)):
                queries.extend(e.value for e in value.elements)
            elif isinstance(value, cst.Dict):
                queries.extend(e.value for e in value.elements if isinstance(e, cst.DictElement))
        if not queries or not _queryset_receiver(call.func.value):
            return None
        params = keyword(call, "params") or keyword(call, "select_params")
        return SqlSink(call, ".extra()", queries, params.value if params else None)
    spec = security.SQL_EXECUTE_METHODS.get(method)
    if spec is None:
        return None
    query = argument(call, spec.query_index, spec.query_keyword)
    if query is None:
        return None
    if method in security.SQL_AMBIGUOUS_METHODS and not _db_receiver(call.func.value):
        text = _query_text(ctx, query)
        if text is None or not looks_like_sql(text):
            return None
    params = argument(call, spec.params_index, spec.params_keyword) if (spec.params_index is not None or spec.params_keyword) else None
    if params is None and method in ("fetch", "fetchrow", "fetchval"):
        extra = [a.value for a in call.args if a.keyword is None and not a.star][1:]
        params = extra[0] if extra else None
    return SqlSink(call, spec.label, [query], params)


def _query_text(ctx: "FileContext", query: cst.BaseExpression) -> str | None:
    if is_literal_text(query):
        return _literal_parts(query)
    building = string_building(ctx, query)
    return building.literal_text if building is not None else None


def _receiver_name(expr: cst.BaseExpression) -> str:
    if isinstance(expr, cst.Call):
        expr = expr.func
    if isinstance(expr, cst.Attribute):
        return expr.attr.value
    if isinstance(expr, cst.Name):
        return expr.value
    return ""


def _db_receiver(expr: cst.BaseExpression) -> bool:
    name = _receiver_name(expr).lower()
    if not name:
        return False
    return any(hint == name or name.endswith(hint) or name.startswith(hint) for hint in security.DB_RECEIVER_HINTS)


def _queryset_receiver(expr: cst.BaseExpression) -> bool:
    text = dotted_name(expr.func if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) else expr) or ""
    if ".objects" in f".{text}" or text.endswith("objects"):
        return True
    # qs.filter(...).extra(...), queryset.extra(...)
    name = _receiver_name(expr).lower()
    return name in ("filter", "exclude", "all", "order_by", "annotate", "values", "select_related") or "queryset" in name or name in ("qs",)


def sql_part_is_safe(ctx: "FileContext", expr: cst.BaseExpression, _depth: int = 0,
                     _seen: frozenset[str] = frozenset()) -> bool:
    """A dynamic part of SQL text that cannot carry data: quoted identifiers, numbers,
    constants, placeholder lists (``", ".join(["%s"] * n)``), text made by this file's own
    functions from literals."""
    if _depth > 4:
        return False
    if is_literal_text(expr) or _is_number(expr):
        return True
    if isinstance(expr, (cst.Name, cst.Attribute)):
        last = expr.value if isinstance(expr, cst.Name) else expr.attr.value
        if _is_constant_name(last) or _is_numeric_name(last):
            return True
        if any(h in last.lower() for h in security.SQL_FRAGMENT_HINTS):
            return True
        if isinstance(expr, cst.Attribute) and last in ("value", "name") and isinstance(expr.value, cst.Attribute):
            return _is_constant_name(expr.value.attr.value)  # Status.ACTIVE.value: an Enum member
        if isinstance(expr, cst.Attribute) and _reads_back_from_db(expr):
            return True  # cursor.lastrowid
        if isinstance(expr, cst.Name):
            if expr.value in _seen:
                return True  # ``v = "TO_DATE(%s)" % v``: judged by v's other values
            values = resolve(ctx, expr.value)
            seen = _seen | {expr.value}
            if values and all(sql_part_is_safe(ctx, v, _depth + 1, seen) for v, _ in values):
                return True
        return False
    if isinstance(expr, cst.Subscript):
        key = _literal_key(expr)
        if key is not None and (_is_numeric_name(key) or _names_identifier_word(key)):
            return True  # f["type"], data_dict["limit"]: a column type, a number
        if _reads_back_from_db(expr):
            return True
        return False
    if isinstance(expr, cst.IfExp):
        return sql_part_is_safe(ctx, expr.body, _depth + 1, _seen) and sql_part_is_safe(ctx, expr.orelse, _depth + 1, _seen)
    if isinstance(expr, cst.Call):
        name = _callee_last(expr)
        if name in security.SQL_SAFE_CALL_NAMES or _quotes_by_name(name):
            return True  # quote_ident(), literal_string(), identifier(), escape_like(): the project's quoting
        if name in ("str", "repr") and expr.args:
            return sql_part_is_safe(ctx, expr.args[0].value, _depth + 1, _seen)
        if name == "compile" and isinstance(expr.func, cst.Attribute):
            return True  # CreateTable(t).compile(engine): SQL that SQLAlchemy compiled from the project's own Table
        if name == "get" and isinstance(expr.func, cst.Attribute) and expr.args:
            key = string_value(expr.args[0].value)
            if key is not None and _is_numeric_name(key):
                return True  # data_dict.get("limit", 10)
        if _reads_back_from_db(expr):
            return True
        if isinstance(expr.func, cst.Attribute) and name in _TEXT_METHODS:
            receiver_safe = is_literal_text(expr.func.value) if name == "format" else sql_part_is_safe(
                ctx, expr.func.value, _depth + 1, _seen)
            if receiver_safe and all(sql_part_is_safe(ctx, a.value, _depth + 1, _seen) or names_sql_identifier(a.value)
                                     for a in expr.args):
                return True  # 'RETURNING {c}'.format(c=quoted_columns), sql.replace(":", r"\:")
        if isinstance(expr.func, cst.Name):
            binding = ctx.lookup(expr.func.value)
            if binding is not None and binding.kind == "def" and all(_is_static(a.value) for a in expr.args):
                return True  # a helper of this file fed only literals returns fixed text
        if name == "join" and isinstance(expr.func, cst.Attribute) and is_literal_text(expr.func.value) and expr.args:
            return _join_items_safe(ctx, expr.args[0].value, _depth + 1)
        return False
    if isinstance(expr, cst.BinaryOperation):
        if isinstance(expr.operator, cst.Multiply):
            return sql_part_is_safe(ctx, expr.left, _depth + 1, _seen) or _is_literal_list(expr.left)
        if isinstance(expr.operator, cst.Modulo) and isinstance(expr.right, (cst.Tuple, cst.Dict)):
            elements = [e.value for e in expr.right.elements if hasattr(e, "value")]
            return sql_part_is_safe(ctx, expr.left, _depth + 1, _seen) and all(
                sql_part_is_safe(ctx, e, _depth + 1, _seen) for e in elements)
        return sql_part_is_safe(ctx, expr.left, _depth + 1, _seen) and sql_part_is_safe(ctx, expr.right, _depth + 1, _seen)
    if isinstance(expr, cst.FormattedString):
        return all(sql_part_is_safe(ctx, p.expression, _depth + 1, _seen) or names_sql_identifier(p.expression)
                   for p in expr.parts if isinstance(p, cst.FormattedStringExpression))
    return False


#: str methods whose result is safe when the text they work on and their arguments are
_TEXT_METHODS = frozenset({"format", "replace", "strip", "lstrip", "rstrip", "lower", "upper"})
#: words of a function's name that say it quotes or escapes what it returns
_QUOTING_WORDS = frozenset({"quote", "quoted", "quoting", "escape", "escaped", "literal", "identifier", "ident"})
#: DB-API/SQLAlchemy reads: a value the database itself generated
_DB_READS = frozenset({"fetchone", "fetchval", "fetchrow", "scalar", "scalar_one", "scalar_one_or_none", "lastrowid",
                       "inserted_primary_key"})


def _quotes_by_name(name: str) -> bool:
    from reviewlint.analysis.credentials import words

    return bool(set(words(name)) & _QUOTING_WORDS)


def _names_identifier_word(name: str) -> bool:
    from reviewlint.analysis.credentials import words

    parts = words(name)
    return bool(parts) and parts[-1] in SQL_IDENTIFIER_WORDS and parts[-1] not in ("sql", "where", "clause", "clauses")


def _literal_key(expr: cst.Subscript) -> str | None:
    if len(expr.slice) == 1 and isinstance(expr.slice[0].slice, cst.Index):
        return string_value(expr.slice[0].slice.value)
    return None


def _reads_back_from_db(expr: cst.BaseExpression) -> bool:
    """``cursor.fetchone()[0]``, ``result.scalar()``, ``cursor.lastrowid``: a value the database generated."""
    node = expr
    for _ in range(8):
        if isinstance(node, cst.Subscript):
            node = node.value
        elif isinstance(node, cst.Call):
            if _callee_last(node) in _DB_READS:
                return True
            node = node.func
        elif isinstance(node, cst.Attribute):
            if node.attr.value in _DB_READS:
                return True
            node = node.value
        elif isinstance(node, cst.Await):
            node = node.expression
        else:
            return False
    return False


_APPENDS = "sinks.appends"


def record_append(ctx: "FileContext", call: cst.Call) -> None:
    """Remember ``parts.append(x)`` (for ``" AND ".join(parts)``); rules call it from ``visit_Call``."""
    func = call.func
    if (isinstance(func, cst.Attribute) and func.attr.value == "append" and isinstance(func.value, cst.Name)
            and len(call.args) == 1):
        ctx.memo.setdefault(_APPENDS, {}).setdefault((_scope_key(ctx), func.value.value), []).append(call.args[0].value)


def _list_items_safe(ctx: "FileContext", name: str, depth: int) -> bool:
    """A local list whose every item (its literal elements and what was appended) is safe."""
    appended = ctx.memo.get(_APPENDS, {}).get((_scope_key(ctx), name), [])
    values = resolve(ctx, name)
    if not values and not appended:
        return False
    for value, augmented in values:
        if not isinstance(value, (cst.List, cst.Tuple)) or not all(
                sql_part_is_safe(ctx, e.value, depth + 1) for e in value.elements):
            return False
    return all(sql_part_is_safe(ctx, item, depth + 1) for item in appended[:20])


def _join_items_safe(ctx: "FileContext", items: cst.BaseExpression, depth: int) -> bool:
    if isinstance(items, cst.Name) and depth < 4:
        return _list_items_safe(ctx, items.value, depth)
    if isinstance(items, (cst.GeneratorExp, cst.ListComp, cst.SetComp)):
        return sql_part_is_safe(ctx, items.elt, depth)
    if isinstance(items, (cst.List, cst.Tuple)):
        return all(sql_part_is_safe(ctx, e.value, depth) for e in items.elements)
    if isinstance(items, cst.BinaryOperation) and isinstance(items.operator, cst.Multiply):
        return _is_literal_list(items.left) or is_literal_text(items.left)
    if isinstance(items, cst.Call) and _callee_last(items) == "map" and len(items.args) >= 1:
        return _callee_last_of(items.args[0].value) in security.SQL_SAFE_CALL_NAMES
    return False


def _is_literal_list(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, (cst.List, cst.Tuple)) and all(is_literal_text(e.value) for e in expr.elements)


def _callee_last(call: cst.Call) -> str:
    return _callee_last_of(call.func)


def _callee_last_of(func: cst.BaseExpression) -> str:
    if isinstance(func, cst.Attribute):
        return func.attr.value
    if isinstance(func, cst.Name):
        return func.value
    return ""


_CONSTANT = re.compile(r"^_?[A-Z][A-Z0-9_]*$")
_NUMERIC_WORDS = frozenset({"count", "counter", "num", "number", "size", "length", "len", "limit", "offset",
                            "idx", "dim", "dims", "dimension", "dimensions", "depth", "level", "port", "timeout",
                            "seconds", "ms", "version", "width", "precision", "scale", "year", "days", "hours",
                            "max", "min", "total", "page"})


def _is_numeric_name(name: str) -> bool:
    from reviewlint.analysis.credentials import words

    parts = words(name)
    return bool(parts) and (parts[-1] in _NUMERIC_WORDS or parts[0] in ("n", "num"))


def _is_constant_name(name: str) -> bool:
    return bool(_CONSTANT.match(name)) and len(name) > 1


# ---------------------------------------------------------------------------- shell sinks
@dataclass
class ShellSink:
    call: cst.Call
    label: str
    command: cst.BaseExpression


def shell_sink(ctx: "FileContext", call: cst.Call) -> ShellSink | None:
    """The command a call hands to a shell (``os.system``, ``subprocess.*(shell=True)`` ...)."""
    qualname = ctx.call_name(call)
    spec = security.SHELL_CALLS.get(qualname or "")
    if spec is None:
        return None
    if not spec.always_shell:
        shell = keyword(call, "shell")
        if shell is None or not _truthy(shell.value):
            return None
    command = argument(call, spec.command_index, spec.command_keyword)
    if command is None:
        return None
    return ShellSink(call, spec.label, command)


def _truthy(expr: cst.BaseExpression) -> bool:
    if is_true(expr):
        return True
    return isinstance(expr, cst.Integer) and expr.value not in ("0",)


def shell_command_is_literal(ctx: "FileContext", command: cst.BaseExpression) -> bool:
    """A command fixed in the source: a literal, a list of literals, a local bound only to literals."""
    if is_literal_text(command):
        return True
    if isinstance(command, (cst.List, cst.Tuple)):
        return all(is_literal_text(e.value) for e in command.elements)
    if isinstance(command, cst.Name):
        values = resolve(ctx, command.value)
        return bool(values) and all(shell_command_is_literal(ctx, v) for v, _ in values)
    return False


def shell_part_is_safe(ctx: "FileContext", expr: cst.BaseExpression, _depth: int = 0) -> bool:
    """A dynamic part of a shell command that cannot inject: quoted, numeric, constant."""
    if _depth > 3:
        return False
    if is_literal_text(expr) or _is_number(expr):
        return True
    if isinstance(expr, cst.Call):
        name = ctx.call_name(expr) or ""
        if name in security.SHELL_SAFE_CALLS or name.endswith(".quote") or _callee_last(expr) in ("quote", "join_args"):
            return True
        if _callee_last(expr) == "join" and isinstance(expr.func, cst.Attribute) and expr.args:
            items = expr.args[0].value
            if isinstance(items, (cst.GeneratorExp, cst.ListComp)):
                return shell_part_is_safe(ctx, items.elt, _depth + 1)
        return False
    if isinstance(expr, (cst.Name, cst.Attribute)):
        last = expr.value if isinstance(expr, cst.Name) else expr.attr.value
        if _is_constant_name(last):
            return True
        if isinstance(expr, cst.Name):
            values = resolve(ctx, expr.value)
            return bool(values) and all(shell_part_is_safe(ctx, v, _depth + 1) for v, _ in values)
        return False
    if isinstance(expr, cst.IfExp):
        return shell_part_is_safe(ctx, expr.body, _depth + 1) and shell_part_is_safe(ctx, expr.orelse, _depth + 1)
    return False


def dynamic_names(ctx: "FileContext", parts: Iterable[cst.BaseExpression]) -> list[str]:
    """Short source texts of the dynamic parts, for messages."""
    from reviewlint.analysis.calls import code_of

    out = []
    for part in parts:
        text = " ".join(code_of(part).split())
        text = text if len(text) <= 30 else text[:29] + "…"
        if text not in out:
            out.append(text)
    return out


__all__ = [
    "Building", "ShellSink", "SqlSink", "claim_sink", "sink_claimed", "record_assignment", "resolve",
    "string_building", "sql_sink", "shell_sink", "sql_part_is_safe", "shell_part_is_safe",
    "shell_command_is_literal", "is_literal_text", "looks_like_sql", "dynamic_names", "string_value",
]


class DeferredSinkRule:
    """Mixin for SEC001/SEC002: assignments feed the local-variable tracking, findings wait for
    the end of the file, and a sink SEC005 has claimed (it names the request source) is left
    to SEC005 — one problem, one finding."""

    context: "FileContext"

    def begin(self) -> None:
        self._pending: list[tuple[cst.Call, str]] = []

    def _defer(self, call: cst.Call, message: str) -> None:
        self._pending.append((call, message))

    def visit_Assign(self, node: cst.Assign) -> None:
        record_assignment(self.context, node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        record_assignment(self.context, node)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        record_assignment(self.context, node)

    def leave_Module(self, node: cst.Module) -> None:
        for call, message in self._pending:
            if not sink_claimed(self.context, call):
                self.report(call, message)  # type: ignore[attr-defined]
        self._pending = []
