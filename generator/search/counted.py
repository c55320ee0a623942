"""Each record version's search terms, as counted when it was parsed, kept between builds apart from
the records: the pages never read them, and a build's search reads only the parts it needs.

A version is named by its record token (source and hash of its bytes). The terms are kept in
parts by the record's folder, a day's papers together: the search's papers files hold neighbours
by number, a day's papers, so the files a new day's paper changes need one or two parts.
"""

from __future__ import annotations

import contextlib
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

import msgspec

from generator import cachefile
from generator.search.terms import PaperTerms

VERSION = 1
TERMS_PARTS = 32


def terms_part(token: str) -> int:
    """The part a record version's terms are kept in: by its record's folder."""
    folder = token.partition("\0")[0].rpartition("/")[0]
    return zlib.crc32(folder.encode("utf-8", "surrogateescape")) % TERMS_PARTS


class TermsPart(msgspec.Struct, array_like=True):
    """One part of the counted terms as its file holds it."""

    version: int
    code: str
    terms: dict[str, PaperTerms]


class CountedTerms:
    """The terms of record versions: counted in this build (`new`), or read from the part files,
    each part when first asked for, as its file held it then."""

    def __init__(self, folder: Path | None, code: str, read: dict[int, dict[str, PaperTerms]] | None = None):
        self.folder = folder
        self.code = code
        self.read = read if read is not None else {}
        self.new: dict[str, PaperTerms] = {}
        self.saved: dict[int, dict[str, PaperTerms]] = {}  # the parts this build wrote, as written
        self.damaged: set[int] = set()  # parts whose file is there but cannot be read

    def part_file(self, part: int) -> Path:
        return self.folder / f"terms-{part:02d}.cache"

    def missing_parts(self) -> set[int]:
        """The parts with no file (never written, or deleted): their records must be counted again."""
        if self.folder is None:
            return set()
        return {part for part in range(TERMS_PARTS) if not self.part_file(part).is_file()}

    def part(self, number: int) -> dict[str, PaperTerms]:
        found = self.read.get(number)
        if found is None:
            stored = cachefile.load(self.part_file(number), TermsPart) if self.folder else None
            found = stored.terms if stored is not None and (stored.version, stored.code) == (VERSION, self.code) else {}
            if stored is None and self.folder and self.part_file(number).exists():
                self.damaged.add(number)
            self.read[number] = found
        return found

    def get(self, token: str) -> PaperTerms | None:
        found = self.new.get(token)
        return found if found is not None else self.part(terms_part(token)).get(token)

    def add(self, token: str, terms: PaperTerms) -> None:
        self.new[token] = terms

    def save(self, gone: Iterable[str], encodable: Callable[[dict], dict], missing: Iterable[int] = ()) -> None:
        """Write the parts where a version came or went, and the `missing` ones, even empty (so that
        the next build does not take them for lost); the others stay as they are. The parts as they
        were are still asked of (the search takes out a changed paper's old terms). A part that
        cannot be written whole is written with what `encodable` keeps of it."""
        if self.folder is None:
            return
        leaving: dict[int, set[str]] = defaultdict(set)
        for token in gone:
            leaving[terms_part(token)].add(token)
        coming: dict[int, dict[str, PaperTerms]] = defaultdict(dict)
        for token, terms in self.new.items():
            coming[terms_part(token)][token] = terms
        for part in sorted(self.damaged):
            # Written again it would lack its unchanged papers' terms for good; gone, the next
            # build counts its records again.
            with contextlib.suppress(OSError):
                self.part_file(part).unlink()
        for part in sorted((leaving.keys() | coming.keys() | set(missing)) - self.damaged):
            kept = leaving[part]
            terms = {token: found for token, found in self.part(part).items() if token not in kept}
            terms.update(coming[part])
            if not cachefile.save(self.part_file(part), TermsPart(VERSION, self.code, terms)):
                cachefile.save(self.part_file(part), TermsPart(VERSION, self.code, encodable(terms)))
            self.saved[part] = terms

    def following(self) -> CountedTerms:
        """The terms for the next build of the same process: the parts as this build left them."""
        return CountedTerms(self.folder, self.code, {**self.read, **self.saved})
