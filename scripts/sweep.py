#!/usr/bin/env python3
"""Robustness sweep: run reviewlint with every rule on popular packages and the standard library.

Where ``scripts/ecosystem.py`` measures what rules find in applications, this script asks
whether reviewlint survives real code at all: it never hangs, never crashes (E900), never
abandons a file (E901), never calls valid code a syntax error (E999), checks every file in
under 2 s, and keeps each worker under 300 MB.

    python scripts/sweep.py --jobs 2                          # everything, prints the table
    python scripts/sweep.py --jobs 2 --save sweep.json --markdown benchmarks/sweep.md
    python scripts/sweep.py --packages sympy,pandas --save sweep.json   # re-run some, merged into the file
    python scripts/sweep.py --from sweep.json --markdown benchmarks/sweep.md  # table of a saved run
    python scripts/sweep.py --hypothesis 2000                 # also 2000 generated programs
    python scripts/sweep.py --list                            # the pins

Downloads. Each pin is fetched once with ``pip download --no-deps --only-binary=:all:
--ignore-requires-python NAME==VERSION`` into the cache (``~/.cache/reviewlint-sweep``, or
``$REVIEWLINT_SWEEP_CACHE``, or ``--cache-dir``) and the wheel (a zip) is extracted into
``CACHE/src/NAME-VERSION/``; a package without a wheel falls back to its sdist tarball. The
standard library of the running interpreter (``sysconfig.get_paths()['stdlib']``) is copied
(its ``.py``/``.pyi`` files, ``site-packages`` left out) to ``CACHE/src/stdlib-VERSION`` and
checked whole, tests and their deliberately broken files included: the copy is not inside a
git work tree that ignores it, as pyenv's installs are.

Running. Per package: ``python -m reviewlint check --isolated --no-cache --exit-zero --select
ALL --output-format json --file-timeout 20 --jobs N .`` in the package's folder, under a
wall-clock limit (``--timeout``, default 1800 s; the process group is killed past it, so the
sweep itself never hangs). Measured per package:

* files and lines: the files reviewlint checked (from the timings below);
* seconds: the wall time of the run, and its CPU time (user + system of reviewlint and its
  reaped workers, from ``os.wait4``): the machine may be shared, CPU time is the steadier one;
  findings: everything reported, diagnostics included;
* E900, E901 counts; E999 on valid code: E999 files that the running interpreter's
  ``compile()`` accepts (a file that ``compile()`` rejects is rightly E999);
* per-file seconds: reviewlint's hidden ``REVIEWLINT_TIMINGS=FILE`` hook appends, for every
  file checked, the wall and CPU seconds spent in ``Engine.check_text``, the checking
  process's peak RSS (``getrusage(RUSAGE_SELF).ru_maxrss``) and its pid. This beats re-running
  reviewlint on a few candidate files: every file is timed, in the run itself. Files above the
  2 s target (CPU) are measured again alone (``--jobs 1``, one file), next to LibCST's own
  parse of the file (the floor no rule work can go below);
* peak RSS: per worker from the hook (with the file after which the worst worker reached its
  peak, measured again alone when above 300 MB), and for the largest process of the run from
  the ``rusage`` that ``os.wait4`` returns for the reviewlint process (the same accounting as
  ``getrusage(RUSAGE_CHILDREN)``, which covers reaped workers, but per run instead of
  cumulative over the sweep).

A package that cannot be downloaded or that reviewlint fails on is one line on stderr and a
``failed`` row; the sweep goes on. ``--save FILE`` merges the results into FILE (JSON), so a
re-run of some packages updates their rows only. Exit codes: 0 done (whatever was found);
2 bad input.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
import warnings
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, NamedTuple

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # scripts/pinned.py
import pinned  # noqa: E402
from pinned import UsageError, note, reviewlint_info, safe_path  # noqa: E402

FORMAT = "reviewlint-sweep/1"
CACHE_ENV = "REVIEWLINT_SWEEP_CACHE"
DEFAULT_CACHE = "~/.cache/reviewlint-sweep"
TIMINGS_ENV = "REVIEWLINT_TIMINGS"  # reviewlint.engine.runner.TIMINGS_ENV
STDLIB = "stdlib"

# targets
SLOW_FILE_SECONDS = 2.0
RSS_LIMIT_MIB = 300.0


class Pin(NamedTuple):
    name: str
    version: str


# The newest versions the package index served on 2026-12-04 (wheels for CPython 3.11 on
# x86_64 Linux where a package has compiled parts: their .py files are what is checked).
PINS: tuple[Pin, ...] = (
    Pin("sympy", "1.14.0"),
    Pin("pandas", "3.1.1"),
    Pin("numpy", "2.4.6"),
    Pin("scipy", "1.17.1"),
    Pin("matplotlib", "3.11.2"),
    Pin("networkx", "3.7"),
    Pin("botocore", "1.44.8"),
    Pin("ansible-core", "2.21.5"),
    Pin("homeassistant", "2026.11.0"),
    Pin("twisted", "26.10.0"),
    Pin("tornado", "6.6.1"),
    Pin("celery", "5.7.0"),
    Pin("aiohttp", "3.14.5"),
    Pin("pydantic", "2.14.4"),
    Pin("sqlalchemy", "2.1.9"),
    Pin("django", "6.1.3"),
    Pin("paramiko", "5.1.0"),
    Pin("pillow", "13.0.0"),
    Pin("sentry-sdk", "2.76.0"),
    Pin("werkzeug", "3.1.9"),
    Pin("jinja2", "3.1.6"),
    Pin("requests", "2.34.2"),
    Pin("flask", "3.1.3"),
    Pin("fastapi", "0.165.0"),
    Pin("httpx", "0.29.0"),
    Pin("black", "26.10.1"),
    Pin("pip", "26.3"),
    Pin("setuptools", "84.2.1"),
)
NAMES = [p.name for p in PINS] + [STDLIB]


# --------------------------------------------------------------------------- download


def fetch(cache: Path, pin: Pin) -> Path:
    """The extracted package folder (a wheel, else the sdist); RuntimeError with one line."""
    return pinned.fetch(cache, pin.name, pin.version, allow_sdist=True)


def stdlib_root() -> Path:
    return Path(sysconfig.get_paths()["stdlib"])


def stdlib_copy(cache: Path) -> Path:
    """The standard library's Python files copied to ``CACHE/src/stdlib-VERSION`` (once).

    A copy, because the original may lie in a git work tree that ignores it (pyenv's does),
    and reviewlint rightly skips git-ignored files; ``site-packages`` is left out.
    """
    root = cache / "src" / f"{STDLIB}-{platform.python_version()}"
    if root.is_dir():
        return root
    part = root.with_name(root.name + ".part")
    if part.exists():
        shutil.rmtree(part)

    def ignore(folder: str, names: list[str]) -> set[str]:
        return {n for n in names if n in ("site-packages", "__pycache__")
                or (not n.endswith((".py", ".pyi")) and not os.path.isdir(os.path.join(folder, n)))}

    try:
        shutil.copytree(stdlib_root(), part, ignore=ignore, symlinks=True)
        part.rename(root)
    except OSError as exc:
        raise RuntimeError(f"copying the standard library failed: {exc}") from None
    return root


# --------------------------------------------------------------------------- running


def reviewlint_cmd(jobs: int, file_timeout: float, paths: list[str]) -> list[str]:
    return [sys.executable, *safe_path(), "-m", "reviewlint", "check", "--isolated", "--no-cache", "--exit-zero",
            "--select", "ALL", "--output-format", "json", "--file-timeout", f"{file_timeout:g}", "--jobs", str(jobs),
            *paths]


class Run(NamedTuple):
    returncode: int | None  # None: killed at the time limit
    seconds: float
    stdout: str
    stderr: str
    maxrss_kib: int  # the largest process: reviewlint's or one of its workers'
    cpu: float  # user + system seconds of reviewlint and its workers


def run_limited(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float) -> Run:
    """Run ``cmd`` to its end or to ``timeout`` (then its whole process group is killed)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                start_new_session=True)
        returncode: int | None = None
        delay = 0.05
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                returncode = os.waitstatus_to_exitcode(status)
                break
            if time.perf_counter() - start > timeout:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                _, _, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
        proc.returncode = returncode if returncode is not None else -9  # Popen must not wait again
        seconds = time.perf_counter() - start
        if returncode is None:  # workers left in the group
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        out.seek(0)
        err.seek(0)
        return Run(returncode, seconds, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"),
                   usage.ru_maxrss, usage.ru_utime + usage.ru_stime)


class Timing(NamedTuple):
    wall: float
    cpu: float
    rss_kib: int  # peak RSS of the checking process so far
    pid: int


def read_timings(path: Path) -> dict[str, Timing]:
    """{display path: Timing}, in the order the files were finished."""
    out: dict[str, Timing] = {}
    if not path.exists():
        return out
    for line in path.read_text(encoding="utf-8", errors="surrogateescape").splitlines():
        parts = line.split("\t", 4)
        if len(parts) == 5:
            try:
                out[parts[4]] = Timing(float(parts[0]), float(parts[1]), int(parts[2]), int(parts[3]))
            except ValueError:
                continue
    return out


def rss_culprit(timings: dict[str, Timing]) -> tuple[int, str | None]:
    """(the largest peak RSS of a checking process in KiB, the file that raised that process's
    peak the most: checked alone, it shows what one file costs)."""
    peak: dict[int, int] = {}
    step: dict[int, tuple[int, str]] = {}
    for path, t in timings.items():  # in finishing order, per process
        before = peak.get(t.pid, 0)
        if t.rss_kib - before > step.get(t.pid, (0, ""))[0]:
            step[t.pid] = (t.rss_kib - before, path)
        peak[t.pid] = max(before, t.rss_kib)
    if not peak:
        return 0, None
    pid = max(peak, key=peak.__getitem__)
    return peak[pid], step.get(pid, (0, None))[1]


def compiles(path: Path) -> bool:
    """Does the running interpreter's ``compile()`` accept the file?"""
    try:
        data = path.read_bytes()
    except OSError:
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(data, str(path), "exec", dont_inherit=True)
        except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
            return False
    return True


def count_lines(path: Path) -> int:
    try:
        data = path.read_bytes()
    except OSError:
        return 0
    return len(re.findall(rb"\r\n|\r|\n", data)) + (0 if not data or data.endswith((b"\n", b"\r")) else 1)


def mib(kib: int) -> float:
    return round(kib / 1024, 1)


def sweep_one(name: str, version: str, root: Path, jobs: int, file_timeout: float, timeout: float) -> dict[str, Any]:
    """One package's row; RuntimeError with one line when reviewlint gave no report."""
    with tempfile.TemporaryDirectory(prefix="reviewlint-sweep-") as tmp:
        timings_file = Path(tmp) / "timings.tsv"
        env = {**os.environ, "REVIEWLINT_NO_PROGRESS": "1", TIMINGS_ENV: str(timings_file)}
        run = run_limited(reviewlint_cmd(jobs, file_timeout, ["."]), root, env, timeout)
        timings = read_timings(timings_file)
    row: dict[str, Any] = {"version": version, "status": "ok", "seconds": round(run.seconds, 1),
                           "cpu_seconds": round(run.cpu, 1), "process_rss_mib": mib(run.maxrss_kib)}
    if run.returncode is None:
        row.update(status="hang", error=f"killed after {timeout:g} s", files=len(timings))
        return row
    try:
        raw = json.loads(run.stdout)
        if not isinstance(raw, list):
            raise ValueError
    except ValueError:
        last = (run.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"reviewlint exited {run.returncode}: {last}") from None
    codes = Counter(item["code"] for item in raw)

    def rel(item: dict[str, Any]) -> str:
        path = Path(item["filename"])
        return (path.relative_to(root) if path.is_absolute() else path).as_posix()

    def where(item: dict[str, Any]) -> str:
        return f"{rel(item)}:{item['location']['row']}: {item['code']} {item['message']}"

    files = set(timings) | {rel(item) for item in raw if item["code"] in ("E902", "E999")}
    e999 = [item for item in raw if item["code"] == "E999"]
    e999_valid = [where(item) for item in e999 if compiles(root / rel(item))]
    e902_valid = [where(item) for item in raw if item["code"] == "E902" and compiles(root / rel(item))]
    slowest = sorted(timings.items(), key=lambda kv: -kv[1].cpu)
    worker_rss, rss_file = rss_culprit(timings)
    row.update(
        files=len(files),
        lines=sum(count_lines(root / f) for f in files),
        findings=len(raw),
        e900=codes["E900"],
        e901=codes["E901"],
        e999=len(e999),
        e999_valid=len(e999_valid),
        e902=codes["E902"],
        exit_code=run.returncode,
        worker_rss_mib=mib(worker_rss),
        rss_file=rss_file,
        slowest=[[path, round(t.cpu, 2), round(t.wall, 2)] for path, t in slowest[:10]],
        problems=[where(item) for item in raw if item["code"] in ("E900", "E901")] + e999_valid + e902_valid,
    )
    # files over the targets: measured again alone, next to LibCST's parse of the same file
    again = [path for path, t in slowest[:10] if t.cpu > SLOW_FILE_SECONDS]
    if worker_rss / 1024 > RSS_LIMIT_MIB and rss_file and rss_file not in again:
        again.append(rss_file)
    if again:
        row["alone"] = {path: measure_alone(root, path, file_timeout, timeout) for path in again}
    return row


PARSE_FLOOR = """\
import resource, sys, time
import libcst
text = open(sys.argv[1], encoding="utf-8").read()
start = time.process_time()
libcst.parse_module(text)
print(time.process_time() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def measure_alone(root: Path, path: str, file_timeout: float, timeout: float) -> dict[str, float]:
    """One file checked on its own (``--jobs 1``) and parsed by LibCST on its own: CPU seconds and
    peak RSS of each, so slowness and memory can be told apart from the parse floor."""
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="reviewlint-sweep-") as tmp:
        timings_file = Path(tmp) / "timings.tsv"
        env = {**os.environ, "REVIEWLINT_NO_PROGRESS": "1", TIMINGS_ENV: str(timings_file)}
        run = run_limited(reviewlint_cmd(1, file_timeout, [path]), root, env, min(timeout, 300))
        timing = read_timings(timings_file).get(path)
    if timing is not None:
        out.update(cpu=round(timing.cpu, 2), wall=round(timing.wall, 2), rss_mib=mib(run.maxrss_kib))
    floor = run_limited([sys.executable, *safe_path(), "-c", PARSE_FLOOR, path], root, dict(os.environ),
                        min(timeout, 300))
    try:
        cpu, rss = floor.stdout.split()
        out.update(parse_cpu=round(float(cpu), 2), parse_rss_mib=mib(int(rss)))
    except ValueError:
        pass
    return out


def sweep(names: list[str], cache: Path, jobs: int, file_timeout: float, timeout: float) -> dict[str, Any]:
    info = reviewlint_info()
    note(f"reviewlint {info['version']} {(info['commit'] or '')[:12]}{' (dirty)' if info['dirty'] else ''}; "
         f"cache {cache}")
    rows: dict[str, Any] = {}
    for name in names:
        pin = next((p for p in PINS if p.name == name), None)
        version = pin.version if pin is not None else platform.python_version()
        try:
            root = fetch(cache, pin) if pin is not None else stdlib_copy(cache)
        except RuntimeError as exc:
            note(f"{name} {version}: {exc}")
            rows[name] = {"version": version, "status": "failed", "error": str(exc)}
            continue
        try:
            row = sweep_one(name, version, root, jobs, file_timeout, timeout)
        except RuntimeError as exc:
            note(f"{name} {version}: {exc}")
            rows[name] = {"version": version, "status": "failed", "error": str(exc)}
            continue
        row["commit"] = (info["commit"] or "")[:12]
        rows[name] = row
        note(f"{name} {version}: " + summary_line(row))
    return {
        "format": FORMAT,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "reviewlint": info,
        "python": platform.python_version(),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "jobs": jobs,
        "file_timeout": file_timeout,
        "packages": rows,
    }


def summary_line(row: dict[str, Any]) -> str:
    if row["status"] == "hang":
        return f"HANG: {row['error']}"
    slow = row["slowest"][0] if row.get("slowest") else ["-", 0, 0]
    return (f"{row['files']} files, {row['lines']:,} lines, {row['seconds']:.1f} s ({row['cpu_seconds']:.1f} s CPU), "
            f"{row['findings']} findings, E900 {row['e900']}, E901 {row['e901']}, E999 on valid code "
            f"{row['e999_valid']}, slowest {slow[0]} {slow[1]:.2f} s CPU, worker RSS {row['worker_rss_mib']:.0f} MiB")


# --------------------------------------------------------------------------- hypothesis


def run_hypothesis(count: int, seed: int) -> list[str]:
    """``count`` programs from hypothesmith through ``check_source``: the failures, one line each."""
    try:
        import hypothesmith
        from hypothesis import HealthCheck, given, seed as hseed, settings, strategies as st
    except ImportError:
        raise UsageError("--hypothesis needs hypothesmith: pip install hypothesmith") from None
    from reviewlint.api import check_source

    failures: list[str] = []
    done = [0]

    @hseed(seed)
    @settings(max_examples=count, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.one_of(hypothesmith.from_grammar(), hypothesmith.from_node()))
    def prop(source: str) -> None:
        done[0] += 1
        try:
            found = [f for f in check_source(source) if f.code in ("E900", "E901")]
        except Exception as exc:  # noqa: BLE001 - reported, the run goes on
            failures.append(f"exception {type(exc).__name__}: {exc} on {source[:200]!r}")
            return
        for f in found:
            failures.append(f"{f.code} {f.message} on {source[:200]!r}")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)  # hypothesmith compiles `1()` and the like
        prop()
    note(f"hypothesis: {done[0]} programs, {len(failures)} failures")
    return failures


# --------------------------------------------------------------------------- output


def file_cpu(row: dict[str, Any], path: str, cpu: float) -> float:
    """A file's CPU seconds: measured alone where it was, else in the parallel run."""
    return row.get("alone", {}).get(path, {}).get("cpu", cpu)


def _cell_slowest(row: dict[str, Any]) -> tuple[str, str]:
    if not row.get("slowest"):
        return "-", "-"
    path, cpu = row["slowest"][0][:2]
    alone = row.get("alone", {}).get(path)
    if alone and "cpu" in alone:
        return path, f"{alone['cpu']:.2f} (parse {alone.get('parse_cpu', float('nan')):.2f})"
    return path, f"{cpu:.2f}"


HEADERS = ("package", "version", "files", "lines", "wall s", "CPU s", "findings", "E900", "E901",
           "E999 valid (all)", "slowest file", "its CPU s", "worker RSS MiB", "max RSS MiB", "status")
LEFT = (0, 1, 10, 14)


def table_rows(data: dict[str, Any]) -> list[list[str]]:
    out = []
    for name, row in data["packages"].items():
        if "lines" not in row:
            out.append([name, row["version"], *["-"] * 12, f"{row['status']}: {row.get('error', '')}"])
            continue
        path, sec = _cell_slowest(row)
        out.append([name, row["version"], str(row["files"]), f"{row['lines']:,}", f"{row['seconds']:.1f}",
                    f"{row['cpu_seconds']:.1f}", str(row["findings"]), str(row["e900"]), str(row["e901"]),
                    f"{row['e999_valid']} ({row['e999']})", path, sec, f"{row['worker_rss_mib']:.0f}",
                    f"{row['process_rss_mib']:.0f}", row["status"]])
    ok = [r for r in data["packages"].values() if "lines" in r]
    if ok:
        out.append(["total", "", str(sum(r["files"] for r in ok)), f"{sum(r['lines'] for r in ok):,}",
                    f"{sum(r['seconds'] for r in ok):.1f}", f"{sum(r['cpu_seconds'] for r in ok):.1f}",
                    str(sum(r["findings"] for r in ok)), str(sum(r["e900"] for r in ok)),
                    str(sum(r["e901"] for r in ok)),
                    f"{sum(r['e999_valid'] for r in ok)} ({sum(r['e999'] for r in ok)})", "", "",
                    f"{max(r['worker_rss_mib'] for r in ok):.0f}", f"{max(r['process_rss_mib'] for r in ok):.0f}", ""])
    return out


def slow_files(data: dict[str, Any]) -> list[tuple[str, str, float, dict[str, float]]]:
    """(package, path, CPU seconds in the run, alone measurements) of every file above the target."""
    return [(name, s[0], s[1], row.get("alone", {}).get(s[0], {})) for name, row in data["packages"].items()
            for s in row.get("slowest", []) if s[1] > SLOW_FILE_SECONDS]


def targets(data: dict[str, Any]) -> list[tuple[str, str, bool]]:
    ok = [r for r in data["packages"].values() if "lines" in r]
    hangs = [n for n, r in data["packages"].items() if r["status"] == "hang"]
    failed = [n for n, r in data["packages"].items() if r["status"] == "failed"]
    slow = slow_files(data)
    slow_alone = [x for x in slow if x[3].get("cpu", x[2]) > SLOW_FILE_SECONDS]
    above_floor = [x for x in slow_alone if x[3].get("parse_cpu", 0) <= SLOW_FILE_SECONDS]
    worst = max((r["worker_rss_mib"] for r in ok), default=0)
    e900, e901, e999 = (sum(r[key] for r in ok) for key in ("e900", "e901", "e999_valid"))
    return [
        ("no hang (every package finished in its time limit)", f"{len(hangs)} hung, {len(failed)} failed", not hangs),
        ("0 E900", str(e900), e900 == 0),
        ("0 E901", str(e901), e901 == 0),
        ("0 E999 on code that compile() accepts", str(e999), e999 == 0),
        (f"no file above {SLOW_FILE_SECONDS:g} s (CPU)",
         f"{len(slow)} in the parallel run, {len(slow_alone)} alone, {len(above_floor)} of them where LibCST's "
         f"parse alone is within {SLOW_FILE_SECONDS:g} s", not slow_alone),
        (f"worker RSS ≤ {RSS_LIMIT_MIB:g} MB", f"max {worst:.0f} MiB", worst <= RSS_LIMIT_MIB),
    ]


def _alone_text(alone: dict[str, float]) -> str:
    if not alone:
        return ""
    parts = []
    if "cpu" in alone:
        parts.append(f"alone {alone['cpu']:.2f} s CPU, {alone['rss_mib']:.0f} MiB")
    if "parse_cpu" in alone:
        parts.append(f"LibCST parse alone {alone['parse_cpu']:.2f} s, {alone['parse_rss_mib']:.0f} MiB")
    return " (" + "; ".join(parts) + ")"


def problems(data: dict[str, Any]) -> list[str]:
    out = []
    for name, row in data["packages"].items():
        if row["status"] != "ok":
            out.append(f"{name}: {row['status']}: {row.get('error', '')}")
        for line in row.get("problems", []):
            out.append(f"{name}: {line}")
        for path, cpu, wall, *_ in row.get("slowest", []):
            if cpu > SLOW_FILE_SECONDS:
                alone = row.get("alone", {}).get(path, {})
                out.append(f"{name}: {path}: {cpu:.2f} s CPU ({wall:.2f} s wall) in the run" + _alone_text(alone))
        if row.get("worker_rss_mib", 0) > RSS_LIMIT_MIB:
            path = row.get("rss_file")
            out.append(f"{name}: worker RSS {row['worker_rss_mib']:.0f} MiB, raised most by {path}"
                       + _alone_text(row.get("alone", {}).get(path or "", {})))
    return out


def render_text(data: dict[str, Any]) -> str:
    rows = [list(HEADERS), *table_rows(data)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADERS))]
    lines = ["  ".join(cell.ljust(widths[i]) if i in LEFT else cell.rjust(widths[i])
                       for i, cell in enumerate(r)).rstrip() for r in rows]
    lines.append("")
    for target, measured, met in targets(data):
        lines.append(f"{'met ' if met else 'MISS'}  {target}: {measured}")
    found = problems(data)
    if found:
        lines += ["", "problems:", *[f"  {p}" for p in found]]
    return "\n".join(lines) + "\n"


def render_markdown(data: dict[str, Any], command: str) -> str:
    info = data["reviewlint"]
    commit = (info.get("commit") or "unknown")[:12] + (" (dirty)" if info.get("dirty") else "")
    cpus = data["machine"]["cpus"]
    out = [
        "# Robustness sweep",
        "",
        "reviewlint with every rule (`--select ALL`) on popular packages and the standard library: no hang, "
        "no crash (E900), no abandoned file (E901), no syntax error on valid code (E999), no file above "
        f"{SLOW_FILE_SECONDS:g} s, worker RSS ≤ {RSS_LIMIT_MIB:g} MB. See `scripts/sweep.py` for how each "
        "number is measured.",
        "",
        f"- date: {data['created'][:10]}",
        f"- machine: {cpus} cores, {data['machine']['platform']}",
        f"- Python: {data['python']}",
        f"- reviewlint: {info.get('version')} at commit {commit}",
        *([f"- rows measured at other commits: "
           + ", ".join(f"{n} ({r['commit']})" for n, r in data["packages"].items()
                       if r.get("commit") and r["commit"] != (info.get("commit") or "")[:12])]
          if any(r.get("commit") and r["commit"] != (info.get("commit") or "")[:12]
                 for r in data["packages"].values()) else []),
        f"- options: `--jobs {data['jobs']} --file-timeout {data['file_timeout']:g}`",
        f"- reproduce: `{command}`",
        "",
        "| " + " | ".join(HEADERS) + " |",
        "|" + "|".join("---" if i in LEFT else "---:" for i in range(len(HEADERS))) + "|",
    ]
    for row in table_rows(data):
        cells = [c.replace("|", "\\|") for c in row]
        cells[10] = f"`{cells[10]}`" if cells[10] not in ("", "-") else cells[10]
        out.append("| " + " | ".join(cells) + " |")
    out += ["", "Wall s: the package's run; CPU s: user and system time of reviewlint and its workers (the "
            "machine is shared, so CPU time is the steadier figure). E999 valid (all): E999 files that Python's "
            "`compile()` accepts (all E999). Slowest file: by CPU seconds in `Engine.check_text`; above the "
            "target it is measured again alone, next to LibCST's parse of the same file (parse). Worker RSS: "
            "the peak of a process that checked files; max RSS: the largest process of the run.",
            "", "## Targets", "", "| target | measured | met |", "|---|---|---|"]
    for target, measured, met in targets(data):
        out.append(f"| {target} | {measured} | {'yes' if met else '**no**'} |")
    found = problems(data)
    out += ["", "## Problems", ""]
    out += [f"- `{p}`" for p in found] if found else ["None."]
    if data.get("hypothesis") is not None:
        h = data["hypothesis"]
        out += ["", f"Hypothesis: {h['count']} generated programs, {len(h['failures'])} failures."]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--packages", help=f"comma-separated subset of: {', '.join(NAMES)}")
    parser.add_argument("--cache-dir", help=f"download cache (default ${CACHE_ENV} or {DEFAULT_CACHE})")
    parser.add_argument("--jobs", type=int, default=0, help="reviewlint --jobs (0: one per CPU)")
    parser.add_argument("--file-timeout", type=float, default=20.0, help="reviewlint --file-timeout (default 20)")
    parser.add_argument("--timeout", type=float, default=1800.0, help="wall-clock limit per package, seconds")
    parser.add_argument("--save", metavar="FILE", help="merge the results into this JSON file")
    parser.add_argument("--from", dest="from_file", metavar="FILE", help="print a saved run, run nothing")
    parser.add_argument("--markdown", metavar="FILE", help="also write the table as Markdown to FILE")
    parser.add_argument("--hypothesis", type=int, default=0, metavar="N", help="also check N generated programs")
    parser.add_argument("--seed", type=int, default=0, help="seed for --hypothesis")
    parser.add_argument("--list", action="store_true", help="print the pins and exit")
    return parser.parse_args(argv)


def load(path: str) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: cannot read: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise UsageError(f"{path}: not a reviewlint sweep file")
    return data


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        if args.list:
            for pin in PINS:
                print(f"{pin.name}=={pin.version}")
            print(f"{STDLIB} ({stdlib_root()})")
            return 0
        if args.from_file:
            data = load(args.from_file)
        else:
            names = NAMES
            if args.packages:
                names = [n.strip() for n in args.packages.split(",") if n.strip()]
                unknown = [n for n in names if n not in NAMES]
                if unknown:
                    raise UsageError(f"unknown package {unknown[0]!r}; known: {', '.join(NAMES)}")
            cache = Path(args.cache_dir or os.environ.get(CACHE_ENV) or DEFAULT_CACHE).expanduser()
            data = sweep(names, cache, args.jobs, args.file_timeout, args.timeout)
            if args.hypothesis:
                failures = run_hypothesis(args.hypothesis, args.seed)
                data["hypothesis"] = {"count": args.hypothesis, "seed": args.seed, "failures": failures}
                for line in failures:
                    note(f"hypothesis: {line}")
            if args.save:
                if Path(args.save).exists():
                    old = load(args.save)
                    merged = {n: old["packages"].get(n) or data["packages"].get(n) for n in NAMES}
                    merged.update(data["packages"])
                    data["packages"] = {n: merged[n] for n in NAMES if merged.get(n) is not None}
                Path(args.save).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    except UsageError as exc:
        note(f"sweep: error: {exc}")
        return 2
    sys.stdout.write(render_text(data))
    if args.markdown:
        command = f"python scripts/sweep.py --jobs {data['jobs']} --file-timeout {data['file_timeout']:g}"
        if data.get("hypothesis"):
            command += f" --hypothesis {data['hypothesis']['count']} --seed {data['hypothesis']['seed']}"
        command += f" --markdown {args.markdown}"
        Path(args.markdown).write_text(render_markdown(data, command), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
