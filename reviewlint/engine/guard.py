"""Limits on checking one file: a time limit (the watchdog) and room for deep nesting.

A linter that never finishes is worse than one that skips a file, so every file is checked
under a deadline. The deadline counts the CPU time of the thread that checks the file, not
the wall clock: on a loaded machine (CI runners, pre-commit next to a build, more workers
than cores) a file waits for a CPU as long as it runs, and a wall-clock limit abandoned files
that only took a few seconds of work. A thread that blocks without using the CPU is still
stopped once the wall clock passes ``WALL_FACTOR`` times the limit (and where a thread's
CPU clock cannot be read, the limit is wall time). The watchdog is one daemon thread per
process; when a file's deadline passes it raises :class:`FileTimeout` in the thread that
checks the file (CPython's
``PyThreadState_SetAsyncExc``: delivered at the next bytecode, so it stops pure-Python loops
in any rule, in the main thread or a worker process alike). ``FileTimeout`` derives from
``BaseException`` so a rule's own ``except Exception`` cannot swallow it.

Deeply nested input (a 1,500-branch ``elif`` chain, 3,000 adjacent string literals) exceeds
Python's recursion limit in LibCST's code generation and in recursive helpers.
:func:`run_deep` re-runs such a file in a thread with a large stack and a raised recursion
limit, so the file is still checked instead of aborting the run.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator, TypeVar

T = TypeVar("T")

#: default time limit for checking one file, in seconds (``file-timeout`` / ``--file-timeout``)
DEFAULT_FILE_TIMEOUT = 20.0

#: a checking thread that is not using the CPU (blocked) is stopped after this many times the
#: limit in wall-clock time
WALL_FACTOR = 5.0

#: stack and recursion limit of the thread that re-checks a deeply nested file
DEEP_STACK_BYTES = 512 * 1024 * 1024
DEEP_RECURSION_LIMIT = 200_000


class FileTimeout(BaseException):
    """Checking one file took longer than its time limit."""


def thread_cpu_clock(thread_id: int | None = None) -> int | None:
    """The CPU-time clock of a thread (default: this one), or None where there is none."""
    try:
        clock = time.pthread_getcpuclockid(threading.get_ident() if thread_id is None else thread_id)
        time.clock_gettime(clock)
    except (AttributeError, OSError):  # no such call here (Windows, macOS), or no such clock
        return None
    return clock


def thread_cpu_seconds(clock: int | None) -> float | None:
    if clock is None:
        return None
    try:
        return time.clock_gettime(clock)
    except OSError:  # reviewlint: ignore[ERR002] -- the thread has ended: no reading, the wall clock decides
        return None


class _Watchdog:
    """One thread per process that interrupts the thread whose deadline has passed."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._target: int | None = None  # thread id being watched
        self._limit = 0.0  # seconds of the watched thread's CPU time (wall time without a CPU clock)
        self._clock: int | None = None  # the watched thread's CPU clock
        self._cpu_start = 0.0
        self._deadline = 0.0  # wall clock: the limit without a CPU clock, else WALL_FACTOR times it
        self._token = 0
        self._fired_token = -1
        self._pid = -1

    def _ensure_thread(self) -> None:
        # threads do not survive fork(): a worker process starts its own
        if self._pid != os.getpid():
            self._pid = os.getpid()
            self._cond = threading.Condition()
            self._target = None
            threading.Thread(target=self._run, name="reviewlint-watchdog", daemon=True).start()

    def _run(self) -> None:
        cond = self._cond
        with cond:
            while True:
                if self._target is None:
                    cond.wait()
                    continue
                remaining = self._remaining()
                if remaining > 0:
                    cond.wait(remaining)
                    continue
                if self._fired_token != self._token:
                    self._fired_token = self._token
                    _raise_in(self._target, FileTimeout)
                cond.wait()

    def _remaining(self) -> float:
        """Seconds to wait before looking again: the watched thread cannot use more CPU time
        than the wall-clock time that passes, so waiting out its unused budget never overshoots."""
        wall = self._deadline - time.monotonic()
        used = thread_cpu_seconds(self._clock)
        if used is None:
            return wall
        return min(self._limit - (used - self._cpu_start), wall)

    @contextmanager
    def watch(self, seconds: float | None) -> Iterator[None]:
        if not seconds or seconds <= 0 or not _CAN_INTERRUPT:
            yield
            return
        self._ensure_thread()
        cond = self._cond
        with cond:
            self._token += 1
            token = self._token
            self._target = threading.get_ident()
            self._limit = seconds
            self._clock = thread_cpu_clock(self._target)
            self._cpu_start = thread_cpu_seconds(self._clock) or 0.0
            factor = WALL_FACTOR if self._clock is not None else 1.0
            self._deadline = time.monotonic() + seconds * factor
            cond.notify()
        try:
            yield
        finally:
            with cond:
                if self._fired_token == token:
                    # fired, but the exception may still be pending if the work ended first
                    _raise_in(threading.get_ident(), None)
                self._target = None
                cond.notify()


def _raise_in(thread_id: int, exc_type: type[BaseException] | None) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(exc_type) if exc_type else None)


_CAN_INTERRUPT = hasattr(ctypes, "pythonapi") and hasattr(ctypes.pythonapi, "PyThreadState_SetAsyncExc")
_WATCHDOG = _Watchdog()


def time_limit(seconds: float | None):  # type: ignore[no-untyped-def]
    """``with time_limit(20): ...`` raises :class:`FileTimeout` in this thread once it has used
    20 s of CPU time, or after 20 × ``WALL_FACTOR`` s of wall-clock time (20 s where the thread's
    CPU time cannot be read); nothing happens for ``None``/0, or where the interpreter cannot
    interrupt a thread."""
    return _WATCHDOG.watch(seconds)


def run_deep(func: Callable[..., T], *args: Any) -> T:
    """``func(*args)`` in a thread with a large stack and a raised recursion limit."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = func(*args)
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller's thread
            outcome["error"] = exc

    old_limit = sys.getrecursionlimit()
    old_stack = threading.stack_size()
    try:
        threading.stack_size(DEEP_STACK_BYTES)
        thread = threading.Thread(target=target, name="reviewlint-deep", daemon=True)
    finally:
        threading.stack_size(old_stack)
    sys.setrecursionlimit(max(old_limit, DEEP_RECURSION_LIMIT))
    try:
        thread.start()
        thread.join()
    finally:
        sys.setrecursionlimit(old_limit)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def rule_in_traceback(tb: Any) -> Any:
    """The innermost rule object whose code was running in a traceback (None when none)."""
    from reviewlint.rule import Rule

    found = None
    while tb is not None:
        candidate = tb.tb_frame.f_locals.get("self")
        if isinstance(candidate, Rule):
            found = candidate
        tb = tb.tb_next
    return found
