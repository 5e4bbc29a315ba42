"""AUTH001's project-level decision: the same answer for a file whatever else was checked,
and facts that survive a worker process or the cache (JSON)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from reviewlint.api import build_engine, check_paths
from reviewlint.config import load_settings
from reviewlint.engine.project import finish_project
from reviewlint.engine.runner import FileResult, relative_display
from reviewlint.rule import Finding

ROOT = Path(__file__).resolve().parent.parent
APPS = ["examples/flask_service", "examples/fastapi_service", "examples/django_app"]


def _settings():
    return load_settings(overrides={"select": ["AUTH001", "AUTH002", "SEC005"]}, cwd=str(ROOT))


def _auth(findings, path=None):
    return sorted((f.path.replace(os.sep, "/"), f.line, f.severity, f.message) for f in findings
                  if f.code == "AUTH001" and (path is None or f.path.replace(os.sep, "/") == path))


def _files(app: str) -> list[str]:
    return sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / app).rglob("*.py"))


@pytest.mark.parametrize("app", APPS)
def test_single_file_gives_the_whole_app_answer(app, monkeypatch):
    monkeypatch.chdir(ROOT)
    whole = check_paths([app], _settings())
    whole_auth = _auth(whole.findings)
    assert whole_auth, f"{app}: the example app should have AUTH001 findings"
    for path in _files(app):
        alone = check_paths([path], _settings())
        assert _auth(alone.findings, path) == _auth(whole.findings, path), path


def test_every_app_file_together_equals_the_app(monkeypatch):
    monkeypatch.chdir(ROOT)
    whole = _auth(check_paths(["examples"], _settings()).findings)
    apps = _auth(check_paths(APPS, _settings()).findings)
    assert [f for f in whole if any(f[0].startswith(a) for a in APPS)] == apps


@pytest.mark.parametrize("app", APPS)
def test_facts_survive_json(app, monkeypatch):
    """Per-file results (findings + facts) computed elsewhere and cached as JSON decide the same."""
    monkeypatch.chdir(ROOT)
    settings = _settings()
    engine = build_engine(settings)
    direct = [engine.check_file(p, relative_display(p)) for p in _files(app)]
    copies = []
    for result in direct:
        data = json.loads(json.dumps({"findings": [f.to_dict() for f in result.findings], "facts": result.facts}))
        copies.append(FileResult(result.path, result.display_path,
                                 findings=[Finding.from_dict(f) for f in data["findings"]], facts=data["facts"]))
    finish_project(direct, engine)
    finish_project(copies, build_engine(settings))
    assert _auth([f for r in copies for f in r.findings]) == _auth([f for r in direct for f in r.findings])


def test_sensitive_routes_are_errors(monkeypatch):
    monkeypatch.chdir(ROOT)
    found = {(Path(p).name, line): sev for p, line, sev, _ in _auth(check_paths(APPS, _settings()).findings)}
    assert found[("app.py", 20)] == "error"  # POST
    assert found[("items.py", 25)] == "error"  # DELETE /items/{item_id}
    assert found[("main.py", 19)] == "warning"  # GET /docs/changelog


def test_unknown_project_is_not_reported(tmp_path, monkeypatch):
    """A blueprint whose app cannot be found: protection unknown, so no finding."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname='x'\n")
    pkg = tmp_path / "svc"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "views.py").write_text(
        "from flask import Blueprint\nfrom flask_login import current_user\nbp = Blueprint('b', __name__)\n\n"
        "@bp.get('/orders')\ndef orders():\n    return []\n"
    )
    (pkg / "hooks.py").write_text(
        "from flask import abort\nfrom flask_login import current_user\nfrom .views import bp\n\n"
        "@bp.before_request\ndef guard():\n    if not current_user.is_authenticated:\n        abort(401)\n"
    )
    monkeypatch.chdir(tmp_path)
    settings = load_settings(overrides={"select": ["AUTH001"]}, cwd=str(tmp_path))
    assert _auth(check_paths(["svc/views.py"], settings).findings) == []
    (pkg / "hooks.py").write_text("from .views import bp\n")
    assert [line for _, line, _, _ in _auth(check_paths(["svc/views.py"], settings).findings)] == [6]


def test_auth002_fix_swaps_the_decorators():
    from reviewlint.api import check_source

    source = ("from flask import Blueprint\nfrom flask_login import login_required\nbp = Blueprint('b', __name__)\n\n"
              "class Views:\n    pass\n\n@login_required\n@bp.route('/admin')\ndef admin():\n    return ''\n")
    (finding,) = check_source(source, select=["AUTH002"])
    assert finding.fix is not None and (finding.line, finding.end_line) == (8, 9)
    lines = source.splitlines(keepends=True)
    start = sum(len(x) for x in lines[: finding.line - 1]) + finding.column - 1
    end = sum(len(x) for x in lines[: finding.end_line - 1]) + finding.end_column - 1
    fixed = source[:start] + finding.fix.replacement + source[end:]
    assert "@bp.route('/admin')\n@login_required\ndef admin():" in fixed
    assert check_source(fixed, select=["AUTH001", "AUTH002"]) == []


def test_shards_and_workers_keep_the_project_decision(monkeypatch):
    """Each shard (and a worker pool) decides AUTH001 like the whole run."""
    import inspect

    monkeypatch.chdir(ROOT)
    params = inspect.signature(check_paths).parameters
    whole = _auth(check_paths(APPS, _settings()).findings)
    if "shard" in params:
        shards = [f for k in (1, 2) for f in _auth(check_paths(APPS, _settings(), shard=(k, 2)).findings)]
        assert sorted(shards) == whole
    if "jobs" in params:
        assert _auth(check_paths(APPS, _settings(), jobs=2).findings) == whole


def test_permission_mixin_in_another_module_protects_views(tmp_path, monkeypatch):
    """A Django view is protected by a base class, defined in another module, whose dispatch()
    asks has_perms() and calls handle_no_permission(); an unprotected sibling is still reported."""
    app = tmp_path / "proj"
    (app / "views").mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "views" / "__init__.py").write_text("")
    (app / "views" / "mixins.py").write_text(
        "from django.contrib.auth.mixins import AccessMixin\n\n"
        "class ObjectPermissionRequiredMixin(AccessMixin):\n"
        "    def dispatch(self, request, *args, **kwargs):\n"
        "        if not request.user.has_perms(['x.view']):\n"
        "            return self.handle_no_permission()\n"
        "        return super().dispatch(request, *args, **kwargs)\n"
    )
    (app / "views" / "pages.py").write_text(
        "from django.views.generic import View\nfrom proj.views.mixins import ObjectPermissionRequiredMixin\n\n"
        "class Devices(ObjectPermissionRequiredMixin, View):\n    def get(self, request):\n        return None\n\n"
        "class Open(View):\n    def get(self, request):\n        return None\n"
    )
    (app / "urls.py").write_text(
        "from django.urls import path\nfrom proj.views.pages import Devices, Open\n\n"
        "urlpatterns = [path('devices/', Devices.as_view()), path('open/', Open.as_view())]\n"
    )
    monkeypatch.chdir(tmp_path)
    settings = load_settings(overrides={"select": ["AUTH001"]}, cwd=str(tmp_path))
    result = check_paths(["proj"], settings)
    messages = [f.message for f in result.findings if f.code == "AUTH001"]
    assert len(messages) == 1 and "`Open`" in messages[0], messages


def test_authorisation_layer_calls_count_as_auth():
    from reviewlint.analysis.routes import AUTH_CALL_RE

    for name in ("check_access", "check_permissions", "require_permission", "ensure_authorized", "verify_token"):
        assert AUTH_CALL_RE.match(name), name
    for name in ("get_action", "check_status", "render"):
        assert not AUTH_CALL_RE.match(name), name
