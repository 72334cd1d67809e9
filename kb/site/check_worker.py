"""`/-/check` runs the checker in a worker process, not in the server's own threads.

Checking is pure Python: in one of Datasette's database threads it competes with the event loop
for the interpreter lock, and every other page waits its turn (a 100,000-character draft made a
claim page take up to 2 s instead of 20 ms). In a process of its own it only shares the CPU.

The worker is started once (spawned, so it inherits none of the server's threads), opens the
served database read-only, keeps one Checker per database file, and dies with the server
(Linux: PR_SET_PDEATHSIG), so no check outlives the site. A check that overruns its budget by
far, or a worker that dies, costs that one request: the worker is killed and replaced.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import sqlite3
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from ..check import DEFAULT_FAIL_ON, Checker

GRACE_S = 20.0  # past its own budget, a check is given this long before its worker is killed

_pool: ProcessPoolExecutor | None = None
_checkers: dict[tuple, Checker] = {}  # in the worker: per database file


class WorkerFailed(RuntimeError):
    """The check did not finish: the worker overran or died (and was replaced)."""


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """Ask the kernel to send this process ``sig`` when its parent dies (Linux; elsewhere the
    parent's own shutdown still stops it)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, sig)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _check(db_path: str, text: str, budget_s: float) -> dict:
    stat = os.stat(db_path)
    key = (db_path, stat.st_ino, stat.st_mtime_ns)
    checker = _checkers.get(key)
    if checker is None:
        _checkers.clear()  # a rebuilt database replaces the old one
        conn = sqlite3.connect(f"file:{db_path}?mode=ro&immutable=1", uri=True)
        checker = _checkers[key] = Checker(conn)
    return checker.check(text, DEFAULT_FAIL_ON, budget_s)


def _get_pool() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                    initializer=die_with_parent)
    return _pool


def _replace_pool() -> None:
    global _pool
    pool, _pool = _pool, None
    if pool is not None:
        for process in list(getattr(pool, "_processes", {}).values()):
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)


async def check(db_path: str, text: str, budget_s: float) -> dict:
    """The report for ``text`` against the database file ``db_path``, from the worker."""
    loop = asyncio.get_running_loop()
    try:
        future = loop.run_in_executor(_get_pool(), _check, db_path, text, budget_s)
        return await asyncio.wait_for(future, budget_s + GRACE_S)
    except (asyncio.TimeoutError, BrokenProcessPool) as exc:
        _replace_pool()
        raise WorkerFailed(type(exc).__name__) from None


def worker_pids() -> list[int]:
    """The worker processes now running (for tests and the attack script)."""
    return [p.pid for p in getattr(_pool, "_processes", {}).values()] if _pool else []
