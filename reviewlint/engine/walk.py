"""The single traversal of a file and the dispatch of nodes to rule callbacks.

The walk is iterative (deeply nested expressions do not hit the recursion limit) and reads
LibCST's dataclass fields directly instead of going through ``CSTNode.visit`` (which
rebuilds every node it visits). Whitespace and punctuation nodes are never entered: rules
read comments through ``FileContext.comments``.

For each node the walker (1) pushes it on ``context.ancestors``, (2) calls every enabled
rule's ``visit_<Type>``, (3) walks the children in evaluation order, updating the context
where a child starts a scope, loop or ``except`` body, (4) records bindings (imports,
assignments) and calls every ``leave_<Type>``.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from typing import Any, Callable, Iterable, Sequence

import libcst as cst
import libcst._nodes.op as _op
import libcst._nodes.whitespace as _ws

from reviewlint.engine.context import FileContext, Loop, dotted_name, is_main_guard

# Nodes that carry no semantics of their own: never entered.
_SKIP_TYPES: frozenset[type] = frozenset(
    obj
    for mod in (_op, _ws)
    for obj in vars(mod).values()
    if isinstance(obj, type) and issubclass(obj, cst.CSTNode)
)
_SKIP_FIELD_NAMES = frozenset(
    {
        "leading_lines",
        "lines_after_decorators",
        "header",
        "footer",
        "lpar",
        "rpar",
        "comma",
        "semicolon",
        "equal",
        "colon",
        "asynchronous",
        "trailing_whitespace",
        "newline",
        "operator",
        "dot",
        "star",
        "indent",
        "default_indent",
        "default_newline",
        "encoding",
        "has_trailing_newline",
    }
)
# Evaluation order where LibCST's field order differs from it (or a field must go first).
_FIELD_ORDER: dict[type, tuple[str, ...]] = {
    cst.FunctionDef: ("decorators", "type_parameters", "params", "returns", "body"),
    cst.ClassDef: ("decorators", "type_parameters", "bases", "keywords", "body"),
    cst.ExceptHandler: ("type", "name", "body"),
    cst.Try: ("body", "handlers", "orelse", "finalbody"),
    cst.Assign: ("value", "targets"),
    cst.AnnAssign: ("annotation", "value", "target"),
    cst.AugAssign: ("value", "target"),
    cst.Param: ("annotation", "default", "name"),
    cst.For: ("iter", "target", "body", "orelse"),
    cst.IfExp: ("test", "body", "orelse"),
}

_FIELDS_CACHE: dict[type, tuple[str, ...]] = {}


def _all_node_types() -> frozenset[type]:
    out: set[type] = set()
    stack: list[type] = [cst.CSTNode]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            if sub not in out:
                out.add(sub)
                stack.append(sub)
    return frozenset(out)


#: every node class the walk enters (``type(x) in`` a set is much cheaper than an ABC isinstance)
_WALKABLE: frozenset[type] = _all_node_types() - _SKIP_TYPES


def _fields_of(cls: type) -> tuple[str, ...]:
    names = _FIELDS_CACHE.get(cls)
    if names is None:
        if cls in _FIELD_ORDER:
            names = _FIELD_ORDER[cls]
        else:
            names = tuple(
                f.name
                for f in dataclasses.fields(cls)
                if f.name not in _SKIP_FIELD_NAMES and not f.name.startswith("whitespace")
            )
        _FIELDS_CACHE[cls] = names
    return names


def children(node: Any) -> list[Any]:
    """The semantic child nodes of ``node``, in evaluation order."""
    return children_of_fields(node, _fields_of(type(node)))


class DispatchTable:
    """node type → the bound ``visit_``/``leave_`` methods of the enabled rules."""

    def __init__(self, rules: Sequence[Any]) -> None:
        self.rules = list(rules)
        visit: dict[type, list[Callable]] = defaultdict(list)
        leave: dict[type, list[Callable]] = defaultdict(list)
        for rule in self.rules:
            for attr in dir(type(rule)):
                if attr.startswith("visit_"):
                    node_type = getattr(cst, attr[6:], None)
                    if isinstance(node_type, type):
                        for cls in _concrete(node_type):
                            visit[cls].append(getattr(rule, attr))
                elif attr.startswith("leave_"):
                    node_type = getattr(cst, attr[6:], None)
                    if isinstance(node_type, type):
                        for cls in _concrete(node_type):
                            leave[cls].append(getattr(rule, attr))
        self.visit = {k: tuple(v) for k, v in visit.items()}
        self.leave = {k: tuple(v) for k, v in leave.items()}

    def without(self, excluded: Iterable[Any]) -> "DispatchTable":
        excluded = set(map(id, excluded))
        return DispatchTable([r for r in self.rules if id(r) not in excluded])


def _concrete(node_type: type) -> list[type]:
    """A base class like ``BaseCompoundStatement`` stands for all its concrete subclasses."""
    out = []
    stack = [node_type]
    while stack:
        cls = stack.pop()
        if not getattr(cls, "__abstractmethods__", None) and dataclasses.is_dataclass(cls):
            out.append(cls)
        stack.extend(cls.__subclasses__())
    return out or [node_type]


class RuleCrash(Exception):
    def __init__(self, rule: Any, error: BaseException) -> None:
        super().__init__(str(error))
        self.rule = rule
        self.error = error


_LEAVE = object()
_CALL = object()


def walk(module: cst.Module, ctx: FileContext, table: DispatchTable, on_crash: Callable[[Any, BaseException], DispatchTable]) -> None:
    """Walk ``module`` once, keeping ``ctx`` current and calling the rules in ``table``.

    ``on_crash(rule, error)`` is called when a rule raises; it returns the table to go on
    with (without that rule), so one broken rule does not lose the others' findings.
    """
    visit_table = table.visit
    leave_table = table.leave
    ancestors = ctx.ancestors
    stack: list[Any] = [module]
    push = stack.append
    pop = stack.pop
    fields_cache = _FIELDS_CACHE
    walkable = _WALKABLE
    special = _SPECIAL

    while stack:
        item = pop()
        if type(item) is tuple:
            tag = item[0]
            if tag is _LEAVE:
                node = item[1]
                hook = _LEAVE_HOOKS.get(type(node))
                if hook is not None:
                    hook(ctx, node)
                callbacks = leave_table.get(type(node))
                if callbacks:
                    for callback in callbacks:
                        try:
                            callback(node)
                        except Exception as exc:  # noqa: BLE001 - a rule bug must not lose the file
                            table = on_crash(callback.__self__, exc)
                            visit_table, leave_table = table.visit, table.leave
                ancestors.pop()
            else:  # _CALL
                item[1](ctx, *item[2:])
            continue

        node = item
        ancestors.append(node)
        node_type = type(node)
        callbacks = visit_table.get(node_type)
        if callbacks:
            for callback in callbacks:
                try:
                    callback(node)
                except Exception as exc:  # noqa: BLE001
                    table = on_crash(callback.__self__, exc)
                    visit_table, leave_table = table.visit, table.leave
        push((_LEAVE, node))
        handler = special.get(node_type)
        if handler is not None:
            handler(ctx, node, push)
            continue
        # generic children, pushed in reverse so they pop in order
        names = fields_cache.get(node_type) or _fields_of(node_type)
        kids: list[Any] = []
        for name in names:
            value = getattr(node, name, None)
            if value is None:
                continue
            value_type = type(value)
            if value_type in walkable:
                kids.append(value)
            elif value_type is tuple or value_type is list:
                for child in value:
                    if type(child) in walkable:
                        kids.append(child)
        for child in reversed(kids):
            push(child)


# ---------------------------------------------------------------------- special nodes
# Each handler pushes (in reverse order) the children and the context updates between them.


def _push_seq(push: Callable[[Any], None], items: list[Any]) -> None:
    for item in reversed(items):
        if item is not None:
            push(item)


def _function(ctx: FileContext, node: cst.FunctionDef, push: Callable) -> None:
    items: list[Any] = list(node.decorators)
    items.append((_CALL, FileContext._enter_function, node))
    items.extend(children_of_fields(node, ("type_parameters", "params", "returns")))
    items.append(node.body)
    items.append((_CALL, FileContext._leave_function))
    _push_seq(push, items)


def _class(ctx: FileContext, node: cst.ClassDef, push: Callable) -> None:
    items: list[Any] = list(node.decorators)
    items.extend(children_of_fields(node, ("type_parameters", "bases", "keywords")))
    items.append((_CALL, FileContext._enter_class, node))
    items.append(node.body)
    items.append((_CALL, FileContext._leave_class))
    _push_seq(push, items)


def _names_of_target(target: cst.BaseExpression) -> frozenset[str]:
    if isinstance(target, cst.Name):
        return frozenset((target.value,))
    out: set[str] = set()
    stack: list[Any] = [target]
    while stack:
        n = stack.pop()
        if isinstance(n, cst.Name):
            out.add(n.value)
        elif isinstance(n, (cst.Tuple, cst.List)):
            stack.extend(e.value for e in n.elements)
        elif isinstance(n, cst.StarredElement):
            stack.append(n.value)
    return frozenset(out)


def _bind_loop_targets(ctx: FileContext, target: cst.BaseExpression) -> None:
    for name in _names_of_target(target):
        ctx._bind(name, _OTHER_BINDING(target))


def _OTHER_BINDING(node: Any) -> Any:
    from reviewlint.engine.context import OTHER, Binding

    return Binding(OTHER, None, node)


def _for(ctx: FileContext, node: cst.For, push: Callable) -> None:
    loop = Loop(node, "for", _names_of_target(node.target), node.iter, node.asynchronous is not None)
    items: list[Any] = [
        node.iter,
        (_CALL, FileContext._enter_loop, loop),
        (_CALL, _bind_loop_targets, node.target),
        node.target,
        node.body,
        (_CALL, FileContext._leave_loop),
        node.orelse,
    ]
    _push_seq(push, items)


def _while(ctx: FileContext, node: cst.While, push: Callable) -> None:
    loop = Loop(node, "while", frozenset(), None, False)
    _push_seq(push, [node.test, (_CALL, FileContext._enter_loop, loop), node.body, (_CALL, FileContext._leave_loop), node.orelse])


def _comp_for(ctx: FileContext, node: cst.CompFor, push: Callable) -> None:
    # the first iterable is evaluated outside the loop; everything else inside it
    loop = Loop(node, "comprehension", _names_of_target(node.target), node.iter, node.asynchronous is not None)
    items: list[Any] = [node.iter, (_CALL, FileContext._enter_loop, loop), node.target, *node.ifs, node.inner_for_in]
    _push_seq(push, items)


def _comp_depth(for_in: cst.CompFor) -> int:
    depth = 0
    node: cst.CompFor | None = for_in
    while node is not None:
        depth += 1
        node = node.inner_for_in
    return depth


def _leave_loops(ctx: FileContext, count: int) -> None:
    for _ in range(count):
        ctx._leave_loop()


def _comprehension(ctx: FileContext, node: Any, push: Callable) -> None:
    if isinstance(node, cst.DictComp):
        inner = [node.key, node.value]
    else:
        inner = [node.elt]
    _push_seq(push, [node.for_in, *inner, (_CALL, _leave_loops, _comp_depth(node.for_in))])


def _except_handler(ctx: FileContext, node: cst.ExceptHandler, push: Callable) -> None:
    items: list[Any] = [node.type, (_CALL, FileContext._enter_handler, node), node.body, (_CALL, FileContext._leave_handler)]
    _push_seq(push, items)


def _enter_main(ctx: FileContext) -> None:
    ctx.main_block_depth += 1


def _leave_main(ctx: FileContext) -> None:
    ctx.main_block_depth -= 1


def _if(ctx: FileContext, node: cst.If, push: Callable) -> None:
    if is_main_guard(node.test):
        _push_seq(push, [node.test, (_CALL, _enter_main), node.body, (_CALL, _leave_main), node.orelse])
    else:
        _push_seq(push, [node.test, node.body, node.orelse])


def children_of_fields(node: Any, names: tuple[str, ...]) -> list[Any]:
    out: list[Any] = []
    for name in names:
        value = getattr(node, name, None)
        if value is None:
            continue
        value_type = type(value)
        if value_type in _WALKABLE:
            out.append(value)
        elif value_type is tuple or value_type is list:
            out.extend(v for v in value if type(v) in _WALKABLE)
    return out


_SPECIAL: dict[type, Callable[[FileContext, Any, Callable], None]] = {
    cst.FunctionDef: _function,
    cst.ClassDef: _class,
    cst.For: _for,
    cst.While: _while,
    cst.CompFor: _comp_for,
    cst.ListComp: _comprehension,
    cst.SetComp: _comprehension,
    cst.GeneratorExp: _comprehension,
    cst.DictComp: _comprehension,
    cst.ExceptHandler: _except_handler,
    cst.If: _if,
}

# ---------------------------------------------------------------------- leave hooks (bindings)


def _leave_import(ctx: FileContext, node: Any) -> None:
    ctx._record_import(node)


def _leave_assign(ctx: FileContext, node: cst.Assign) -> None:
    for target in node.targets:
        ctx._record_assign_target(target.target, node.value)


def _leave_ann_assign(ctx: FileContext, node: cst.AnnAssign) -> None:
    annotated = ctx.annotation_type(node.annotation.annotation)
    if node.value is not None or annotated is not None:
        ctx._record_assign_target(node.target, node.value, annotated=annotated)


def _leave_with_item(ctx: FileContext, node: cst.WithItem) -> None:
    if node.asname is not None:
        ctx._record_assign_target(node.asname.name, node.item, origin=node.item)


def _leave_named_expr(ctx: FileContext, node: cst.NamedExpr) -> None:
    ctx._record_assign_target(node.target, node.value)


_LEAVE_HOOKS: dict[type, Callable[[FileContext, Any], None]] = {
    cst.Import: _leave_import,
    cst.ImportFrom: _leave_import,
    cst.Assign: _leave_assign,
    cst.AnnAssign: _leave_ann_assign,
    cst.WithItem: _leave_with_item,
    cst.NamedExpr: _leave_named_expr,
}

__all__ = ["DispatchTable", "walk", "children", "dotted_name", "RuleCrash"]
