from __future__ import annotations

import libcst as cst

from reviewlint.analysis.entry_points import DEFAULT_SCRIPT_PATHS, entry_point_reason
from reviewlint.analysis.logging_calls import ROOT, log_call
from reviewlint.knowledge.logs import LOG_METHODS
from reviewlint.rule import Invalid, Option, Rule, Severity, Valid, Viewpoint


class LoggerNotModuleScoped(Rule):
    """Logging on the root logger in library code.

    ## What it does
    Flags `logging.info(...)`, `logging.error(...)`, `logging.exception(...)`,
    `logging.log(...)` ... (calls on the `logging` module, i.e. the root logger) in library
    code.

    Not flagged: the same places OBS001 accepts `print()`: `if __name__ == "__main__":`
    blocks, `__main__.py`, click/typer commands, `main`, `[project.scripts]` entry points and
    files under `script-paths`. Test files (`test-paths`), migrations and examples
    (`example-paths`) are skipped. Nor inside a
    `logging.Handler` subclass: a module logger there can re-enter the handler itself (report
    its own failures with `self.handleError(record)` instead).

    ## Why it matters
    Records on the root logger carry no module name, so they cannot be filtered or routed per
    component (`logging.getLogger("billing").setLevel(...)` does not reach them), and the
    first such call runs `basicConfig()` behind the application's back if nothing configured
    logging yet.

    ## Example
    ```python
    import logging

    def charge(order):
        logging.info("charging order %s", order.id)
    ```

    ## Use instead
    ```python
    import logging

    logger = logging.getLogger(__name__)

    def charge(order):
        logger.info("charging order %s", order.id)
    ```
    """

    code = "OBS005"
    name = "logger-not-module-scoped"
    viewpoint = Viewpoint.OBSERVABILITY
    severity = Severity.INFO
    skip_roles = frozenset({"example", "generated", "migration", "script", "test"})
    message = "logging on the root logger: use logging.getLogger(__name__)"
    options = {
        "script-paths": Option("list[str]", list(DEFAULT_SCRIPT_PATHS), "files that are scripts, where root logging is fine"),
    }

    valid = [
        "import logging\nlogger = logging.getLogger(__name__)\n\ndef charge(order):\n    logger.info('charging %s', order.id)\n",
        "import logging\n\nif __name__ == '__main__':\n    logging.basicConfig(level=logging.INFO)\n    logging.info('starting')\n",
        "import logging\n\ndef main():\n    logging.info('starting')\n",
        "import logging, click\n\n@click.command()\ndef run():\n    logging.warning('dry run')\n",
        Valid("import logging\nlogging.info('migrating')\n", path="scripts/migrate.py"),
        Valid("import logging\nlogging.info('migrating')\n", path="tests/test_migrate.py"),
        # configuring logging is not logging
        "import logging\nlogging.basicConfig(level=logging.INFO)\nlogging.getLogger('x').setLevel(logging.DEBUG)\n",
        # inside a handler a module logger could re-enter the handler
        "import logging\n\nclass QueueHandler(logging.Handler):\n    def emit(self, record):\n        try:\n"
        "            self.queue.put(record)\n        except Exception:\n            logging.exception('queue full')\n",
        "from logging.handlers import RotatingFileHandler\nimport logging\n\nclass H(RotatingFileHandler):\n"
        "    def doRollover(self):\n        logging.warning('rolling over')\n",
    ]
    invalid = [
        Invalid("import logging\n\ndef charge(order):\n    logging.info('charging order %s', order.id)\n", line=4,
                message="`logging.info()`", count=1),
        Invalid("import logging as lg\n\ndef f():\n    try:\n        g()\n    except OSError:\n        lg.exception('g failed')\n", line=7),
        Invalid("from logging import warning\n\ndef f():\n    warning('deprecated')\n", line=4, message="root logger"),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        name = None
        if isinstance(func, cst.Attribute):
            call = log_call(node, self.context)
            if call is None or call.kind != ROOT:
                return
            name = f"logging.{call.method}"
        elif isinstance(func, cst.Name):
            qual = self.context.call_name(node) or ""
            if not qual.startswith("logging.") or qual.count(".") != 1:
                return
            if qual.split(".", 1)[1] not in LOG_METHODS:
                return
            name = qual
        if name is None or entry_point_reason(self.context, self.config["script-paths"]) is not None:
            return
        if self._in_log_handler():
            return  # a module logger here could re-enter this handler
        self.report(node, f"`{name}()` logs on the root logger: the record has no module name to filter or route by; "
                          "use a module logger (logger = logging.getLogger(__name__))")

    def _in_log_handler(self) -> bool:
        """Inside a class that derives from a ``logging`` handler (``logging.Handler``,
        ``logging.handlers.QueueHandler`` ...), directly or through a class of this file."""
        local = {c.node.name.value: c.node for c in self.context.classes}
        for info in self.context.classes:
            seen: set[str] = set()
            stack = [info.node]
            while stack and len(seen) < 20:
                cls = stack.pop()
                for base in cls.bases:
                    qual = self.context.qualname(base.value) or ""
                    if qual.startswith("logging.") and qual.endswith("Handler"):
                        return True
                    name = base.value.value if isinstance(base.value, cst.Name) else None
                    if name is not None and name not in seen:
                        seen.add(name)
                        target = local.get(name) or self._module_class(name)
                        if target is not None:
                            stack.append(target)
        return False

    def _module_class(self, name: str) -> cst.ClassDef | None:
        for stmt in self.context.module.body:
            if isinstance(stmt, cst.ClassDef) and stmt.name.value == name:
                return stmt
        return None
