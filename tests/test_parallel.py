"""Work forked into a second process: what it gives or raises comes back, and a process nobody
waits for is stopped."""

from __future__ import annotations

import os
import time

import pytest

from generator.parallel import in_second_process


def test_what_the_second_process_gives_comes_back(two_cores):
    forked = in_second_process(lambda size: {str(n): (n, os.getpid()) for n in range(size)}, 200_000)
    assert forked is not None  # really forked
    given = forked.result()
    assert len(given) == 200_000 and given["7"][0] == 7 and given["7"][1] != os.getpid()
    assert forked.result() is given and forked.exception() is None  # asked again: the same


def test_what_the_second_process_raises_is_raised_here_with_its_traceback(two_cores):
    def fail(word):
        raise ValueError(f"no {word}")

    forked = in_second_process(fail, "luck")
    with pytest.raises(ValueError, match="no luck") as raised:
        forked.result()
    assert "In the second process" in raised.value.__notes__[0] and "in fail" in raised.value.__notes__[0]
    assert isinstance(forked.exception(), ValueError)


def test_an_outcome_that_cannot_be_sent_is_a_clear_error(two_cores):
    class Unsendable:
        def __reduce__(self):
            raise TypeError("cannot be pickled")

    forked = in_second_process(Unsendable)
    with pytest.raises(RuntimeError, match="cannot be sent: TypeError"):
        forked.result()


def test_a_second_process_nobody_waits_for_is_stopped(two_cores):
    forked = in_second_process(time.sleep, 30)
    pid = forked.pid
    started = time.perf_counter()
    del forked  # the build that started it failed first
    assert time.perf_counter() - started < 5
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # stopped and reaped: no such child any more


def test_one_core_means_no_second_process(monkeypatch):
    from generator import parallel

    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 1)
    assert in_second_process(os.getpid) is None


def test_a_large_result_comes_back_whole_through_a_widened_pipe(two_cores):
    """The records a second process read come back as hundreds of megabytes: the pipe is widened
    (where the system allows, as Linux does) so that they cross it in fewer turns, and arrive whole."""
    import fcntl

    from generator.parallel import PIPE_BYTES

    sent = os.urandom(1 << 20) * 40
    forked = in_second_process(lambda: sent)
    assert fcntl.fcntl(forked.reader, fcntl.F_GETPIPE_SZ) >= PIPE_BYTES
    assert forked.result() == sent
