"""Benchmark reviewlint against the LibCST parse floor and its peers on real, pinned code.

    python benchmarks/run.py                 # downloads the corpora once into ~/.cache/reviewlint-bench
    python benchmarks/run.py --json out.json --cache-dir /tmp/bench

Measures, on the Django corpus (one run each; ratios from that run):
  floor       LibCST parse of every file, one process (what a cold run cannot beat single-core)
  cold-j1     reviewlint check --no-cache --jobs 1
  cold        reviewlint check --no-cache (default jobs)
  warm        reviewlint check with a filled cache, nothing changed
  warm-touch  the same after one file changed
  one-file    reviewlint check FILE on a ~300-line file, interpreter start included (best of 5)
  rss         peak RSS of the largest reviewlint process (parent or worker) in the cold run
and, when installed, bandit, flake8, ruff (all rules) and Fixit on the same files.
Not part of the test suite: it takes minutes and its numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

CORPORA = {
    "django": "django==5.2.8",
    "requests": "requests==2.32.3",
    "flask": "flask==3.1.0",
    "sqlalchemy": "sqlalchemy==2.0.36",
}
PARSE_FLOOR = r"""
import os, sys, time
import libcst as cst
files = [os.path.join(d, f) for d, _, fs in os.walk(sys.argv[1]) for f in fs if f.endswith(".py")]
start = time.perf_counter()
for path in files:
    with open(path, "rb") as fh:
        data = fh.read()
    try:
        cst.parse_module(data)
    except Exception:
        pass
print(time.perf_counter() - start)
"""


def fetch(cache: Path) -> dict[str, Path]:
    downloads = cache / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, spec in CORPORA.items():
        target = cache / "src" / name
        if not target.exists():
            before = set(downloads.iterdir())
            subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:",
                            "--dest", str(downloads), spec], check=True)
            wheel = next((p for p in set(downloads.iterdir()) - before if p.suffix == ".whl"), None)
            if wheel is None:
                wheel = next(p for p in downloads.iterdir() if p.name.lower().startswith(name) and p.suffix == ".whl")
            tmp = target.with_suffix(".part")
            shutil.rmtree(tmp, ignore_errors=True)
            with zipfile.ZipFile(wheel) as zf:
                zf.extractall(tmp)
            tmp.rename(target)
        out[name] = target
    return out


def timed(cmd: list[str], cwd: Path | None = None, env: dict | None = None) -> tuple[float, int, int]:
    """(seconds, exit code, peak RSS in MiB of the largest descendant)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode not in (0, 1):
        sys.stderr.write(f"warning: {' '.join(cmd[:3])} exited {proc.returncode}: {proc.stderr.decode()[-300:]}\n")
    return elapsed, proc.returncode, max(before, after) // 1024


def pick_file(root: Path, lines: int = 300) -> Path:
    best, best_diff = None, None
    for path in sorted(root.rglob("*.py")):
        n = path.read_bytes().count(b"\n")
        diff = abs(n - lines)
        if best_diff is None or diff < best_diff:
            best, best_diff = path, diff
    assert best is not None
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache-dir", default=os.path.expanduser("~/.cache/reviewlint-bench"))
    parser.add_argument("--json", default="benchmarks/latest.json")
    parser.add_argument("--skip-peers", action="store_true")
    args = parser.parse_args()
    cache = Path(args.cache_dir)
    corpora = fetch(cache)
    work = cache / "work"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(corpora["django"], work / "django")
    django = work / "django"
    nfiles = sum(1 for _ in django.rglob("*.py"))
    reviewlint = [sys.executable, "-m", "reviewlint", "check", "--isolated", "--exit-zero", "--quiet"]
    env = {**os.environ, "REVIEWLINT_NO_PROGRESS": "1"}
    results: dict[str, dict] = {}

    floor = float(subprocess.run([sys.executable, "-c", PARSE_FLOOR, str(django)], check=True, capture_output=True,
                                 text=True).stdout.strip())
    results["floor"] = {"seconds": floor}
    t, _, rss1 = timed([*reviewlint, "--no-cache", "--jobs", "1", str(django)], env=env)
    results["cold-j1"] = {"seconds": t, "rss_mib": rss1}
    t, _, rss = timed([*reviewlint, "--no-cache", str(django)], env=env)
    results["cold"] = {"seconds": t, "rss_mib": rss}
    cache_dir = work / "rl-cache"
    timed([*reviewlint, "--cache-dir", str(cache_dir), str(django)], env=env)
    t, _, _ = timed([*reviewlint, "--cache-dir", str(cache_dir), str(django)], env=env)
    results["warm"] = {"seconds": t}
    touched = django / "django" / "utils" / "text.py"
    touched.write_text(touched.read_text(encoding="utf-8") + "\n# touched\n", encoding="utf-8")
    t, _, _ = timed([*reviewlint, "--cache-dir", str(cache_dir), str(django)], env=env)
    results["warm-touch"] = {"seconds": t}
    one = pick_file(django)
    times = [timed([*reviewlint, "--no-cache", str(one)], env=env)[0] for _ in range(5)]
    results["one-file"] = {"seconds": min(times), "file": str(one.relative_to(django)), "lines": one.read_bytes().count(b"\n")}

    for name in ("requests", "flask", "sqlalchemy"):
        count = sum(1 for _ in corpora[name].rglob("*.py"))
        secs = timed([*reviewlint, "--no-cache", str(corpora[name])], env=env)[0]
        results[f"cold-{name}"] = {"seconds": secs, "files": count}

    if not args.skip_peers:
        peers = {
            "bandit": ["bandit", "-q", "-r", str(django)],
            "flake8": ["flake8", "--exit-zero", str(django)],
            "ruff": ["ruff", "check", "--no-cache", "--select", "ALL", "--exit-zero", "--quiet", str(django)],
            "fixit": ["fixit", "lint", str(django)],
        }
        for name, cmd in peers.items():
            if shutil.which(cmd[0]):
                results[name] = {"seconds": timed(cmd)[0]}

    cold = results["cold"]["seconds"]
    rows = [
        ("floor (LibCST parse, 1 process)", "floor", None),
        ("reviewlint cold --jobs 1", "cold-j1", "≤ 1.6 × floor"),
        ("reviewlint cold (default jobs)", "cold", "≤ 1.0 × floor"),
        ("reviewlint warm, nothing changed", "warm", "≤ 0.05 × cold"),
        ("reviewlint warm, one file touched", "warm-touch", "≤ 0.1 × cold"),
        ("reviewlint one ~300-line file", "one-file", "≤ 0.5 s"),
    ] + [(f"{peer}", peer, None) for peer in ("bandit", "flake8", "ruff", "fixit") if peer in results]
    print(f"Django {CORPORA['django'].split('==')[1]}: {nfiles} files; {platform.python_implementation()} "
          f"{platform.python_version()}, {os.cpu_count()} CPUs ({platform.machine()})")
    print(f"{'measurement':38} {'seconds':>9} {'× floor':>8} {'× cold':>8}  target")
    for label, key, target in rows:
        secs = results[key]["seconds"]
        print(f"{label:38} {secs:9.2f} {secs / floor:8.2f} {secs / cold:8.3f}  {target or ''}")
    print(f"peak RSS (largest process): {max(rss, rss1)} MiB (target ≤ 300 MiB per worker)")
    for peer in ("bandit", "flake8", "ruff", "fixit"):
        if peer in results:
            print(f"reviewlint cold vs {peer}: {results[peer]['seconds'] / cold:.1f}× {'faster' if results[peer]['seconds'] > cold else 'slower'}")
    for name in ("requests", "flask", "sqlalchemy"):
        r = results[f"cold-{name}"]
        print(f"other corpus: {name} ({r['files']} files) cold default jobs {r['seconds']:.2f} s")
    results["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    results["files"] = nfiles
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
