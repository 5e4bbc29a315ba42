"""action.yml: valid action metadata, inputs never spliced into scripts, and its shell steps run
locally with a simulated GitHub Actions environment (a pull request against a local "origin").

The install step really runs (a virtual environment + ``pip install`` of this checkout), so it
needs the package index the first time.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
SCHEMA = json.loads((ROOT / "tests" / "schemas" / "github-action.schema.json").read_text(encoding="utf-8"))
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
INPUTS = {"version", "src", "args", "changed-files-only", "fail-on", "python-version", "output-format"}


def test_action_metadata_is_valid():
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    jsonschema.Draft7Validator(SCHEMA).validate(ACTION)
    assert set(ACTION["inputs"]) == INPUTS
    assert ACTION["inputs"]["output-format"]["default"] == "github"
    assert ACTION["runs"]["using"] == "composite"


def test_schema_rejects_broken_actions():
    validator = jsonschema.Draft7Validator(SCHEMA)
    broken = json.loads(json.dumps(ACTION))
    broken["runs"]["steps"][1].pop("shell")  # a run step without shell is invalid in a composite action
    assert not validator.is_valid(broken)
    broken = json.loads(json.dumps(ACTION))
    broken["inputs"]["src"]["typo"] = 1
    assert not validator.is_valid(broken)
    broken = json.loads(json.dumps(ACTION))
    broken["outputs"]["exit-code"].pop("value")
    assert not validator.is_valid(broken)


def test_inputs_reach_scripts_only_through_env():
    for step in ACTION["runs"]["steps"]:
        if "run" in step:
            assert "${{" not in step["run"], f"step {step.get('name')!r} splices an expression into its script"
            for value in step.get("env", {}).values():
                assert EXPR.fullmatch(str(value).strip()), value
    # the only third-party step is setup-python: changed files come from plain git
    assert [s["uses"].split("@")[0] for s in ACTION["runs"]["steps"] if "uses" in s] == ["actions/setup-python"]


# ---------------------------------------------------------------------------------- local runner


def _evaluate(value: str, context: dict[str, Any]) -> str:
    """The tiny subset of GitHub expressions the action's env uses: ``inputs.x``, ``steps.id.outputs.y``,
    ``github.x``."""

    def one(match: re.Match[str]) -> str:
        node: Any = context
        for part in match.group(1).split("."):
            node = node.get(part, "") if isinstance(node, dict) else ""
        return "" if node is None else str(node)

    return EXPR.sub(one, str(value))


def _read_outputs(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if "=" in line:
            key, value = line.split("=", 1)
            out[key] = value
    return out


class Runner:
    """Runs the composite action's bash steps like the Actions runner would."""

    def __init__(self, tmp: Path, workspace: Path, inputs: dict[str, str], event: dict[str, Any],
                 steps_outputs: dict[str, dict[str, str]] | None = None) -> None:
        self.tmp = tmp
        self.workspace = workspace
        defaults = {k: str(v.get("default", "")) for k, v in ACTION["inputs"].items()}
        self.inputs = {**defaults, **inputs}
        self.event_path = tmp / "event.json"
        self.event_path.write_text(json.dumps(event), encoding="utf-8")
        self.summary = tmp / "summary.md"
        self.steps: dict[str, dict[str, Any]] = {k: {"outputs": v} for k, v in (steps_outputs or {}).items()}

    def env(self, output: Path) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items()
                if not k.startswith(("GIT_", "GITHUB_", "RUNNER_", "INPUT_")) and k not in ("VIRTUAL_ENV", "PYTHONPATH")}
        base["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), base.get("PATH", "")])
        base.update({
            "GITHUB_ACTIONS": "true", "CI": "true", "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_ACTION_PATH": str(ROOT), "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(self.event_path),
            "GITHUB_BASE_REF": "main", "GITHUB_HEAD_REF": "feature", "GITHUB_REPOSITORY": "acme/shop",
            "GITHUB_SHA": "0" * 40, "GITHUB_SERVER_URL": "https://github.com", "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(self.summary), "RUNNER_TEMP": str(self.tmp / "runner-temp"),
            "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.org",
        })
        (self.tmp / "runner-temp").mkdir(exist_ok=True)
        return base

    def run_step(self, step_id: str) -> subprocess.CompletedProcess[str]:
        step = next(s for s in ACTION["runs"]["steps"] if s.get("id") == step_id)
        assert step["shell"] == "bash"
        context = {"inputs": self.inputs, "steps": self.steps, "github": {"action_path": str(ROOT)}}
        output = self.tmp / f"output-{step_id}"
        output.write_text("", encoding="utf-8")
        env = self.env(output)
        env.update({k: _evaluate(v, context) for k, v in step.get("env", {}).items()})
        script = self.tmp / f"{step_id}.sh"
        script.write_text(step["run"], encoding="utf-8")
        # what the runner does for `shell: bash`
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=self.workspace,
                              env=env, capture_output=True, text=True, timeout=900)
        self.steps[step_id] = {"outputs": _read_outputs(output)}
        return done


def _git(cwd: Path, *args: str) -> str:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org"}
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=env).stdout.strip()


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict[str, str]:
    """Run the install step once (default version: this action's own checkout)."""
    tmp = tmp_path_factory.mktemp("install")
    runner = Runner(tmp, tmp, {}, {})
    done = runner.run_step("install")
    assert done.returncode == 0, done.stdout + done.stderr
    outputs = runner.steps["install"]["outputs"]
    assert Path(outputs["reviewlint"]).exists() and "reviewlint" in done.stdout
    return outputs


@pytest.fixture
def pull_request(tmp_path) -> tuple[Path, dict[str, Any]]:
    """origin (main: old code with an old finding) and a checkout of a PR branch that adds a new one."""
    origin = tmp_path / "origin"
    origin.mkdir()
    _git(origin, "init", "-q", "-b", "main")
    (origin / "legacy.py").write_text("import requests\n\nrequests.get('https://old.example.org')\n", encoding="utf-8")
    (origin / "README.md").write_text("shop\n", encoding="utf-8")
    _git(origin, "add", ".")
    _git(origin, "commit", "-qm", "main")
    base_sha = _git(origin, "rev-parse", "HEAD")
    work = tmp_path / "workspace"
    _git(tmp_path, "clone", "-q", str(origin), str(work))
    _git(work, "checkout", "-qb", "feature")
    (work / "orders.py").write_text("import requests\n\n\ndef fetch(u):\n    return requests.get(u)\n", encoding="utf-8")
    _git(work, "add", ".")
    _git(work, "commit", "-qm", "feature")
    # like actions/checkout: only the PR's commit is known locally, not origin/main
    _git(work, "update-ref", "-d", "refs/remotes/origin/main")
    return work, {"pull_request": {"base": {"sha": base_sha, "ref": "main"}, "number": 7}}


def test_run_step_changed_files_only(tmp_path, installed, pull_request):
    work, event = pull_request
    runner = Runner(tmp_path, work, {"changed-files-only": "true", "fail-on": "warning"}, event, {"install": installed})
    done = runner.run_step("run")
    assert done.returncode == 1, done.stdout + done.stderr
    annotations = [line for line in done.stdout.splitlines() if line.startswith("::")]
    assert annotations and all("file=orders.py" in a for a in annotations), done.stdout
    assert "legacy.py" not in done.stdout
    assert "checking 1 changed file(s)" in done.stdout
    assert runner.steps["run"]["outputs"]["exit-code"] == "1"
    summary = runner.summary.read_text(encoding="utf-8")
    assert "## reviewlint review checklist" in summary
    assert "[`orders.py:5`](https://github.com/acme/shop/blob/" in summary


def test_run_step_whole_tree_and_output_format(tmp_path, installed, pull_request):
    work, event = pull_request
    runner = Runner(tmp_path, work, {"output-format": "concise", "args": "--select REL001 --fail-on error"},
                    event, {"install": installed})
    done = runner.run_step("run")
    assert done.returncode == 1
    assert sorted(line.split(":")[0] for line in done.stdout.splitlines() if ".py:" in line) == ["legacy.py", "orders.py"]


def test_run_step_no_python_changes(tmp_path, installed, pull_request):
    work, event = pull_request
    (work / "orders.py").unlink()
    (work / "notes.txt").write_text("x\n", encoding="utf-8")
    _git(work, "add", "-A")
    _git(work, "commit", "-qm", "docs only")
    runner = Runner(tmp_path, work, {"changed-files-only": "true"}, event, {"install": installed})
    done = runner.run_step("run")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "nothing to check" in done.stdout
    assert runner.steps["run"]["outputs"]["exit-code"] == "0"


def test_hostile_inputs_are_data_not_code(tmp_path, installed, pull_request):
    work, event = pull_request
    marker = tmp_path / "pwned"
    runner = Runner(tmp_path, work, {"src": f"$(touch {marker}) `touch {marker}`; touch {marker}",
                                     "args": f"--select 'REL001' \"$(touch {marker})\""}, event, {"install": installed})
    done = runner.run_step("run")
    assert not marker.exists()
    assert done.returncode == 2  # reviewlint saw odd arguments and paths and said so
