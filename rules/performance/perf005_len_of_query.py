from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import libcst as cst

from reviewlint.analysis import db as dba
from reviewlint.analysis.calls import code_of
from reviewlint.rule import Invalid, Rule, Severity, Viewpoint


@dataclass
class _Pending:
    node: cst.CSTNode
    name: str
    message: str


class LenOfQuery(Rule):
    """Rows loaded only to be counted or tested for existence.

    ## What it does
    Flags `len()` of a Django queryset (`len(Order.objects.filter(...))`, `len(qs)`) or of a
    SQLAlchemy `query(...).all()` → `.count()`; and the truth value of a queryset
    (`if qs:`, `if not qs:`, `bool(qs)`, `qs and ...`) → `.exists()`.

    Not flagged: a queryset variable that the function also uses otherwise (iterates,
    returns, passes on): then `len(qs)`/`if qs:` fill the queryset's cache and the rows are
    used anyway, which Django recommends. Querysets reviewlint cannot identify (related
    managers, custom managers, unknown objects) are not guessed at.

    ## Why it matters
    `len(qs)` runs `SELECT *` for every matching row and builds a model instance per row
    just to count them; `if qs:` does the same to learn whether there is one. `COUNT(*)` and
    `EXISTS` let the database answer from an index, in one row.

    ## Example
    ```python
    if len(Order.objects.filter(customer=customer)) > 10:
        ...
    if Order.objects.filter(customer=customer, open=True):
        ...
    ```

    ## Use instead
    ```python
    if Order.objects.filter(customer=customer).count() > 10:
        ...
    if Order.objects.filter(customer=customer, open=True).exists():
        ...
    ```
    """

    code = "PERF005"
    name = "len-of-query"
    opt_in = True  # judged precision on real code below 0.8: docs/precision.md
    viewpoint = Viewpoint.PERFORMANCE
    severity = Severity.WARNING
    skip_roles = frozenset({"generated", "migration", "script", "test"})
    message = "rows loaded only to count them or test for existence"

    valid = [
        "from shop.models import Order\n\ndef f(c):\n    return Order.objects.filter(customer=c).count()\n",
        "from shop.models import Order\n\ndef f(c):\n    if Order.objects.filter(customer=c).exists():\n        return 1\n",
        # the queryset is used afterwards: len()/if fill its cache, the rows are needed anyway
        "from shop.models import Order\n\ndef f(c):\n    orders = Order.objects.filter(customer=c)\n"
        "    if not orders:\n        return []\n    return [o.total for o in orders]\n",
        "from shop.models import Order\n\ndef f(c):\n    orders = Order.objects.filter(customer=c)\n"
        "    print(len(orders))\n    for o in orders:\n        print(o)\n",
        # lists and unknown objects
        "def f(items, qs):\n    if len(items) > 2 and qs:\n        return len(qs)\n",
        "from shop.models import Order\n\ndef f(c):\n    orders = list(Order.objects.filter(customer=c))\n    return len(orders)\n",
        # a related manager is not guessed at
        "def f(order):\n    return len(order.items.all())\n",
    ]
    invalid = [
        Invalid(
            "from shop.models import Order\n\ndef f(c):\n    return len(Order.objects.filter(customer=c))\n",
            line=4, message=".count()", count=1,
        ),
        Invalid(
            "from shop.models import Order\n\ndef f(c):\n    if Order.objects.filter(customer=c, open=True):\n        return 1\n",
            line=4, message=".exists()",
        ),
        Invalid(
            "from shop.models import Order\n\ndef f(c):\n    open_orders = Order.objects.filter(customer=c, open=True)\n"
            "    if not open_orders:\n        raise ValueError(c)\n",
            line=5, message="`open_orders.exists()`",
        ),
        Invalid(
            "from django.contrib.auth import get_user_model\n\ndef f():\n"
            "    return bool(get_user_model().objects.all()) or True\n",
            line=4, message=".exists()",
        ),
        Invalid(
            "from django.contrib.auth import get_user_model\nUser = get_user_model()\n\ndef f():\n"
            "    return bool(User.objects.filter(is_staff=True))\n",
            line=5, message=".exists()",
        ),
        Invalid(
            "from sqlalchemy.orm import Session\n\ndef f(s: Session, c):\n"
            "    return len(s.query(Order).filter(Order.customer_id == c).all())\n",
            line=4, message="func.count",
        ),
        Invalid(
            "from shop.models import Order\n\ndef f(c):\n    qs = Order.objects.filter(customer=c)\n    return len(qs)\n",
            line=5, message="`qs.count()`",
        ),
    ]

    def begin(self) -> None:
        #: per function (id; 0 for module level): name → loads
        self._loads: dict[int, Counter[str]] = {}
        self._targets: dict[int, Counter[str]] = {}
        self._pending: dict[int, list[_Pending]] = {}

    # ------------------------------------------------------------------ name uses
    def _scope(self) -> int:
        func = self.context.function
        return id(func) if func is not None else 0

    def visit_Name(self, node: cst.Name) -> None:
        self._loads.setdefault(self._scope(), Counter())[node.value] += 1

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        if isinstance(node.target, cst.Name):
            self._targets.setdefault(self._scope(), Counter())[node.target.value] += 1

    def visit_Assign(self, node: cst.Assign) -> None:
        dba.note_assignment(node, self.context)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if isinstance(node.target, cst.Name):
            self._targets.setdefault(self._scope(), Counter())[node.target.value] += 1

    # ------------------------------------------------------------------ len() / bool()
    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.context
        name = ctx.call_name(node)
        if name not in ("builtins.len", "builtins.bool") or len(node.args) != 1 or node.args[0].star:
            return
        arg = node.args[0].value
        if name == "builtins.len":
            if self._sqlalchemy_all(arg):
                self.report(
                    node,
                    f"`len({_short(arg)})` loads every row only to count them: use `query.count()` "
                    "or `select(func.count())`",
                )
                return
            self._judge(node, arg, "len")
        else:
            self._judge(node, arg, "bool")

    def _sqlalchemy_all(self, arg: cst.BaseExpression) -> bool:
        if not (isinstance(arg, cst.Call) and isinstance(arg.func, cst.Attribute) and arg.func.attr.value == "all"):
            return False
        found = dba.db_call(arg, self.context)
        return found is not None and found.library == "sqlalchemy"

    # ------------------------------------------------------------------ truthiness
    def visit_If(self, node: cst.If) -> None:
        for operand in _truth_operands(node.test):
            self._judge(operand, operand, "if")

    def visit_While(self, node: cst.While) -> None:
        for operand in _truth_operands(node.test):
            self._judge(operand, operand, "if")

    def visit_IfExp(self, node: cst.IfExp) -> None:
        for operand in _truth_operands(node.test):
            self._judge(operand, operand, "if")

    # ------------------------------------------------------------------ judging
    def _judge(self, node: cst.CSTNode, qs: cst.BaseExpression, how: str) -> None:
        ctx = self.context
        if not dba.is_queryset(qs, ctx):
            return
        shown = qs.value if isinstance(qs, cst.Name) else _short(qs)
        if how == "len":
            message = (
                f"`len({shown})` loads every row of the queryset only to count them: "
                f"use `{shown}.count()` (one `SELECT COUNT(*)`)"
            )
        else:
            spelled = f"bool({shown})" if how == "bool" else f"if {shown}:"
            message = (
                f"`{spelled}` loads the whole queryset only to test for a row: use `{shown}.exists()`"
            )
        if isinstance(qs, cst.Name):
            self._pending.setdefault(self._scope(), []).append(_Pending(node, qs.value, message))
        else:
            self.report(node, message)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._decide(id(node))

    def leave_Module(self, node: cst.Module) -> None:
        self._decide(0)

    def _decide(self, scope: int) -> None:
        pending = self._pending.pop(scope, [])
        loads = self._loads.pop(scope, Counter())
        targets = self._targets.pop(scope, Counter())
        for item in pending:
            uses = loads[item.name] - targets[item.name]
            if uses <= 1:  # the len()/if itself is the only use: the rows are never used
                self.report(item.node, item.message)


def _truth_operands(test: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return _truth_operands(test.expression)
    if isinstance(test, cst.BooleanOperation):
        return _truth_operands(test.left) + _truth_operands(test.right)
    return [test]


def _short(expr: cst.BaseExpression) -> str:
    if isinstance(expr, cst.Call):
        return dba.short_callee(expr) + "(…)"
    text = " ".join(code_of(expr).split())
    return text if len(text) <= 48 else text[:47] + "…"

