from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from reviewlint.analysis.calls import code_of
from reviewlint.analysis.per_item import is_small_fixed_collection
from reviewlint.engine.context import IMPORT, OTHER
from reviewlint.rule import Invalid, Rule, Severity, Viewpoint

_GATHER = frozenset({"asyncio.gather", "asyncio.tasks.gather"})
#: constructions that bound concurrency
_LIMITERS = frozenset(
    {
        "asyncio.Semaphore", "asyncio.BoundedSemaphore", "asyncio.locks.Semaphore", "asyncio.locks.BoundedSemaphore",
        "asyncio.TaskGroup", "asyncio.taskgroups.TaskGroup", "asyncio.Queue",
        "anyio.Semaphore", "anyio.CapacityLimiter", "anyio.create_task_group", "anyio.to_thread.current_default_thread_limiter",
        "trio.Semaphore", "trio.CapacityLimiter", "aiolimiter.AsyncLimiter", "asyncio_pool.AioPool",
    }
)
_LIMIT_WORDS = ("sem", "limit", "throttl", "concurren", "bound", "slot")
#: work handed to a thread pool is bounded by the pool's size
_EXECUTOR_CALLS = frozenset({"asyncio.to_thread", "asyncio.threads.to_thread", "anyio.to_thread.run_sync"})
#: collections of registered callables: their number is fixed by code, not by data
_CALLBACK_WORDS = ("receiver", "handler", "callback", "listener", "hook", "subscriber", "observer", "plugin",
                   "middleware", "waiter",
                   # one request per configured backend: no single dependency gets N at once
                   "base_url", "server", "backend", "host", "replica", "shard", "region")


@dataclass
class _Site:
    """Where a limit exists: the function stack (ids), the class (id), and the function's key."""

    functions: tuple[int, ...]
    klass: int | None
    key: str | None


@dataclass
class _Gather:
    node: cst.Call
    functions: tuple[int, ...]
    klass: int | None
    callee: str | None
    variable: str
    collection: str


class UnboundedGather(Rule):
    """`asyncio.gather` over a collection of any size, with nothing bounding concurrency.

    ## What it does
    Flags `asyncio.gather(*(f(x) for x in xs))`, `gather(*[f(x) for x in xs])`,
    `gather(*map(f, xs))` and `gather(*tasks)` where `tasks` is such a comprehension or an
    empty list filled with `tasks.append(f(x))` in a `for` loop, over a
    collection that is not a literal, when no concurrency limit is in scope: no
    `asyncio.Semaphore`/`BoundedSemaphore`, `TaskGroup`, `anyio.CapacityLimiter` or
    `aiolimiter.AsyncLimiter` built in the enclosing functions, their class or the module,
    and no `async with <semaphore/limiter>` in the coroutine function being gathered.

    Not flagged: `gather` of tasks or futures that already run (`create_task(...)` in the
    loop, a list of existing tasks): it starts nothing new; collections fixed by the code
    (literals, `range(<literal>)`, a module constant of eight items or fewer, the values of a
    module constant dict of small literals, and comprehensions over those); a coroutine that
    enters an imported or module-level limiter by name (`async with OPEN_FILES:`); a
    coroutine function of the same file that awaits nothing (in-process work); a
    `gather` of a few named coroutines (`gather(a(), b())`), work handed to a thread pool
    (`asyncio.to_thread`, `run_in_executor`: the pool bounds it), fan-out over registered
    callbacks (`receivers`, `handlers`, `listeners`, `hooks`: their number is fixed by code)
    or over configured backends (`base_urls`, `servers`, `hosts`, `replicas`, `shards`: one
    call per backend, no single dependency gets N at once),
    closing local resources (`aclose()`, `wait_closed()`, `cancel()` ...),
    and lists built some other way (reviewlint does not guess their size).

    ## Why it matters
    `gather` starts every coroutine at once. With 10 000 items that is 10 000 simultaneous
    connections: the remote API rate-limits or falls over, the local connection pool and file
    descriptors run out, and one slow dependency cascades. Bounded concurrency keeps the
    speed-up and the service.

    ## Example
    ```python
    results = await asyncio.gather(*(fetch(client, u) for u in urls))
    ```

    ## Use instead
    ```python
    limit = asyncio.Semaphore(10)

    async def bounded(u):
        async with limit:
            return await fetch(client, u)

    results = await asyncio.gather(*(bounded(u) for u in urls))
    ```
    """

    code = "SCALE002"
    name = "unbounded-gather"
    opt_in = True  # judged precision on real code below 0.8: docs/precision.md
    viewpoint = Viewpoint.SCALABILITY
    severity = Severity.WARNING
    skip_roles = frozenset({"generated", "migration", "test"})
    lower_roles = frozenset({"script"})
    message = "asyncio.gather over a whole collection with no concurrency limit"

    valid = [
        # a semaphore in scope
        "import asyncio\n\nasync def f(client, urls):\n    limit = asyncio.Semaphore(10)\n\n    async def one(u):\n"
        "        async with limit:\n            return await client.get(u)\n\n"
        "    return await asyncio.gather(*(one(u) for u in urls))\n",
        # the gathered coroutine takes a limiter itself
        "import asyncio\n\nasync def one(sem, u):\n    async with sem:\n        return u\n\n"
        "async def f(urls, sem):\n    return await asyncio.gather(*[one(sem, u) for u in urls])\n",
        # a module-level limiter
        "import asyncio\nLIMIT = asyncio.BoundedSemaphore(5)\n\nasync def f(urls):\n"
        "    return await asyncio.gather(*(fetch(u) for u in urls))\n",
        # a class-level limiter built in __init__
        "import asyncio\n\nclass C:\n    def __init__(self):\n        self._sem = asyncio.Semaphore(4)\n\n"
        "    async def many(self, ids):\n        return await asyncio.gather(*(self.one(i) for i in ids))\n",
        # literal collections and fixed ranges
        "import asyncio\n\nasync def f():\n    await asyncio.gather(*(ping(h) for h in ('a', 'b', 'c', 'd')))\n"
        "    await asyncio.gather(*[worker(i) for i in range(4)])\n",
        # a few named coroutines
        "import asyncio\n\nasync def f():\n    return await asyncio.gather(users(), orders(), stock())\n",
        # work handed to a thread pool is bounded by the pool
        "import asyncio\n\nasync def f(paths):\n    return await asyncio.gather(*[asyncio.to_thread(read, p) for p in paths])\n",
        "import asyncio\n\nasync def f(batches):\n    loop = asyncio.get_running_loop()\n"
        "    tasks = [loop.run_in_executor(None, upsert, b) for b in batches]\n    return await asyncio.gather(*tasks)\n",
        # one call per configured backend
        "import asyncio\n\nasync def f(base_urls):\n    tasks = []\n    for idx, url in enumerate(base_urls):\n"
        "        tasks.append(tags(url))\n    return await asyncio.gather(*tasks)\n",
        # closing local resources is not a fan-out to a dependency
        "import asyncio\n\nasync def shutdown(gens):\n    await asyncio.gather(*[g.aclose() for g in gens], return_exceptions=True)\n",
        # registered callbacks: their number is fixed by code
        "import asyncio\n\nasync def send(self, event):\n"
        "    return await asyncio.gather(*(r(event) for r in self.async_receivers))\n",
        # a list built some other way is not guessed at
        "import asyncio\n\nasync def f(jobs):\n    tasks = [first()]\n    for j in jobs:\n        tasks.append(run(j))\n"
        "    return await asyncio.gather(*tasks)\n",
        # gathered in batches inside the loop that fills the list
        "import asyncio\n\nasync def f(jobs):\n    tasks = []\n    for j in jobs:\n        tasks.append(run(j))\n"
        "        if len(tasks) >= 10:\n            await asyncio.gather(*tasks)\n            tasks = []\n",
        "import asyncio\n\nasync def f(jobs):\n    tasks = []\n    while jobs:\n        tasks.append(run(jobs.pop()))\n"
        "    return await asyncio.gather(*tasks)\n",
        # the gathered coroutine awaits nothing: in-process work, no dependency to flood
        "import asyncio\n\nclass Coll:\n    async def _remove(self, item_id):\n        self.items.pop(item_id)\n"
        "        self.notify(item_id)\n\n    async def remove_all(self, ids):\n"
        "        await asyncio.gather(*(self._remove(i) for i in ids))\n",
        # tasks already started (or existing tasks): gather only waits for them
        "import asyncio\n\nasync def f(jobs):\n    tasks = []\n    for j in jobs:\n"
        "        tasks.append(asyncio.create_task(run(j)))\n    return await asyncio.gather(*tasks)\n",
        "import asyncio\n\nasync def shutdown(tasks):\n    pending = [t for t in tasks.values() if not t.done()]\n"
        "    await asyncio.gather(*pending, return_exceptions=True)\n",
        "async def setup(hass, bridges):\n    tasks = [hass.async_create_task(b.start()) for b in bridges]\n"
        "    await asyncio.gather(*tasks)\n",
        # bounded by construction: the values of a module constant of small literals
        "import asyncio\n\nMETHODS = {'queue': ['read_queue', 'read_status'], 'pool': ['read_pool']}\n\n"
        "async def load(client, kind, obj_id):\n    methods = [getattr(client, n) for n in METHODS[kind]]\n"
        "    return await asyncio.gather(*[m(obj_id) for m in methods])\n",
        # the limit is taken inside the gathered coroutine, with an imported semaphore
        "import asyncio\nfrom myapp.limits import OPEN_FILES\n\nasync def parse(path):\n    async with OPEN_FILES:\n"
        "        return await asyncio.to_thread(read, path)\n\nasync def parse_all(paths):\n"
        "    coros = [parse(p) for p in paths]\n    return await asyncio.gather(*coros)\n",
    ]
    invalid = [
        Invalid(
            "import asyncio\n\nasync def f(client, urls):\n    return await asyncio.gather(*(client.get(u) for u in urls))\n",
            line=4, message="one task per `u` in `urls`", count=1,
        ),
        Invalid(
            "from asyncio import gather\n\nasync def f(ids):\n    tasks = [load(i) for i in ids]\n    return await gather(*tasks)\n",
            line=5, message="Semaphore",
        ),
        Invalid(
            "import asyncio as aio\n\nasync def f(urls):\n    return await aio.gather(*map(fetch, urls), return_exceptions=True)\n",
            line=4, message="`urls`",
        ),
        # a list of coroutines appended in a loop
        Invalid(
            "import asyncio\n\nasync def f(jobs):\n    tasks = []\n    for j in jobs:\n"
            "        tasks.append(run(j))\n    return await asyncio.gather(*tasks)\n",
            line=7, message="one task per `j` in `jobs`",
        ),
        # a long collection expression is shortened without cutting inside its brackets
        Invalid(
            "import asyncio\n\nasync def f(root):\n"
            "    await asyncio.gather(*(parse(p) for p in walk_files(root=str(root), ignore_patterns=IGNORED, follow=True)))\n",
            line=4, message="in `walk_files(…)`",
        ),
        Invalid(
            "import asyncio\n\nasync def f(repo, users):\n"
            "    await asyncio.gather(*[repo.save(u) for u in users if u.dirty])\n",
            line=4,
        ),
    ]

    def begin(self) -> None:
        #: coroutine functions of this file (by key), and those that await anything
        self._coroutines: set[str] = set()
        self._awaiting: set[str] = set()
        self._sites: list[_Site] = []
        self._gathers: list[_Gather] = []
        #: (function id, list name) → (collection, variable, callee) of ``tasks.append(f(x))`` in a loop
        self._appended: dict[tuple[int, str], tuple[cst.BaseExpression, str, str | None, cst.CSTNode]] = {}

    # ------------------------------------------------------------------ where we are
    def _where(self) -> tuple[tuple[int, ...], int | None, str | None]:
        ctx = self.context
        functions = tuple(id(f) for f in ctx.functions)
        klass = id(ctx.classes[-1].node) if ctx.classes else None
        key = None
        if ctx.functions:
            func = ctx.functions[0]
            key = func.name.value
            if ctx.classes and ctx.method_class is not None and len(ctx.functions) == 1:
                key = f"self.{func.name.value}"
        return functions, klass, key

    # ------------------------------------------------------------------ in-process coroutines
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if node.asynchronous is None:
            return
        ctx = self.context
        # the walker has not entered the function yet: the key is the one it will have
        if not ctx.functions:
            key = f"self.{node.name.value}" if ctx.method_class is not None or ctx.classes else node.name.value
            if _has_body(node):
                self._coroutines.add(key)
            # an abstract coroutine (docstring, ``pass``, ``raise NotImplementedError``): overridden elsewhere

    def visit_Await(self, node: cst.Await) -> None:
        self._note_awaiting()

    def visit_With(self, node: cst.With) -> None:
        if node.asynchronous is not None:
            self._note_awaiting()

    def visit_For(self, node: cst.For) -> None:
        if node.asynchronous is not None:
            self._note_awaiting()

    def _note_awaiting(self) -> None:
        _, _, key = self._where()
        if key is not None:
            self._awaiting.add(key)

    # ------------------------------------------------------------------ limits
    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.context
        name = ctx.call_name(node)
        if name in _LIMITERS:
            self._sites.append(_Site(*self._where()))
            return
        if name in _GATHER:
            self._judge_gather(node)
            return
        self._note_append(node)

    def _note_append(self, node: cst.Call) -> None:
        """``tasks.append(fetch(x))`` / ``tasks.append(asyncio.create_task(fetch(x)))`` in a ``for`` loop."""
        ctx = self.context
        func = node.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "append" and isinstance(func.value, cst.Name)):
            return
        if len(node.args) != 1 or not isinstance(node.args[0].value, cst.Call):
            return
        loops = ctx.loops_in_current_function()
        if not loops or loops[-1].kind != "for" or loops[-1].iter is None:
            return
        loop = loops[-1]
        item = node.args[0].value
        if _starts_task(item, ctx) or _runs_in_executor(item, ctx) or _cleanup(item):
            return  # the task starts here, in the loop: the later gather only waits for it
        if not ctx.depends_on_loop(item, [loop]):
            return
        key = (id(ctx.function), func.value.value)
        self._appended.setdefault(
            key, (loop.iter, _target_text(loop.node.target), _callee_key(item), loop.node)  # type: ignore[union-attr]
        )

    def visit_WithItem(self, node: cst.WithItem) -> None:
        # ``async with sem:`` / ``async with self._limiter:`` (a limit passed in), or
        # ``async with OPEN_FILES:`` where the name is imported or a module constant: an
        # async context manager entered by name, not built here, is a shared lock/limiter
        text = code_of(node.item).lower()
        if any(word in text for word in _LIMIT_WORDS) or self._shared_limit(node.item):
            self._sites.append(_Site(*self._where()))

    def _shared_limit(self, item: cst.BaseExpression) -> bool:
        ctx = self.context
        parent = ctx.parent
        if not isinstance(parent, cst.With) or parent.asynchronous is None or not isinstance(item, cst.Name):
            return False
        binding = ctx.lookup(item.value)
        if binding is None:
            return False
        if binding.kind == IMPORT:
            return True
        return ctx.scopes[0].names.get(item.value) is binding and isinstance(binding.origin, cst.Call)

    # ------------------------------------------------------------------ gathers
    def _judge_gather(self, node: cst.Call) -> None:
        ctx = self.context
        starred = [a.value for a in node.args if a.star == "*"]
        if len(starred) != 1:
            return
        fan = starred[0]
        appended = None
        if isinstance(fan, cst.Name):
            binding = ctx.lookup(fan.value)
            origin = binding.origin if binding is not None and binding.kind == OTHER else None
            if isinstance(origin, cst.List) and not origin.elements:
                appended = self._appended.get((id(ctx.function), fan.value))
                if appended is None:
                    return
                if any(loop.node is appended[3] for loop in ctx.loops):
                    return  # gathered inside the loop that fills it: batches
            elif not isinstance(origin, (cst.ListComp, cst.GeneratorExp, cst.SetComp, cst.Call)):
                return
            else:
                fan = origin
        if appended is not None:
            collection, variable, callee, _ = appended
        elif isinstance(fan, (cst.ListComp, cst.GeneratorExp, cst.SetComp)):
            comp = fan.for_in
            collection, variable = comp.iter, _target_text(comp.target)
            elt = fan.elt
            if _existing_tasks(fan, ctx) or _starts_task(elt, ctx) or _runs_in_executor(elt, ctx) or _cleanup(elt):
                return  # existing tasks/futures (or tasks started here): gather starts no new work
            callee = _callee_key(elt.expression if isinstance(elt, cst.Await) else elt)
        elif isinstance(fan, cst.Call) and ctx.call_name(fan) == "builtins.map" and len(fan.args) >= 2:
            collection, variable = fan.args[1].value, "item"
            callee = _callee_key(fan.args[0].value)
        else:
            return
        if _bounded_collection(collection, ctx) or _registered_callables(collection):
            return
        functions, klass, _ = self._where()
        self._gathers.append(
            _Gather(node, functions, klass, callee, variable, _short(collection))
        )

    def leave_Module(self, node: cst.Module) -> None:
        for g in self._gathers:
            if self._limited(g):
                continue
            if g.callee in self._coroutines and g.callee not in self._awaiting:
                continue  # a coroutine of this file that awaits nothing: no I/O to fan out
            self.report(
                g.node,
                f"`gather()` starts one task per `{g.variable}` in `{g.collection}` at once, with no limit: "
                "bound the concurrency (an `asyncio.Semaphore` around each call, or a fixed pool of workers)",
            )

    def _limited(self, g: _Gather) -> bool:
        for site in self._sites:
            if not site.functions and site.klass is None:
                return True  # module level
            if site.klass is not None and site.klass == g.klass:
                return True
            if set(site.functions) & set(g.functions):
                return True
            if g.callee is not None and site.key is not None and site.key == g.callee:
                return True
        return False


def _target_text(target: cst.BaseExpression) -> str:
    return " ".join(code_of(target).split())


def _callee_key(expr: cst.BaseExpression) -> str | None:
    """``one`` for ``one(x)``/``one``, ``self.one`` for ``self.one(x)``."""
    if isinstance(expr, cst.Call):
        expr = expr.func
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name) and expr.value.value in ("self", "cls"):
        return f"self.{expr.attr.value}"
    return None


#: a collection fixed by the code at this size or below is not a fan-out that grows with data
_SMALL_FAN_OUT = 8


def _bounded_collection(expr: cst.BaseExpression, ctx, hops: int = 0) -> bool:
    """A literal, ``range(<literal>)``, a small module constant (or a value of a module
    constant dict of small literals: ``METHODS[kind]``), or a comprehension over one."""
    if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
        return not any(isinstance(e, cst.StarredElement) for e in expr.elements)
    if isinstance(expr, cst.Call) and ctx.call_name(expr) == "builtins.range":
        return all(isinstance(a.value, cst.Integer) for a in expr.args)
    if is_small_fixed_collection(expr, ctx, _SMALL_FAN_OUT):
        return True
    if hops >= 3:
        return False
    if isinstance(expr, cst.Subscript) and isinstance(expr.value, cst.Name):
        table = _module_literal(expr.value.value, ctx)
        if isinstance(table, cst.Dict) and table.elements:
            return all(
                isinstance(e, cst.DictElement) and is_small_fixed_collection(e.value, ctx, _SMALL_FAN_OUT)
                for e in table.elements
            )
        return False
    if isinstance(expr, (cst.ListComp, cst.SetComp, cst.GeneratorExp)):
        return _bounded_collection(expr.for_in.iter, ctx, hops + 1)
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value in (
        "items", "keys", "values"
    ) and not expr.args:
        return _bounded_collection(expr.func.value, ctx, hops + 1)
    if isinstance(expr, cst.Name):
        binding = ctx.lookup(expr.value)
        origin = binding.origin if binding is not None and binding.kind == OTHER else None
        if isinstance(origin, (cst.ListComp, cst.SetComp, cst.GeneratorExp)):
            return _bounded_collection(origin.for_in.iter, ctx, hops + 1)
        if isinstance(origin, cst.Dict):  # a local literal table (``{}`` is filled later: unknown)
            return 0 < len(origin.elements) <= _SMALL_FAN_OUT
    return False


def _module_literal(name: str, ctx) -> cst.BaseExpression | None:
    binding = ctx.lookup(name)
    if binding is None or not ctx.scopes or ctx.scopes[0].names.get(name) is not binding:
        return None
    return binding.origin if isinstance(binding.origin, (cst.Dict, cst.List, cst.Tuple, cst.Set)) else None


#: calls that schedule a task at once (the loop that makes them is the fan-out, not gather)
_TASK_STARTERS = frozenset({"create_task", "ensure_future", "async_create_task", "async_create_background_task",
                            "wrap_future", "run_coroutine_threadsafe", "start_soon", "spawn"})


def _starts_task(elt: cst.BaseExpression, ctx) -> bool:
    """``asyncio.create_task(f(x))`` / ``loop.create_task(...)`` / ``hass.async_create_task(...)``."""
    if not isinstance(elt, cst.Call):
        return False
    func = elt.func
    name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
    return name in _TASK_STARTERS


def _has_body(node: cst.FunctionDef) -> bool:
    """More than a docstring, ``pass``, ``...`` or ``raise NotImplementedError``."""
    body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
    for stmt in body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            return True
        for small in stmt.body:
            if isinstance(small, cst.Pass):
                continue
            if isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString, cst.Ellipsis)):
                continue
            if isinstance(small, cst.Raise) and "NotImplementedError" in code_of(small):
                continue
            return True
    return False


_TASK_METHODS = frozenset({"done", "cancel", "cancelled", "result", "exception", "add_done_callback"})


def _existing_tasks(comp: cst.BaseExpression, ctx) -> bool:
    """``[t for t in tasks.values() if not t.done()]`` / ``(t for t in started)`` where ``started``
    was filled with ``create_task(...)``: the elements are tasks already running."""
    elt = comp.elt  # type: ignore[attr-defined]
    if not isinstance(elt, cst.Name):
        return False
    for cond in comp.for_in.ifs:  # type: ignore[attr-defined]
        for node in _walk(cond.test):
            if (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in _TASK_METHODS
                    and isinstance(node.func.value, cst.Name) and node.func.value.value == elt.value):
                return True
    source = comp.for_in.iter  # type: ignore[attr-defined]
    if isinstance(source, cst.Name):
        binding = ctx.lookup(source.value)
        origin = binding.origin if binding is not None and binding.kind == OTHER else None
        if isinstance(origin, (cst.ListComp, cst.SetComp, cst.GeneratorExp)) and _starts_task(origin.elt, ctx):
            return True
    return False


def _walk(node: cst.CSTNode, limit: int = 200):
    stack = [node]
    while stack and limit > 0:
        limit -= 1
        current = stack.pop()
        yield current
        stack.extend(current.children)


def _short(expr: cst.BaseExpression, limit: int = 40) -> str:
    """The expression for a message, shortened without cutting inside brackets."""
    text = " ".join(code_of(expr).split())
    if len(text) <= limit:
        return text
    return _elided(expr, 0)


def _elided(expr: cst.BaseExpression, depth: int) -> str:
    """``a.b(long, args)[k]`` → ``a.b(…)[…]``: the shape, with every bracket closed."""
    if depth > 20:
        return "…"
    if isinstance(expr, cst.Call):
        return f"{_elided(expr.func, depth + 1)}(…)"
    if isinstance(expr, cst.Subscript):
        return f"{_elided(expr.value, depth + 1)}[…]"
    if isinstance(expr, cst.Attribute):
        return f"{_elided(expr.value, depth + 1)}.{expr.attr.value}"
    if isinstance(expr, cst.Name):
        return expr.value
    return "…"


def _runs_in_executor(elt: cst.BaseExpression, ctx) -> bool:
    """``asyncio.to_thread(...)`` / ``loop.run_in_executor(...)``: the executor bounds it."""
    if not isinstance(elt, cst.Call):
        return False
    if ctx.call_name(elt) in _EXECUTOR_CALLS:
        return True
    return isinstance(elt.func, cst.Attribute) and elt.func.attr.value == "run_in_executor"


_CLEANUP_METHODS = frozenset({"aclose", "close", "wait_closed", "cancel", "shutdown", "stop", "join", "wait"})


def _cleanup(elt: cst.BaseExpression) -> bool:
    """``ag.aclose()`` / ``server.wait_closed()``: closing local resources, not calling a dependency."""
    if isinstance(elt, cst.Await):
        elt = elt.expression
    return (
        isinstance(elt, cst.Call) and isinstance(elt.func, cst.Attribute) and elt.func.attr.value in _CLEANUP_METHODS
    )


def _registered_callables(collection: cst.BaseExpression) -> bool:
    """``async_receivers`` / ``self._handlers``: callbacks registered by code."""
    if isinstance(collection, cst.Call) and isinstance(collection.func, cst.Attribute) and collection.func.attr.value in (
        "values", "items", "keys"
    ):
        collection = collection.func.value
    elif isinstance(collection, cst.Call) and isinstance(collection.func, cst.Name) and collection.func.value in (
        "enumerate", "zip", "sorted", "list", "set", "tuple"
    ) and collection.args:
        collection = collection.args[0].value
    if isinstance(collection, cst.Attribute):
        last = collection.attr.value
    elif isinstance(collection, cst.Name):
        last = collection.value
    else:
        return False
    last = last.lower()
    return any(word in last for word in _CALLBACK_WORDS)
