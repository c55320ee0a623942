"""Cache files: plain data that cannot run code when read, believed only when this user wrote them.

A cache file is a header, then MessagePack frames (msgspec), each decoded into the type its reader
names; anything else is refused. The header carries a stamp made from a secret kept outside the
project (in the user's own cache folder), so a cache committed by a pull request, or brought from
another machine, is never believed: it only means a full build. Files are written into a new
temporary file and renamed into place, never through a link.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import hmac
import os
import secrets
import stat
import struct
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import msgspec

from generator.files import replacing
from generator.problems import OutputError

MAGIC = b"dailypapers cache 1\n"
FRAME = struct.Struct("<Q")  # each frame's length; a frame of length 0 ends the file
KEY_BYTES = 32
ENCODER = msgspec.msgpack.Encoder()


class Unreadable(Exception):
    """A cache file is missing, damaged, cut short, of another kind or written by someone else."""


def key_file() -> Path:
    """Where this user's cache key lives: in their own cache folder, outside every project."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dailypapers" / "cache-key"


@functools.cache
def this_users_stamp() -> bytes | None:
    """The stamp this user's cache files carry (made once from a new random key), or None where no
    key can be kept: then no cache is written or believed."""
    path = key_file()
    for _ in range(2):
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except FileNotFoundError:
            try:
                make_key(path)
            except FileExistsError:
                pass  # made meanwhile by another build: read it
            except OSError:
                return None
            continue
        except OSError:
            return None
        with os.fdopen(fd, "rb") as file:
            key = file.read(KEY_BYTES + 1) if stat.S_ISREG(os.fstat(file.fileno()).st_mode) else b""
        if len(key) != KEY_BYTES:
            return None
        return hmac.new(key, MAGIC, hashlib.sha256).digest()
    return None


def make_key(path: Path) -> None:
    """Write a new random key whole, then link it into place: a build never reads half a key, and
    two builds making one at once keep the first (os.link fails where the name is taken)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".cache-key.")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(secrets.token_bytes(KEY_BYTES))
        os.link(temporary, path)
    finally:
        os.unlink(temporary)


def usable_folder(folder: Path) -> Path:
    """Make the cache folder if need be; refuse one that is a link or not a folder."""
    try:
        status = folder.lstat()
    except FileNotFoundError:
        folder.mkdir(parents=True, exist_ok=True)
        status = folder.lstat()
    if stat.S_ISLNK(status.st_mode):
        raise OutputError(f"refusing to use the cache folder {folder}: it is a symbolic link; remove it "
                          "(or build with --no-cache)")
    if not stat.S_ISDIR(status.st_mode):
        raise OutputError(f"refusing to use the cache folder {folder}: it is not a folder; remove it "
                          "(or build with --no-cache)")
    return folder


def save(path: Path, value: Any) -> bool:
    """Write one value as a cache file; say whether it was written."""
    return save_frames(path, [value])


def save_frames(path: Path, values: Iterable[Any]) -> bool:
    """Write values one after the other into one cache file, each made only once the one before is
    written; say whether the file was written (a cache is only an aid: a value that cannot be
    encoded, or a file that cannot be made, leaves no file)."""
    stamp = this_users_stamp()
    if stamp is None:
        return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with replacing(path, mode=0o600) as file:
            file.write(MAGIC + stamp)
            for value in values:
                data = ENCODER.encode(value)
                file.write(FRAME.pack(len(data)))
                file.write(data)
            file.write(FRAME.pack(0))
    except (OSError, TypeError, ValueError, msgspec.EncodeError):
        with contextlib.suppress(OSError):
            path.unlink()  # not to be read as what it no longer is
        return False
    return True


def can_encode(value: Any) -> bool:
    """Whether a cache file can hold the value (a name of stray bytes is no text UTF-8 can write)."""
    try:
        ENCODER.encode(value)
    except (TypeError, ValueError, msgspec.EncodeError):
        return False
    return True


def load(path: Path, kind: Any) -> Any:
    """The value a cache file holds, as `kind`, or None when it is unreadable (see Unreadable)."""
    try:
        frames = load_frames(path, kind, kind)
        value = next(frames)
        for _ in frames:
            raise Unreadable("more than one value")
    except Unreadable:
        return None
    return value


def load_frames(path: Path, first: Any, rest: Any) -> Iterator[Any]:
    """The values save_frames wrote, one at a time, the first as `first` and the others as `rest`;
    raises Unreadable when the file is missing, damaged, cut short or not this user's."""
    stamp = this_users_stamp()
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)  # a FIFO would block
    except OSError as error:
        raise Unreadable(str(error)) from None
    with os.fdopen(fd, "rb") as file:
        status = os.fstat(file.fileno())
        header = MAGIC + (stamp or b"")
        if stamp is None or not stat.S_ISREG(status.st_mode) or not hmac.compare_digest(
                file.read(len(header)), header):
            raise Unreadable("not a cache file of this user's")
        left = status.st_size - len(header)
        decoder, then = msgspec.msgpack.Decoder(first), msgspec.msgpack.Decoder(rest)
        while True:
            size = read_exactly(file, FRAME.size, left)
            left -= FRAME.size
            (length,) = FRAME.unpack(size)
            if length == 0:
                return
            if length > left - FRAME.size:
                raise Unreadable("cut short")
            data = read_exactly(file, length, left)
            left -= length
            try:
                with collector_paused(lasting=True):
                    value = decoder.decode(data)
            except msgspec.MsgspecError as error:
                raise Unreadable(str(error)) from None
            decoder = then
            yield value


def read_exactly(file: BinaryIO, size: int, left: int) -> bytes:
    if size > left:
        raise Unreadable("cut short")
    try:
        data = file.read(size)
    except OSError as error:
        raise Unreadable(str(error)) from None
    if len(data) != size:
        raise Unreadable("cut short")
    return data


@contextlib.contextmanager
def collector_paused(lasting: bool = False):
    """Pause Python's cycle collector: decoding a cache makes millions of objects, none of them
    garbage, and the collector would walk them again and again (a third of the time). `lasting`:
    what was made meanwhile lives as long as the build, so it is frozen (gc.freeze; build()
    unfreezes when it ends) rather than walked once more as soon as the collector is back, which
    the millions of new objects would set off at once."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if lasting:
            gc.freeze()
        if was_enabled:
            gc.enable()
