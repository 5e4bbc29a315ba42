#!/usr/bin/env python3
"""Ecosystem check: run reviewlint on pinned real applications and report what a change does.

Every rule change is run on the same pinned, real projects (the wheels of seven open-source
applications, see ``PINS``) and the difference is reported, as ruff's ecosystem check does.

    python scripts/ecosystem.py                          # download once, run, print the table
    python scripts/ecosystem.py --apps wagtail,ckan      # a subset of the apps
    python scripts/ecosystem.py --select ALL --preview   # --select/--extend-select/--ignore/--preview pass through
    python scripts/ecosystem.py --jobs 2 --save new.json # store every finding (and the pins) as JSON
    python scripts/ecosystem.py --from new.json          # the table of a saved run, nothing re-run
    python scripts/ecosystem.py --compare old.json new.json
    python scripts/ecosystem.py --sample 10 --seed 1 [--rules REL,PERF001] --sheet sheet.md [--from new.json]
    python scripts/ecosystem.py --precision sheet.md [more.md ...] [--markdown]
    python scripts/ecosystem.py --list                   # the pins

A rule change, step by step::

    git switch main   && python scripts/ecosystem.py --save /tmp/old.json
    git switch my-fix && python scripts/ecosystem.py --save /tmp/new.json
    python scripts/ecosystem.py --compare /tmp/old.json /tmp/new.json

Downloads. Each pin is fetched once with ``pip download --no-deps --only-binary=:all:
--ignore-requires-python NAME==VERSION`` (pure-Python wheels; the files are only read, so the
Python version an app requires does not matter) into the cache folder, and extracted (a wheel
is a zip) into ``CACHE/src/NAME-VERSION/``. The cache is ``~/.cache/reviewlint-ecosystem``,
or ``$REVIEWLINT_ECOSYSTEM_CACHE``, or ``--cache-dir``. A failed download or extraction is
reported in one line and the other apps still run.

Running. For each app, ``python -m reviewlint check --isolated --no-cache --exit-zero
--output-format json`` runs in the app's folder on its own packages (vendored folders skipped),
with the interpreter running this script: it measures the reviewlint installed there (an
editable install measures the checkout). ``--jobs N`` is passed to reviewlint (0: one worker
per CPU); the apps run one after the other, so each wall time is that app's alone.

Output. Per app: files, lines of Python, seconds, findings. Per rule and app: findings and
findings per 10k lines, and a total row per rule across the apps.

``--save FILE`` stores every finding (app, path relative to the app folder, code, rule name,
line, column, message, severity, and the stripped source line), the reviewlint version, the
git commit of the checkout reviewlint is imported from (when it is one), the options and the
pins.

``--compare OLD NEW`` prints what the change added and removed, grouped by rule then app, one
``app rule file:line message`` a line, then per rule: old, new, +added, -removed. Findings
match on (app, path, code, message, line); a finding whose line moved but whose (app, path,
code, message, source line text) is the same counts as unchanged. Only apps present in both
files are compared. Exit 0.

``--sample N --seed S --sheet FILE`` writes a Markdown judging sheet: for each rule up to N
findings chosen at random (reproducible: seeded per rule), each with its app, file:line,
code, message and the code around it (the enclosing function, or class for a finding in a class
body, at most 80 lines, the finding's line marked ``>>``; at module level 15 lines either side),
and a blank ``verdict: `` line.
A judge fills each with ``verdict: TP``, ``verdict: FP-wrong <reason>`` (the rule is wrong
about this code) or ``verdict: FP-noise <reason>`` (right, but not worth a review comment).
``--rules CODES`` limits the sheet to some rules (codes or prefixes). With ``--from FILE`` the
sheet comes from a saved run; the sources are read from the cache.

``--precision SHEET...`` reads filled-in sheets and prints per rule: judged, TP, FP-wrong,
FP-noise and precision (TP / judged); ``--markdown`` prints the table for docs/precision.md.

Exit codes: 0 done; 1 an app could not be downloaded or checked; 2 bad input (a missing or
corrupt file, an unknown app, wrong options), always as one line on stderr.
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import json
import os
import random
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, NamedTuple, Sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # scripts/pinned.py
import pinned  # noqa: E402
from pinned import UsageError, note, reviewlint_info, safe_path  # noqa: E402

FORMAT = "reviewlint-ecosystem/1"
CACHE_ENV = "REVIEWLINT_ECOSYSTEM_CACHE"
DEFAULT_CACHE = "~/.cache/reviewlint-ecosystem"


class Pin(NamedTuple):
    name: str  # the distribution name on the package index, also the app's name here
    version: str
    packages: tuple[str, ...]  # top-level folders checked (the app's own code)
    skip: tuple[str, ...]  # vendored third-party folders below them, not checked
    kind: str


# Versions: the newest that the package index served on 2026-12-04 (homeassistant's needs
# Python >= 3.14.2 in its metadata; the download ignores that, the files are only read).
PINS: tuple[Pin, ...] = (
    Pin("open-webui", "0.12.4", ("open_webui",), (), "FastAPI"),
    Pin("wagtail", "8.0.1", ("wagtail",), (), "Django"),
    Pin("nautobot", "3.2.7", ("nautobot",), (), "Django/DRF"),
    Pin("ckan", "2.12.0", ("ckan", "ckanext"), (), "Flask"),
    Pin("changedetection.io", "0.60.10", ("changedetectionio",), (), "Flask"),
    Pin("dagster", "1.13.29", ("dagster",), ("dagster/_vendored",), "orchestration"),
    Pin("homeassistant", "2026.11.0", ("homeassistant",), (), "aiohttp"),
)
PIN_BY_NAME = {pin.name: pin for pin in PINS}

# reviewlint's default excludes (reviewlint.config.DEFAULT_EXCLUDE), for counting lines of
# the same files reviewlint checks.
PRUNE = (".git", ".hg", ".svn", ".bzr", ".tox", ".nox", ".venv", "venv", ".eggs", "*.egg-info", "__pycache__",
         ".mypy_cache", ".pytest_cache", ".ruff_cache", ".reviewlint_cache", "__pypackages__", "_build", "build",
         "dist", "node_modules", "site-packages")
PY_SUFFIXES = (".py", ".pyi")
FINDING_KEYS = {"app": str, "path": str, "code": str, "line": int, "column": int, "message": str,
                "severity": str, "source": str}
CONTEXT_CAP = 80
MODULE_CONTEXT = 15
VERDICTS = {"tp": "TP", "fpwrong": "FP-wrong", "fpnoise": "FP-noise"}
VERDICT_RE = re.compile(r"^verdict:\s*(?:(?P<verdict>TP|FP[-_ ]?wrong|FP[-_ ]?noise)\b)?(?P<rest>.*)$", re.IGNORECASE)
ENTRY_RE = re.compile(r"^### (?P<n>\d+)\. (?P<code>\S+) · (?P<app>\S+) · (?P<loc>.+?)\s*$")
SECTION_RE = re.compile(r"^## (?P<code>\S+)(?: (?P<name>[a-z0-9-]+))?(?:\s|$)")
NEWLINE_RE = re.compile(r"\r\n|\r|\n")


# --------------------------------------------------------------------------- download


def cache_dir(option: str | None) -> Path:
    return Path(option or os.environ.get(CACHE_ENV) or DEFAULT_CACHE).expanduser()


def app_root(cache: Path, name: str, version: str) -> Path:
    return cache / "src" / f"{name}-{version}"


def fetch(cache: Path, pin: Pin) -> Path:
    """The extracted app folder, downloaded and extracted on first use; RuntimeError with one line."""
    return pinned.fetch(cache, pin.name, pin.version)


# --------------------------------------------------------------------------- running


def check_paths(root: Path, pin: Pin) -> list[str]:
    """The app's own package folders, relative to its root, with the skipped folders left out."""
    skip = {s.strip("/") for s in pin.skip}

    def expand(rel: str) -> list[str]:
        if rel in skip:
            return []
        if not any(s.startswith(rel + "/") for s in skip):
            return [rel]
        out: list[str] = []
        for child in sorted((root / rel).iterdir()):
            if child.is_dir() or child.name.endswith(PY_SUFFIXES):
                out.extend(expand(f"{rel}/{child.name}"))
        return out

    paths: list[str] = []
    for package in pin.packages:
        if (root / package).exists():
            paths.extend(expand(package))
        else:
            note(f"{pin.name} {pin.version}: no folder {package}/ in the wheel")
    return paths


def _pruned(name: str) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in PRUNE)


def python_files(root: Path, paths: Iterable[str]) -> list[str]:
    files: list[str] = []
    for rel in paths:
        top = root / rel
        if top.is_file():
            files.append(rel)
            continue
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames[:] = sorted(d for d in dirnames if not _pruned(d))
            for name in sorted(filenames):
                if name.endswith(PY_SUFFIXES) and not _pruned(name):
                    files.append(Path(dirpath, name).relative_to(root).as_posix())
    return files


def read_lines(path: Path) -> list[str]:
    """The file's lines as Python numbers them (``\\r\\n``, ``\\r`` and ``\\n`` end a line)."""
    text = path.read_bytes().decode("utf-8", errors="replace")
    lines = NEWLINE_RE.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def passthrough(args: argparse.Namespace) -> list[str]:
    out: list[str] = []
    for option, values in (("--select", args.select), ("--extend-select", args.extend_select),
                           ("--ignore", args.ignore)):
        for value in values or ():
            out += [option, value]
    if args.preview:
        out.append("--preview")
    return out


def run_app(root: Path, pin: Pin, options: list[str], jobs: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(the app's summary, its findings) from one reviewlint run; RuntimeError with one line."""
    paths = check_paths(root, pin)
    if not paths:
        raise RuntimeError("nothing to check")
    files = python_files(root, paths)
    sources: dict[str, list[str]] = {}
    lines = 0
    for rel in files:
        sources[rel] = read_lines(root / rel)
        lines += len(sources[rel])
    cmd = [sys.executable, *safe_path(), "-m", "reviewlint", "check", "--isolated", "--no-cache", "--exit-zero",
           "--output-format", "json", "--jobs", str(jobs), *options, *paths]
    env = {**os.environ, "REVIEWLINT_NO_PROGRESS": "1"}
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    try:
        raw = json.loads(proc.stdout)
        if not isinstance(raw, list):
            raise ValueError
    except ValueError:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"reviewlint exited {proc.returncode}: {last}") from None
    findings = []
    for item in raw:
        path = Path(item["filename"])
        rel = (path.relative_to(root) if path.is_absolute() else path).as_posix()
        line = int(item["location"]["row"])
        if rel not in sources and (root / rel).is_file():
            sources[rel] = read_lines(root / rel)
        text = sources.get(rel, [])
        findings.append({
            "app": pin.name, "path": rel, "code": item["code"], "name": item.get("name", ""), "line": line,
            "column": int(item["location"]["column"]), "message": item["message"],
            "severity": item.get("severity", ""),
            "source": text[line - 1].strip() if 0 < line <= len(text) else "",
        })
    summary = {"version": pin.version, "packages": list(pin.packages), "skip": list(pin.skip), "kind": pin.kind,
               "status": "ok", "files": len(files), "lines": lines, "seconds": round(seconds, 2),
               "findings": len(findings), "exit_code": proc.returncode}
    if proc.returncode != 0:
        summary["stderr"] = proc.stderr.strip()[-2000:]
        note(f"{pin.name}: reviewlint exited {proc.returncode} (internal errors are E900 findings)")
    return summary, findings


def run_apps(pins: Sequence[Pin], cache: Path, options: list[str], jobs: int) -> dict[str, Any]:
    info = reviewlint_info()
    commit = (info["commit"] or "")[:12] + (" (dirty)" if info["dirty"] else "")
    note(f"reviewlint {info['version']} {commit}".rstrip() + f"; cache {cache}")
    apps: dict[str, Any] = {}
    findings: list[dict[str, Any]] = []
    for pin in pins:
        try:
            root = fetch(cache, pin)
            summary, found = run_app(root, pin, options, jobs)
        except RuntimeError as exc:
            note(f"{pin.name} {pin.version}: {exc}")
            apps[pin.name] = {"version": pin.version, "packages": list(pin.packages), "skip": list(pin.skip),
                              "kind": pin.kind, "status": "failed", "error": str(exc)}
            continue
        note(f"{pin.name} {pin.version}: {summary['files']} files, {summary['lines']:,} lines, "
             f"{summary['seconds']:.1f} s, {summary['findings']} findings")
        apps[pin.name] = summary
        findings.extend(found)
    findings.sort(key=lambda f: (f["app"], f["path"], f["line"], f["column"], f["code"], f["message"]))
    return {
        "format": FORMAT,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "reviewlint": info,
        "python": sys.version.split()[0],
        "options": options,
        "jobs": jobs,
        "pins": [{"name": p.name, "version": p.version, "packages": list(p.packages), "skip": list(p.skip),
                  "kind": p.kind} for p in PINS],
        "apps": apps,
        "findings": findings,
    }


# --------------------------------------------------------------------------- saved files


def load(path: str) -> dict[str, Any]:
    """A saved run, checked; UsageError (one line) when missing or corrupt."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read: {exc.__class__.__name__}: {exc}") from None
    except ValueError as exc:
        raise UsageError(f"{path}: not valid JSON ({exc})") from None
    problem = _problem(data)
    if problem:
        raise UsageError(f"{path}: not a reviewlint ecosystem file ({problem})")
    return data


def _problem(data: Any) -> str | None:
    if not isinstance(data, dict):
        return "not a JSON object"
    if data.get("format") != FORMAT:
        return f"format is {data.get('format')!r}, expected {FORMAT!r}"
    apps = data.get("apps")
    if not isinstance(apps, dict) or not all(isinstance(a, dict) for a in apps.values()):
        return "'apps' is not an object of objects"
    if not isinstance(data.get("findings"), list):
        return "'findings' is not a list"
    for i, finding in enumerate(data["findings"]):
        if not isinstance(finding, dict):
            return f"finding {i} is not an object"
        for key, kind in FINDING_KEYS.items():
            if not isinstance(finding.get(key), kind) or isinstance(finding.get(key), bool):
                return f"finding {i}: {key!r} is missing or not a {kind.__name__}"
        if finding["app"] not in apps:
            return f"finding {i}: app {finding['app']!r} is not in 'apps'"
    return None


def save(data: dict[str, Any], path: str) -> None:
    target = Path(path)
    tmp = target.with_name(target.name + ".tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write("{\n")
            items = [(k, v) for k, v in data.items() if k != "findings"]
            for key, value in items:
                fh.write(f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n")
            fh.write(' "findings": [\n')
            rows = [json.dumps(f, ensure_ascii=False) for f in data["findings"]]
            fh.write(",\n".join(f"  {row}" for row in rows))
            fh.write("\n ]\n}\n")
        os.replace(tmp, target)
    except OSError as exc:
        raise UsageError(f"{path}: cannot write: {exc}") from None


def only_apps(data: dict[str, Any], names: list[str] | None) -> dict[str, Any]:
    if not names:
        return data
    unknown = [n for n in names if n not in data["apps"]]
    if unknown:
        raise UsageError(f"unknown app {unknown[0]!r} in this file (it has: {', '.join(data['apps'])})")
    return {**data, "apps": {n: a for n, a in data["apps"].items() if n in names},
            "findings": [f for f in data["findings"] if f["app"] in names]}


# --------------------------------------------------------------------------- tables


def _table(rows: list[list[str]], right: set[int]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = []
    for row in rows:
        cells = [cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]) for i, cell in enumerate(row)]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out)


def _per10k(count: int, lines: int) -> str:
    return f"{count * 10_000 / lines:.2f}" if lines else "-"


def report(data: dict[str, Any]) -> str:
    apps = data["apps"]
    ok = {name: a for name, a in apps.items() if a.get("status", "ok") == "ok"}
    rows = [["app", "version", "kind", "files", "lines", "seconds", "findings", "per 10k"]]
    for name, a in apps.items():
        if name in ok:
            rows.append([name, a["version"], a.get("kind", ""), str(a["files"]), f"{a['lines']:,}",
                         f"{a['seconds']:.1f}", str(a["findings"]), _per10k(a["findings"], a["lines"])])
        else:
            rows.append([name, a.get("version", ""), a.get("kind", ""), "-", "-", "-", "-", "failed"])
    total_lines = sum(a["lines"] for a in ok.values())
    total = sum(a["findings"] for a in ok.values())
    rows.append(["total", "", "", str(sum(a["files"] for a in ok.values())), f"{total_lines:,}",
                 f"{sum(a['seconds'] for a in ok.values()):.1f}", str(total), _per10k(total, total_lines)])
    parts = [_table(rows, {3, 4, 5, 6, 7})]
    failed = [f"{name} {a.get('version', '')}: {a.get('error', 'failed')}" for name, a in apps.items() if name not in ok]
    if failed:
        parts.append("failed: " + "; ".join(failed))
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    names: dict[str, str] = {}
    for f in data["findings"]:
        counts[f["code"]][f["app"]] += 1
        names.setdefault(f["code"], f.get("name", ""))
    rows = [["rule", "name", "app", "findings", "per 10k lines"]]
    for code in sorted(counts):
        first = True
        for app in [a for a in apps if counts[code][a]]:
            rows.append([code if first else "", names[code] if first else "", app, str(counts[code][app]),
                         _per10k(counts[code][app], apps[app]["lines"])])
            first = False
        n = sum(counts[code].values())
        rows.append(["", "", "total", str(n), _per10k(n, total_lines)])
    if len(rows) > 1:
        parts.append(_table(rows, {3, 4}))
    else:
        parts.append("no findings")
    return "\n\n".join(parts)


def describe(path: str, data: dict[str, Any]) -> str:
    info = data.get("reviewlint") or {}
    commit = (info.get("commit") or "")[:12]
    bits = [f"reviewlint {info.get('version', '?')}"] + ([f"commit {commit}" + (" dirty" if info.get("dirty") else "")]
                                                          if commit else [])
    options = " ".join(data.get("options") or [])
    return f"{path} ({', '.join(bits)}{', ' + options if options else ''}, {data.get('created', '?')})"


# --------------------------------------------------------------------------- compare


def compare(old: dict[str, Any], new: dict[str, Any]) -> tuple[list[dict], list[dict], int, list[str]]:
    """(added, removed, moved, apps compared): a moved finding counts as unchanged."""
    apps = [a for a in new["apps"] if a in old["apps"]
            and old["apps"][a].get("status", "ok") == "ok" and new["apps"][a].get("status", "ok") == "ok"]
    wanted = set(apps)
    olds = [f for f in old["findings"] if f["app"] in wanted]
    news = [f for f in new["findings"] if f["app"] in wanted]

    def exact(f: dict) -> tuple:
        return f["app"], f["path"], f["code"], f["message"], f["line"]

    def moved(f: dict) -> tuple:
        return f["app"], f["path"], f["code"], f["message"], f["source"]

    remaining_old: dict[tuple, list[dict]] = defaultdict(list)
    for f in olds:
        remaining_old[exact(f)].append(f)
    unmatched_new = []
    for f in news:
        bucket = remaining_old.get(exact(f))
        if bucket:
            bucket.pop()
        else:
            unmatched_new.append(f)
    unmatched_old = [f for bucket in remaining_old.values() for f in bucket]
    by_source: dict[tuple, list[dict]] = defaultdict(list)
    for f in sorted(unmatched_old, key=lambda f: f["line"], reverse=True):
        by_source[moved(f)].append(f)
    added, moved_count = [], 0
    for f in sorted(unmatched_new, key=lambda f: f["line"]):
        bucket = by_source.get(moved(f))
        if bucket:
            bucket.pop()  # the nearest-first pairing: both sides in line order
            moved_count += 1
        else:
            added.append(f)
    removed = [f for bucket in by_source.values() for f in bucket]
    return added, removed, moved_count, apps


def _order(f: dict) -> tuple:
    return f["code"], f["app"], f["path"], f["line"], f["column"], f["message"]


def _listing(title: str, findings: list[dict]) -> list[str]:
    out = [f"{title} ({len(findings)})"]
    code = None
    for f in sorted(findings, key=_order):
        if f["code"] != code:
            code = f["code"]
            out.append(f"[{code}] {sum(1 for g in findings if g['code'] == code)}")
        out.append(f"  {f['app']} {f['code']} {f['path']}:{f['line']} {f['message']}")
    return out


def compare_report(old_path: str, old: dict, new_path: str, new: dict) -> str:
    added, removed, moved, apps = compare(old, new)
    out = [f"old: {describe(old_path, old)}", f"new: {describe(new_path, new)}",
           f"apps compared: {', '.join(apps) if apps else 'none'}"]
    for name in old["apps"]:
        if name not in apps:
            out.append(f"not compared: {name} (only in old, or failed)")
    for name in new["apps"]:
        if name not in apps and name not in old["apps"]:
            out.append(f"not compared: {name} (only in new, or failed)")
    for name in apps:
        o, n = old["apps"][name].get("version"), new["apps"][name].get("version")
        if o != n:
            out.append(f"note: {name} is {o} in old and {n} in new")
    out += ["", *_listing("added", added), "", *_listing("removed", removed)]
    if moved:
        out += ["", f"moved to another line with the same source text (unchanged): {moved}"]
    wanted = set(apps)
    old_counts = Counter(f["code"] for f in old["findings"] if f["app"] in wanted)
    new_counts = Counter(f["code"] for f in new["findings"] if f["app"] in wanted)
    plus, minus = Counter(f["code"] for f in added), Counter(f["code"] for f in removed)
    rows = [["rule", "old", "new", "+added", "-removed"]]
    for code in sorted(set(old_counts) | set(new_counts)):
        rows.append([code, str(old_counts[code]), str(new_counts[code]), f"+{plus[code]}", f"-{minus[code]}"])
    rows.append(["total", str(sum(old_counts.values())), str(sum(new_counts.values())), f"+{len(added)}",
                 f"-{len(removed)}"])
    out += ["", _table(rows, {1, 2, 3, 4})]
    return "\n".join(out)


# --------------------------------------------------------------------------- judging sheets


def _rule_matches(code: str, rules: list[str] | None) -> bool:
    return not rules or any(code.upper().startswith(r.upper()) for r in rules)


def choose(findings: list[dict], n: int, seed: int, rules: list[str] | None) -> dict[str, tuple[list[dict], int]]:
    """Per rule: (up to n findings chosen with a per-rule seeded RNG, how many it has)."""
    by_rule: dict[str, list[dict]] = defaultdict(list)
    for f in findings:
        if _rule_matches(f["code"], rules):
            by_rule[f["code"]].append(f)
    chosen = {}
    for code in sorted(by_rule):
        pool = sorted(by_rule[code], key=lambda f: (f["app"], f["path"], f["line"], f["column"], f["message"]))
        rng = random.Random(f"{seed}:{code}")  # one stream per rule: adding a rule changes no other sample
        pick = rng.sample(pool, min(n, len(pool)))
        chosen[code] = (sorted(pick, key=lambda f: (f["app"], f["path"], f["line"], f["column"])), len(pool))
    return chosen


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip())


class Block(NamedTuple):
    start: int  # first line, decorators included
    end: int
    kind: str  # "function" or "class"
    name: str


def enclosing_block(lines: list[str], line: int) -> Block | None:
    """The innermost function around ``line``, else the innermost class (a class body), else None."""
    try:
        tree = ast.parse("\n".join(lines) + "\n")
    except (SyntaxError, ValueError):  # newer syntax than this Python's: the cheap indentation scan
        return _enclosing_by_indent(lines, line)
    best: dict[str, Block] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            kind = "class" if isinstance(node, ast.ClassDef) else "function"
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            end = node.end_lineno or node.lineno
            if start <= line <= end and (kind not in best or start >= best[kind].start):
                best[kind] = Block(start, end, kind, node.name)
    return best.get("function") or best.get("class")


HEAD_RE = re.compile(r"^\s*(?:(?P<def>(?:async\s+)?def)|class)\s+(?P<name>\w+)")


def _enclosing_by_indent(lines: list[str], line: int) -> Block | None:
    if not 0 < line <= len(lines):
        return None
    level = _indent(lines[line - 1]) if lines[line - 1].strip() else 10**6
    found: dict[str, int] = {}
    for i in range(line, 0, -1):
        text = lines[i - 1]
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        match = HEAD_RE.match(text)
        if match and (_indent(text) < level or i == line):
            found.setdefault("function" if match.group("def") else "class", i)
            if match.group("def"):
                break
        if _indent(text) < level:
            level = _indent(text)
            if level == 0:
                break
    kind = "function" if "function" in found else "class" if "class" in found else None
    if kind is None:
        return None
    head = found[kind]
    indent, start = _indent(lines[head - 1]), head
    while start > 1 and lines[start - 2].strip().startswith("@") and _indent(lines[start - 2]) == indent:
        start -= 1
    end = head
    for i in range(head + 1, len(lines) + 1):
        text = lines[i - 1]
        if text.strip():
            if _indent(text) <= indent and not text.lstrip().startswith((")", "]", "}", "#")):
                break
            end = i
    return Block(start, end, kind, HEAD_RE.match(lines[head - 1]).group("name"))  # type: ignore[union-attr]


def context(lines: list[str], line: int) -> tuple[list[tuple[int | None, str]], str]:
    """The numbered lines to show around ``line`` (None: an elision) and what they are."""
    block = enclosing_block(lines, line)
    if block is None:
        start, end = max(1, line - MODULE_CONTEXT), min(len(lines), line + MODULE_CONTEXT)
        return [(i, lines[i - 1]) for i in range(start, end + 1)], f"module level, lines {start}-{end}"
    start, end = block.start, block.end
    what = f"in {block.kind} `{block.name}` (lines {start}-{end})"
    if end - start + 1 <= CONTEXT_CAP:
        return [(i, lines[i - 1]) for i in range(start, end + 1)], what
    # too long: the def/class line, then a window of the block around the finding
    head = next((i for i in range(start, end + 1) if HEAD_RE.match(lines[i - 1])), start)
    lo = max(head + 1, line - CONTEXT_CAP // 2)
    hi = min(end, lo + CONTEXT_CAP - 2)
    lo = max(head + 1, hi - CONTEXT_CAP + 2)
    shown: list[tuple[int | None, str]] = [(head, lines[head - 1])]
    if lo > head + 1:
        shown.append((None, "..."))
    shown += [(i, lines[i - 1]) for i in range(lo, hi + 1)]
    if hi < end:
        shown.append((None, "..."))
    return shown, what + f", {CONTEXT_CAP} lines shown"


def _entry(number: int, f: dict, root: Path | None) -> list[str]:
    out = [f"### {number}. {f['code']} · {f['app']} · {f['path']}:{f['line']}:{f['column']}", ""]
    out.append(f"> {f['message']} ({f['severity']})" if f.get("severity") else f"> {f['message']}")
    out.append("")
    path = root / f["path"] if root else None
    try:
        lines = read_lines(path) if path else None
    except OSError:
        lines = None
    if lines is None or not 0 < f["line"] <= len(lines):
        out += [f"(source not available{': ' + str(path) if path else ''})", "", "```python",
                f">>{f['line']} {f['source']}", "```"]
    else:
        shown, what = context(lines, f["line"])
        out += [what, "", "```python"]
        width = len(str(max(i or 0 for i, _ in shown)))
        for i, text in shown:
            if i is None:
                out.append(f"  {'':>{width}} {text}")
            else:
                out.append(f"{'>>' if i == f['line'] else '  '}{i:>{width}} {text}".rstrip())
        out.append("```")
    out += ["", "verdict: ", ""]
    return out


def sheet(data: dict[str, Any], source: str, cache: Path, n: int, seed: int, rules: list[str] | None) -> tuple[str, int]:
    chosen = choose(data["findings"], n, seed, rules)
    info = data.get("reviewlint") or {}
    commit = (info.get("commit") or "")[:12]
    out = [
        "# reviewlint ecosystem judging sheet",
        "",
        f"- findings: {source}; reviewlint {info.get('version', '?')}" + (f", commit {commit}" if commit else ""),
        f"- sample: up to {n} findings per rule, seed {seed}, rules: {','.join(rules) if rules else 'all'}",
        "- judge each entry on its blank verdict line: `TP` (a real problem worth a review comment),",
        "  `FP-wrong <reason>` (the rule is wrong about this code) or `FP-noise <reason>` (right, but not",
        "  worth a review comment); then `python scripts/ecosystem.py --precision THIS_FILE [--markdown]`",
        "",
    ]
    roots = {}
    for name, app in data["apps"].items():
        root = app_root(cache, name, app.get("version", ""))
        roots[name] = root if root.is_dir() else None
    count = 0
    for code, (picked, total) in chosen.items():
        name = picked[0].get("name", "") if picked else ""
        out += [f"## {code} {name}".rstrip() + f" — {len(picked)} of {total} findings", ""]
        for f in picked:
            count += 1
            out += _entry(count, f, roots.get(f["app"]))
    if not chosen:
        out.append("No findings to sample.")
    return "\n".join(out).rstrip("\n") + "\n", count


# --------------------------------------------------------------------------- precision


class Verdicts(NamedTuple):
    counts: dict[str, Counter[str]]
    names: dict[str, str]
    unjudged: int


def read_verdicts(paths: list[str]) -> Verdicts:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    names: dict[str, str] = {}
    seen: dict[tuple, str] = {}
    unjudged = 0
    for path in paths:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise UsageError(f"{path}: no such file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"{path}: cannot read: {exc.__class__.__name__}: {exc}") from None
        entry = None
        fenced = False
        entries = 0
        for number, line in enumerate(text.splitlines(), 1):
            if line.startswith("```"):
                fenced = not fenced
                continue
            if fenced:
                continue
            section = SECTION_RE.match(line)
            if section and not line.startswith("###"):
                if section.group("name"):
                    names[section.group("code")] = section.group("name")
                continue
            match = ENTRY_RE.match(line)
            if match:
                entry = (match.group("code"), match.group("app"), match.group("loc"))
                entries += 1
                continue
            verdict = VERDICT_RE.match(line)
            if not verdict or entry is None:
                continue
            if verdict.group("verdict") is None:
                if verdict.group("rest").strip():
                    note(f"{path}:{number}: unrecognised verdict {verdict.group('rest').strip()!r}: "
                         "use TP, FP-wrong or FP-noise")
                unjudged += 1
            else:
                kind = VERDICTS[re.sub(r"[-_ ]", "", verdict.group("verdict").lower())]
                if entry in seen:
                    if seen[entry] != kind:
                        note(f"{path}:{number}: {entry[0]} {entry[1]} {entry[2]} judged {seen[entry]} before "
                             f"and {kind} here: the first verdict counts")
                else:
                    seen[entry] = kind
                    counts[entry[0]][kind] += 1
            entry = None
        if not entries:
            raise UsageError(f"{path}: not a judging sheet (no '### N. CODE · app · file:line' entries)")
    return Verdicts(counts, names, unjudged)


def _precision(c: Counter[str]) -> str:
    judged = sum(c.values())
    return f"{100 * c['TP'] / judged:.0f}%" if judged else "-"


def precision_report(verdicts: Verdicts, markdown: bool) -> str:
    head = ["rule", "name", "judged", "TP", "FP-wrong", "FP-noise", "precision"]
    rows, total = [], Counter[str]()
    for code in sorted(verdicts.counts):
        c = verdicts.counts[code]
        total.update(c)
        rows.append([code, verdicts.names.get(code, ""), str(sum(c.values())), str(c["TP"]), str(c["FP-wrong"]),
                     str(c["FP-noise"]), _precision(c)])
    rows.append(["all", "", str(sum(total.values())), str(total["TP"]), str(total["FP-wrong"]),
                 str(total["FP-noise"]), _precision(total)])
    if markdown:
        out = ["| " + " | ".join(head) + " |", "|---|---|---:|---:|---:|---:|---:|"]
        for row in rows[:-1]:
            out.append("| " + " | ".join(row) + " |")
        out.append("| **all** | | " + " | ".join(f"**{cell}**" for cell in rows[-1][2:]) + " |")
        text = "\n".join(out)
    else:
        text = _table([head, *rows], {2, 3, 4, 5, 6})
    if verdicts.unjudged:
        text += f"\n\nnot judged yet: {verdicts.unjudged}"
    return text


# --------------------------------------------------------------------------- command line


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)  # one line, exit 2


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="ecosystem.py", description=__doc__.split("\n\n")[0],
                                epilog="See the module docstring (scripts/ecosystem.py) for the details.")
    p.add_argument("--apps", type=_csv, help="comma-separated app names (default: all; --list shows them)")
    p.add_argument("--cache-dir", help=f"download cache (default: ${CACHE_ENV} or {DEFAULT_CACHE})")
    p.add_argument("--jobs", type=int, default=0, help="reviewlint worker processes per app (0: one per CPU)")
    p.add_argument("--select", action="append", help="passed to reviewlint check")
    p.add_argument("--extend-select", action="append", help="passed to reviewlint check")
    p.add_argument("--ignore", action="append", help="passed to reviewlint check")
    p.add_argument("--preview", action="store_true", help="passed to reviewlint check")
    p.add_argument("--save", metavar="FILE", help="store the findings of this run as JSON")
    p.add_argument("--from", dest="from_file", metavar="FILE", help="use a saved run instead of running")
    p.add_argument("--compare", nargs=2, metavar=("OLD", "NEW"), help="what NEW added and removed since OLD")
    p.add_argument("--sample", type=int, metavar="N", help="judging sheet: up to N findings per rule")
    p.add_argument("--seed", type=int, default=0, help="random seed of --sample (default 0)")
    p.add_argument("--rules", type=_csv, help="--sample only these rules (codes or prefixes, comma-separated)")
    p.add_argument("--sheet", metavar="FILE", help="where --sample writes the Markdown sheet")
    p.add_argument("--precision", nargs="+", metavar="SHEET", help="precision per rule from filled-in sheets")
    p.add_argument("--markdown", action="store_true", help="--precision as a Markdown table")
    p.add_argument("--list", action="store_true", help="print the pins and exit")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    run_options = any([args.apps, args.select, args.extend_select, args.ignore, args.preview, args.save, args.jobs])
    if args.compare:
        if args.precision or args.sample is not None or args.from_file or run_options:
            raise UsageError("--compare takes no other options")
        old, new = load(args.compare[0]), load(args.compare[1])
        print(compare_report(args.compare[0], old, args.compare[1], new))
        return 0
    if args.precision:
        if args.sample is not None or args.from_file or run_options:
            raise UsageError("--precision takes only sheets and --markdown")
        print(precision_report(read_verdicts(args.precision), args.markdown))
        return 0
    if args.markdown:
        raise UsageError("--markdown goes with --precision")
    if args.list:
        rows = [["app", "version", "kind", "checked", "skipped"]]
        rows += [[p.name, p.version, p.kind, ",".join(p.packages), ",".join(p.skip) or "-"] for p in PINS]
        print(_table(rows, set()))
        return 0
    if (args.sample is None) != (args.sheet is None):
        raise UsageError("--sample N and --sheet FILE go together")
    if args.sample is not None and args.sample < 1:
        raise UsageError("--sample needs N >= 1")
    if args.jobs < 0:
        raise UsageError("--jobs needs N >= 0")
    cache = cache_dir(args.cache_dir)
    status = 0
    if args.from_file:
        if args.save or args.select or args.extend_select or args.ignore or args.preview or args.jobs:
            raise UsageError("--from reads a saved run: reviewlint options and --save do not apply")
        data = only_apps(load(args.from_file), args.apps)
        source = args.from_file
    else:
        names = args.apps or [pin.name for pin in PINS]
        unknown = [n for n in names if n not in PIN_BY_NAME]
        if unknown:
            raise UsageError(f"unknown app {unknown[0]!r} (apps: {', '.join(PIN_BY_NAME)})")
        data = run_apps([PIN_BY_NAME[n] for n in names], cache, passthrough(args), args.jobs)
        source = "this run" + (f" (saved in {args.save})" if args.save else "")
        if any(a.get("status") != "ok" for a in data["apps"].values()):
            status = 1
        if args.save:
            save(data, args.save)
            note(f"saved {len(data['findings'])} findings in {args.save}")
    if args.sample is None or not args.from_file:
        print(report(data))
    if args.sample is not None:
        text, count = sheet(data, source, cache, args.sample, args.seed, args.rules)
        try:
            Path(args.sheet).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"{args.sheet}: cannot write: {exc}") from None
        print(f"sheet: {args.sheet} ({count} findings to judge)")
    return status


if __name__ == "__main__":
    try:
        sys.exit(main())
    except UsageError as exc:
        sys.stderr.write(f"ecosystem.py: error: {exc}\n")
        sys.exit(2)
    except KeyboardInterrupt:
        sys.stderr.write("ecosystem.py: interrupted\n")
        sys.exit(130)
    except BrokenPipeError:  # | head
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
