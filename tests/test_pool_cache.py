"""Parallel runs, the results cache and shards give the same answers as a plain run."""

from __future__ import annotations

import json
import os

from reviewlint.api import check_paths
from reviewlint.config import load_settings
from clihelp import run_cli

SOURCE = """\
import logging
import requests

logger = logging.getLogger(__name__)


def fetch_{n}(ids):
    for i in ids:
        requests.get(f"https://api.example.org/{n}/{{i}}")
    logger.info(f"done {{len(ids)}}")
    # the project's convention is lazy arguments: the f-string above deviates (OBS002)
    logger.debug("fetched %s", ids)
    logger.debug("batch %s", {n})
    logger.debug("module %s", __name__)
    logger.debug("count %d", len(ids))
"""


def make_files(project, count=24):
    for n in range(count):
        folder = project / f"pkg{n % 3}"
        folder.mkdir(exist_ok=True)
        (folder / f"mod{n}.py").write_text(SOURCE.format(n=n), encoding="utf-8")


def findings(result):
    return [(f.path, f.line, f.column, f.code, f.message) for f in result.findings]


def settings_for(project, select=("REL001", "PERF001", "OBS002")):
    return load_settings(overrides={"select": list(select)}, cwd=str(project))


def test_parallel_equals_serial_in_order(project):
    make_files(project)
    serial = check_paths(["."], settings_for(project), jobs=1)
    parallel = check_paths(["."], settings_for(project), jobs=2)
    assert findings(serial) == findings(parallel)
    assert [r.path for r in serial.files] == [r.path for r in parallel.files]
    assert len(serial.findings) == 24 * 3


def test_cache_hits_and_is_identical(project):
    make_files(project)
    cold = check_paths(["."], settings_for(project), cache=True)
    assert (cold.cache.hits, cold.cache.misses) == (0, 24)
    cache_dir = project / ".reviewlint_cache"
    assert (cache_dir / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert (cache_dir / ".gitignore").read_text().splitlines()[-1] == "*"
    warm = check_paths(["."], settings_for(project), cache=True)
    assert (warm.cache.hits, warm.cache.misses) == (24, 0)
    assert findings(cold) == findings(warm)
    # one file changed: one miss, and its new findings
    (project / "pkg0" / "mod0.py").write_text("import requests\nrequests.get('https://x.org', timeout=None)\n")
    touched = check_paths(["."], settings_for(project), cache=True)
    assert (touched.cache.hits, touched.cache.misses) == (23, 1)
    assert [f.message for f in touched.findings if f.path.endswith("mod0.py")] == [
        "`requests.get()` passes timeout=None, which disables the timeout: if the server never answers, this call waits forever"
    ]


def test_config_change_is_a_different_cache(project):
    make_files(project, 4)
    check_paths(["."], settings_for(project), cache=True)
    other = check_paths(["."], settings_for(project, select=("REL001",)), cache=True)
    assert other.cache.hits == 0
    assert {f.code for f in other.findings} == {"REL001"}


def test_corrupt_entries_are_misses_not_crashes(project):
    make_files(project, 4)
    cold = check_paths(["."], settings_for(project), cache=True)
    entries = [os.path.join(d, f) for d, _, fs in os.walk(project / ".reviewlint_cache") for f in fs if f.endswith(".json")]
    assert len(entries) == 4
    with open(entries[0], "w") as fh:
        fh.write("{not json")
    with open(entries[1], "w") as fh:
        json.dump({"findings": "wrong shape"}, fh)
    again = check_paths(["."], settings_for(project), cache=True)
    assert again.cache.misses == 2 and again.cache.hits == 2
    assert findings(again) == findings(cold)
    # and the bad entries were healed
    third = check_paths(["."], settings_for(project), cache=True)
    assert third.cache.hits == 4


def test_shards_partition_the_files(project):
    make_files(project)
    full = {r.path for r in check_paths(["."], settings_for(project)).files}
    parts = [{r.path for r in check_paths(["."], settings_for(project), shard=(k, 3)).files} for k in (1, 2, 3)]
    assert set().union(*parts) == full
    assert sum(len(p) for p in parts) == len(full)
    assert all(parts)  # 24 files over 3 shards: none empty


def test_cli_cache_flags_and_no_progress_in_pipes(project):
    make_files(project, 2)
    proc = run_cli("check", "--select", "REL001", "--no-cache", "-j", "2", ".")
    assert proc.returncode == 1
    assert not (project / ".reviewlint_cache").exists()
    assert "\r" not in proc.stderr and "\r" not in proc.stdout
    proc = run_cli("check", "--select", "REL001", "--cache-dir", "cachehere", ".")
    assert (project / "cachehere" / "CACHEDIR.TAG").exists()
    bad = run_cli("check", "--shard", "3/2", ".")
    assert bad.returncode == 2
    assert "Invalid value for '--shard': K must be between 1 and N, got '3/2'" in bad.stderr
