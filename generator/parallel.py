"""Run one piece of work in a second process while this one goes on, where the machine allows.

The work is forked, not sent: the function and its arguments are inherited by the new process,
so large inputs (the whole archive) are never pickled; only the result comes back.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

_job: tuple[Callable[..., Any], tuple[Any, ...]] | None = None  # set just before the fork


def _run_job() -> Any:
    assert _job is not None
    function, arguments = _job
    return function(*arguments)


def in_second_process(function: Callable[..., Any], *arguments: Any) -> Future | None:
    """Start function(*arguments) in a forked process and return its Future, or return None when
    this machine has one core or cannot fork (the caller then does the work itself)."""
    global _job
    if (os.cpu_count() or 1) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return None
    _job = (function, arguments)
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
    try:
        return pool.submit(_run_job)  # the process is forked here, inheriting _job
    finally:
        _job = None
        pool.shutdown(wait=False)
