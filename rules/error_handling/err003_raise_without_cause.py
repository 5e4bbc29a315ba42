from __future__ import annotations

import libcst as cst

from reviewlint.analysis.calls import code_of
from reviewlint.analysis.handlers import current_handler
from reviewlint.rule import Fix, Invalid, Rule, Severity, Valid, Viewpoint


class RaiseWithoutCause(Rule):
    """A new exception raised inside `except` without saying what caused it.

    ## What it does
    Flags `raise NewError(...)` (or `raise NewError`) inside an `except` block without a
    `from ...` clause. A bare `raise`, re-raising the caught name (`raise exc`), or raising
    something built from it (`raise exc.with_traceback(tb)`) is fine, as is an explicit
    `from None` that hides the cause on purpose. A `raise` in a function defined inside the
    handler is not judged: it runs later.

    ## Why it matters
    Without `from exc` the traceback reads "During handling of the above exception, another
    exception occurred", as if the new error were a bug in the handler, and tools that walk
    `__cause__` (Sentry, structured error reports) lose the original failure: the 500 from
    the payment API disappears behind a generic `PaymentError`.

    ## Example
    ```python
    try:
        resp.raise_for_status()
    except httpx.HTTPStatusError as exc:
        raise PaymentError("charge failed")
    ```

    ## Use instead
    ```python
    try:
        resp.raise_for_status()
    except httpx.HTTPStatusError as exc:
        raise PaymentError("charge failed") from exc
    ```
    The fix adds `from <name>` when the handler binds the exception to a name.
    """

    code = "ERR003"
    name = "raise-without-cause"
    opt_in = True  # judged precision on real code below 0.8: docs/precision.md
    viewpoint = Viewpoint.ERROR_HANDLING
    severity = Severity.INFO
    skip_roles = frozenset({"generated", "migration"})
    peer_codes = frozenset({"B904", "W0707", "raise-missing-from", "TRY200"})
    message = "exception raised in `except` without `from`: the original cause is lost"
    fixable = True

    valid = [
        "try:\n    charge()\nexcept KeyError as exc:\n    raise PaymentError('charge failed') from exc\n",
        "try:\n    charge()\nexcept KeyError:\n    raise PaymentError('unknown card') from None\n",
        "try:\n    charge()\nexcept KeyError:\n    cleanup()\n    raise\n",
        "try:\n    charge()\nexcept KeyError as exc:\n    log(exc)\n    raise exc\n",
        "import sys\ntry:\n    charge()\nexcept KeyError as exc:\n    raise exc.with_traceback(sys.exc_info()[2])\n",
        # runs later, not while handling
        "try:\n    charge()\nexcept KeyError:\n    def fail():\n        raise PaymentError('x')\n    callbacks.append(fail)\n",
        # not inside an except block
        "def charge(amount):\n    if amount < 0:\n        raise ValueError('negative amount')\n",
        "try:\n    charge()\nexcept KeyError:\n    pass\nelse:\n    raise PaymentError('x')\n",
    ]
    invalid = [
        Invalid("try:\n    charge()\nexcept KeyError as exc:\n    raise PaymentError('charge failed')\n", line=4,
                message="add `from exc`", count=1),
        Invalid("try:\n    charge()\nexcept (KeyError, IndexError):\n    raise PaymentError\n", line=4,
                message="`from`"),
        Invalid("def f():\n    try:\n        charge()\n    except KeyError as e:\n        if retry:\n            return charge()\n"
                "        raise self.error('card', code=e.args[0])\n", line=7),
        # a nested handler without a name: no fix, still a finding
        Invalid("try:\n    charge()\nexcept OSError as exc:\n    try:\n        rollback()\n    except ValueError:\n"
                "        raise PaymentError('rollback failed')\n", line=7),
    ]

    def visit_Raise(self, node: cst.Raise) -> None:
        if node.exc is None or node.cause is not None:
            return
        handler = current_handler(self.context)
        if handler is None or not _inside_handler_body(self.context.ancestors, handler.node):
            return
        if _derived_from(node.exc, handler.name):
            return
        fix = None
        if handler.name is not None:
            new = node.with_changes(cause=cst.From(item=cst.Name(handler.name)))
            fix = Fix(code_of(new), f"chain the new exception to `{handler.name}`")
            advice = f"add `from {handler.name}`"
        else:
            advice = "bind the caught exception (`except ... as exc`) and add `from exc`, or `from None` to hide it on purpose"
        self.report(node, f"`raise {_short(node.exc)}` inside `except` without `from`: the original error "
                          f"is reported as a failure of the handler; {advice}", fix=fix)


def _inside_handler_body(ancestors: list[cst.CSTNode], handler: cst.ExceptHandler) -> bool:
    return any(a is handler.body for a in ancestors)


def _derived_from(exc: cst.BaseExpression, name: str | None) -> bool:
    """``exc`` is the caught exception or built from it (``exc.with_traceback(tb)``)."""
    if name is None:
        return False
    node: cst.BaseExpression = exc
    while True:
        if isinstance(node, cst.Name):
            return node.value == name
        if isinstance(node, cst.Call):
            node = node.func
        elif isinstance(node, cst.Attribute):
            node = node.value
        else:
            return False


def _short(node: cst.CSTNode) -> str:
    text = " ".join(code_of(node).split())
    if isinstance(node, cst.Call):
        text = " ".join(code_of(node.func).split()) + "(...)"
    return text if len(text) <= 40 else text[:39] + "…"
