"""Files → results, over a process pool and the results cache, in a deterministic order.

The parent reads each file once (its bytes are the cache key); cache hits come back at once,
misses are checked in worker processes. With ``fork`` (Linux) the workers inherit the engine
built by the parent, so configuration and rule packs are loaded once per run, never per
file; elsewhere each worker builds it once in its initializer. Results are returned in the
order of the input files whatever the scheduling.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
import zlib
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable, Sequence

from reviewlint.engine import source as src
from reviewlint.engine.runner import Engine, FileResult, diagnostic

_WORKER_ENGINE: Engine | None = None

#: below this many files to check, a pool costs more than it saves
MIN_FILES_FOR_POOL = 16


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _init_worker(engine: Engine | None, settings: Any) -> None:
    global _WORKER_ENGINE
    if engine is not None:
        _WORKER_ENGINE = engine
    else:  # spawn: rebuild once per worker
        from reviewlint.api import build_engine

        _WORKER_ENGINE = build_engine(settings)


def _check_chunk(items: list[tuple[int, str, str, bytes]]) -> list[tuple[int, FileResult]]:
    engine = _WORKER_ENGINE
    assert engine is not None
    return [(index, engine.check_bytes(data, path, display)) for index, path, display, data in items]


def shard_of(relpath: str, count: int) -> int:
    """The shard (0-based) a file belongs to: stable across machines, runs and file additions."""
    return zlib.crc32(relpath.encode("utf-8", "surrogateescape")) % count


class Progress:
    """``[done/total] files, N findings`` on stderr, only on a terminal and after a second."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total = total
        self.enabled = enabled
        self.start = time.monotonic()
        self.shown = False
        self.last = 0.0
        self.done = 0
        self.findings = 0

    def update(self, result: FileResult) -> None:
        self.done += 1
        self.findings += len(result.findings) + len(result.diagnostics)
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.start < 1.0 or (now - self.last < 0.1 and self.done < self.total):
            return
        self.last = now
        self.shown = True
        width = 30
        filled = int(width * self.done / max(self.total, 1))
        bar = "#" * filled + "-" * (width - filled)
        sys.stderr.write(f"\r[{bar}] {self.done}/{self.total} files, {self.findings} findings")
        sys.stderr.flush()

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\r" + " " * 79 + "\r")
            sys.stderr.flush()


def progress_wanted() -> bool:
    # where the output goes is decided per run (CI or a terminal), not by configuration
    ci = os.environ.get("CI") or os.environ.get("GITHUB_ACTIONS")  # reviewlint: ignore[MAINT003] -- per run
    if ci or os.environ.get("REVIEWLINT_NO_PROGRESS"):  # reviewlint: ignore[MAINT003] -- per run
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def run_files(
    files: Sequence[tuple[str, str]],
    engine: Engine,
    *,
    jobs: int | None = None,
    cache: Any = None,
    relpath: Callable[[str], str] = lambda p: p,
    progress: bool = False,
) -> list[FileResult]:
    """Check ``files`` (pairs of path and display path); results in input order."""
    results: list[FileResult | None] = [None] * len(files)
    todo: list[tuple[int, str, str, bytes]] = []
    keys: dict[int, str] = {}
    bar = Progress(len(files), progress)
    jobs = default_jobs() if jobs is None or jobs <= 0 else jobs
    # Forked workers start before any file is read: a forked worker inherits the parent's
    # memory, and with the bytes of every file in it each worker's RSS grew with the project.
    pool = _start_pool(engine, jobs) if jobs > 1 and len(files) >= MIN_FILES_FOR_POOL and _FORK else None
    try:
        _read(files, results, todo, keys, cache, relpath, bar)
        if jobs == 1 or len(todo) < MIN_FILES_FOR_POOL:
            for index, path, display, data in todo:
                result = engine.check_bytes(data, path, display)
                results[index] = result
                bar.update(result)
        else:
            pool = pool or _start_pool(engine, jobs)
            for index, result in _run_pool(pool, todo, jobs):
                results[index] = result
                bar.update(result)
    finally:
        if pool is not None:
            pool.shutdown()
    bar.close()
    if cache is not None:
        for index, _, _, _ in todo:
            result = results[index]
            if result is not None and index in keys:
                cache.put(keys[index], result)
    return [r for r in results if r is not None]


def _read(files: Sequence[tuple[str, str]], results: list[FileResult | None], todo: list[tuple[int, str, str, bytes]],
          keys: dict[int, str], cache: Any, relpath: Callable[[str], str], bar: Progress) -> None:
    """Each file's bytes into ``todo``, or its result when unreadable or cached."""
    for index, (path, display) in enumerate(files):
        try:
            data = src.read_bytes(path)
        except src.SourceProblem as problem:
            results[index] = FileResult(path, display, diagnostics=[diagnostic(problem.kind, problem.message, display)])
            bar.update(results[index])  # type: ignore[arg-type]
            continue
        if cache is not None:
            from reviewlint.cache import file_key

            key = file_key(relpath(path), data)
            keys[index] = key
            hit = cache.get(key, path, display)
            if hit is not None:
                results[index] = hit
                bar.update(hit)
                continue
        todo.append((index, path, display, data))


def _ready() -> None:
    """A no-op: submitting it makes the pool start its workers."""


_FORK = "fork" in multiprocessing.get_all_start_methods()


def _start_pool(engine: Engine, jobs: int) -> ProcessPoolExecutor:
    """A process pool whose workers are already running (forked now, with what the parent holds now)."""
    if _FORK:
        ctx = multiprocessing.get_context("fork")
        initargs: tuple[Any, Any] = (engine, None)
    else:  # pragma: no cover - Windows/macOS default
        ctx = multiprocessing.get_context("spawn")
        initargs = (None, engine.settings)
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker, initargs=initargs)
    pool.submit(_ready)  # the workers start at the first submission
    return pool


def _run_pool(pool: ProcessPoolExecutor, todo: list[tuple[int, str, str, bytes]], jobs: int):
    # big files first, so one large file does not finish last on its own
    ordered = sorted(todo, key=lambda item: -len(item[3]))
    chunk = max(1, min(16, len(ordered) // (jobs * 8) or 1))
    chunks = [ordered[i : i + chunk] for i in range(0, len(ordered), chunk)]
    for batch in pool.map(_check_chunk, chunks):
        yield from batch
