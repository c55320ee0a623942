"""Run one piece of work in a second process while this one goes on, where the machine allows.

The work is forked, not sent: the function and its arguments are inherited by the new process,
so large inputs (the whole archive) are never pickled; only the result comes back.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
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


class WorkShare:
    """Items that this process and the one it forks take in turns, a batch at a time, until none
    are left: whichever process is free sooner does more of them. Made before the fork."""

    def __init__(self, items: Sequence[Any], batch: int = 50):
        self.items = items
        self.batch = batch
        forking = "fork" in multiprocessing.get_all_start_methods()  # else there is no second process
        self.taken = multiprocessing.get_context("fork" if forking else None).Value("q", 0)

    def __iter__(self) -> Iterator[Any]:
        while True:
            with self.taken.get_lock():
                start = self.taken.value
                self.taken.value = start + self.batch
            if start >= len(self.items):
                return
            yield from self.items[start:start + self.batch]
