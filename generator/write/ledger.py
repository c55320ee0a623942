"""What the last build wrote, so that this build renders and writes only what changed.

The ledger lives in the cache folder beside the record cache. For every file of output/ it
remembers the key of what the file was made from (a hash of the value the table of outputs made
it from, see reuse.py), a hash of the file's bytes, and the size and
modification time the file had once written. A file whose key is unchanged, made by the same
templates, settings and code, and still on disk as the last build left it, is not rendered again;
a rendered file whose bytes hash as recorded and which is still on disk as left is not written
again, nor read back to compare. Anything else is rendered and written as in a clean build.
"""

from __future__ import annotations

import hashlib
import operator
from array import array
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple

import msgspec

from generator import cachefile

VERSION = 4
LEDGER_FILE = "outputs.cache"


class Written(NamedTuple):
    """One file of output/ as a build left it (a tuple: a ledger holds one per file of the site)."""

    key: str | None  # what it was made from, where the build knew
    digest: bytes  # of its bytes
    size: int
    mtime_ns: int


def bytes_digest(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()  # the fastest of hashlib's hashes on this kind of machine


class Ledger:
    """What the last build wrote and what is on disk now; collects what this build writes."""

    def __init__(self, before: LastWritten, same_site: bool, same_data: bool,
                 on_disk: Callable[[], dict[str, tuple[int, int]]], path: Path, site: tuple[str, str]):
        self.before = before
        self.same_site = same_site  # made by the same templates, settings and code
        self.same_data = same_data  # made by the same settings and code
        self.looking = on_disk
        self.found: dict[str, tuple[int, int]] | None = None
        self.last_asked: tuple[str | None, Written | None] = (None, None)
        self.path = path
        self.site = site
        self.keys: dict[str, str] = {}  # this build's key of each file that has one
        self.trusted = False  # output/ is taken to hold every file as the ledger says, so never listed

    @classmethod
    def load(cls, cache_dir: Path, site: str, on_disk: Callable[[], dict[str, tuple[int, int]]] | None,
             data: str = "") -> Ledger:
        """Read the ledger the last build left (an unreadable one counts as empty). `site`
        fingerprints what pages are made with (templates, settings, code), `data` what the files
        made without templates are (JSON and search files: settings and code); `on_disk` gives
        the files of output/ as they are (look_at_output), or is None when output/ is trusted to
        hold what the ledger says."""
        path = cache_dir / LEDGER_FILE
        stored = cachefile.load(path, LedgerFile)  # missing or damaged: it only means more work
        try:
            last_site, last_data = stored.site
            readable = stored.version == VERSION
            before = LastWritten(stored if readable else None)
        except (AttributeError, ValueError):
            last_site = last_data = None
            before, readable = LastWritten(None), False
        ledger = cls(before, last_site == site, last_data == data, on_disk or (lambda: {}), path, (site, data))
        ledger.trusted = on_disk is None and readable  # a ledger lost cannot say what is there
        return ledger

    def on_disk(self) -> dict[str, tuple[int, int]]:
        """Size and modification time of every file of output/ when the build began, by path: asked
        for first before anything in output/ changes (SiteWriter.open does)."""
        if self.found is None:
            self.found = (dict(zip(self.before.paths, self.before.statuses(), strict=True)) if self.trusted
                          else self.looking())
        return self.found

    def nothing_on_disk(self) -> None:
        """Say that output/ holds no file of a site (SiteWriter.open finds it so), trusted or not."""
        self.found, self.trusted = {}, False

    def output_as_left(self, marker: str) -> bool:
        """Whether output/ holds exactly the files the last build left, each as it was left."""
        on_disk = self.on_disk()
        if len(on_disk) != len(self.before) + (marker in on_disk):
            return False
        return all(map(operator.eq, map(on_disk.get, self.before.paths), self.before.statuses()))

    def as_left(self, path: str) -> Written | None:
        """The last build's record of a file, if the file is still on disk exactly as it was left
        (the last answer is remembered: a file is asked about when keyed, then when handed over)."""
        if path == self.last_asked[0]:
            return self.last_asked[1]
        known = self.before.get(path)
        if known is not None and not self.trusted and self.on_disk().get(path) != (known.size, known.mtime_ns):
            known = None
        self.last_asked = (path, known)
        return known

    def keep(self, path: str, key: str, templated: bool = True) -> bool:
        """Note the key of a file; say whether the file on disk was made from the same (and, if it
        is made with templates, with the same templates)."""
        self.keys[path] = key
        known = self.as_left(path)
        return (self.same_site if templated else self.same_data) and known is not None and known.key == key

    def save(self, written: dict[str, Written]) -> bool:
        """Keep what this build left in output/ for the next; say whether it was written."""
        return cachefile.save(self.path, to_columns(written, self.site))


class LedgerFile(msgspec.Struct, array_like=True):
    """The ledger as its file holds it: a column at a time (a few long lists and byte strings
    encode and decode many times faster than a tuple per file)."""

    version: int
    site: tuple[str, str]
    paths: list[str]
    keys: list[str | None]
    digests: bytes
    sizes: bytes  # array("q")
    mtimes: bytes  # array("q")


def to_columns(files: dict[str, Written], site: tuple[str, str] = ("", "")) -> LedgerFile:
    return LedgerFile(VERSION, site, list(files), [written.key for written in files.values()],
                      b"".join(written.digest for written in files.values()),
                      array("q", [written.size for written in files.values()]).tobytes(),
                      array("q", [written.mtime_ns for written in files.values()]).tobytes())


COLUMNS = msgspec.msgpack.Decoder(LedgerFile)


def packed(files: dict[str, Written]) -> bytes | dict[str, Written]:
    """These files' records as the ledger's columns in MessagePack, to send to another process (a
    tuple per file pickles ten times slower); as they are where columns cannot hold them (records
    made without a ledger, a name of bytes that are no text)."""
    if any(len(written.digest) != LastWritten.WIDTH for written in files.values()):
        return files
    try:
        return cachefile.ENCODER.encode(to_columns(files))
    except UnicodeEncodeError:
        return files


def unpacked(files: bytes | dict[str, Written]) -> dict[str, Written]:
    """The records `packed` gave, by file, in their order."""
    if isinstance(files, dict):
        return files
    written = LastWritten(COLUMNS.decode(files))
    return dict(zip(written.paths, map(written.at, range(len(written))), strict=True))


class LastWritten:
    """The files the last build wrote, read from the ledger's columns as they are asked for (a
    Written for every file of a large site, made up front, took longer than the asking)."""

    WIDTH = len(bytes_digest(b""))

    def __init__(self, columns: LedgerFile | None):
        columns = columns or to_columns({})
        self.paths, self.keys, self.digests = columns.paths, columns.keys, columns.digests
        self.sizes, self.mtimes = array("q", columns.sizes), array("q", columns.mtimes)
        if not (len(self.digests) == self.WIDTH * len(self.paths)
                and len(self.paths) == len(self.keys) == len(self.sizes) == len(self.mtimes)):
            raise ValueError("the ledger's columns do not match")
        self.places = dict(zip(self.paths, range(len(self.paths)), strict=True))

    def __len__(self) -> int:
        return len(self.paths)

    def get(self, path: str) -> Written | None:
        place = self.places.get(path)
        return None if place is None else self.at(place)

    def at(self, place: int) -> Written:
        """The file at this place of the columns."""
        start = self.WIDTH * place
        return Written(self.keys[place], self.digests[start:start + self.WIDTH], self.sizes[place], self.mtimes[place])

    def statuses(self) -> Iterable[tuple[int, int]]:
        """Each file's size and modification time once written, in the order of `paths`."""
        return zip(self.sizes, self.mtimes, strict=True)
