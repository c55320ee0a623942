"""Test oracles: lunr.py's own Builder, whose counts the search files must equal exactly, and the plain
ways of doing what the build does quicker."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from lunr.builder import Builder

from generator.read.records import Paper
from generator.search.index import SearchIndex
from generator.search.terms import FIELDS, INDEX_PIPELINE, IndexCounts, cached_stemmer, encode, field_values


def make_builder() -> Builder:
    """A lunr.py builder set up like lunr's default one, with the site's fields and boosts."""
    builder = Builder()
    builder.pipeline.add(*INDEX_PIPELINE)
    builder.search_pipeline.add(cached_stemmer)
    builder.ref("id")
    for name, boost in FIELDS:
        builder.field(name, boost=boost)
    return builder


def document_fields(number: int, paper: Paper) -> dict[str, str]:
    return {"id": str(number), **dict(zip((name for name, _ in FIELDS), field_values(paper), strict=True))}


def index_papers(documents: Iterable[tuple[int, Paper]]) -> Builder:
    """Run every paper through lunr.py's pipeline; the builder then holds the counts to compare."""
    builder = make_builder()
    for number, paper in documents:
        builder.add(document_fields(number, paper))
    if builder.document_count:
        builder._calculate_average_field_lengths()  # lunr.py's own averaging, kept bit for bit
    else:
        builder.average_field_length = {name: 0.0 for name, _ in FIELDS}
    return builder


def collect_counts(builder: Builder) -> IndexCounts:
    """The builder's inverted index as delta-encoded postings of (doc, tf, length)."""
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


def index_counts(index: SearchIndex) -> IndexCounts:
    """The index's figures, every posting delta-encoded (as shards hold them) and each paper's field lengths."""
    return dataclasses.replace(index.figures(), postings={term: index.encoded(term) for term in index.postings},
                               field_lengths={number: list(lengths) for number, lengths in index.lengths.items()})


def brought_up_to_date(index, documents, counted_before):
    """index.bring_up_to_date of (number, token, terms) triples, as tests make them."""
    terms = {number: packed for number, _, packed in documents}
    return index.bring_up_to_date([(number, token) for number, token, _ in documents], terms.__getitem__,
                                  counted_before)


def partition_by_walking(terms: list[str], sizes: dict[str, int], prefix: str = "") -> list[tuple[str, list[str]]]:
    """shards.partition_terms as plainly as it can be said: each prefix's terms walked, summed and
    split by their next character while they outgrow the limit, neighbouring pieces merged that fit."""
    from generator.search.shards import SHARD_LIMIT

    if len(terms) == 1 or sum(sizes[t] for t in terms) <= SHARD_LIMIT:
        return [(prefix, terms)]
    own = [term for term in terms if len(term) == len(prefix)]
    children: dict[str, list[str]] = {}
    for term in terms:
        if len(term) > len(prefix):
            children.setdefault(term[len(prefix)], []).append(term)
    pieces = [(prefix, own)] if own else []
    for char in sorted(children):
        pieces += partition_by_walking(children[char], sizes, prefix + char)
    merged: list[tuple[str, list[str]]] = []
    for start, members in pieces:
        if merged and sum(sizes[t] for t in merged[-1][1] + members) <= SHARD_LIMIT:
            merged[-1] = (merged[-1][0], merged[-1][1] + members)
        else:
            merged.append((start, members))
    return merged


# Whether an abstract may hold Markdown, as one pattern of alternatives (the build searches one class).
MARKUP_BY_ALTERNATIVES = re.compile(r"[$\[\]()<>&\\`*_#|~{}\x00-\x09\x0b-\x1f\x7f]|[^\S \n]|https?:| \n| $")
