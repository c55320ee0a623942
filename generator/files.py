"""Files read and written without following a link or blocking: what the build's two ends share."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


def read_plain_file(path: Path | str, limit: int) -> bytes | None:
    """Up to `limit` bytes of a regular file, or None for anything else: a FIFO or a device would
    block or never end, and a link is never followed."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as file:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return file.read(limit)


@contextlib.contextmanager
def replacing(path: Path, mode: int = 0o644) -> Iterator[BinaryIO]:
    """A new temporary file beside `path` (made exclusively, so never through a link), renamed over
    it once written: the file is never half there, and a link in its place is replaced, not followed."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as file:
            yield file
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def create_file(path: Path | str, data: bytes) -> os.stat_result:
    """Write a new file and return its status once written; fail rather than write through
    anything (a link) already there. Written by descriptor: a file object for each of a site's
    files cost more than the writing."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    try:
        left = memoryview(data)
        while left:
            left = left[os.write(fd, left):]
        return os.fstat(fd)
    finally:
        os.close(fd)
