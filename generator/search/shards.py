"""The search index: lunr.py's counts of every paper's terms, cut into shards by term prefix.

A query downloads the small manifest, the one shard that holds each of its terms, and the details
of the hits it shows. Shards hold raw counts (term frequency and field length per document), not
finished scores: a score depends on the whole archive (document count, average field lengths),
so storing scores would change every shard whenever a paper is added. From counts, the browser
rebuilds exactly the scores lunr's builder would compute (BM25 with lunr's constants) for the
terms it loaded, and lunr.js answers the query. A shard whose terms did not change keeps its
bytes and its name between builds.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from itertools import accumulate, chain, groupby
from operator import sub

import msgspec

from generator import urls
from generator.read.cache import record_token
from generator.read.records import Paper
from generator.search.index import FIELD_NAMES, SearchIndex, TermPostings
from generator.search.terms import (
    FIELDS,
    PaperTerms,
    day_slots,
    in_number_order,
    paper_terms,
    search_documents,
)
from generator.site.archive import Archive, Day
from generator.site.pages import short_authors, short_date
from generator.write.reuse import Kept, Reuse

K1, B = 1.2, 0.75  # lunr's BM25 constants, written into the manifest for the browser to use too
SHARD_LIMIT = 48_000  # bytes of JSON a shard aims to stay under (a single huge term may exceed it)
# A term in more documents than this is "big": its documents are split into tiers by how much the
# term scores for them, so a query can stop loading once its top results are certain.
BIG_TERM_DOCUMENTS = 2000
FIRST_TIER = 1000  # entries in the first tier of a big term's field; each later tier is twice as large
BIG_DIR = "search/big/"
PAPERS_DIR = "search/papers/"
MANIFEST = urls.SEARCH_MANIFEST
TERMS_DIR = "search/terms/"
DAYS_DIR = "search/days/"
WORDS_DIR = "search/words/"  # the index's terms by their first two letters, to correct a typo against
TYPO_MIN_LENGTH = 4  # shorter words are not corrected: one letter off, they are other words


# A column this long has its digits counted by numpy (many times quicker than spelling each number);
# a shorter one is spelt, numpy's call costing more than the spelling.
COUNTED_BY_NUMPY = 48


def postings_size(term: str, by_field: Mapping[str, TermPostings]) -> int:
    """Estimate a term's bytes in a shard (its name, and each field's name and delta-encoded
    numbers) from the postings' columns, without making the encoded lists (large at scale)."""
    size = len(term) + 12
    for name in FIELD_NAMES:
        postings = by_field.get(name)
        if postings is None:
            continue
        documents = postings.documents
        if len(documents) < COUNTED_BY_NUMPY:
            gaps = chain(documents[:1], map(sub, documents[1:], documents[:-1]))
            digits = sum(len(",".join(map(str, column))) for column in (gaps, postings.tfs, postings.lengths))
        else:
            digits = spelt_length(postings)
        size += len(name) + 6 + digits + 2 + 1  # the two commas between the columns, and the list's own
    return size


def spelt_length(postings: TermPostings) -> int:
    """The characters of a long posting's three columns, each spelt as numbers joined by commas
    (the documents as their gaps), counted with numpy."""
    # Imported here: numpy is needed only where a term's shard size is worked out (the search's process).
    import numpy as np

    documents, tfs, lengths = (np.frombuffer(column, dtype=column.typecode)  # (an array's typecode is numpy's too)
                               for column in (postings.documents, postings.tfs, postings.lengths))
    # A number has one digit more than the powers of ten it reaches; a column has a comma fewer than numbers.
    return sum(2 * len(column) - 1 + int(np.searchsorted(powers_of_ten(), column, side="right").sum())
               for column in (np.diff(documents, prepend=0), tfs, lengths))


@functools.cache
def powers_of_ten():  # -> numpy.ndarray (numpy is not imported at the top)
    import numpy as np

    return np.array([10 ** power for power in range(1, 19)], dtype=np.int64)


def partition_terms(terms: list[str], sizes: dict[str, int], prefix: str = "") -> list[tuple[str, list[str]]]:
    """Cut sorted terms into shards along a prefix tree: a prefix is split by its next character
    only while its terms outgrow SHARD_LIMIT, and neighbouring pieces that fit together are
    merged. A shard depends only on the terms under its own prefix, so terms added elsewhere
    never move it. Returns (first prefix, terms) pairs in sorted order."""
    # Each prefix's terms are a run of the sorted list, and a run's size is a difference of two
    # running totals: a prefix is weighed without walking its terms (which took a walk per level).
    before = list(accumulate((sizes[term] for term in terms), initial=0))
    return [(start, terms[first:end]) for start, first, end in cut_run(terms, before, prefix, 0, len(terms))]


def cut_run(terms: list[str], before: list[int], prefix: str, first: int, end: int) -> list[tuple[str, int, int]]:
    """partition_terms of terms[first:end], which all begin with prefix, as (first prefix, first, end) runs;
    `before` holds the running total of the terms' sizes."""
    if end - first == 1 or before[end] - before[first] <= SHARD_LIMIT:
        return [(prefix, first, end)]
    depth = len(prefix)
    pieces, at = [], first
    if len(terms[at]) == depth:  # the prefix itself, which sorts first
        pieces.append((prefix, at, at + 1))
        at += 1
    while at < end:
        char = terms[at][depth]
        # The terms that go on with this character end where the next character's would begin.
        after = end if char == chr(sys.maxunicode) else bisect_left(terms, prefix + chr(ord(char) + 1), at, end)
        pieces += cut_run(terms, before, prefix + char, at, after)
        at = after
    merged: list[tuple[str, int, int]] = []
    for start, begins, ends in pieces:
        if merged and before[ends] - before[merged[-1][1]] <= SHARD_LIMIT:
            merged[-1] = (merged[-1][0], merged[-1][1], ends)
        else:
            merged.append((start, begins, ends))
    return merged


def shard_file(start: str) -> str:
    """Name a shard by its first prefix (see file_stem)."""
    return f"{TERMS_DIR}{file_stem(start) if start else '_'}.json"


def words_file(prefix: str) -> str:
    """Name the file of the terms that begin with a two-letter prefix."""
    return f"{WORDS_DIR}{file_stem(prefix)}.json"


def words_json(terms: tuple[str, ...]) -> bytes:
    return to_json_quickly(list(terms))


MAX_STEM = 100  # characters of a file name made of a term: a file name has at most 255 bytes


def file_stem(text: str) -> str:
    """Spell a prefix or term as a file name: every character outside [a-z0-9] in hex (`_4e2d_`).
    A name longer than MAX_STEM keeps its first part and a hash of the whole (after a '~', which
    no spelt name holds); the manifest lists those (long_names), for the browser."""
    safe = "".join(ch if ch.isascii() and ch.isalnum() else f"_{ord(ch):x}_" for ch in text)
    if len(safe) <= MAX_STEM:
        return safe
    return safe[:60] + "~" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:24]


def to_json(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def to_json_quickly(data) -> bytes:
    """to_json's bytes, quicker, for data without floats (msgspec spells a float otherwise)."""
    return msgspec.json.encode(data, order="sorted")


def rank_averages(average: dict[str, float]) -> dict[str, float]:
    """The average field lengths a big term's lists are ranked with: the real ones to two
    significant digits, so that they seldom change as papers come and go (while they do not, a
    big term's lists change only where its own postings do)."""
    return {field: float(f"{value:.2g}") or 1.0 for field, value in average.items()}


def tier_bounds(entries: int, first_tier: int) -> list[tuple[int, int]]:
    """Where each tier of a list of this many entries starts and ends: the first holds
    first_tier entries, each later one twice as many as the one before."""
    bounds, start, size = [], 0, first_tier
    while start < entries:
        bounds.append((start, start + size))
        start, size = start + size, size * 2
    return bounds


def big_term_file(term: str, field: str, tier: int) -> str:
    return f"{BIG_DIR}{file_stem(term)}.{field}.{tier}.json"


# Papers whose counts of the big terms share a file (numbers n // PAPERS_PER_FILE): a file each
# would be a file per paper, and a host takes a few hundred thousand. A day's numbers are a
# power of two of at least 4096 apart, so a file never holds two days' papers.
PAPERS_PER_FILE = 4


def paper_file(number: int) -> str:
    """The file holding a paper's counts of the big terms, by its number."""
    return f"{PAPERS_DIR}{number // PAPERS_PER_FILE}.json"


def big_term_counts(packed: PaperTerms, big_ids: Mapping[str, int]) -> list[int]:
    """A paper's counts of the big terms it has, flat: [term id, field number, tf, ...] by term id
    (its place in the manifest's big_terms) and field, each id written as its difference from the
    one before (a term's name in each of 100,000 papers' entries was most of their bytes)."""
    found = []
    for field_number, (names, counts) in enumerate(packed[1]):
        if names:  # (a paper has a hundred entries of big terms: looked up in one pass, no map of its own)
            found += [(big_ids[term], field_number, tf)
                      for term, tf in zip(names.split(" "), array("I", counts), strict=True) if term in big_ids]
    found.sort()
    flat, previous = [], 0
    for term_id, field_number, tf in found:
        flat += (term_id - previous, field_number, tf)
        previous = term_id
    return flat


def render_search(archive: Archive, known_terms: Callable[[str], PaperTerms | None] | None = None,
                  big_term_documents: int | None = None, first_tier: int | None = None,
                  reuse: Reuse | None = None, index: SearchIndex | None = None,
                  counted_before: Callable[[str], PaperTerms | None] | None = None
                  ) -> Iterator[tuple[str, bytes | Kept]]:
    """Yield (output file, bytes) for the search manifest, its term shards, the tiers of big
    terms and each paper's counts of big terms; (output file, KEPT) for a shard or a paper's
    file that `reuse` finds made from the same value.
    Papers whose terms are `known` (by source, as counted when their records were read) are not
    counted again, and are asked for only where needed. Given the last build's `index` (and the
    terms its papers were counted with, `counted_before`, by token), only what changed is taken out
    and put in; the index is left up to date, for the next build. (The day files that name the
    hits need no index: day_search_file, a kind of the table of outputs.)"""
    reuse = reuse or Reuse()
    big_term_documents = big_term_documents or BIG_TERM_DOCUMENTS
    first_tier = first_tier or FIRST_TIER
    documents = search_documents(archive)
    packed = PaperTermsBySource(documents, known_terms or (lambda source: None))
    tokens = [(number, index_token(paper, reuse)) for number, paper in documents]
    index = (index or SearchIndex()).bring_up_to_date(tokens, packed.of_number, counted_before or (lambda token: None))
    figures = index.figures()
    ranked_with = rank_averages(figures.average_field_length)
    terms = sorted(index.postings)
    entry: dict[str, dict] = {}  # what the shard says of a big term
    big: set[str] = set()
    for term in terms:
        with_term = index.entry_counts[term]  # lunr counts a paper once per field
        if with_term <= big_term_documents or index.papers_with(term) <= big_term_documents:
            continue
        by_field = index.postings[term]
        tiers_per_field = {}
        tiers = TierFiles(by_field, first_tier, ranked_with)
        for field in FIELD_NAMES:
            if field not in by_field:
                continue
            tiers_per_field[field] = len(tier_bounds(len(by_field[field].documents), first_tier))
            for number in range(tiers_per_field[field]):
                # The term's postings are named by their version, which changes whenever they do.
                yield reuse.render_file(big_term_file(term, field, number),
                                        (field, number, term, index.versions[term], ranked_with[field], first_tier),
                                        tiers.json, kind="search tier", templated=False)
        # The shard keeps only how many tiers each field has and the count lunr's idf needs.
        entry[term] = {"tiers": tiers_per_field, "with": with_term}
        big.add(term)
    if big:
        # A query asks a paper's own file for big terms it has not met the paper in yet.
        big_terms = tuple(sorted(big))  # a term's id is its place here
        big_ids = {term: place for place, term in enumerate(big_terms)}
        named = reuse.key(big_terms)  # the big terms (and so big_ids), in every file's value by their key
        for _, papers in groupby(tokens, key=lambda pair: pair[0] // PAPERS_PER_FILE):
            # Each paper by its number and the version of its record its terms were counted from: a
            # tuple of plain values, keyed at C speed.
            numbered = tuple(chain.from_iterable(papers))
            yield reuse.render_file(paper_file(numbered[0]), (named, *numbered), papers_search_file, packed, big_ids,
                                    kind="search papers", templated=False)
    sizes = {}
    for term in terms:
        if term in big:
            sizes[term] = len(term) + 60
        else:
            if term not in index.sizes:  # kept from the last build until the term changes
                index.sizes[term] = postings_size(term, index.postings[term])
            sizes[term] = index.sizes[term]
    shards = partition_terms(terms, sizes) if terms else []
    shown = {**index.versions, **entry}  # what a shard says of each term: a big one's entry, else its version
    for start, members in shards:
        # A term's postings are named by their version, which changes whenever they do (columns:
        # a tuple of plain values is keyed at C speed).
        terms_in_shard = (tuple(members), tuple(map(shown.__getitem__, members)))
        yield reuse.render_file(shard_file(start), terms_in_shard, shard_json, index, kind="search shard",
                                templated=False)
    by_prefix: dict[str, list[str]] = defaultdict(list)
    for term in terms:
        if len(term) >= TYPO_MIN_LENGTH and term[:2].isalpha():
            by_prefix[term[:2]].append(term)
    for prefix, members in by_prefix.items():
        yield reuse.render_file(words_file(prefix), tuple(members), words_json, kind="search words", templated=False)
    yield MANIFEST, to_json({
        "version": 1,
        "fields": [list(field) for field in FIELDS],
        "k1": K1,
        "b": B,
        "document_count": figures.document_count,
        "average_field_length": figures.average_field_length,
        "rank_average_field_length": ranked_with,
        "slots_per_day": day_slots(archive),
        "long_names": {name: stem for name in chain((start for start, _ in shards), big)
                       if "~" in (stem := file_stem(name))},
        "shards": [start for start, _ in shards],
        "terms_dir": TERMS_DIR,
        "big_dir": BIG_DIR,
        "first_tier": first_tier,
        "papers_dir": PAPERS_DIR,
        "papers_per_file": PAPERS_PER_FILE,
        "big_terms": sorted(big),
        "days_dir": DAYS_DIR,
        "words_dir": WORDS_DIR,
        "words": sorted(by_prefix),  # the prefixes that have a words file
        "typo_min_length": TYPO_MIN_LENGTH,
    })


def day_search_path(day: Day) -> str:
    return f"{DAYS_DIR}{day.date.isoformat()}.json"


class TierFiles:
    """A big term's tier files, worked out (all of a field's at once) when the first is asked for."""

    def __init__(self, by_field: dict, first_tier: int, ranked_with: dict[str, float]):
        self.by_field = by_field
        self.first_tier = first_tier
        self.ranked_with = ranked_with
        self.made: dict[str, list[bytes]] = {}

    def json(self, tier: tuple) -> bytes:
        field, number = tier[:2]
        if field not in self.made:
            # Imported here: numpy is needed only where a term's tiers are made (the search's process).
            from generator.search.tiers import big_term_tiers

            self.made[field] = [to_json_quickly(tier) for tier in big_term_tiers(
                self.by_field, field, self.ranked_with[field], self.first_tier)]
        return self.made[field][number]


class PaperTermsBySource(dict):
    """Each paper's terms by its source, as asked for: as counted when its record was read (`known`),
    or counted now."""

    def __init__(self, documents: list[tuple[int, Paper]], known: Callable[[str], PaperTerms | None]):
        super().__init__()
        self.documents = documents
        self.paper_of = dict(documents)  # by number
        self.known = known
        self.by_source: dict[str, Paper] | None = None

    def __missing__(self, source: str) -> PaperTerms:
        found = self.known(source)
        if found is None:
            if self.by_source is None:
                self.by_source = {paper.source: paper for _, paper in self.documents}
            found = paper_terms(self.by_source[source])
        self[source] = found
        return found

    def of_number(self, number: int) -> PaperTerms:
        return self[self.paper_of[number].source]


def index_token(paper: Paper, reuse: Reuse) -> str:
    """What a paper was counted from, for the index: its record file and that file's hash (one never
    seen again where the hash is unknown, so that no file made of it is kept)."""
    return record_token(paper.source, reuse.record_digests.get(paper.source) or f"unknown {os.urandom(16).hex()}")


def shard_json(terms: tuple[tuple[str, ...], tuple[bytes | dict, ...]], index: SearchIndex) -> bytes:
    """A shard: each of its terms' postings (delta-encoded, made for this shard and freed with
    it), or a big term's tiers and count."""
    return to_json_quickly({term: entry if isinstance(entry, dict) else index.encoded(term)
                            for term, entry in zip(*terms, strict=True)})


def papers_search_file(big_terms_and_papers: tuple, packed: Mapping[str, PaperTerms],
                       big_ids: Mapping[str, int]) -> bytes:
    """Each paper's field lengths and counts of the big terms, by its number: the value is the big
    terms' key, then each paper's number and index token (whose source is its terms' key in `packed`)."""
    numbers, tokens = big_terms_and_papers[1::2], big_terms_and_papers[2::2]
    terms = [packed[token.partition("\0")[0]] for token in tokens]
    return to_json_quickly({str(number): {"lengths": list(counts[0]), "terms": big_term_counts(counts, big_ids)}
                            for number, counts in zip(numbers, terms, strict=True)})


def day_search_file(day: Day) -> bytes:
    """What a hit shows of each paper of a day, in document-number order."""
    return to_json_quickly({
        "label": short_date(day.date),
        "path": urls.day_path(day.date),
        "api": urls.api_day_path(day.date),  # the day's records, abstracts and all, for snippets
        "papers": [[urls.paper_path(p.slug), p.title, short_authors(p.authors)]
                   for p in in_number_order(day.papers)],
    })
