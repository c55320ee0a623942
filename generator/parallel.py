"""Run one piece of work in a second process while this one goes on, where the machine allows.

The work is forked, not sent: the function and its arguments are inherited by the new process,
so large inputs (the whole archive) are never pickled; only the result comes back, through a
pipe. (Not through concurrent.futures: its pools, each ended with shutdown(wait=False), raced
with the interpreter's exit on Python 3.11 and printed "OSError: Bad file descriptor".)
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import signal
import traceback
from collections.abc import Callable, Iterator, Sequence
from typing import Any

try:
    import fcntl
except ImportError:  # (Windows, where nothing is forked either)
    fcntl = None


class Forked:
    """function(*arguments) running in a forked process; result() waits for what it gave."""

    def __init__(self, function: Callable[..., Any], arguments: tuple[Any, ...]):
        reader, writer = os.pipe()
        widen(writer)
        self.pid = os.fork()
        if self.pid == 0:  # the new process: do the work, send the outcome, end without cleaning up
            os.close(reader)
            try:
                send_outcome(writer, function, arguments)
            finally:
                os._exit(0)
        os.close(writer)
        self.reader = reader
        self.outcome: tuple[bool, Any] | None = None

    def wait(self) -> tuple[bool, Any]:
        """(True, what the function returned) or (False, the exception it raised)."""
        if self.outcome is None:
            with os.fdopen(self.reader, "rb") as pipe:
                try:
                    self.outcome = pickle.load(pipe)
                except Exception as error:  # noqa: BLE001 (it ended without sending: killed, say)
                    self.outcome = (False, RuntimeError(f"the second process ended without a result ({error!r})"))
            os.waitpid(self.pid, 0)
        return self.outcome

    def result(self) -> Any:
        done, value = self.wait()
        if not done:
            raise value
        return value

    def exception(self) -> BaseException | None:
        done, value = self.wait()
        return None if done else value

    def stop(self) -> None:
        """Stop the work where it is and wait until the process is gone (its outcome is unknown)."""
        if self.outcome is None:
            self.outcome = (False, RuntimeError("the second process was stopped"))
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.close(self.reader)
                os.waitpid(self.pid, 0)
            except Exception:  # noqa: BLE001 (gone already, or the interpreter is ending)
                pass

    def __del__(self) -> None:
        self.stop()  # never asked for (the build failed first): stop the work


# A pipe this wide carries a result of hundreds of megabytes (the records a second process read)
# in half the time the system's default of 64 KiB takes: a sixteenth of the turns between processes.
PIPE_BYTES = 1 << 20


def widen(pipe: int) -> None:
    """Make a pipe hold PIPE_BYTES where the system allows (Linux; elsewhere it stays as it is)."""
    if fcntl is not None and hasattr(fcntl, "F_SETPIPE_SZ"):
        with contextlib.suppress(OSError):  # more than this user may have: the pipe stays as it is
            fcntl.fcntl(pipe, fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def send_outcome(writer: int, function: Callable[..., Any], arguments: tuple[Any, ...]) -> None:
    try:
        outcome: tuple[bool, Any] = (True, function(*arguments))
    except BaseException as error:  # noqa: BLE001 (handed to the process that waits for it)
        error.add_note("In the second process:\n" + "".join(traceback.format_exception(error)))
        outcome = (False, error)
    with os.fdopen(writer, "wb") as pipe:
        try:
            data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as error:  # noqa: BLE001 (what it gave or raised cannot be sent)
            data = pickle.dumps((False, RuntimeError(f"the second process's outcome cannot be sent: {error!r}: "
                                                     f"{outcome[1]!r}")))
        pipe.write(data)


def can_fork() -> bool:
    return hasattr(os, "fork")


def here_only(function: Callable[..., Any], *arguments: Any) -> None:
    """A Beside that never starts a process: the caller does the work itself."""
    return None


def in_second_process(function: Callable[..., Any], *arguments: Any) -> Forked | None:
    """Start function(*arguments) in a forked process and return it as Forked, or return None when
    this machine has one core or cannot fork (the caller then does the work itself)."""
    if (os.cpu_count() or 1) < 2 or not can_fork():
        return None
    return Forked(function, arguments)


# How the pipeline lends a stage a second process: start function(*arguments) there and return it
# as Forked, or return None (the stage then does that work itself).
Beside = Callable[..., Forked | None]


class WorkShare:
    """Items that this process and the one it forks take in turns, a batch at a time, until none
    are left: whichever process is free sooner does more of them. Made before the fork."""

    def __init__(self, items: Sequence[Any] | Callable[[], Sequence[Any]], batch: int = 50):
        self.items = items  # or what gives them: each process asks for them after the fork, and gets the same
        self.batch = batch
        # Shared with a forked process where there is one (else nothing else takes from it).
        context = multiprocessing.get_context("fork" if can_fork() else None)
        self.taken = context.Value("q", 0)
        self.total = context.Value("q", -1)  # how many there are, once a process has worked them out

    def __iter__(self) -> Iterator[Any]:
        if callable(self.items):
            with self.taken.get_lock():
                if 0 <= self.total.value <= self.taken.value:
                    return  # the other process took them all: no need to work them out here
            self.items = self.items()
            self.total.value = len(self.items)
        while True:
            with self.taken.get_lock():
                start = self.taken.value
                self.taken.value = start + self.batch
            if start >= len(self.items):
                return
            yield from self.items[start:start + self.batch]
