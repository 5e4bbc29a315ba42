"""File discovery: recursion, .py/.pyi, default and configured excludes, .gitignore, explicit files."""

from __future__ import annotations

import os
import subprocess

from reviewlint.config import load_settings
from reviewlint.discover import discover


def touch(path, text="x = 1\n"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def rel(project, files):
    return sorted(str(p.relative_to(project)) if hasattr(p, "relative_to") else __import__("os").path.relpath(p, project) for p in files)


def test_recursion_suffixes_and_default_excludes(project):
    for name in ["a.py", "b.pyi", "c.txt", "pkg/d.py", ".git/e.py", "build/f.py", "node_modules/g.py",
                 "pkg/__pycache__/h.py", "env/lib/i.py", "dist/j.py", ".tox/k.py"]:
        touch(project / name)
    touch(project / "env" / "pyvenv.cfg", "home = /usr\n")
    found = discover(["."], load_settings())
    assert rel(project, found.files) == ["a.py", "b.pyi", "pkg/d.py"]


def test_configured_excludes_and_explicit_files(project):
    (project / "pyproject.toml").write_text("[tool.reviewlint]\nextend-exclude = ['generated/**', 'legacy_*.py']\n")
    touch(project / "generated" / "x.py")
    touch(project / "legacy_api.py")
    touch(project / "app.py")
    settings = load_settings()
    assert rel(project, discover(["."], settings).files) == ["app.py"]
    # files named on the command line are always checked ...
    assert rel(project, discover(["legacy_api.py", "generated/x.py"], settings).files) == ["generated/x.py", "legacy_api.py"]
    # ... unless --force-exclude (pre-commit passes every changed file)
    assert discover(["legacy_api.py", "generated/x.py"], settings, force_exclude=True).files == []


def test_gitignored_files_are_skipped(project):
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    (project / ".gitignore").write_text("secret_gen/\nscratch.py\n")
    touch(project / "secret_gen" / "a.py")
    touch(project / "scratch.py")
    touch(project / "app.py")
    assert rel(project, discover(["."], load_settings()).files) == ["app.py"]
    # explicitly named: checked (like ruff), unless force-exclude
    assert rel(project, discover(["scratch.py"], load_settings()).files) == ["scratch.py"]
    assert discover(["scratch.py"], load_settings(), force_exclude=True).files == []


def test_duplicates_and_missing(project):
    touch(project / "a.py")
    found = discover(["a.py", ".", "./a.py", "missing.py"], load_settings())
    assert rel(project, found.files) == ["a.py"]
    assert found.missing == ["missing.py"]


def test_folder_outside_the_project_is_not_excluded_by_its_parents(project, tmp_path_factory):
    outside = tmp_path_factory.mktemp("elsewhere") / "lib" / "site-packages" / "pkg"
    touch(outside / "mod.py")
    touch(outside / "build" / "gen.py")
    found = discover([str(outside)], load_settings())
    assert [os.path.relpath(f, outside) for f in found.files] == ["mod.py"]


def test_name_patterns_match_below_the_given_folder_layout_patterns_from_the_root(project):
    (project / "pyproject.toml").write_text("[tool.reviewlint]\nextend-exclude = ['src/generated/**']\n")
    touch(project / ".venv" / "lib" / "site-packages" / "pkg" / "mod.py")
    touch(project / "src" / "generated" / "x.py")
    touch(project / "src" / "app.py")
    settings = load_settings()
    assert rel(project, discover(["."], settings).files) == ["src/app.py"]
    assert rel(project, discover(["src"], settings).files) == ["src/app.py"]
    # a folder the user names is checked even though a parent is a virtualenv
    assert rel(project, discover([".venv/lib/site-packages/pkg"], settings).files) == [".venv/lib/site-packages/pkg/mod.py"]
