"""Run the real command line as a user does (imported by test modules as ``clihelp``).

pytest puts this folder on ``sys.path`` (rootdir-relative "prepend" import mode, no
``__init__.py``), so ``from clihelp import run_cli`` works with plain ``pytest``.
"""

from __future__ import annotations

import os
import subprocess
import sys


def run_cli(*args: str, cwd: str | os.PathLike | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real command line in a subprocess (exit codes, stdout, stderr as a user sees them)."""
    full_env = {**os.environ, "NO_COLOR": "1"}
    full_env.pop("GITHUB_STEP_SUMMARY", None)
    full_env.pop("GITHUB_ACTIONS", None)
    if env:
        full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "reviewlint", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
