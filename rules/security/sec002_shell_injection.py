from __future__ import annotations

import libcst as cst

from reviewlint.analysis import sinks
from reviewlint.analysis.calls import callee_text
from reviewlint.rule import Invalid, Rule, Severity, Viewpoint


class ShellInjection(sinks.DeferredSinkRule, Rule):
    """A command string built at run time and handed to a shell.

    ## What it does
    Flags `subprocess.run/call/check_call/check_output/Popen(..., shell=True)`, `os.system`,
    `os.popen`, `subprocess.getoutput/getstatusoutput` and `asyncio.create_subprocess_shell`
    whose command is not a literal: a variable, an f-string, a `%`/`.format()` string or a
    concatenation.

    Not flagged: a literal command, even with `shell=True` (also through a local variable
    bound only to literals); commands whose dynamic parts are quoted with `shlex.quote()` /
    `shlex.join()` or are numbers/UPPER_CASE constants; `shell=False` and argument lists; a
    wrapper whose whole command is its own parameter (its contract is "a str runs through the
    shell": the callers decide what goes in, and this file's callers that build the string
    from values are reported instead). A sink that SEC005 reports (it names the request value)
    is not reported again here.

    ## Why it matters
    The shell parses the whole string: a `;`, `|`, `$(...)` or backtick in a file name,
    branch name or host name runs a second command with the service's privileges.

    ## Example
    ```python
    import subprocess

    def archive(path):
        subprocess.run(f"tar czf /backups/out.tgz {path}", shell=True, check=True)
    ```

    ## Use instead
    ```python
    import subprocess

    def archive(path):
        subprocess.run(["tar", "czf", "/backups/out.tgz", path], check=True)
        # or, when a shell is really needed: f"tar czf out.tgz {shlex.quote(path)}"
    ```
    """

    code = "SEC002"
    name = "shell-injection"
    opt_in = True  # judged precision on real code below 0.8: docs/precision.md
    viewpoint = Viewpoint.SECURITY
    severity = Severity.ERROR
    lower_roles = frozenset({"test"})
    peer_codes = frozenset({"S602", "S604", "S605", "B602", "B604", "B605"})
    message = "command built at run time is run by a shell: pass an argument list without shell=True"

    valid = [
        # a literal command is not a finding, even with shell=True
        "import subprocess\nsubprocess.run('ls -l /var/log | wc -l', shell=True, check=True)\n",
        "import os\nos.system('clear')\n",
        "import subprocess\n\ndef f():\n    cmd = 'git rev-parse HEAD'\n    return subprocess.check_output(cmd, shell=True)\n",
        # argument lists without a shell
        "import subprocess\n\ndef f(path):\n    subprocess.run(['tar', 'czf', 'out.tgz', path], check=True)\n",
        "import subprocess\n\ndef f(cmd):\n    subprocess.run(cmd, shell=False)\n",
        # quoted parts
        "import shlex, subprocess\n\ndef f(path):\n    subprocess.run(f'tar czf out.tgz {shlex.quote(path)}', shell=True)\n",
        "import os, shlex\n\ndef f(args):\n    os.system('convert ' + shlex.join(args))\n",
        "import os\n\ndef f(port):\n    os.system(f'fuser -k {int(port)}/tcp')\n",
        # a wrapper whose contract is "a str runs through the shell": its callers decide what goes in
        "import asyncio\n\nasync def open_process(command):\n    if isinstance(command, list):\n"
        "        return await asyncio.create_subprocess_exec(*command)\n    return await asyncio.create_subprocess_shell(command)\n",
        # not the os module
        "def f(runner, cmd):\n    runner.system(cmd)\n",
    ]
    invalid = [
        Invalid("import subprocess\n\ndef f(path):\n    subprocess.run(f'tar czf out.tgz {path}', shell=True, check=True)\n",
                line=4, message="f-string"),
        Invalid("import os\n\ndef f(host):\n    os.system('ping -c 1 ' + host)\n", line=4, message="concatenation"),
        Invalid("import os\n\ndef f(config):\n    cmd = config.get('command')\n    return os.popen(cmd).read()\n", line=5, message="`cmd`"),
        Invalid("from subprocess import check_output as co\n\ndef f(branch):\n    cmd = 'git log %s' % branch\n    return co(cmd, shell=True)\n",
                line=5, message="%-format"),
        Invalid("import subprocess\n\ndef f(name):\n    return subprocess.getoutput('whois {}'.format(name))\n", line=4),
        Invalid("import asyncio\n\nasync def f(url):\n    await asyncio.create_subprocess_shell(f'curl {url}')\n", line=4),
        # a shell wrapper is reported where a caller builds its command
        Invalid("import subprocess\n\ndef run(command):\n    return subprocess.run(command, shell=True)\n\n"
                "def archive(path):\n    return run(f'tar czf out.tgz {path}')\n", line=7, count=1, message="`run()` runs its `command`"),
    ]

    def begin(self) -> None:
        super().begin()
        #: this file's shell wrappers: function name → index of the parameter that is the command
        self._wrappers: dict[str, tuple[int, str]] = {}
        #: calls of this file's functions with a built string argument: (call, callee, index, message part)
        self._built_args: list[tuple[cst.Call, str, int, str]] = []

    def leave_Module(self, node: cst.Module) -> None:
        for call, callee, index, built in self._built_args:
            wrapper = self._wrappers.get(callee)
            if wrapper is not None and wrapper[0] == index:
                self._defer(call, f"`{callee}()` runs its `{wrapper[1]}` through a shell, and this call builds it by "
                                  f"{built}: pass an argument list, or shlex.quote() each value")
        super().leave_Module(node)

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.context
        sink = sinks.shell_sink(ctx, node)
        if sink is None:
            self._note_built_arguments(node)
            return
        command = sink.command
        if sinks.shell_command_is_literal(ctx, command):
            return
        if isinstance(command, (cst.List, cst.Tuple)):
            # shell=True with a list: only the first element is the command line
            if not command.elements:
                return
            command = command.elements[0].value
            if sinks.is_literal_text(command):
                return
        parameter = self._parameter_index(command)
        if parameter is not None:
            # a wrapper whose contract is "this string runs through a shell": the callers decide
            # what goes in; this file's callers that build the string are reported instead
            self._wrappers[ctx.function.name.value] = parameter  # type: ignore[union-attr]
            return
        building = sinks.string_building(ctx, command)
        name = callee_text(node)
        if building is not None:
            unsafe = [p for p in building.dynamic if not sinks.shell_part_is_safe(ctx, p)]
            if not unsafe:
                return
            parts = ", ".join(f"`{p}`" for p in sinks.dynamic_names(ctx, unsafe[:2]))
            via = f" (built into `{building.via}`)" if building.via else ""
            message = (f"`{name}()` runs a shell command built by {building.kind}{via} from {parts}: "
                       "pass an argument list without shell=True, or shlex.quote() each value")
        else:
            if sinks.shell_part_is_safe(ctx, command):
                return
            text = sinks.dynamic_names(ctx, [command])[0]
            message = (f"`{name}()` runs the non-literal command `{text}` through a shell: "
                       "pass an argument list without shell=True, or shlex.quote() each value")
        self._defer(node, message)

    def _parameter_index(self, command: cst.BaseExpression) -> tuple[int, str] | None:
        """(index at call sites, name) when the whole command is a parameter of the enclosing function."""
        func = self.context.function
        if not isinstance(command, cst.Name) or func is None:
            return None
        names = [p.name.value for p in (*func.params.posonly_params, *func.params.params)]
        if names and names[0] in ("self", "cls"):
            names = names[1:]
        return (names.index(command.value), command.value) if command.value in names else None

    def _note_built_arguments(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Name):
            callee = func.value
        elif isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value in ("self", "cls"):
            callee = func.attr.value
        else:
            return
        for index, arg in enumerate(node.args[:4]):
            if arg.keyword is not None or arg.star:
                break
            if not isinstance(arg.value, (cst.FormattedString, cst.BinaryOperation, cst.Call)):
                continue
            building = sinks.string_building(self.context, arg.value)
            if building is None:
                continue
            unsafe = [p for p in building.dynamic if not sinks.shell_part_is_safe(self.context, p)]
            if unsafe:
                parts = ", ".join(f"`{p}`" for p in sinks.dynamic_names(self.context, unsafe[:2]))
                self._built_args.append((node, callee, index, f"{building.kind} from {parts}"))
