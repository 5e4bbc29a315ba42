"""ERR001-ERR004 and OBS001/OBS003/OBS004/OBS005: behaviour beyond the inline examples
(project files, options, autofixes, one-problem-one-finding)."""

from __future__ import annotations

import textwrap

import pytest

from reviewlint.analysis import entry_points
from reviewlint.api import check_source
from reviewlint.config import load_settings


def _check(source: str, select: list[str], path: str = "example.py", root: str | None = None, rules=None):
    overrides = {"select": select}
    if rules:
        overrides["rules"] = rules
    settings = load_settings(overrides=overrides, isolated=True, cwd=root)
    if root is not None:
        settings.root = root
    return check_source(textwrap.dedent(source), path, settings=settings)


def codes(findings):
    return [(f.code, f.line) for f in findings]


# ---------------------------------------------------------------- ERR001 / ERR002


def test_bare_except_is_err001_alone():
    src = """
    try:
        connect()
    except:
        pass
    """
    assert codes(_check(src, ["ERR"])) == [("ERR001", 4)]


def test_typed_except_pass_is_err002():
    src = """
    import httpx
    try:
        httpx.post(url, json={})
    except httpx.HTTPError:
        pass
    """
    assert codes(_check(src, ["ERR"])) == [("ERR002", 5)]


def test_err002_retry_loop_with_continue_is_left_to_rel_rules():
    src = """
    import requests

    def fetch(url):
        for attempt in range(5):
            try:
                return requests.get(url, timeout=5)
            except requests.ConnectionError:
                continue
    """
    assert codes(_check(src, ["ERR002"])) == []


def test_err002_import_fallback_only_around_imports():
    ok = "try:\n    import orjson as json\nexcept ModuleNotFoundError:\n    json = None\n"
    bad = "try:\n    start_plugin()\nexcept ModuleNotFoundError:\n    pass\n"
    assert codes(_check(ok, ["ERR002"])) == []
    assert codes(_check(bad, ["ERR002"], rules={"ERR002": {"all-exception-types": True}})) == [("ERR002", 3)]


def test_err002_narrow_types_only_with_option():
    src = "def f(v):\n    try:\n        return parse_srs(v)\n    except SRSException:\n        return None\n"
    assert codes(_check(src, ["ERR002"])) == []
    assert codes(_check(src, ["ERR002"], rules={"ERR002": {"all-exception-types": True}})) == [("ERR002", 4)]


# ---------------------------------------------------------------- ERR003


def test_err003_fix_adds_from_name():
    src = """
    try:
        charge()
    except KeyError as exc:
        raise PaymentError("charge failed")
    """
    [finding] = _check(src, ["ERR003"])
    assert finding.fix is not None
    assert finding.fix.replacement == 'raise PaymentError("charge failed") from exc'


def test_err003_no_fix_without_bound_name():
    src = """
    try:
        charge()
    except KeyError:
        raise PaymentError("charge failed")
    """
    [finding] = _check(src, ["ERR003"])
    assert finding.fix is None
    assert "from None" in finding.message


def test_err003_uses_the_innermost_handler_name():
    src = """
    try:
        charge()
    except KeyError as outer:
        try:
            rollback()
        except OSError as inner:
            raise PaymentError("rollback failed")
    """
    [finding] = _check(src, ["ERR003"])
    assert finding.fix.replacement.endswith("from inner")


# ---------------------------------------------------------------- ERR004


def test_err004_reported_once_per_response_at_the_body_access():
    src = """
    import requests

    def f(url):
        r = requests.get(url, timeout=5)
        print(r.text)
        return r.json()
    """
    assert codes(_check(src, ["ERR004"])) == [("ERR004", 6)]


def test_err004_check_after_the_access_counts():
    src = """
    import httpx

    async def f(client: httpx.AsyncClient, url):
        resp = await client.get(url)
        body = resp.json()
        if resp.status_code >= 400:
            raise RuntimeError(body)
        return body
    """
    assert codes(_check(src, ["ERR004"])) == []


def test_err004_module_level_code():
    src = """
    import requests
    r = requests.get("https://example.org/data.json", timeout=5)
    data = r.json()
    """
    assert codes(_check(src, ["ERR004"])) == [("ERR004", 4)]


# ---------------------------------------------------------------- OBS001 / OBS005 entry points


@pytest.fixture
def project(tmp_path):
    entry_points._SCRIPTS_CACHE.clear()
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "shop"\n[project.scripts]\nshop-sync = "shop.sync:run_sync"\n', encoding="utf-8"
    )
    pkg = tmp_path / "shop"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    yield tmp_path
    entry_points._SCRIPTS_CACHE.clear()


def test_obs001_project_scripts_entry_point(project):
    src = """
    import logging

    def run_sync():
        print("synced")
        logging.info("synced")

    def helper():
        print("x")
    """
    path = str(project / "shop" / "sync.py")
    (project / "shop" / "sync.py").write_text(textwrap.dedent(src), encoding="utf-8")
    assert codes(_check(src, ["OBS001", "OBS005"], path=path, root=str(project))) == [("OBS001", 9)]


def test_project_scripts_read_once_per_root(project, monkeypatch):
    settings = load_settings(isolated=True)
    settings.root = str(project)
    first = entry_points.project_scripts(settings)
    assert first == frozenset({("shop.sync", "run_sync")})
    (project / "pyproject.toml").write_text("not toml at all [", encoding="utf-8")
    assert entry_points.project_scripts(settings) is first


def test_obs001_script_paths_option():
    src = "def run():\n    print('x')\n"
    assert codes(_check(src, ["OBS001"], path="ops/run.py")) == [("OBS001", 2)]
    assert codes(_check(src, ["OBS001"], path="ops/run.py", rules={"OBS001": {"script-paths": ["ops/**"]}})) == []
    assert codes(_check(src, ["OBS001"], path="scripts/run.py")) == []


def test_obs001_and_obs005_skip_test_files():
    src = "import logging\n\ndef test_x():\n    print('x')\n    logging.info('x')\n"
    assert codes(_check(src, ["OBS001", "OBS005"], path="tests/test_x.py")) == []
    assert len(_check(src, ["OBS001", "OBS005"], path="shop/x.py")) == 2


# ---------------------------------------------------------------- OBS003 fixes


def test_obs003_fix_error_becomes_exception():
    src = """
    import logging
    logger = logging.getLogger(__name__)
    try:
        charge()
    except Exception as exc:
        logger.error("charge failed: %s", exc)
    """
    [finding] = _check(src, ["OBS003"])
    assert finding.fix.replacement == 'logger.exception("charge failed: %s", exc)'


def test_obs003_fix_warning_keeps_level():
    src = """
    import logging
    logger = logging.getLogger(__name__)
    try:
        charge()
    except Exception:
        logger.warning("charge failed for %s", order_id)
    """
    [finding] = _check(src, ["OBS003"])
    assert finding.fix.replacement == 'logger.warning("charge failed for %s", order_id, exc_info=True)'


def test_structlog_event_and_keywords_is_never_obs004():
    src = """
    import structlog
    log = structlog.get_logger()

    def f(user_id):
        try:
            push(user_id)
        except OSError:
            log.exception("push_failed", user_id=user_id)
    """
    assert codes(_check(src, ["OBS"])) == []
