"""What scripts/ecosystem.py and scripts/sweep.py share: pinned packages downloaded once into a
cache and extracted, and which reviewlint the running interpreter measures.

Not a module of the reviewlint package: the scripts import it from their own folder.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import Any


class UsageError(Exception):
    """Bad input: reported as one line, exit 2."""


def note(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def find_download(cache: Path, name: str, version: str) -> Path | None:
    """The wheel (else the sdist) of ``name==version`` already in the cache."""
    for path in sorted(cache.glob("*.whl")):
        parts = path.name.split("-")
        if len(parts) >= 2 and _normalise(parts[0]) == _normalise(name) and parts[1] == version:
            return path
    for path in sorted([*cache.glob("*.tar.gz"), *cache.glob("*.zip")]):
        stem = path.name[: -len(".tar.gz")] if path.name.endswith(".tar.gz") else path.stem
        dist, _, dist_version = stem.rpartition("-")
        if _normalise(dist) == _normalise(name) and dist_version == version:
            return path
    return None


def _pip_error(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip() and "is ignored: it is neither" not in line]
    errors = [line for line in lines if line.startswith("ERROR:")]
    return (errors or lines or ["pip gave no reason"])[0]


def _download(cache: Path, name: str, version: str, allow_sdist: bool) -> Path:
    note(f"{name} {version}: downloading")
    base = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--ignore-requires-python",
            "--dest", str(cache), f"{name}=={version}"]
    error = ""
    kinds = ("--only-binary=:all:", "--no-binary=:all:") if allow_sdist else ("--only-binary=:all:",)
    for kind in kinds:  # a wheel, else (when allowed) the sdist
        try:
            proc = subprocess.run([*base, kind], capture_output=True, text=True, timeout=900)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise RuntimeError(f"download failed: {exc}") from None
        found = find_download(cache, name, version)
        if found is not None:
            return found
        error = error or _pip_error(proc.stderr)
    raise RuntimeError(f"download failed: {error}")


def fetch(cache: Path, name: str, version: str, *, allow_sdist: bool = False) -> Path:
    """``CACHE/src/NAME-VERSION``, downloaded (``pip download --no-deps``) and extracted on first
    use; a RuntimeError with one line when that fails (a rerun downloads a broken archive again)."""
    root = cache / "src" / f"{name}-{version}"
    if root.is_dir():
        return root
    cache.mkdir(parents=True, exist_ok=True)
    archive = find_download(cache, name, version) or _download(cache, name, version, allow_sdist)
    part = root.with_name(root.name + ".part")
    try:
        if part.exists():
            shutil.rmtree(part)
        if archive.name.endswith(".tar.gz"):
            with tarfile.open(archive) as tf:
                if hasattr(tarfile, "data_filter"):
                    tf.extractall(part, filter="data")
                else:  # pragma: no cover - Python < 3.11.4
                    tf.extractall(part)  # noqa: S202
        else:
            with zipfile.ZipFile(archive) as zf:
                zf.extractall(part)
        part.rename(root)
    except (OSError, zipfile.BadZipFile, tarfile.TarError) as exc:
        archive.unlink(missing_ok=True)
        raise RuntimeError(f"extraction of {archive.name} failed: {exc}") from None
    return root


def safe_path() -> list[str]:
    """``-P``: the checked folder (the working directory) is not put on sys.path, so no package
    there can shadow a module reviewlint imports."""
    return ["-P"] if sys.version_info >= (3, 11) else []


def reviewlint_info() -> dict[str, Any]:
    """Version of the reviewlint this interpreter imports, and the git commit of its checkout."""
    code = ("import json, reviewlint; "
            "print(json.dumps({'version': reviewlint.__version__, 'file': reviewlint.__file__}))")
    proc = subprocess.run([sys.executable, *safe_path(), "-c", code], capture_output=True, text=True,
                          cwd=tempfile.gettempdir())
    try:
        info = json.loads(proc.stdout)
    except ValueError:
        raise UsageError(f"{sys.executable} cannot import reviewlint: install it (pip install -e .)") from None
    package = Path(info.pop("file")).resolve().parent
    info["commit"] = info["dirty"] = None
    if not {"site-packages", "dist-packages"} & set(package.parts):
        head = subprocess.run(["git", "-C", str(package), "rev-parse", "HEAD"], capture_output=True, text=True)
        if head.returncode == 0:
            info["commit"] = head.stdout.strip()
            status = subprocess.run(["git", "-C", str(package), "status", "--porcelain", "--untracked-files=no"],
                                    capture_output=True, text=True)
            info["dirty"] = bool(status.stdout.strip())
    return info
