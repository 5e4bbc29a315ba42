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
    `shlex.join()` or are numbers/UPPER_CASE constants; `shell=False` and argument lists. A
    sink that SEC005 reports (it names the request value) is not reported again here.

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
        # not the os module
        "def f(runner, cmd):\n    runner.system(cmd)\n",
    ]
    invalid = [
        Invalid("import subprocess\n\ndef f(path):\n    subprocess.run(f'tar czf out.tgz {path}', shell=True, check=True)\n",
                line=4, message="f-string"),
        Invalid("import os\n\ndef f(host):\n    os.system('ping -c 1 ' + host)\n", line=4, message="concatenation"),
        Invalid("import os\n\ndef f(cmd):\n    return os.popen(cmd).read()\n", line=4, message="`cmd`"),
        Invalid("from subprocess import check_output as co\n\ndef f(branch):\n    cmd = 'git log %s' % branch\n    return co(cmd, shell=True)\n",
                line=5, message="%-format"),
        Invalid("import subprocess\n\ndef f(name):\n    return subprocess.getoutput('whois {}'.format(name))\n", line=4),
        Invalid("import asyncio\n\nasync def f(url):\n    await asyncio.create_subprocess_shell(f'curl {url}')\n", line=4),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.context
        sink = sinks.shell_sink(ctx, node)
        if sink is None:
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
