"""Per-file facts, computed during the one walk and shared by every rule.

The walker (:mod:`reviewlint.engine.walk`) keeps this object up to date as it enters and
leaves nodes, so that when a rule's ``visit_Call`` runs it can ask:

* ``qualname(expr)``: the qualified name an expression refers to, through import aliases
  (``import requests as rq`` → ``rq.get`` is ``requests.get``), relative imports and
  tracked objects (``s = requests.Session()`` → ``s.get`` is ``requests.Session.get``);
* ``type_of(expr)`` / ``binding(expr)``: what a name or ``self.attr`` holds, and where it
  was built (constructor call, ``with ... as``, annotated parameter);
* ``loops``, ``handlers``, ``functions``, ``classes``, ``in_async``, ``in_main_block``,
  ``ancestors``: where we are.

No LibCST metadata provider runs here: everything is computed from the nodes the walk
passes anyway, plus tiny look-ups (the ``__init__`` of a class) that touch only a few nodes.
"""

from __future__ import annotations

import builtins
import io
import os
import tokenize
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Iterator

import libcst as cst

from reviewlint import knowledge

if TYPE_CHECKING:  # pragma: no cover
    from reviewlint.config import Settings

_BUILTIN_NAMES = frozenset(dir(builtins))
_NAME, _ATTRIBUTE, _CALL = cst.Name, cst.Attribute, cst.Call
_NAME_OR_ATTRIBUTE = frozenset({cst.Name, cst.Attribute})

# binding kinds
IMPORT = "import"  # value: qualified name of a module/class/function
INSTANCE = "instance"  # value: qualified name of the instance's class
DEF = "def"  # value: the local name of a function/class defined in this file
OTHER = "other"  # something we do not model (shadows outer bindings)


#: attribute chains longer than this are not followed (qualified names, tracked types)
MAX_DOTTED_DEPTH = 32


@dataclass(slots=True)
class Binding:
    kind: str
    value: str | None
    #: the node that produced the value: a Call (built here), a Param (injected), a WithItem ...
    origin: cst.CSTNode | None = None

    @property
    def injected(self) -> bool:
        return isinstance(self.origin, cst.Param)


@dataclass(slots=True)
class Scope:
    kind: str  # "module" | "function" | "class"
    node: cst.CSTNode
    names: dict[str, Binding] = field(default_factory=dict)


@dataclass(slots=True)
class ClassInfo:
    node: cst.ClassDef
    #: ``self.<attr>`` bindings, from ``__init__`` (looked up on entry) and assignments seen
    attrs: dict[str, Binding] = field(default_factory=dict)


@dataclass(slots=True)
class Loop:
    """A loop the walk is inside the body of."""

    node: cst.CSTNode  # For, While or CompFor
    kind: str  # "for" | "while" | "comprehension"
    #: names bound by the loop header (``for a, b in ...``); empty for ``while``
    targets: frozenset[str]
    iter: cst.BaseExpression | None
    is_async: bool
    #: names assigned in the loop body from loop-dependent values
    derived: set[str] = field(default_factory=set)
    #: for each derived name, the header variable it comes from (``for o in orders:
    #: cid = o.customer_id`` -> ``{"cid": "o"}``); messages name the loop variable
    origins: dict[str, str] = field(default_factory=dict)
    #: ``while`` loops: the value last assigned to each name in the body (what the loop's
    #: "variable" is: ``item = queue.get()`` is a consumer, not a walk over a collection)
    sources: dict[str, cst.CSTNode] = field(default_factory=dict)

    @property
    def variables(self) -> set[str]:
        return set(self.targets) | self.derived


@dataclass(slots=True)
class Handler:
    """An ``except`` clause the walk is inside the body of."""

    node: cst.ExceptHandler
    #: the name the exception is bound to (``except E as name``)
    name: str | None
    #: qualified names of the caught types; empty for a bare ``except:``
    types: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Comment:
    line: int
    column: int  # 1-based
    text: str  # including the leading '#'


class FileContext:
    """Facts about the file being walked. Rules read it through ``self.context``."""

    def __init__(self, path: str, text: str, module: cst.Module, settings: "Settings | None" = None,
                 display_path: str | None = None) -> None:
        self.path = path
        self.display_path = display_path or path
        self.text = text
        self.module = module
        self.settings = settings
        self.scopes: list[Scope] = [Scope("module", module)]
        self.classes: list[ClassInfo] = []
        #: classes defined at module level in this file, by name (their ``self.x`` attributes)
        self.local_classes: dict[str, ClassInfo] = {}
        self.functions: list[cst.FunctionDef] = []
        self.loops: list[Loop] = []
        self.handlers: list[Handler] = []
        self.ancestors: list[cst.CSTNode] = []
        self.main_block_depth = 0
        #: scratch space for analyses shared by several rules (keyed by analysis name)
        self.memo: dict[Any, Any] = {}
        #: facts for project-level passes (AUTH001 ...), must be JSON-serialisable
        self.facts: dict[str, Any] = {}
        self._lines: list[str] | None = None
        self._comments: list[Comment] | None = None
        self._module_name: str | None | bool = False
        self._call_names: dict[int, str | None] = {}
        #: loop node id → the function it is in (to tell a function's own loops)
        self._loop_owner: dict[int, Any] = {}

    # ------------------------------------------------------------------ where we are
    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self.text.splitlines()
        return self._lines

    @property
    def function(self) -> cst.FunctionDef | None:
        """The innermost function whose body (or parameters) the walk is in."""
        return self.functions[-1] if self.functions else None

    @property
    def class_info(self) -> ClassInfo | None:
        return self.classes[-1] if self.classes else None

    @property
    def in_async(self) -> bool:
        """True inside the body of an ``async def`` (not of a nested plain ``def``)."""
        func = self.function
        return func is not None and func.asynchronous is not None

    @property
    def loop(self) -> Loop | None:
        return self.loops[-1] if self.loops else None

    @property
    def handler(self) -> Handler | None:
        return self.handlers[-1] if self.handlers else None

    @property
    def in_main_block(self) -> bool:
        """Inside ``if __name__ == "__main__":``."""
        return self.main_block_depth > 0

    @property
    def parent(self) -> cst.CSTNode | None:
        """The parent of the node being visited."""
        return self.ancestors[-2] if len(self.ancestors) >= 2 else None

    def is_module_level(self) -> bool:
        return not self.functions

    def loops_in_current_function(self) -> list[Loop]:
        """The loops between the innermost function and the current node."""
        func = self.function
        if func is None:
            return list(self.loops)
        out: list[Loop] = []
        for loop in reversed(self.loops):
            if self._loop_owner.get(id(loop.node)) is not func:
                break
            out.append(loop)
        out.reverse()
        return out

    @property
    def method_class(self) -> ClassInfo | None:
        """The class whose method body the walk is directly in."""
        if not self.classes or not self.functions:
            return None
        scope_kinds = [s.kind for s in self.scopes]
        # the innermost function must sit directly in the innermost class
        if len(scope_kinds) >= 2 and scope_kinds[-1] == "function" and scope_kinds[-2] == "class":
            return self.classes[-1]
        return None

    # ------------------------------------------------------------------ settings
    @property
    def is_test_file(self) -> bool:
        if "is_test_file" not in self.memo:
            self.memo["is_test_file"] = bool(self.settings and self.settings.is_test_path(self.path))
        return self.memo["is_test_file"]

    @property
    def roles(self) -> frozenset[str]:
        """The file's roles (test, migration, script, generated, example): see engine.roles."""
        roles = self.memo.get("roles")
        if roles is None:
            from reviewlint.engine.roles import file_roles

            roles = self.memo["roles"] = file_roles(self)
        return roles

    def matches(self, globs: Iterable[str]) -> bool:
        from reviewlint.globs import match_any

        return match_any(self.relative_path, globs)

    @property
    def relative_path(self) -> str:
        """The path relative to the project root, POSIX separators."""
        if self.settings is not None:
            return self.settings.relative(self.path)
        return self.path.replace(os.sep, "/")

    # ------------------------------------------------------------------ names
    def lookup(self, name: str) -> Binding | None:
        """The binding of a bare name, innermost scope first (class scopes skipped inside functions)."""
        scopes = self.scopes
        binding = scopes[-1].names.get(name)
        if binding is not None:
            return binding
        for i in range(len(scopes) - 2, -1, -1):
            scope = scopes[i]
            if scope.kind == "class":
                continue
            binding = scope.names.get(name)
            if binding is not None:
                return binding
        return None

    def qualname(self, expr: cst.BaseExpression | None, _depth: int = 0) -> str | None:
        """The dotted name ``expr`` refers to, or None.

        Imported names resolve to their qualified name; attributes of tracked instances to
        ``<Class>.<attr>``; builtins to ``builtins.<name>``; functions and classes of this file
        and names bound nowhere yet to themselves; local variables of unknown type to None.
        """
        expr_type = type(expr)
        if expr_type is _NAME:
            binding = self.lookup(expr.value)
            if binding is None:
                return f"builtins.{expr.value}" if expr.value in _BUILTIN_NAMES else expr.value
            if binding.kind == IMPORT or binding.kind == DEF:
                return binding.value
            return None  # a local variable of unknown type: never a module or class
        if expr_type is _ATTRIBUTE:
            if _depth > MAX_DOTTED_DEPTH:
                return None  # `a.b.c...` thousands deep (generated code) names no module or class
            base = expr.value
            owner_type = self.type_of(base, _depth + 1)
            if owner_type is not None:
                return f"{owner_type}.{expr.attr.value}"
            base_name = self.qualname(base, _depth + 1) if type(base) in _NAME_OR_ATTRIBUTE else None
            if base_name is None:
                return None
            return f"{base_name}.{expr.attr.value}"
        return None

    def call_name(self, call: cst.Call) -> str | None:
        """The qualified name of the function a call calls (computed once per call node)."""
        key = id(call)
        names = self._call_names
        if key in names:
            return names[key]
        name = names[key] = self.qualname(call.func)
        return name

    def binding(self, expr: cst.BaseExpression) -> Binding | None:
        """The binding behind a name or ``self.attr`` (None when unknown)."""
        if isinstance(expr, cst.Name):
            return self.lookup(expr.value)
        if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name):
            cls = self._self_class(expr.value.value)
            if cls is not None:
                return cls.attrs.get(expr.attr.value)
        return None

    def type_of(self, expr: cst.BaseExpression | None, _depth: int = 0) -> str | None:
        """The class of the value ``expr`` holds, when reviewlint tracks it."""
        expr_type = type(expr)
        if expr_type is _NAME:
            binding = self.lookup(expr.value)
            if binding is not None and binding.kind == INSTANCE:
                return binding.value
            return None
        if expr_type is _ATTRIBUTE:
            if type(expr.value) is _NAME:
                cls = self._self_class(expr.value.value)
                if cls is not None:
                    binding = cls.attrs.get(expr.attr.value)
                    return binding.value if binding is not None and binding.kind == INSTANCE else None
            if _depth > MAX_DOTTED_DEPTH:
                return None
            owner = self.type_of(expr.value, _depth + 1)
            info = self.local_classes.get(owner) if owner is not None else None
            if info is not None:
                binding = info.attrs.get(expr.attr.value)
                return binding.value if binding is not None and binding.kind == INSTANCE else None
            return None
        if expr_type is _CALL:
            name = self.call_name(expr)
            if name is not None and name in self.local_classes:
                return name
            return knowledge.call_result_type(name)
        if isinstance(expr, cst.Await):
            return self.type_of(expr.expression, _depth + 1) if _depth <= MAX_DOTTED_DEPTH else None
        if isinstance(expr, cst.BooleanOperation):  # ``client or httpx.Client()``
            if _depth > MAX_DOTTED_DEPTH:
                return None
            return self.type_of(expr.left, _depth + 1) or self.type_of(expr.right, _depth + 1)
        return None

    def annotation_type(self, annotation: cst.BaseExpression | None) -> str | None:
        """The tracked class an annotation names (``httpx.Client``, ``Optional[Client]``, ``Client | None``)."""
        if annotation is None:
            return None
        if isinstance(annotation, cst.SimpleString):
            text = annotation.evaluated_value if isinstance(annotation.evaluated_value, str) else ""
            try:
                annotation = cst.parse_expression(text) if text and len(text) < 200 else None
            except Exception:  # noqa: BLE001
                return None  # a string annotation that is not an expression names no type
            if annotation is None:
                return None
        if isinstance(annotation, cst.BinaryOperation) and isinstance(annotation.operator, cst.BitOr):
            return self.annotation_type(annotation.left) or self.annotation_type(annotation.right)
        if isinstance(annotation, cst.Subscript):
            outer = self.qualname(annotation.value) or ""
            if outer.rsplit(".", 1)[-1] in ("Optional", "Annotated", "Union"):
                for element in annotation.slice:
                    if isinstance(element.slice, cst.Index):
                        found = self.annotation_type(element.slice.value)
                        if found:
                            return found
            return None
        name = knowledge.canonical_type(self.qualname(annotation))
        if name in self.local_classes:
            return name
        return name if name in knowledge.KNOWN_TYPES else None

    def _self_class(self, name: str) -> ClassInfo | None:
        """The class whose instance ``name`` is, when ``name`` is a method's first parameter."""
        cls = self.method_class
        if cls is None or not self.functions:
            return None
        func = self.functions[-1]
        params = func.params.posonly_params or func.params.params
        if params and params[0].name.value == name:
            return cls
        return None

    # ------------------------------------------------------------------ expressions
    def names_in(self, expr: cst.CSTNode | None) -> set[str]:
        """The plain names an expression reads (``a.b[c]`` → {a, c}); nested lambdas included."""
        out: set[str] = set()
        if expr is None:
            return out
        stack: list[Any] = [expr]
        while stack:
            node = stack.pop()
            if isinstance(node, cst.Name):
                out.add(node.value)
                continue
            if isinstance(node, cst.Attribute):
                stack.append(node.value)
                continue
            if isinstance(node, (cst.SimpleString, cst.Integer, cst.Float)):
                continue
            stack.extend(_expression_children(node))
        return out

    def depends_on_loop(self, expr: cst.CSTNode, loops: Iterable[Loop] | None = None) -> tuple[Loop, str] | None:
        """The innermost loop (and its variable) that ``expr`` reads a variable of."""
        names = self.names_in(expr)
        if not names:
            return None
        for loop in reversed(list(self.loops if loops is None else loops)):
            hit = names & loop.targets
            if not hit:
                hit = names & loop.derived
            if hit:
                return loop, sorted(hit)[0]
        return None

    # ------------------------------------------------------------------ file
    @property
    def module_name(self) -> str | None:
        """The dotted module name, from the package folders (``__init__.py``) above the file."""
        if self._module_name is False:
            self._module_name = module_name_for(self.path)
        return self._module_name  # type: ignore[return-value]

    @property
    def comments(self) -> list[Comment]:
        """All comments of the file, in order (tokenized once, on first use)."""
        if self._comments is None:
            self._comments = list(_tokenize_comments(self.text))
        return self._comments

    def line_text(self, line: int) -> str:
        lines = self.lines
        return lines[line - 1] if 0 < line <= len(lines) else ""

    # ------------------------------------------------------------------ walk hooks
    # The walker calls these; rules never do.
    def _bind(self, name: str, binding: Binding) -> None:
        self.scopes[-1].names[name] = binding

    def _record_import(self, node: cst.Import | cst.ImportFrom) -> None:
        if isinstance(node, cst.Import):
            for alias in node.names:
                dotted = _dotted(alias.name)
                if dotted is None:
                    continue
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    self._bind(alias.asname.name.value, Binding(IMPORT, dotted, node))
                else:
                    first = dotted.split(".", 1)[0]
                    self._bind(first, Binding(IMPORT, first, node))
            return
        if isinstance(node.names, cst.ImportStar):
            return
        module = _dotted(node.module) if node.module is not None else ""
        if node.relative:
            module = self._resolve_relative(len(node.relative), module or "")
        for alias in node.names:
            if not isinstance(alias.name, cst.Name):
                continue
            local = alias.asname.name.value if alias.asname is not None and isinstance(alias.asname.name, cst.Name) else alias.name.value
            qual = f"{module}.{alias.name.value}" if module else alias.name.value
            self._bind(local, Binding(IMPORT, qual, node))

    def _resolve_relative(self, level: int, module: str) -> str:
        own = self.module_name
        if own is None:
            return "." * level + module
        parts = own.split(".")
        is_package = os.path.basename(self.path) == "__init__.py"
        base = parts if is_package else parts[:-1]
        if level > 1:
            base = base[: len(base) - (level - 1)] if len(base) >= level - 1 else []
        prefix = ".".join(base)
        if module:
            return f"{prefix}.{module}" if prefix else module
        return prefix

    def _record_assign_target(self, target: cst.BaseExpression, value: cst.BaseExpression | None,
                              origin: cst.CSTNode | None = None, annotated: str | None = None) -> None:
        value_type = annotated or (self.type_of(value) if value is not None else None)
        if isinstance(target, cst.Name):
            if value_type is not None:
                self._bind(target.value, Binding(INSTANCE, value_type, origin if origin is not None else value))
            else:
                self._bind(target.value, Binding(OTHER, None, value))
            self._note_derived(target.value, value)
        elif isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
            cls = self._self_class(target.value.value)
            if cls is not None and value_type is not None:
                cls.attrs.setdefault(target.attr.value, Binding(INSTANCE, value_type, value))
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                inner = element.value
                if isinstance(inner, cst.Name):
                    self._bind(inner.value, Binding(OTHER, None, value))
                    self._note_derived(inner.value, value)
                elif isinstance(inner, (cst.Tuple, cst.List)):
                    self._record_assign_target(inner, None)
                    if value is not None:
                        for name in self.names_in(inner):
                            self._note_derived(name, value)

    def _note_derived(self, name: str, value: cst.CSTNode | None) -> None:
        if not self.loops or value is None:
            return
        names = self.names_in(value)
        for loop in self.loops:
            if loop.kind == "while":
                loop.sources[name] = value
            hit = names & loop.targets
            if hit:
                loop.derived.add(name)
                loop.origins.setdefault(name, sorted(hit)[0])
            elif names & loop.derived:
                loop.derived.add(name)
                via = sorted(names & loop.derived)[0]
                if via in loop.origins:
                    loop.origins.setdefault(name, loop.origins[via])
            elif loop.kind == "while":
                # in a while loop, a name assigned in the body is the loop's variable
                loop.derived.add(name)

    def _enter_function(self, node: cst.FunctionDef) -> None:
        self.scopes[-1].names[node.name.value] = Binding(DEF, node.name.value, node)
        self.functions.append(node)
        self.scopes.append(Scope("function", node))
        params = node.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            self._bind_param(param)
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                self._bind(star.name.value, Binding(OTHER, None, star))

    def _bind_param(self, param: cst.Param) -> None:
        ann = param.annotation.annotation if param.annotation is not None else None
        typ = self.annotation_type(ann) if ann is not None else None
        if typ is not None:
            self._bind(param.name.value, Binding(INSTANCE, typ, param))
        else:
            self._bind(param.name.value, Binding(OTHER, None, param))

    def _leave_function(self) -> None:
        self.scopes.pop()
        self.functions.pop()

    def _enter_class(self, node: cst.ClassDef) -> None:
        self.scopes[-1].names[node.name.value] = Binding(DEF, node.name.value, node)
        info = ClassInfo(node)
        if len(self.scopes) == 1:
            self.local_classes[node.name.value] = info
        self.classes.append(info)
        self.scopes.append(Scope("class", node))
        init = _find_init(node)
        if init is not None:
            self._prescan_init(info, init)

    def _prescan_init(self, info: ClassInfo, init: cst.FunctionDef) -> None:
        """``self.x = httpx.Client()`` / ``self.x = client`` (annotated) in ``__init__``."""
        params = init.params.posonly_params or init.params.params
        if not params:
            return
        self_name = params[0].name.value
        annotated: dict[str, tuple[str, cst.Param]] = {}
        for param in (*init.params.posonly_params, *init.params.params, *init.params.kwonly_params):
            if param.annotation is not None:
                typ = self.annotation_type(param.annotation.annotation)
                if typ is not None:
                    annotated[param.name.value] = (typ, param)
        for stmt in _simple_statements(init.body):
            if isinstance(stmt, cst.Assign):
                targets = [t.target for t in stmt.targets]
                value = stmt.value
                ann_type = None
            elif isinstance(stmt, cst.AnnAssign) and stmt.value is not None:
                targets = [stmt.target]
                value = stmt.value
                ann_type = self.annotation_type(stmt.annotation.annotation)
            else:
                continue
            for target in targets:
                if not (isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name)
                        and target.value.value == self_name):
                    continue
                binding = self._binding_for_init_value(value, annotated, ann_type)
                if binding is not None:
                    info.attrs.setdefault(target.attr.value, binding)

    def _binding_for_init_value(self, value: cst.BaseExpression, annotated: dict[str, tuple[str, cst.Param]],
                                ann_type: str | None) -> Binding | None:
        if isinstance(value, cst.Name) and value.value in annotated:
            typ, param = annotated[value.value]
            return Binding(INSTANCE, typ, param)
        if isinstance(value, cst.BooleanOperation):
            # ``client or httpx.Client()``: injected, with a built default
            left = self._binding_for_init_value(value.left, annotated, None)
            if left is not None:
                return left
            typ = self.type_of(value.right)
            return Binding(INSTANCE, typ, value.right) if typ else None
        if isinstance(value, cst.Call):
            typ = ann_type or self.type_of(value)
            return Binding(INSTANCE, typ, value) if typ else None
        if ann_type is not None:
            return Binding(INSTANCE, ann_type, value)
        return None

    def _leave_class(self) -> None:
        self.scopes.pop()
        self.classes.pop()

    def _enter_loop(self, loop: Loop) -> None:
        self.loops.append(loop)
        self._loop_owner[id(loop.node)] = self.function

    def _leave_loop(self) -> None:
        loop = self.loops.pop()
        self._loop_owner.pop(id(loop.node), None)

    def _enter_handler(self, node: cst.ExceptHandler) -> None:
        name = None
        if node.name is not None and isinstance(node.name.name, cst.Name):
            name = node.name.name.value
        types: list[str] = []
        if node.type is not None:
            exprs = [e.value for e in node.type.elements] if isinstance(node.type, cst.Tuple) else [node.type]
            for expr in exprs:
                types.append(self.qualname(expr) or "?")
        self.handlers.append(Handler(node, name, tuple(types)))
        if name is not None:
            self._bind(name, Binding(OTHER, None, node))

    def _leave_handler(self) -> None:
        self.handlers.pop()


# ---------------------------------------------------------------------- helpers


def _dotted(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def dotted_name(node: cst.BaseExpression | None) -> str | None:
    """``a.b.c`` as text, or None for anything that is not a plain dotted name."""
    return _dotted(node)


def _find_init(node: cst.ClassDef) -> cst.FunctionDef | None:
    body = node.body
    if not isinstance(body, cst.IndentedBlock):
        return None
    for stmt in body.body:
        if isinstance(stmt, cst.FunctionDef) and stmt.name.value == "__init__":
            return stmt
    return None


def _simple_statements(block: cst.BaseSuite) -> Iterator[cst.BaseSmallStatement]:
    """Small statements of a block, descending into if/with/try bodies (not nested defs)."""
    stack: list[Any] = [block]
    out: list[cst.BaseSmallStatement] = []
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.IndentedBlock, cst.SimpleStatementSuite)):
            stack.extend(reversed(node.body))
        elif isinstance(node, cst.SimpleStatementLine):
            out.extend(node.body)
        elif isinstance(node, (cst.If, cst.With, cst.Try, cst.Else, cst.Finally, cst.ExceptHandler)):
            parts: list[Any] = [node.body]
            if isinstance(node, cst.If) and node.orelse is not None:
                parts.append(node.orelse)
            if isinstance(node, cst.Try):
                parts.extend(node.handlers)
                if node.orelse is not None:
                    parts.append(node.orelse)
                if node.finalbody is not None:
                    parts.append(node.finalbody)
            stack.extend(reversed(parts))
        elif isinstance(node, cst.BaseSmallStatement):
            out.append(node)
        # other compound statements and defs are not descended into
    return iter(out)


def _expression_children(node: Any) -> list[Any]:
    from reviewlint.engine.walk import children

    return children(node)


_MODULE_NAME_CACHE: dict[str, str | None] = {}


def module_name_for(path: str) -> str | None:
    """Dotted module name of a file from the ``__init__.py`` files above it."""
    abspath = os.path.abspath(path)
    directory, filename = os.path.split(abspath)
    stem = os.path.splitext(filename)[0]
    package = _package_name(directory)
    if stem == "__init__":
        return package
    return f"{package}.{stem}" if package else stem


def _package_name(directory: str) -> str | None:
    if directory in _MODULE_NAME_CACHE:
        return _MODULE_NAME_CACHE[directory]
    if not os.path.isfile(os.path.join(directory, "__init__.py")):
        result = None
    else:
        parent, name = os.path.split(directory)
        above = _package_name(parent) if parent != directory else None
        result = f"{above}.{name}" if above else name
    _MODULE_NAME_CACHE[directory] = result
    return result


def _tokenize_comments(text: str) -> Iterator[Comment]:
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                yield Comment(tok.start[0], tok.start[1] + 1, tok.string)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return


def is_main_guard(test: cst.BaseExpression) -> bool:
    """``__name__ == "__main__"`` (either order)."""
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    comp = test.comparisons[0]
    if not isinstance(comp.operator, cst.Equal):
        return False
    left, right = test.left, comp.comparator
    pair = {type(left), type(right)}
    if pair != {cst.Name, cst.SimpleString}:
        return False
    name = left if isinstance(left, cst.Name) else right
    string = right if isinstance(right, cst.SimpleString) else left
    return name.value == "__name__" and string.evaluated_value == "__main__"  # type: ignore[union-attr]
