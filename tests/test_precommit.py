"""The pre-commit hook, run for real with ``pre-commit try-repo`` against this repository.

pre-commit installs the hook's environment from this checkout (uncommitted changes included)
with pip, so the first run needs the package index. Skipped only when pre-commit is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from reviewlint.api import check_paths
from reviewlint.config import load_settings

ROOT = Path(__file__).resolve().parent.parent


def _pre_commit() -> str | None:
    candidate = Path(sys.executable).parent / "pre-commit"
    if candidate.exists():
        return str(candidate)
    return shutil.which("pre-commit")


def test_hook_definition():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "reviewlint")
    assert hook["entry"] == "reviewlint check --force-exclude"
    assert hook["language"] == "python"
    assert hook["types_or"] == ["python", "pyi"]
    assert hook["require_serial"] is True
    example = yaml.safe_load((ROOT / "examples" / "pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert example["repos"][0]["hooks"][0]["id"] == "reviewlint"


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def _snapshot(target: Path, env: dict[str, str]) -> Path:
    """This checkout as it is now (tracked and new files, not ignored ones) in a one-commit repo:
    what a user's pre-commit would clone, without depending on the state of the index."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            check=True, capture_output=True).stdout.decode("utf-8", "surrogateescape")
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    subprocess.run(["git", "init", "-q"], cwd=target, check=True, env=env)
    subprocess.run(["git", "add", "-A"], cwd=target, check=True, env=env)
    subprocess.run(["git", "commit", "-qm", "snapshot"], cwd=target, check=True, env=env)
    return target


@pytest.mark.skipif(_pre_commit() is None, reason="pre-commit is not installed (pip install pre-commit)")
def test_try_repo_bad_file_fails_and_good_file_passes(tmp_path):
    repo = tmp_path / "project"
    repo.mkdir()
    (repo / "bad.py").write_text("import requests\n\nrequests.get('https://example.org')\n", encoding="utf-8")
    (repo / "good.py").write_text("import requests\n\nrequests.get('https://example.org', timeout=5)\n", encoding="utf-8")
    (repo / "stub.pyi").write_text("def f() -> int: ...\n", encoding="utf-8")
    (repo / "build").mkdir()
    (repo / "build" / "generated.py").write_text("import requests\nrequests.get('u')\n", encoding="utf-8")
    (repo / "pyproject.toml").write_text("[tool.reviewlint]\nselect = [\"REL001\"]\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") and k != "GITHUB_STEP_SUMMARY"}
    env.update(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.org", PRE_COMMIT_COLOR="never",
               PRE_COMMIT_HOME=str(Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "pre-commit-reviewlint-tests"))
    _git(repo, "init", "-q")
    _git(repo, "add", "-f", ".")

    hook_repo = _snapshot(tmp_path / "hook-repo", env)

    def try_repo(*files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([_pre_commit(), "try-repo", str(hook_repo), "reviewlint", "--verbose", "--files", *files],
                              cwd=repo, env=env, capture_output=True, text=True, timeout=900)

    bad = try_repo("bad.py")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "REL001" in bad.stdout and "bad.py:3:1" in bad.stdout

    good = try_repo("good.py", "stub.pyi")
    assert good.returncode == 0, good.stdout + good.stderr

    # --force-exclude: the default excludes (build/) apply to files pre-commit names too
    excluded = try_repo("build/generated.py")
    assert excluded.returncode == 0, excluded.stdout + excluded.stderr


def test_subset_of_files_gives_the_same_results_as_a_full_run(tmp_path, monkeypatch):
    """pre-commit passes only the changed files: their findings (incl. AUTH001's project-level
    decision) must equal those files' findings in a full run."""
    (tmp_path / "pyproject.toml").write_text("[tool.reviewlint]\n", encoding="utf-8")
    app = tmp_path / "svc"
    app.mkdir()
    (app / "__init__.py").write_text("", encoding="utf-8")
    (app / "app.py").write_text(textwrap.dedent("""\
        from flask import Flask, abort, session

        from svc.views import bp

        app = Flask(__name__)


        @app.before_request
        def require_login():
            if "user_id" not in session:
                abort(401)


        app.register_blueprint(bp)
        """), encoding="utf-8")
    (app / "views.py").write_text(textwrap.dedent("""\
        import requests
        from flask import Blueprint

        bp = Blueprint("orders", __name__, url_prefix="/orders")


        @bp.delete("/<int:order_id>")
        def delete(order_id):
            return requests.delete(f"https://backend/orders/{order_id}")
        """), encoding="utf-8")
    (app / "public.py").write_text(textwrap.dedent("""\
        from flask import Flask

        other = Flask("other")


        @other.post("/users/<int:user_id>/delete")
        def delete_user(user_id):
            return ""
        """), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    settings = load_settings(cwd=str(tmp_path))
    full = check_paths(["."], settings).findings

    def key(f):
        return (os.path.normpath(f.path), f.line, f.code, f.message)

    for name in ("svc/app.py", "svc/views.py", "svc/public.py"):
        subset = check_paths([name], load_settings(cwd=str(tmp_path))).findings
        assert sorted(map(key, subset)) == sorted(key(f) for f in full if os.path.normpath(f.path) == os.path.normpath(name)), name
