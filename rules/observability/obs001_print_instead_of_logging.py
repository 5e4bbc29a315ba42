from __future__ import annotations

import libcst as cst

from reviewlint.analysis.calls import keyword
from reviewlint.analysis.entry_points import DEFAULT_SCRIPT_PATHS, entry_point_reason
from reviewlint.rule import Invalid, Option, Rule, Severity, Valid, Viewpoint


#: roles where printing is the point (outside except handlers)
_COMMAND_LINE_ROLES = frozenset({"script", "migration", "example"})


class PrintInsteadOfLogging(Rule):
    """`print()` in library or service code.

    ## What it does
    Flags calls to the built-in `print()` in library and service code.

    Not flagged: inside `if __name__ == "__main__":`; in `__main__.py`, `cli.py`, `_cli.py`,
    `console.py`, `manage.py` and Django management commands (`management/commands/`); in
    command-line entry
    points (functions decorated as click or typer commands or groups, functions named `main`,
    functions named in `[project.scripts]` of the analysed project's `pyproject.toml`); in
    files under `script-paths` (default `scripts/**`, `bin/**`, `tools/**`, matched from the
    project root or at any depth); in command-line modules (a module-level
    `if __name__ == "__main__":` block, or argparse/optparse/getopt imported); when `file=` is
    given (the output goes somewhere on purpose). Test files (`test-paths`) are skipped.

    ## Why it matters
    Printed lines have no level, no timestamp, no logger name and no request id; they cannot
    be filtered, routed or silenced, and in a service behind gunicorn or a container they may
    not reach the log pipeline at all. When it fails in production, the one line that would
    explain it is not where anyone looks.

    ## Example
    ```python
    def sync_orders(orders):
        for order in orders:
            print("syncing", order.id)
    ```

    ## Use instead
    ```python
    logger = logging.getLogger(__name__)

    def sync_orders(orders):
        for order in orders:
            logger.info("syncing order %s", order.id)
    ```
    """

    code = "OBS001"
    name = "print-instead-of-logging"
    opt_in = True  # judged precision on real code below 0.8: docs/precision.md
    viewpoint = Viewpoint.OBSERVABILITY
    severity = Severity.INFO
    skip_roles = frozenset({"generated", "test"})
    peer_codes = frozenset({"T201", "T203"})
    message = "print() in library code: use a logger"
    options = {
        "script-paths": Option("list[str]", list(DEFAULT_SCRIPT_PATHS), "files that are scripts, where print() is fine"),
    }

    valid = [
        "def main():\n    print('done')\n",
        "if __name__ == '__main__':\n    print('usage: sync.py FILE')\n",
        "import click\n\n@click.command()\ndef sync():\n    print('synced')\n",
        "import click\n\n@click.group()\ndef cli():\n    pass\n\n@cli.command()\ndef push():\n    print('pushed')\n",
        "import typer\napp = typer.Typer()\n\n@app.command()\ndef hello(name: str):\n    print(f'hello {name}')\n",
        "import sys\n\ndef warn(msg):\n    print(msg, file=sys.stderr)\n",
        Valid("def run():\n    print('migrated')\n", path="scripts/migrate.py"),
        Valid("def run():\n    print('migrated')\n", path="ops/migrate.py", options={"script-paths": ["ops/**"]}),
        Valid("print('hello')\n", path="mypkg/__main__.py"),
        Valid("def show(result):\n    print(result.code)\n", path="mypkg/_cli.py"),
        Valid("class Command(BaseCommand):\n    def handle(self):\n        print('done')\n",
              path="shop/management/commands/sync_stock.py"),
        Valid("def run():\n    print('migrated')\n", path="mypkg/bin/migrate.py"),
        # a command-line program: its helpers print its output
        "import argparse\n\ndef show(rows):\n    print(rows)\n",
        "def show(rows):\n    print(rows)\n\nif __name__ == '__main__':\n    show([1])\n",
        # test files are skipped (test-paths)
        Valid("def test_x():\n    print('debug')\n", path="tests/test_sync.py"),
        # not the built-in
        "from rich import print\n\ndef show(table):\n    print(table)\n",
        "class Report:\n    def print(self, x): ...\n\ndef f(r):\n    r.print('x')\n",
    ]
    invalid = [
        Invalid("def sync_orders(orders):\n    for order in orders:\n        print('syncing', order.id)\n", line=3,
                message="print()", count=1),
        Invalid("import click\n\ndef helper():\n    print('x')\n", line=4),
        Invalid("class Client:\n    def get(self, url):\n        print(f'GET {url}')\n", line=3),
        Invalid("def run():\n    print('migrated')\n", path="mypkg/migrate.py"),
        # in a script, a print that stands in for error handling is still reported
        Invalid("def main():\n    try:\n        sync()\n    except OSError as exc:\n        print('sync failed', exc)\n",
                path="scripts/sync.py", line=5, message="except handler", count=1),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.context
        if ctx.call_name(node) != "builtins.print":
            return
        if keyword(node, "file") is not None:
            return
        if not ctx.roles.isdisjoint(_COMMAND_LINE_ROLES) or entry_point_reason(ctx, self.config["script-paths"]) is not None:
            if ctx.handler is not None:
                self.report(node, "`print()` in an except handler reports a failure without its traceback or a "
                                  "level: use logger.exception(...) (or log and re-raise)")
            return
        self.report(node, "`print()` in library code has no level, timestamp or logger name and bypasses the log "
                          "pipeline: use a module logger (logger.info(...)); print is fine only in CLI entry points")
