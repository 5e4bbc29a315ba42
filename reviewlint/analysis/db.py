"""Is this call a database query, does it read or write, and what SQL does it run?

Shared by the PERF rules (N+1 reads, writes per row, ``SELECT *``, ``len(queryset)``) and
the SQL-injection rule. Library knowledge lives in :mod:`reviewlint.knowledge.db`; this
module applies it to nodes:

* SQLAlchemy, DB-API cursors/connections, asyncpg and pymongo calls resolve through the
  engine's object tracking (``cur = conn.cursor()``; ``session: Session``);
* Django ORM calls are recognised from their shape, conservatively: a manager of a model
  class (``Order.objects``, the class imported, defined here, or from ``get_user_model()``),
  then lazy queryset methods, then a method that hits the database; a variable assigned
  from such a lazy chain is a queryset; ``obj.save()`` counts only when ``obj`` is known to
  be a model instance (a loop over a queryset, a model constructor, ``.get()``/``.create()``).
  Related managers (``order.items.all()``), custom managers and unknown objects are not
  guessed at.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import libcst as cst

from reviewlint.analysis.calls import argument, code_of, string_value
from reviewlint.analysis.per_item import PerItemCandidates, assigned_names
from reviewlint.engine.context import DEF, IMPORT, INSTANCE, OTHER, FileContext
from reviewlint.knowledge import db

READ = db.READ
WRITE = db.WRITE
STAGE = db.STAGE
FLUSH = db.FLUSH


@dataclass(frozen=True)
class DbCall:
    """A call that runs a query (or queues a write, like ``session.add``)."""

    node: cst.Call
    library: str  # "django", "sqlalchemy", "asyncpg", "pymongo", "sqlite3", "psycopg2" ...
    method: str
    #: READ, WRITE, or None when it depends on a statement reviewlint cannot read
    kind: str | None
    #: the statement argument (SQL string, ``text(...)``, ``select(...)``), when there is one
    statement: cst.BaseExpression | None
    #: the expressions that decide which row(s): arguments along the chain, and the
    #: instance itself for ``obj.save()``
    inputs: tuple[cst.BaseExpression, ...]
    is_async: bool


def db_call(node: cst.Call, ctx: FileContext) -> DbCall | None:
    """The DB call ``node`` is, or None. Cached per node."""
    key = ("db_call", id(node))
    if key in ctx.memo:
        return ctx.memo[key]
    result = _db_call(node, ctx)
    ctx.memo[key] = result
    return result


def _db_call(node: cst.Call, ctx: FileContext) -> DbCall | None:
    func = node.func
    if not isinstance(func, cst.Attribute):
        return None
    method = func.attr.value
    # Django: Model.objects....<terminal>(...)
    if method in db.DJANGO_READS or method in db.DJANGO_WRITES:
        chain = _django_chain(func.value, ctx)
        if chain is not None:
            kind = READ if method in db.DJANGO_READS else WRITE
            inputs = tuple(a.value for a in node.args) + chain
            return DbCall(node, "django", method, kind, None, inputs, method in db.DJANGO_ASYNC)
    if method in db.DJANGO_INSTANCE_WRITES and is_model_instance(func.value, ctx):
        inputs = (func.value, *(a.value for a in node.args))
        return DbCall(node, "django", method, WRITE, None, inputs, method.startswith("a"))
    known = db.db_method(ctx.call_name(node))
    if known is None:
        return None
    statement = None
    if known.sql_index is not None or known.sql_keyword is not None:
        statement = argument(node, known.sql_index, known.sql_keyword)
    kind: str | None = known.kind
    if kind == db.SQL:
        kind = statement_kind(statement, ctx)
    # SQL text that varies per item (``f"DELETE FROM {table}"``) is a different statement each
    # time, not a batchable per-row query: only the parameters decide which rows
    text_statement = statement is not None and sql_text(statement, ctx) is not None
    inputs = tuple(a.value for a in node.args if not (text_statement and a.value is statement))
    # a legacy Query chain: the arguments of ``session.query(...).filter(...)`` choose the rows
    inputs += _query_chain_inputs(func.value)
    return DbCall(node, known.library, method, kind, statement, inputs, known.is_async)


def _query_chain_inputs(expr: cst.BaseExpression) -> tuple[cst.BaseExpression, ...]:
    out: list[cst.BaseExpression] = []
    depth = 0
    while isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and depth < 30:
        out.extend(a.value for a in expr.args)
        expr = expr.func.value
        depth += 1
    return tuple(out)


# ---------------------------------------------------------------------- Django
def _django_chain(expr: cst.BaseExpression, ctx: FileContext, hops: int = 0) -> tuple[cst.BaseExpression, ...] | None:
    """When ``expr`` is a manager or a lazy queryset chain, the arguments along it; else None.

    A Name is followed (a few hops at most) to the lazy chain it was assigned from
    (``qs = X.objects.filter(...)``; ``qs = qs.filter(...)``).
    """
    args: list[cst.BaseExpression] = []
    depth = 0
    while depth < 30:
        depth += 1
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value in db.DJANGO_LAZY:
            args.extend(a.value for a in expr.args)
            expr = expr.func.value
            continue
        if isinstance(expr, cst.Attribute) and expr.attr.value in db.DJANGO_MANAGERS:
            return tuple(args) if is_model_class(expr.value, ctx) else None
        if isinstance(expr, cst.Name) and hops < 3:
            origin = _assigned_value(expr, ctx)
            if origin is not None and origin is not expr:
                remembered = ctx.memo.get(("django_chain_of", id(origin)))
                inner = remembered if remembered is not None else _django_chain(origin, ctx, hops + 1)
                if inner is not None and (args or _is_lazy_call(origin)):
                    return tuple(args) + inner + (expr,)
        return None
    return None


def django_chain(expr: cst.BaseExpression, ctx: FileContext) -> tuple[cst.BaseExpression, ...] | None:
    """The arguments along a Django manager/lazy-queryset expression (None when it is not one)."""
    return _django_chain(expr, ctx)


def note_assignment(node: cst.Assign, ctx: FileContext) -> None:
    """Call from ``visit_Assign``: remember what ``qs = qs.filter(...)`` chains from before the
    name is rebound (afterwards the old binding is gone)."""
    value = node.value
    if not _is_lazy_call(value):
        return
    key = ("django_chain_of", id(value))
    if key in ctx.memo:
        return
    ctx.memo[key] = _django_chain(value, ctx)


def _is_lazy_call(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value in db.DJANGO_LAZY


def _assigned_value(name: cst.Name, ctx: FileContext) -> cst.BaseExpression | None:
    """The value a local name was (last) assigned from, in the current function."""
    binding = ctx.lookup(name.value)
    if binding is None or binding.kind not in (OTHER, INSTANCE):
        return None
    origin = binding.origin
    if isinstance(origin, cst.BaseExpression) and not isinstance(origin, cst.Name):
        return origin
    return None


def is_queryset(expr: cst.BaseExpression, ctx: FileContext, follow: bool = True) -> bool:
    """A lazy Django queryset: ``X.objects.filter(...)`` (not a bare manager), or a name assigned one."""
    if isinstance(expr, cst.Name):
        return follow and _django_chain(expr, ctx) is not None
    if not _is_lazy_call(expr):
        return False
    return _django_chain(expr, ctx) is not None


def is_model_class(expr: cst.BaseExpression, ctx: FileContext) -> bool:
    """A Django model class: a capitalised name imported, defined here, or from ``get_user_model()``."""
    if isinstance(expr, cst.Call):
        return ctx.call_name(expr) in db.DJANGO_MODEL_FACTORIES
    if not isinstance(expr, cst.Name) or not expr.value[:1].isupper():
        return False
    binding = ctx.lookup(expr.value)
    if binding is None:
        return False
    if binding.kind == IMPORT:
        return True
    if binding.kind == DEF:
        return isinstance(binding.origin, cst.ClassDef) and bool(binding.origin.bases)
    if binding.kind == OTHER and isinstance(binding.origin, cst.Call):
        name = ctx.call_name(binding.origin) or ""
        return name in db.DJANGO_MODEL_FACTORIES or name.endswith(".get_model")
    return False


def is_model_constructor(call: cst.Call, ctx: FileContext) -> bool:
    """``Order(...)`` where ``Order`` is surely a model: from a ``models`` module or deriving ``models.Model``."""
    func = call.func
    if not isinstance(func, cst.Name) or not func.value[:1].isupper():
        return False
    binding = ctx.lookup(func.value)
    if binding is None:
        return False
    if binding.kind == IMPORT:
        parts = (binding.value or "").split(".")
        return any(p == "models" or p.endswith("_models") for p in parts[:-1])
    if binding.kind == DEF and isinstance(binding.origin, cst.ClassDef):
        for base in binding.origin.bases:
            if ctx.qualname(base.value) in db.DJANGO_MODEL_BASES:
                return True
    if binding.kind == OTHER and isinstance(binding.origin, cst.Call):
        name = ctx.call_name(binding.origin) or ""
        return name in db.DJANGO_MODEL_FACTORIES or name.endswith(".get_model")
    return False


def is_model_instance(expr: cst.BaseExpression, ctx: FileContext) -> bool:
    """A Django model instance: the variable of a loop over a queryset, a model built with its
    constructor, or the result of ``.get()``/``.first()``/``.create()`` on a manager."""
    if not isinstance(expr, cst.Name):
        return False
    name = expr.value
    for loop in reversed(ctx.loops):
        if name in loop.targets:
            return loop.iter is not None and _iterates_queryset(loop.iter, ctx) and _single_target(loop.node, name)
    value = _assigned_value(expr, ctx)
    if value is None:
        return False
    if isinstance(value, cst.Await):
        value = value.expression
    if isinstance(value, cst.Call):
        if is_model_constructor(value, ctx):
            return True
        func = value.func
        if isinstance(func, cst.Attribute) and func.attr.value in db.DJANGO_SINGLE_OBJECT:
            return _django_chain(func.value, ctx) is not None
    return False


def _iterates_queryset(expr: cst.BaseExpression, ctx: FileContext) -> bool:
    if is_queryset(expr, ctx):
        return True
    # ``X.objects.all().iterator()``
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "iterator":
        return _django_chain(expr.func.value, ctx) is not None
    return False


def _single_target(loop_node: cst.CSTNode, name: str) -> bool:
    target = getattr(loop_node, "target", None)
    return isinstance(target, cst.Name) and target.value == name


# ---------------------------------------------------------------------- statements / SQL
def sql_text(expr: cst.BaseExpression | None, ctx: FileContext | None = None, follow: bool = True) -> str | None:
    """The SQL text an expression holds, as far as it is literal.

    Plain and implicitly concatenated strings give their value; f-strings, ``%``-formatting,
    ``.format()`` and ``+`` give their literal parts (placeholders dropped); a ``text("...")``
    call its argument; a local name is followed one step to the literal it was assigned.
    """
    if expr is None:
        return None
    value = string_value(expr)
    if value is not None:
        return value
    if isinstance(expr, cst.FormattedString):
        return "".join(p.value if isinstance(p, cst.FormattedStringText) else " ? " for p in expr.parts)
    if isinstance(expr, cst.ConcatenatedString):
        left = sql_text(expr.left, ctx, follow)
        right = sql_text(expr.right, ctx, follow)
        return (left or " ? ") + (right or " ? ") if left or right else None
    if isinstance(expr, cst.BinaryOperation):
        if isinstance(expr.operator, cst.Modulo):
            return sql_text(expr.left, ctx, follow)
        if isinstance(expr.operator, cst.Add):
            left = sql_text(expr.left, ctx, follow)
            right = sql_text(expr.right, ctx, follow)
            return (left or " ? ") + (right or " ? ") if left or right else None
        return None
    if isinstance(expr, cst.Call):
        func = expr.func
        if isinstance(func, cst.Attribute) and func.attr.value == "format":
            return sql_text(func.value, ctx, follow)
        if ctx is not None and ctx.call_name(expr) in db.SA_TEXT:
            return sql_text(argument(expr, 0, "text"), ctx, follow)
        return None
    if isinstance(expr, cst.Name) and ctx is not None and follow:
        value_expr = _assigned_value(expr, ctx)
        return sql_text(value_expr, ctx, follow=False) if value_expr is not None else None
    return None


def statement_kind(expr: cst.BaseExpression | None, ctx: FileContext) -> str | None:
    """READ/WRITE for a statement argument: SQL text, ``text(...)``, ``select()``/``insert()``... chains."""
    if expr is None:
        return None
    if isinstance(expr, cst.Name):
        value = _assigned_value(expr, ctx)
        if value is None:
            return None
        expr = value
    text = sql_text(expr, ctx, follow=False)
    if text is not None:
        return db.sql_kind(text)
    # ``select(User).where(...)``: walk down the method chain to the constructor
    depth = 0
    while isinstance(expr, cst.Call) and depth < 30:
        depth += 1
        name = ctx.call_name(expr)
        if name in db.SA_READ_STATEMENTS:
            return READ
        if name in db.SA_WRITE_STATEMENTS:
            return WRITE
        func = expr.func
        if not isinstance(func, cst.Attribute):
            return None
        if func.attr.value in _WRITE_STATEMENT_METHODS:
            # ``upsert(edges).values(...)``: only INSERT/UPDATE statements take values/conflict clauses
            return WRITE
        if func.attr.value in ("insert", "update", "delete") and not expr.args and isinstance(func.value, (cst.Name, cst.Attribute)):
            # ``users.insert()`` on a Table
            return WRITE if _table_like(func.value, ctx) else None
        expr = func.value
    return None


_WRITE_STATEMENT_METHODS = frozenset({
    "values", "on_conflict_do_update", "on_conflict_do_nothing", "on_duplicate_key_update",
})


def _table_like(expr: cst.BaseExpression, ctx: FileContext) -> bool:
    """``users_table`` / ``User.__table__``: a SQLAlchemy Table, by the usual spellings."""
    if isinstance(expr, cst.Attribute) and expr.attr.value == "__table__":
        return True
    if isinstance(expr, cst.Name):
        value = _assigned_value(expr, ctx)
        if isinstance(value, cst.Call):
            return (ctx.call_name(value) or "").rsplit(".", 1)[-1] == "Table"
        binding = ctx.lookup(expr.value)
        return binding is not None and binding.kind == IMPORT and expr.value.endswith("table")
    return False


def statement_text_node(call: cst.Call, ctx: FileContext) -> cst.BaseExpression | None:
    """The argument of a DB call (or ``text()``) that holds the SQL, when it is there."""
    found = db_call(call, ctx)
    if found is not None and found.statement is not None:
        return found.statement
    if ctx.call_name(call) in db.SA_TEXT:
        return argument(call, 0, "text")
    return None


# ---------------------------------------------------------------------- messages
def short_callee(call: cst.Call, limit: int = 48) -> str:
    """``Customer.objects.filter(…).first`` / ``session.get`` for messages."""
    parts: list[str] = []
    expr: cst.BaseExpression = call.func
    depth = 0
    while depth < 30:
        depth += 1
        if isinstance(expr, cst.Attribute):
            parts.append("." + expr.attr.value)
            expr = expr.value
        elif isinstance(expr, cst.Call):
            parts.append("(…)")
            expr = expr.func
        elif isinstance(expr, cst.Name):
            parts.append(expr.value)
            break
        else:
            parts.append(" ".join(code_of(expr).split()))
            break
    text = "".join(reversed(parts))
    return text if len(text) <= limit else "…" + text[-(limit - 1):]


#: how to batch, per library
BATCH_READ_HINT = {
    "django": "fetch them in one query before the loop (`filter(id__in=...)`, `in_bulk()`) or use `select_related`/`prefetch_related`",
    "sqlalchemy": "load them in one query before the loop (`select(...).where(Model.id.in_(ids))`) or eager-load with `selectinload`",
    "asyncpg": "fetch them in one query before the loop (`WHERE id = ANY($1)`)",
    "pymongo": "fetch them in one query before the loop (`find({'_id': {'$in': ids}})`)",
}
DEFAULT_BATCH_READ_HINT = "fetch them in one query before the loop (`SELECT ... WHERE id IN (...)`)"


class DbLoopTracker:
    """Per-rule state for the DB N+1 rules: candidates per loop, and the names a loop assigns
    from DB results (``last_id = rows[-1].id``: keyset pagination / batching, not N+1)."""

    def __init__(self) -> None:
        self.candidates = PerItemCandidates()
        self.result_names: set[str] = set()

    def note_assignment(self, ctx: FileContext, targets: list[cst.BaseExpression], value: cst.BaseExpression | None) -> None:
        if value is None or not ctx.loops:
            return
        if self._reads_result(ctx, value):
            names = assigned_names(ctx, targets, names_only=True)
            self.result_names |= names
            self.candidates.follow(ctx, names)

    def _reads_result(self, ctx: FileContext, value: cst.BaseExpression) -> bool:
        inner: cst.BaseExpression = value
        depth = 0
        # ``conn.execute(...).fetchall()`` / ``(await conn.fetch(...))[-1]``: down the chain
        while depth < 30:
            depth += 1
            if isinstance(inner, cst.Await):
                inner = inner.expression
            elif isinstance(inner, cst.Subscript):
                inner = inner.value
            elif isinstance(inner, cst.Attribute):
                inner = inner.value
            elif isinstance(inner, cst.Call):
                found = db_call(inner, ctx)
                if found is not None and found.kind == READ:
                    return True
                func = inner.func
                if isinstance(func, cst.Attribute) and func.attr.value.startswith("fetch"):
                    if (ctx.type_of(func.value) or "") in _CURSOR_TYPES:
                        return True
                inner = func
            else:
                break
        return bool(ctx.names_in(value) & self.result_names)


_CURSOR_TYPES = frozenset({cur for _, cur, _ in db.DBAPI} | {db.PSYCOPG_ASYNC_CURSOR})


class DbLoopRule:
    """Mixin for the DB N+1 rules (PERF002, PERF003): per-loop candidates, decided when the
    loop ends (a loop that follows its own results is batching/keyset pagination, not N+1).
    The rule calls ``self._loop_candidate(...)``; the mixin's dispatch hooks do the rest."""

    _tracker: DbLoopTracker
    context: FileContext

    def _loop_candidate(self, node: cst.CSTNode, loop: Any, variable: str, message: str) -> None:
        final = self._tracker.candidates.add(node, loop, variable, message)
        if final is not None:
            self.report(node, message)  # type: ignore[attr-defined]

    def visit_Assign(self, node: cst.Assign) -> None:
        note_assignment(node, self.context)

    def leave_Assign(self, node: cst.Assign) -> None:
        self._tracker.note_assignment(self.context, [t.target for t in node.targets], node.value)

    def leave_AugAssign(self, node: cst.AugAssign) -> None:
        self._tracker.note_assignment(self.context, [node.target], node.value)

    def leave_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._tracker.note_assignment(self.context, [node.target], node.value)

    def leave_For(self, node: cst.For) -> None:
        self._flush_loop(node)

    def leave_While(self, node: cst.While) -> None:
        self._flush_loop(node)

    def _flush_loop(self, node: cst.CSTNode) -> None:
        # one review comment per loop: the first query, with how many more the loop makes
        found = self._tracker.candidates.finish(node)
        if not found:
            return
        first = found[0]
        more = len(found) - 1
        suffix = f" (and {more} more in this loop)" if more else ""
        self.report(first.node, first.message + suffix)  # type: ignore[attr-defined]


def batches_per_group(call: cst.BaseExpression, ctx: FileContext, loop: Any) -> bool:
    """``filter(type=ct, id__in=pks)`` / ``where(Model.id.in_(ids))`` with ``pks``/``ids`` from the
    loop: each go round fetches a whole group in one query (one query per group, not per row)."""
    loop_names = set(loop.targets) | loop.derived
    expr: cst.BaseExpression = call
    depth = 0
    while isinstance(expr, cst.Call) and depth < 30:
        depth += 1
        for arg in expr.args:
            if arg.keyword is not None and arg.keyword.value.endswith("__in") and ctx.names_in(arg.value) & loop_names:
                return True
            for sub in _calls_in(arg.value):
                if (isinstance(sub.func, cst.Attribute) and sub.func.attr.value in ("in_", "any_")
                        and any(ctx.names_in(a.value) & loop_names for a in sub.args)):
                    return True
        func = expr.func
        if not isinstance(func, cst.Attribute):
            break
        expr = func.value
    return False


def _calls_in(expr: cst.CSTNode) -> list[cst.Call]:
    out: list[cst.Call] = []
    stack: list[cst.CSTNode] = [expr]
    steps = 0
    while stack and steps < 200:
        steps += 1
        node = stack.pop()
        if isinstance(node, cst.Call):
            out.append(node)
        stack.extend(node.children)
    return out
