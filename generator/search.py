"""The search index: lunr.py reads every paper, and the index is cut into shards by term prefix.

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
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from lunr.builder import Builder
from lunr.pipeline import Pipeline
from lunr.stemmer import porter_stemmer
from lunr.stop_word_filter import stop_word_filter
from lunr.trimmer import trimmer

from generator import urls
from generator.archive import Archive
from generator.pages import PaperView, short_date
from generator.records import Paper

# Field name and boost: a match in the title counts most.
FIELDS = (("title", 10), ("authors", 5), ("tags", 3), ("arxiv", 3), ("abstract", 1))
BOOSTS = dict(FIELDS)
K1, B = 1.2, 0.75  # lunr's BM25 constants, written into the manifest for the browser to use too
SLOTS_PER_DAY = 4096  # document number = day ordinal * SLOTS_PER_DAY + place in the day
SHARD_LIMIT = 48_000  # bytes of JSON a shard aims to stay under (a single huge term may exceed it)
# A term in more documents than this is "big": its documents are split into tiers by how much the
# term scores for them, so a query can stop loading once its top results are certain.
BIG_TERM_DOCUMENTS = 2000
FIRST_TIER = 1000  # entries in the first tier of a big term's field; each later tier is twice as large
BIG_DIR = "search/big/"
PAPERS_DIR = "search/papers/"
MANIFEST = "search/manifest.json"
TERMS_DIR = "search/terms/"
DAYS_DIR = "search/days/"


@functools.cache
def _stem_word(word: str) -> str:
    return porter_stemmer.stem(word)


def cached_stemmer(token, i=None, tokens=None):
    """lunr.py's Porter stemmer, remembering each word: the archive repeats words endlessly."""
    return token.update(lambda string, metadata=None: _stem_word(string))


Pipeline.register_function(cached_stemmer, "dailypapersStemmer")


def make_builder() -> Builder:
    """Return a lunr.py builder set up like lunr's default one, with our fields and boosts."""
    builder = Builder()
    builder.pipeline.add(trimmer, stop_word_filter, cached_stemmer)
    builder.search_pipeline.add(cached_stemmer)
    builder.ref("id")
    for name, boost in FIELDS:
        builder.field(name, boost=boost)
    return builder


def document_number(paper: Paper, place: int) -> int:
    """Number a paper by its day and its place among that day's papers (by name): stable while
    its day is unchanged, and a hit's day can be read straight from its number."""
    if place >= SLOTS_PER_DAY:
        raise ValueError(f"more than {SLOTS_PER_DAY} papers on {paper.day}")
    return paper.day.toordinal() * SLOTS_PER_DAY + place


def search_documents(archive: Archive) -> list[tuple[int, Paper]]:
    """Return (document number, paper) for every paper, in document-number order."""
    numbered = []
    for day in archive.days:
        for place, paper in enumerate(sorted(day.papers, key=lambda p: p.slug)):
            numbered.append((document_number(paper, place), paper))
    return sorted(numbered, key=lambda pair: pair[0])


def document_fields(number: int, paper: Paper) -> dict[str, str]:
    return {
        "id": str(number),
        "title": paper.title,
        "authors": " ".join(paper.authors),
        "tags": " ".join(paper.tags),
        "arxiv": paper.arxiv_base or "",
        "abstract": paper.abstract,
    }


def index_papers(documents: Iterable[tuple[int, Paper]]) -> Builder:
    """Run every paper through lunr.py's pipeline; the builder then holds the counts we need."""
    builder = make_builder()
    for number, paper in documents:
        builder.add(document_fields(number, paper))
    if builder.document_count:
        builder._calculate_average_field_lengths()  # lunr.py's own averaging, kept bit for bit
    else:
        builder.average_field_length = {name: 0.0 for name, _ in FIELDS}
    return builder


@dataclass(frozen=True)
class IndexCounts:
    """What the browser needs to score like lunr: postings with counts, and archive-wide stats."""

    postings: dict[str, dict[str, list[int]]]  # term -> field -> [doc delta, tf, field length, ...]
    document_count: int
    average_field_length: dict[str, float]
    field_lengths: dict[int, list[int]]  # document -> its fields' lengths, in FIELDS order


def collect_counts(builder: Builder) -> IndexCounts:
    """Turn the builder's inverted index into delta-encoded postings of (doc, tf, length)."""
    postings: dict[str, dict[str, list[int]]] = {}
    for term, posting in builder.inverted_index.items():
        fields: dict[str, list[int]] = {}
        for name, _ in FIELDS:
            if posting[name]:
                fields[name] = encode([(int(ref), builder.field_term_frequencies[f"{name}/{ref}"][term],
                                        builder.field_lengths[f"{name}/{ref}"]) for ref in posting[name]])
        postings[term] = fields
    lengths: dict[int, list[int]] = {}
    for ref in builder._documents:
        lengths[int(ref)] = [builder.field_lengths.get(f"{name}/{ref}", 0) for name, _ in FIELDS]
    return IndexCounts(postings, builder.document_count, dict(builder.average_field_length), lengths)


def encoded_size(term: str, fields: dict[str, list[int]]) -> int:
    """Estimate a term's bytes in a shard without serialising it."""
    return len(term) + 12 + sum(len(name) + 6 + sum(len(str(n)) + 1 for n in numbers)
                                for name, numbers in fields.items())


def partition_terms(terms: list[str], sizes: dict[str, int], prefix: str = "") -> list[tuple[str, list[str]]]:
    """Cut sorted terms into shards along a prefix tree: a prefix is split by its next character
    only while its terms outgrow SHARD_LIMIT, and neighbouring pieces that fit together are
    merged. A shard depends only on the terms under its own prefix, so terms added elsewhere
    never move it. Returns (first prefix, terms) pairs in sorted order."""
    if len(terms) == 1 or sum(sizes[t] for t in terms) <= SHARD_LIMIT:
        return [(prefix, terms)]
    depth = len(prefix)
    own: list[str] = []
    children: dict[str, list[str]] = defaultdict(list)
    for term in terms:
        (own if len(term) == depth else children[term[depth]]).append(term)
    pieces = [(prefix, own)] if own else []
    for char in sorted(children):
        pieces += partition_terms(children[char], sizes, prefix + char)
    merged: list[tuple[str, list[str], int]] = []
    for start, members in pieces:
        size = sum(sizes[t] for t in members)
        if merged and merged[-1][2] + size <= SHARD_LIMIT:
            first, before, total = merged[-1]
            merged[-1] = (first, before + members, total + size)
        else:
            merged.append((start, members, size))
    return [(start, members) for start, members, _ in merged]


def shard_file(start: str) -> str:
    """Name a shard by its first prefix, with every character outside [a-z0-9] spelled in hex."""
    if start == "":
        return TERMS_DIR + "_.json"
    safe = "".join(ch if ch.isascii() and ch.isalnum() else f"_{ord(ch):x}_" for ch in start)
    return f"{TERMS_DIR}{safe}.json"


def to_json(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def decode(numbers: list[int]) -> Iterator[tuple[int, int, int]]:
    """Yield (document, tf, field length) from a delta-encoded posting."""
    document = 0
    for index in range(0, len(numbers), 3):
        document += numbers[index]
        yield document, numbers[index + 1], numbers[index + 2]


def encode(entries: list[tuple[int, int, int]]) -> list[int]:
    """Delta-encode (document, tf, field length) entries, sorted by document."""
    encoded: list[int] = []
    previous = 0
    for document, tf, length in sorted(entries):
        encoded += [document - previous, tf, length]
        previous = document
    return encoded


def entry_score(counts: IndexCounts, field: str, tf: int, length: int, with_term: int) -> float:
    """Score one (term, field, document) entry exactly as lunr's builder does, boost included."""
    idf = math.log(1 + abs((counts.document_count - with_term + 0.5) / (with_term + 0.5)))
    score = idf * ((K1 + 1) * tf) / (K1 * (1 - B + B * (length / counts.average_field_length[field])) + tf)
    return round(score * BOOSTS[field], 3)


def big_term_tiers(fields: dict[str, list[int]], field: str, counts: IndexCounts, with_term: int,
                   first_tier: int = FIRST_TIER) -> list[dict]:
    """Split a big term's entries in one field into tiers: the best-scoring entries first (the
    newer paper first among equal scores, as results are ordered), each tier twice as large as
    the one before. A tier also holds the term's entries in the other fields for its papers, so
    a paper met in a tier is known for the whole term, and notes where the next tier starts, as
    [score, document]: what any entry not loaded yet could add, at most."""
    ranked = sorted(((entry_score(counts, field, tf, length, with_term), document, tf, length)
                     for document, tf, length in decode(fields[field])), key=lambda e: (-e[0], -e[1]))
    others = {name: {document: (tf, length) for document, tf, length in decode(numbers)}
              for name, numbers in fields.items() if name != field}
    tiers, start, size = [], 0, first_tier
    while start < len(ranked):
        tiers.append(ranked[start:start + size])
        start, size = start + size, size * 2
    files = []
    for number, tier in enumerate(tiers):
        documents = [document for _, document, _, _ in tier]
        also = {name: encode([(d, *entries[d]) for d in documents if d in entries]) for name, entries in others.items()}
        files.append({"entries": encode([(document, tf, length) for _, document, tf, length in tier]),
                      "also": {name: numbers for name, numbers in also.items() if numbers},
                      "next": list(tiers[number + 1][0][:2]) if number + 1 < len(tiers) else None})
    return files


def big_term_file(term: str, field: str, tier: int) -> str:
    return f"{BIG_DIR}{shard_file(term).removeprefix(TERMS_DIR).removesuffix('.json')}.{field}.{tier}.json"


def paper_file(number: int) -> str:
    return f"{PAPERS_DIR}{number}.json"


def big_term_counts(counts: IndexCounts, big_terms: Iterable[str]) -> dict[int, dict[str, list[int]]]:
    """Gather, for each paper, its counts of the big terms: [field number, tf, ...] by term."""
    field_numbers = {name: number for number, (name, _) in enumerate(FIELDS)}
    by_paper: dict[int, dict[str, list[int]]] = defaultdict(dict)
    for term in big_terms:
        for field, numbers in counts.postings[term].items():
            for document, tf, _ in decode(numbers):
                by_paper[document].setdefault(term, []).extend((field_numbers[field], tf))
    return by_paper


def render_search(archive: Archive, views: dict[str, PaperView], big_term_documents: int = BIG_TERM_DOCUMENTS,
                  first_tier: int = FIRST_TIER) -> Iterator[tuple[str, bytes]]:
    """Yield (output file, bytes) for the search manifest, its term shards, the tiers of big
    terms, each paper's counts of big terms, and the day files that name the hits."""
    documents = search_documents(archive)
    counts = collect_counts(index_papers(documents))
    terms = sorted(counts.postings)
    postings: dict[str, dict] = {}
    big_terms = []
    for term in terms:
        fields = counts.postings[term]
        if len({d for numbers in fields.values() for d, _, _ in decode(numbers)}) <= big_term_documents:
            postings[term] = fields
            continue
        big_terms.append(term)
        with_term = sum(len(numbers) // 3 for numbers in fields.values())
        tiers_per_field = {}
        for field in fields:
            tiers = big_term_tiers(fields, field, counts, with_term, first_tier)
            for number, tier in enumerate(tiers):
                yield big_term_file(term, field, number), to_json(tier)
            tiers_per_field[field] = len(tiers)
        # The shard keeps only how many tiers each field has and the count lunr's idf needs.
        postings[term] = {"tiers": tiers_per_field, "with": with_term}
    if big_terms:
        # A query asks a paper's own file for big terms it has not met the paper in yet.
        by_paper = big_term_counts(counts, big_terms)
        for number, _ in documents:
            yield paper_file(number), to_json({"lengths": counts.field_lengths[number],
                                               "terms": by_paper.get(number, {})})
    sizes = {term: encoded_size(term, postings[term]) if "tiers" not in postings[term] else len(term) + 60
             for term in terms}
    shards = partition_terms(terms, sizes) if terms else []
    for start, members in shards:
        yield shard_file(start), to_json({term: postings[term] for term in members})
    yield MANIFEST, to_json({
        "version": 1,
        "fields": [list(field) for field in FIELDS],
        "k1": K1,
        "b": B,
        "document_count": counts.document_count,
        "average_field_length": counts.average_field_length,
        "slots_per_day": SLOTS_PER_DAY,
        "shards": [start for start, _ in shards],
        "terms_dir": TERMS_DIR,
        "big_dir": BIG_DIR,
        "papers_dir": PAPERS_DIR,
        "days_dir": DAYS_DIR,
    })
    by_day: dict = defaultdict(list)
    for _, paper in documents:
        by_day[paper.day].append(paper)
    for day, papers in by_day.items():
        yield f"{DAYS_DIR}{day.isoformat()}.json", to_json({
            "label": short_date(day),
            "path": urls.day_path(day),
            "papers": [[urls.paper_path(p.slug), p.title, views[p.slug].authors_short,
                        urls.api_paper_path(p.slug)] for p in papers],
        })
