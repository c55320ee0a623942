"""Every term's postings, field by field, kept between builds and changed only where papers changed.

The search files are made from this index: for each term and field, the papers (by document
number) that have the term there, with its count and the field's length. A build without a cache
adds every paper to an empty index; a build with one loads the last build's index, takes out the
papers that left or changed (by the terms their records were counted with then), puts in the
papers that came or changed, and notes which terms it touched. Either way the index holds the
same postings, so the search files are the same bytes.

A build that changed a few papers does not write the whole index again: it adds what it took out
and put in to a journal beside it, which the next build replays after loading the index; once the
journal holds many papers the index is written whole again, and the journal starts afresh.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterator
from itertools import chain
from pathlib import Path

import msgspec

from generator import cachefile
from generator.search.terms import FIELDS, IndexCounts, PaperTerms, encode, unpack_terms

VERSION = 7
INDEX_FILE = "search.cache"
JOURNAL_FILE = "search-journal.cache"
JOURNAL_PAPERS = 500  # papers taken out or put in that a journal holds before the index is written whole
ADD_ALL_PAPERS = 10_000  # papers counted into an empty index at a time: their columns take some 60 MB
PART_ENTRIES = 1_000_000  # postings entries saved in one part of the index file (some 16 MB)
FIELD_NAMES = tuple(name for name, _ in FIELDS)


class TermPostings:
    """One term in one field: document numbers in order, with the term's count and the field's
    length in each (three arrays side by side, so a paper goes in or out with one search)."""

    __slots__ = ("documents", "tfs", "lengths")

    def __init__(self) -> None:
        self.documents = array("q")
        self.tfs = array("I")
        self.lengths = array("I")

    def put(self, document: int, tf: int, length: int) -> None:
        at = bisect_left(self.documents, document)
        self.documents.insert(at, document)
        self.tfs.insert(at, tf)
        self.lengths.insert(at, length)

    def take(self, document: int) -> None:
        at = bisect_left(self.documents, document)
        if at == len(self.documents) or self.documents[at] != document:
            raise KeyError(document)
        del self.documents[at], self.tfs[at], self.lengths[at]

    def entries(self) -> list[tuple[int, int, int]]:
        return list(zip(self.documents, self.tfs, self.lengths, strict=True))

    def digest(self) -> bytes:
        return hashlib.blake2b(self.documents.tobytes() + self.tfs.tobytes() + self.lengths.tobytes(),
                               digest_size=12).digest()


class TermIds(dict):
    """A number for each term, in the order the terms are first met, and the terms by number."""

    def __init__(self) -> None:
        super().__init__()
        self.terms: list[str] = []

    def __missing__(self, term: str) -> int:
        number = self[term] = len(self.terms)
        self.terms.append(term)
        return number


class IndexHead(msgspec.Struct, array_like=True):
    """The figures of an index file, before its postings."""

    version: int
    code: str
    generation: str  # names this writing of the index, which its journal must name
    documents: dict[int, str]
    lengths: dict[int, tuple[int, ...]]
    totals: list[int]
    versions: dict[str, bytes]
    sizes: dict[str, int]
    papers_with_term: dict[str, int]
    entry_counts: dict[str, int]


class JournalHead(msgspec.Struct, array_like=True):
    version: int
    code: str
    generation: str


class Changes(msgspec.Struct, array_like=True):
    """What one build took out of the index (by number, with the terms taken out) and put in."""

    taken: list[tuple[int, PaperTerms]]
    put: list[tuple[int, str, PaperTerms]]


# A part of the postings: its terms, and for each field five columns (which term, where its entries
# end, documents, counts, lengths) as the bytes of arrays of types I, Q, q, I and I.
IndexPart = tuple[list[str], list[tuple[bytes, bytes, bytes, bytes, bytes]]]


class SearchIndex:
    """The postings of every term, the papers they were counted from, and what a build changed."""

    def __init__(self, code: str = "") -> None:
        self.code = code  # the generator's code fingerprint it was made by
        self.postings: dict[str, dict[str, TermPostings]] = {}
        self.documents: dict[int, str] = {}  # number -> token of the record it was counted from
        self.lengths: dict[int, tuple[int, ...]] = {}  # number -> its fields' lengths
        self.totals = [0] * len(FIELDS)
        self.versions: dict[str, bytes] = {}  # term -> digest of its postings, for files' keys
        self.sizes: dict[str, int] = {}  # term -> its bytes in a shard, as shards.py estimates them
        self.papers_with_term: dict[str, int] = {}  # term -> how many papers have it (asked of big terms only)
        # term -> its entries in all fields, kept: the few terms that may be big are found without
        # looking at every term's postings
        self.entry_counts: dict[str, int] = {}
        self.touched: set[str] = set()  # terms changed since loaded
        self.generation: str | None = None  # of the index file it was loaded from, if any
        self.journal: list[Changes] = []  # replayed on loading, since that file was written
        self.changes = Changes([], [])  # made since loaded

    @classmethod
    def load(cls, cache_dir: Path | None, code: str) -> SearchIndex:
        """The index the last build left in cache_dir, or an empty one (when there is none, or it
        is damaged, or other code made it)."""
        index = cls(code)
        if not cache_dir:
            return index
        try:
            parts = cachefile.load_frames(cache_dir / INDEX_FILE, IndexHead, IndexPart)
            head = next(parts)
            if not (head.version == VERSION and head.code == code):
                return index
            index.__dict__.update({name: getattr(head, name) for name in head.__struct_fields__ if name != "version"})
            for part in parts:
                index.take_part(*part)
        except (cachefile.Unreadable, StopIteration, ValueError, IndexError):  # missing, damaged or cut short
            return cls(code)
        return index if index.replay(cache_dir / JOURNAL_FILE) else cls(code)

    def replay(self, path: Path) -> bool:
        """Make again the changes the journal beside the index file holds, if it is that file's (one
        missing, damaged or of another writing is passed over: the index is then as the file left
        it, whole, and the build takes out and puts in what differs); False if they do not fit it."""
        try:
            frames = cachefile.load_frames(path, JournalHead, Changes)
            head = next(frames)
            if (head.version, head.code, head.generation) != (VERSION, self.code, self.generation):
                return True
            journal = list(frames)
        except (cachefile.Unreadable, StopIteration):
            return True
        try:
            for changes in journal:
                self.apply(changes)
        except (KeyError, ValueError, IndexError):
            return False
        self.refresh()
        self.touched.clear()
        self.journal = journal
        self.changes = Changes([], [])
        return True

    def apply(self, changes: Changes) -> None:
        for number, packed in changes.taken:
            self.remove(number, packed)
        for number, token, packed in changes.put:
            self.add(number, token, packed)

    def save(self, cache_dir: Path) -> None:
        """Keep the index for the next build: nothing if nothing changed; the changes, in the
        journal, if the index was loaded and the journal stays short; else the whole index (the
        figures, then the postings a part at a time), with a journal of its own to come."""
        if not (self.changes.taken or self.changes.put):
            return
        journal = [*self.journal, self.changes]
        if self.generation and sum(len(changes.taken) + len(changes.put) for changes in journal) <= JOURNAL_PAPERS:
            cachefile.save_frames(cache_dir / JOURNAL_FILE, [JournalHead(VERSION, self.code, self.generation),
                                                             *journal])
            return
        self.generation = os.urandom(16).hex()
        fields = {name: getattr(self, name) for name in IndexHead.__struct_fields__ if name != "version"}
        cachefile.save_frames(cache_dir / INDEX_FILE, chain([IndexHead(VERSION, **fields)], self.parts()))
        with contextlib.suppress(OSError):
            os.unlink(cache_dir / JOURNAL_FILE)  # another writing's: it would be passed over, but it weighs

    def parts(self) -> Iterator[tuple]:
        """The postings in parts of about PART_ENTRIES entries (a term's postings all in one part),
        each field's entries end to end in one array each: a few large arrays pickle several times
        faster than a few hundred thousand small ones."""
        terms: list[str] = []
        entries = 0
        for term in self.postings:
            terms.append(term)
            entries += self.entry_counts[term]  # up to date: every change to the postings refreshes it
            if entries >= PART_ENTRIES:
                yield self.packed(terms)
                terms, entries = [], 0
        if terms:
            yield self.packed(terms)

    def packed(self, terms: list[str]) -> tuple:
        fields = []
        for name in FIELD_NAMES:
            owners, ends = array("I"), array("Q")  # which term, and where its entries end
            documents, tfs, lengths = array("q"), array("I"), array("I")
            for place, term in enumerate(terms):
                postings = self.postings[term].get(name)
                if postings is not None:
                    documents += postings.documents
                    tfs += postings.tfs
                    lengths += postings.lengths
                    owners.append(place)
                    ends.append(len(documents))
            fields.append((owners.tobytes(), ends.tobytes(), documents.tobytes(), tfs.tobytes(), lengths.tobytes()))
        return terms, fields

    def take_part(self, terms: list[str], fields: list[tuple[bytes, ...]]) -> None:
        """Put back one part of postings as `packed` made it."""
        by_term: list[dict[str, TermPostings]] = [self.postings.setdefault(term, {}) for term in terms]
        for name, columns in zip(FIELD_NAMES, fields, strict=True):
            owners, ends, documents, tfs, lengths = (array(code, column) for code, column in zip("IQqII", columns,
                                                                                              strict=True))
            start = 0
            for place, end in zip(owners, ends, strict=True):
                entries = by_term[place][name] = TermPostings()
                entries.documents, entries.tfs = documents[start:end], tfs[start:end]
                entries.lengths = lengths[start:end]
                start = end

    def postings_of(self, term: str, name: str) -> TermPostings:
        """A term's postings in one field, made empty if it has none yet."""
        by_field = self.postings.get(term)
        if by_field is None:
            by_field = self.postings[term] = {}
        postings = by_field.get(name)
        if postings is None:
            postings = by_field[name] = TermPostings()
        return postings

    def add(self, number: int, token: str, packed: PaperTerms) -> None:
        field_lengths, fields = packed
        for position, (length, field_terms) in enumerate(zip(field_lengths, fields, strict=True)):
            name = FIELD_NAMES[position]
            self.totals[position] += length
            for term, tf in unpack_terms(field_terms):
                postings = self.postings_of(term, name)
                documents = postings.documents
                if documents and documents[-1] > number:
                    postings.put(number, tf, length)
                else:  # papers mostly come in order of number (a whole archive always does)
                    documents.append(number)
                    postings.tfs.append(tf)
                    postings.lengths.append(length)
            self.touched.update(field_terms[0].split(" ") if field_terms[0] else ())
        self.documents[number] = token
        self.lengths[number] = tuple(field_lengths)

    def add_all(self, documents: list[tuple[int, str, PaperTerms]]) -> None:
        """Put papers, in order of number, into an index with no postings yet, as `add` would one by one."""
        # Imported here: numpy is needed only where an index is counted whole (the search's process).
        import numpy as np

        ids = TermIds()
        for start in range(0, len(documents), ADD_ALL_PAPERS):
            chunk = documents[start:start + ADD_ALL_PAPERS]
            numbers = np.fromiter((number for number, _, _ in chunk), np.int64, len(chunk))
            for number, token, (field_lengths, _) in chunk:
                self.documents[number] = token
                self.lengths[number] = tuple(field_lengths)
            for position, name in enumerate(FIELD_NAMES):
                # Each entry's term by id, paper (by its place in the chunk) and count, whole columns at a
                # time, sorted by term (stably: each term's papers stay in order of number), then cut by term.
                terms, per_paper, counts = array("i"), array("q"), []
                lengths = np.fromiter((packed[0][position] for _, _, packed in chunk), np.int64, len(chunk))
                for _, _, (_, fields) in chunk:
                    names, packed_counts = fields[position]
                    if names:
                        before = len(terms)
                        terms.extend(map(ids.__getitem__, names.split(" ")))
                        per_paper.append(len(terms) - before)
                    else:
                        per_paper.append(0)
                    counts.append(packed_counts)
                self.totals[position] += int(lengths.sum())
                if not terms:
                    continue
                term_of_entry = np.frombuffer(terms, np.int32)
                order = np.argsort(term_of_entry, kind="stable")
                paper_of_entry = np.repeat(np.arange(len(chunk)), np.frombuffer(per_paper, np.int64))[order]
                column_documents = numbers[paper_of_entry]
                column_tfs = np.frombuffer(b"".join(counts), np.uint32)[order]
                column_lengths = lengths[paper_of_entry].astype(np.uint32)
                sorted_terms = term_of_entry[order]
                cuts = np.flatnonzero(sorted_terms[1:] != sorted_terms[:-1]) + 1
                starts, ends = [0, *cuts.tolist()], [*cuts.tolist(), len(sorted_terms)]
                for term_id, first, end in zip(sorted_terms[starts].tolist(), starts, ends, strict=True):
                    postings = self.postings_of(ids.terms[term_id], name)
                    postings.documents.frombytes(column_documents[first:end].tobytes())
                    postings.tfs.frombytes(column_tfs[first:end].tobytes())
                    postings.lengths.frombytes(column_lengths[first:end].tobytes())
        self.touched.update(self.postings)

    def remove(self, number: int, packed: PaperTerms) -> None:
        field_lengths, fields = packed
        for position, (length, field_terms) in enumerate(zip(field_lengths, fields, strict=True)):
            name = FIELD_NAMES[position]
            self.totals[position] -= length
            for term, _ in unpack_terms(field_terms):
                by_field = self.postings[term]
                by_field[name].take(number)
                if not by_field[name].documents:
                    del by_field[name]
                    if not by_field:
                        del self.postings[term]
                self.touched.add(term)
        del self.documents[number], self.lengths[number]

    def bring_up_to_date(self, documents: list[tuple[int, str]], terms_of: Callable[[int], PaperTerms],
                         counted_before: Callable[[str], PaperTerms | None]) -> SearchIndex:
        """Make the index hold exactly these (number, token) with the terms `terms_of` gives by
        number (asked only of papers that came or changed); a paper that left is taken out by the
        terms `counted_before` gives for its token (when one's are not known, the index is counted
        afresh). Return the index."""
        now = dict(documents)
        leaving = [(number, token) for number, token in self.documents.items() if now.get(number) != token]
        # Counted afresh, and written whole: when nearly all papers would be taken out (all numbers
        # moved: taking them out one by one takes longer than counting), or some cannot be.
        nearly_all = 10 * len(leaving) > 9 * len(self.documents) > 0
        earlier = [] if nearly_all else [(number, counted_before(token)) for number, token in leaving]
        if nearly_all or any(packed is None for _, packed in earlier):
            self.__init__(self.code)
            return self.bring_up_to_date(documents, terms_of, counted_before)
        for number, packed in earlier:
            self.remove(number, packed)
        coming = [(number, now[number], terms_of(number)) for number in sorted(now)
                  if self.documents.get(number) != now[number]]
        if self.postings:
            for number, token, packed in coming:
                self.add(number, token, packed)
        else:
            self.add_all(coming)
        self.changes.taken += earlier
        self.changes.put += coming
        self.refresh()
        return self

    def refresh(self) -> None:
        """Work out again what is kept of each touched term (its version and entries; its size and paper
        count when asked)."""
        for term in self.touched:
            self.sizes.pop(term, None)
            self.papers_with_term.pop(term, None)
            by_field = self.postings.get(term)
            if by_field is not None:
                self.versions[term] = b"".join(by_field[name].digest() + name.encode()
                                               for name in FIELD_NAMES if name in by_field)
                self.entry_counts[term] = sum(len(postings.documents) for postings in by_field.values())
            else:
                self.versions.pop(term, None)
                self.entry_counts.pop(term, None)

    def papers_with(self, term: str) -> int:
        """How many papers have the term, in any field (kept from the last build until it changes)."""
        count = self.papers_with_term.get(term)
        if count is None:
            count = self.papers_with_term[term] = papers_in_any(
                [postings.documents for postings in self.postings[term].values()])
        return count

    def figures(self) -> IndexCounts:
        """The archive-wide figures scores need: the document count and each field's average length."""
        count = len(self.documents)
        average = {name: (self.totals[i] / count if count else 0.0) for i, name in enumerate(FIELD_NAMES)}
        return IndexCounts({}, count, average, {})

    def encoded(self, term: str) -> dict[str, list[int]]:
        by_field = self.postings[term]
        return {name: encode(by_field[name].entries()) for name in FIELD_NAMES if name in by_field}


def papers_in_any(columns: list[array]) -> int:
    """How many documents are in at least one of these sorted columns: the longest's, and those of
    the others it lacks, found by searching it (a set of a big term's papers took ten times as long)."""
    columns = sorted(columns, key=len)
    longest = columns.pop()
    if not columns or not longest:
        return len(set().union(longest, *columns))
    # Imported here: numpy is needed only for big terms (the search's process).
    import numpy as np

    others = set().union(*columns)
    within, rest = np.frombuffer(longest, np.int64), np.fromiter(others, np.int64, len(others))
    at = np.minimum(np.searchsorted(within, rest), len(within) - 1)
    return len(within) + int(np.count_nonzero(within[at] != rest))
