"""What a build keeps for the next one: parsed records by file, and what the last build was made of.

Both live in a cache folder (`.dailypapers-cache/` by default), never in output/, and are only an
aid: a missing, stale or unreadable cache means a full build, never a different site. Everything
in it is keyed by the code of the generator too (fingerprints.code_fingerprint), so a new version
of the code starts afresh.
"""

from __future__ import annotations

import hashlib
import stat
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import msgspec

from generator import cachefile
from generator.files import read_plain_file
from generator.problems import Problem
from generator.read.fingerprints import Listed, code_fingerprint
from generator.read.records import MAX_RECORD_BYTES, Paper
from generator.search.terms import PaperTerms, paper_terms

VERSION = 3

def record_token(source: str, digest: str) -> str:
    """Name one version of a record: its source and the hash of its bytes."""
    return f"{source}\0{digest}"


Parsed = tuple[Paper | None, list[Problem]]  # a record's Paper (or None) and its problems


class ReadResult(NamedTuple):
    """What reading a record gave (a tuple: a cache file holds one per record, as an array)."""

    paper: Paper | None
    problems: list[Problem]
    terms: PaperTerms | None  # its search terms, counted when it was parsed


@dataclass
class CachedRecord:
    size: int
    mtime_ns: int
    digest: str
    result: ReadResult


class RecordPart(msgspec.Struct, array_like=True):
    """One part of the record cache as a file holds it: each record by its key (file, context)."""

    version: int
    code: str
    records: list[tuple[tuple[str, ...], CachedRecord]]


class CachePart(msgspec.Struct, array_like=True):
    """What a forked process's record cache learnt, as it sends it back (see fresh_part)."""

    learnt: list[tuple[int, tuple[str, ...], int, int, str, PaperTerms | None]]
    kept: list[tuple[str, ...]]
    parsed: int


# The record cache is kept in parts, each record in the part its file's name falls in, so a build
# that changed a few records rewrites a few parts, not the whole cache (hundreds of MB for a large archive).
RECORD_PARTS = 32


def record_part(source: str) -> int:
    return zlib.crc32(source.encode("utf-8", "surrogateescape")) % RECORD_PARTS


class RecordCache:
    """Parsed records of the last build. A file whose size and modification time are unchanged is
    not read at all; one whose bytes hash the same is not parsed again."""

    def __init__(self, folder: Path | None, code: str | None = None):
        self.folder = folder
        self.code = code or code_fingerprint()
        self.before: dict[tuple[str, ...], CachedRecord] = {}
        self.now: dict[tuple[str, ...], CachedRecord] = {}
        self.parsed = 0  # records parsed in this build, for tests and progress
        self.renewed: set[tuple[str, ...]] = set()  # entries made anew in this build (parsed, or a new time)
        self.unreadable: set[int] = set()  # parts missing, damaged or made by other code
        self.missing: set[int] = set()  # parts not on disk though their records are held: written at save
        self.by_token: dict[str, Any] | None = None  # search terms by record_token, once asked for
        for part in range(RECORD_PARTS) if folder else ():
            stored = cachefile.load(self.part_file(part), RecordPart)
            if stored is not None and stored.version == VERSION and stored.code == self.code:
                self.before.update(stored.records)
            else:
                self.unreadable.add(part)

    @classmethod
    def following(cls, last: RecordCache | None, folder: Path, code: str) -> RecordCache:
        """The cache for a build in `folder`: read from its files, or, after `last` (a build of the
        same process, code and folder, whose records are still held), those records as last saved."""
        if last is None or last.folder != folder or last.code != code:
            return cls(folder, code)
        cache = cls(None, code)
        cache.folder, cache.before = folder, last.now
        cache.missing = {part for part in range(RECORD_PARTS) if not cache.part_file(part).is_file()}
        return cache

    def part_file(self, part: int) -> Path:
        return self.folder / f"records-{part:02d}.cache"

    def read(self, file: Listed, context: tuple[str, ...], parse: Callable[[bytes | None], Parsed]) -> Parsed:
        """Return what parsing the file gives (its Paper or None, and its problems), from the cache
        when its bytes are unchanged and so is the context its reading depends on (such as the name
        it is reported by). A record parsed here has its search terms counted too, once, while it is
        at hand (see terms). The file's size, time and kind are as the listing of content/ found them."""
        key = (file.path, *context)
        if not stat.S_ISREG(file.mode):
            return parse(None)  # links and the like are reported, never cached
        known = self.before.get(key)
        if known and (known.size, known.mtime_ns) == (file.size, file.mtime_ns):
            self.now[key] = known
            return known.result[:2]
        self.renewed.add(key)
        data = read_plain_file(file.path, MAX_RECORD_BYTES + 1)
        if data is None:
            return parse(None)  # gone or replaced since it was listed: reading it again says what is wrong
        digest = hashlib.sha256(data).hexdigest()
        if known and known.digest == digest:
            result = known.result
        else:
            paper, problems = parse(data)
            result = ReadResult(paper, problems, paper_terms(paper) if paper is not None else None)
            self.parsed += 1
        self.now[key] = CachedRecord(file.size, file.mtime_ns, digest, result)
        return result[:2]

    def count_stale(self, files: list[Listed]) -> int:
        """How many of these files are not in the cache as they are now (a guess at how many
        records must be parsed: a file with a new time but the same bytes is not parsed)."""
        fresh = {key[0]: (known.size, known.mtime_ns) for key, known in self.before.items()}
        return sum(fresh.get(file.path) != (file.size, file.mtime_ns) for file in files)

    def digests(self) -> dict[str, str]:
        """The hash of each valid record file read in this build, by the source its Paper names."""
        return {entry.result.paper.source: entry.digest for entry in self.now.values()
                if entry.result.paper is not None}

    def terms(self) -> dict[str, Any]:
        """The search terms counted of each valid record read in this build, by the source its Paper
        names (as read counted them when the record was parsed)."""
        return {entry.result.paper.source: entry.result.terms for entry in self.now.values()
                if entry.result.paper is not None}

    def counted(self, token: str) -> Any:
        """The search terms of the record version a record_token names, if this build or the last
        read it (all are gathered when first asked: only a build where a paper changed or left asks)."""
        if self.by_token is None:
            self.by_token = {}
            for entry in (*self.before.values(), *self.now.values()):
                if entry.result.paper is not None:
                    self.by_token[record_token(entry.result.paper.source, entry.digest)] = entry.result.terms
        return self.by_token.get(token)

    def release(self) -> None:
        """Release every record, in a process with no more use for them (their memory, mostly
        search terms, goes to what comes next). Nothing is saved after."""
        self.folder = None
        self.before, self.now, self.by_token = {}, {}, None

    def fresh_part(self, places: dict[str, int]) -> CachePart:
        """What this cache learnt in this build, for the process that forked this one."""
        # That process holds the same `before`: a kept entry goes by its key alone, and a new one
        # without its Paper and problems, which the results carry (at their `places`, by file).
        learnt = [(places[key[0]], key, entry.size, entry.mtime_ns, entry.digest, entry.result.terms)
                  for key, entry in self.now.items() if key in self.renewed]
        return CachePart(learnt, [key for key in self.now if key not in self.renewed], self.parsed)

    def adopt(self, part: CachePart, results: list[Parsed]) -> None:
        """Take in what a forked process's cache learnt (fresh_part), with the results it read."""
        for place, key, size, mtime_ns, digest, terms in part.learnt:
            paper, problems = results[place]
            self.now[key] = CachedRecord(size, mtime_ns, digest, ReadResult(paper, problems, terms))
            self.renewed.add(key)
        self.now.update((key, self.before[key]) for key in part.kept)
        self.parsed += part.parsed

    def save(self) -> None:
        """Keep this build's records (only files that still exist) for the next build, rewriting
        only the parts where an entry is new or gone (or that could not be read)."""
        if not self.folder:
            return
        changed = {record_part(key[0]) for key in (*self.renewed, *(self.before.keys() - self.now.keys()))}
        changed |= {part for part in self.unreadable if self.part_file(part).exists()} | self.missing
        if not changed:
            return
        parts: dict[int, dict] = {part: {} for part in changed}
        for key, entry in self.now.items():
            part = record_part(key[0])
            if part in parts:
                parts[part][key] = entry
        for part, records in parts.items():
            if not cachefile.save(self.part_file(part), RecordPart(VERSION, self.code, list(records.items()))):
                # A name that is no text (a file name of stray bytes): keep the part without it.
                cachefile.save(self.part_file(part), RecordPart(VERSION, self.code, list(encodable(records))))


def encodable(records: dict[tuple[str, ...], CachedRecord]) -> Iterator[tuple[tuple[str, ...], CachedRecord]]:
    """The records that a cache file can hold (their names and problems are text, as UTF-8 writes it)."""
    for key, entry in records.items():
        try:
            cachefile.ENCODER.encode((key, entry))
        except (TypeError, ValueError, msgspec.EncodeError):
            continue
        yield key, entry


class LastBuild(msgspec.Struct, frozen=True):
    """What the last successful build was made of, and what it made."""

    fingerprint: str
    papers: int
    days: int
    files: int


LAST_BUILD_FILE = "last-build.cache"


def last_build(folder: Path) -> LastBuild | None:
    """What the last successful build recorded, if anything readable."""
    return cachefile.load(folder / LAST_BUILD_FILE, LastBuild)


def record_build(folder: Path, facts: LastBuild) -> None:
    cachefile.save(folder / LAST_BUILD_FILE, facts)
