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
from collections.abc import Callable, Iterator, Set
from pathlib import Path
from typing import NamedTuple

import msgspec

from generator import cachefile
from generator.files import read_plain_file
from generator.problems import Problem
from generator.read.fingerprints import Listed, code_fingerprint
from generator.read.records import MAX_RECORD_BYTES, Paper
from generator.search.counted import CountedTerms, terms_part
from generator.search.terms import PaperTerms, paper_terms

VERSION = 4

def record_token(source: str, digest: str) -> str:
    """Name one version of a record: its source and the hash of its bytes."""
    return f"{source}\0{digest}"


Parsed = tuple[Paper | None, list[Problem]]  # a record's Paper (or None) and its problems


class ReadResult(NamedTuple):
    """What reading a record gave (a tuple: a cache file holds one per record, as an array)."""

    paper: Paper | None
    problems: list[Problem]


class CachedRecord(msgspec.Struct, gc=False):
    """One record as the last build read it: its file's size, time and hash, and what reading gave."""

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

    learnt: list[tuple[int, tuple[str, ...], int, int, str]]
    kept: list[tuple[str, ...]]
    parsed: int
    terms: dict[str, PaperTerms]  # counted there, by record token


# The record cache is kept in parts, each record in the part its file's name falls in, so a build
# that changed a few records rewrites a few parts, not the whole cache (hundreds of MB for a large archive).
RECORD_PARTS = 32


def record_part(source: str) -> int:
    return zlib.crc32(source.encode("utf-8", "surrogateescape")) % RECORD_PARTS


class RecordCache:
    """Parsed records of the last build. A file whose size and modification time are unchanged is
    not read at all; one whose bytes hash the same is not parsed again. A record parsed has its
    search terms counted too, once, while it is at hand; they are kept apart (CountedTerms)."""

    def __init__(self, folder: Path | None, code: str | None = None):
        self.folder = folder
        self.code = code or code_fingerprint()
        self.before: dict[tuple[str, ...], CachedRecord] = {}
        self.now: dict[tuple[str, ...], CachedRecord] = {}
        self.parsed = 0  # records parsed in this build, for tests and progress
        self.renewed: set[tuple[str, ...]] = set()  # entries made anew in this build (parsed, or a new time)
        self.unreadable: set[int] = set()  # parts missing, damaged or made by other code
        self.missing: set[int] = set()  # parts not on disk though their records are held: written at save
        self.counted = CountedTerms(folder, self.code)
        self.uncounted = self.counted.missing_parts()  # records whose terms were lost: count them again
        self.digest_of: dict[str, str] | None = None
        self.keys_of_part: dict[int, list[tuple[str, ...]]] = {}  # as loaded: a part saved again starts from them
        for part in range(RECORD_PARTS) if folder else ():
            stored = cachefile.load(self.part_file(part), RecordPart)
            if stored is not None and stored.version == VERSION and stored.code == self.code:
                self.before.update(stored.records)
                self.keys_of_part[part] = [key for key, _ in stored.records]
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
        cache.counted = last.counted.following()
        cache.uncounted = cache.counted.missing_parts() - cache.counted.read.keys()  # held in memory: not lost
        return cache

    def part_file(self, part: int) -> Path:
        return self.folder / f"records-{part:02d}.cache"

    def read(self, file: Listed, context: tuple[str, ...], parse: Callable[[bytes | None], Parsed]) -> Parsed:
        """Return what parsing the file gives (its Paper or None, and its problems), from the cache
        when its bytes are unchanged and so is the context its reading depends on (such as the name
        it is reported by, first). The file's size, time and kind are as the listing of content/
        found them."""
        if not stat.S_ISREG(file.mode):
            return parse(None)  # links and the like are reported, never cached
        kept = self.unchanged(file, context)
        if kept is not None:
            return kept
        key = (file.path, *context)
        known = self.usable(key)
        self.renewed.add(key)
        data = read_plain_file(file.path, MAX_RECORD_BYTES + 1)
        if data is None:
            return parse(None)  # gone or replaced since it was listed: reading it again says what is wrong
        digest = hashlib.sha256(data).hexdigest()
        if known and known.digest == digest:
            result = known.result
        else:
            result = ReadResult(*parse(data))
            if result.paper is not None:
                self.counted.add(record_token(result.paper.source, digest), paper_terms(result.paper))
            self.parsed += 1
        self.now[key] = CachedRecord(file.size, file.mtime_ns, digest, result)
        return result

    def usable(self, key: tuple[str, ...]) -> CachedRecord | None:
        """The last build's entry for a record read in this context, unless its terms were lost."""
        known = self.before.get(key)
        if known and self.uncounted and terms_part(key[1]) in self.uncounted:
            return None
        return known

    def unchanged(self, file: Listed, context: tuple[str, ...]) -> ReadResult | None:
        """What reading the file gave the last build, kept for this one, if it is a plain file of
        the same size and time read in the same context; None when it must be read (see read)."""
        key = (file.path, *context)
        known = self.usable(key)
        if known is None or known.size != file.size or known.mtime_ns != file.mtime_ns or not stat.S_ISREG(file.mode):
            return None
        self.now[key] = known
        return known.result

    def digests(self) -> dict[str, str]:
        """The hash of each valid record file read in this build, by the source its Paper names
        (worked out once: asked for only once every record is read)."""
        if self.digest_of is None:
            self.digest_of = {entry.result.paper.source: entry.digest for entry in self.now.values()
                              if entry.result.paper is not None}
        return self.digest_of

    def terms_of(self, source: str) -> PaperTerms | None:
        """The search terms of the record a Paper of this build names, as counted when it was parsed."""
        digest = self.digests().get(source)
        return self.counted.get(record_token(source, digest)) if digest is not None else None

    def terms_counted(self, token: str) -> PaperTerms | None:
        """The search terms of the record version a record_token names, if this build or the last read it."""
        return self.counted.get(token)

    def release(self) -> None:
        """Release every record and the terms counted in this build, in a process with no more use
        for them (their memory goes to what comes next). Nothing is saved after."""
        self.folder = None
        self.before, self.now, self.digest_of = {}, {}, None
        self.counted = CountedTerms(None, self.code)

    def fresh_part(self, places: dict[str, int]) -> CachePart:
        """What this cache learnt in this build, for the process that forked this one."""
        # That process holds the same `before`: a kept entry goes by its key alone, and a new one
        # without its Paper and problems, which the results carry (at their `places`, by file).
        learnt = [(places[key[0]], key, entry.size, entry.mtime_ns, entry.digest)
                  for key, entry in self.now.items() if key in self.renewed]
        # Only its own files: it holds the entries this process kept before the fork too.
        kept = [key for key in self.now if key[0] in places and key not in self.renewed]
        return CachePart(learnt, kept, self.parsed, self.counted.new)

    def adopt(self, part: CachePart, results: list[Parsed]) -> None:
        """Take in what a forked process's cache learnt (fresh_part), with the results it read."""
        for place, key, size, mtime_ns, digest in part.learnt:
            self.now[key] = CachedRecord(size, mtime_ns, digest, ReadResult(*results[place]))
            self.renewed.add(key)
        self.now.update((key, self.before[key]) for key in part.kept)
        self.parsed += part.parsed
        self.counted.new.update(part.terms)

    def left(self) -> Set[tuple[str, ...]]:
        """The entries of the last build that this one did not read (their files left or were renamed)."""
        # Every entry now came from before unless renewed: counting says, without a pass over all,
        # whether any entry of before is not among them.
        kept_from_before = len(self.now) - sum(key in self.now and key not in self.before for key in self.renewed)
        return frozenset() if kept_from_before == len(self.before) else self.before.keys() - self.now.keys()

    def versions_gone(self, left: Set[tuple[str, ...]]) -> list[str]:
        """The record versions the last build read and this one did not (their records changed or left)."""
        gone = []
        for key in (*self.renewed, *left):
            old, new = self.before.get(key), self.now.get(key)
            if old is not None and old.result.paper is not None and (new is None or new.digest != old.digest):
                gone.append(record_token(old.result.paper.source, old.digest))
        return gone

    def save(self) -> None:
        """Keep this build's records (only files that still exist) for the next build, rewriting
        only the parts where an entry is new or gone (or that could not be read)."""
        if not self.folder:
            return
        left = self.left()
        self.counted.save(self.versions_gone(left), encodable_terms, self.uncounted)
        changed = {record_part(key[0]) for key in (*self.renewed, *left)}
        changed |= {part for part in self.unreadable if self.part_file(part).exists()} | self.missing
        if not changed:
            return
        for part, records in self.parts_now(changed).items():
            if not cachefile.save(self.part_file(part), RecordPart(VERSION, self.code, list(records.items()))):
                # A name that is no text (a file name of stray bytes): keep the part without it.
                cachefile.save(self.part_file(part), RecordPart(VERSION, self.code, list(encodable(records))))

    def parts_now(self, changed: set[int]) -> dict[int, dict[tuple[str, ...], CachedRecord]]:
        """This build's entries in each of these parts: those the part held that are still here,
        then those made anew (a pass over the archive only where no part's keys were loaded)."""
        if changed - self.keys_of_part.keys():
            parts: dict[int, dict] = {part: {} for part in changed}
            for key, entry in self.now.items():
                if (part := record_part(key[0])) in parts:
                    parts[part][key] = entry
            return parts
        parts = {part: {key: self.now[key] for key in self.keys_of_part[part] if key in self.now} for part in changed}
        for key in sorted(self.renewed):  # in a stable order: the same build writes the same file
            if (part := record_part(key[0])) in parts:
                parts[part][key] = self.now[key]
        return parts


def encodable_terms(terms: dict[str, PaperTerms]) -> dict[str, PaperTerms]:
    """The terms a cache file can hold (their record's name is text, as UTF-8 writes it)."""
    return {token: found for token, found in terms.items() if cachefile.can_encode(token)}


def encodable(records: dict[tuple[str, ...], CachedRecord]) -> Iterator[tuple[tuple[str, ...], CachedRecord]]:
    """The records that a cache file can hold (their names and problems are text, as UTF-8 writes it)."""
    for key, entry in records.items():
        if cachefile.can_encode((key, entry)):
            yield key, entry
