from __future__ import annotations

import libcst as cst

from reviewlint.analysis.calls import callee_text
from reviewlint.engine.context import INSTANCE, OTHER
from reviewlint.rule import Invalid, Rule, Severity, Viewpoint

_SPAWN = frozenset(
    {"asyncio.create_task", "asyncio.ensure_future", "asyncio.tasks.create_task", "asyncio.tasks.ensure_future"}
)
_LOOP_FACTORIES = frozenset(
    {"asyncio.get_event_loop", "asyncio.get_running_loop", "asyncio.new_event_loop", "asyncio.events.get_event_loop",
     "asyncio.events.get_running_loop"}
)


class FireAndForgetTask(Rule):
    """`asyncio.create_task(...)` whose task is dropped.

    ## What it does
    Flags `asyncio.create_task(...)`, `asyncio.ensure_future(...)` and
    `loop.create_task(...)` (on a loop from `asyncio.get_running_loop()`/`get_event_loop()`)
    used as a bare statement: the returned task is not stored, awaited or passed anywhere.

    Not flagged: a task that is kept (assigned, added to a set, returned, awaited), tasks of a
    `TaskGroup` (`tg.create_task(...)`: the group holds them), and `create_task` on objects
    reviewlint cannot identify.

    ## Why it matters
    The event loop keeps only a weak reference to a task: a task nobody holds can be
    garbage-collected before it finishes, and its exception is never retrieved (logged, at
    best, as "Task exception was never retrieved" at shutdown). Background work silently
    disappears under load, and nothing bounds how many such tasks pile up.

    ## Example
    ```python
    async def handle(event):
        asyncio.create_task(notify(event))
    ```

    ## Use instead
    ```python
    background = set()

    async def handle(event):
        task = asyncio.create_task(notify(event))
        background.add(task)
        task.add_done_callback(background.discard)
    # or: async with asyncio.TaskGroup() as tg: tg.create_task(notify(event))
    ```
    """

    code = "SCALE003"
    name = "fire-and-forget-task"
    opt_in = True  # judged precision on real code below 0.8: docs/precision.md
    viewpoint = Viewpoint.SCALABILITY
    severity = Severity.WARNING
    skip_roles = frozenset({"generated", "migration"})
    lower_roles = frozenset({"test"})
    #: ruff's dangling-task rule: the same problem, already reviewed where it is suppressed
    peer_codes = frozenset({"RUF006"})
    message = "task created and dropped: it can be garbage-collected and its errors are lost"

    valid = [
        "import asyncio\n\nasync def f(e):\n    task = asyncio.create_task(notify(e))\n    BACKGROUND.add(task)\n"
        "    task.add_done_callback(BACKGROUND.discard)\n",
        "import asyncio\n\nasync def f(e):\n    await asyncio.create_task(notify(e))\n",
        "import asyncio\n\nasync def f(e):\n    return asyncio.ensure_future(notify(e))\n",
        "import asyncio\n\nasync def f(e):\n    tasks.append(asyncio.create_task(notify(e)))\n",
        # a TaskGroup holds its tasks
        "import asyncio\n\nasync def f(events):\n    async with asyncio.TaskGroup() as tg:\n        for e in events:\n"
        "            tg.create_task(notify(e))\n",
        # ruff's RUF006 (the same problem) suppressed by the team
        "import asyncio\n\ndef f(e):\n    asyncio.ensure_future(notify(e))  # noqa: RUF006\n",
        # unknown objects are not guessed at
        "async def f(nursery, e):\n    nursery.create_task(notify(e))\n",
    ]
    invalid = [
        Invalid("import asyncio\n\nasync def f(e):\n    asyncio.create_task(notify(e))\n", line=4,
                message="`asyncio.create_task()`", count=1),
        Invalid("from asyncio import ensure_future\n\ndef f(e):\n    ensure_future(notify(e))\n", line=4, message="add_done_callback"),
        Invalid("import asyncio\n\nasync def f(e):\n    loop = asyncio.get_running_loop()\n    loop.create_task(notify(e))\n",
                line=5, message="`loop.create_task()`"),
        Invalid("import asyncio\n\ndef f(e):\n    asyncio.get_event_loop().create_task(notify(e))\n", line=4),
    ]

    def visit_Expr(self, node: cst.Expr) -> None:
        call = node.value
        if not isinstance(call, cst.Call):
            return
        if not self._spawns(call):
            return
        self.report(
            call,
            f"`{callee_text(call)}()` drops its task: the loop holds only a weak reference, so it can be "
            "garbage-collected mid-run and its exception is never seen; keep a reference "
            "(a set + `task.add_done_callback(set.discard)`) or use a `TaskGroup`",
        )

    def _spawns(self, call: cst.Call) -> bool:
        ctx = self.context
        name = ctx.call_name(call)
        if name in _SPAWN:
            return True
        func = call.func
        if not (isinstance(func, cst.Attribute) and func.attr.value in ("create_task", "ensure_future")):
            return False
        receiver = func.value
        if isinstance(receiver, cst.Call):
            return ctx.call_name(receiver) in _LOOP_FACTORIES
        if isinstance(receiver, cst.Name):
            binding = ctx.lookup(receiver.value)
            if binding is not None and binding.kind in (OTHER, INSTANCE) and isinstance(binding.origin, cst.Call):
                return ctx.call_name(binding.origin) in _LOOP_FACTORIES
        return False
