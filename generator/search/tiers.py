"""A big search term's entries in one field, ranked and cut into tiers (see shards.py for why)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from generator.search.index import TermPostings
from generator.search.shards import FIRST_TIER, K1, B, tier_bounds


def rank_values(tfs: np.ndarray, lengths: np.ndarray, average: float) -> np.ndarray:
    """What orders a big term's entries in one field: BM25's term-frequency part, with the
    field's rank average (the term's idf and the field's boost are the same for every entry)."""
    tfs = tfs.astype(np.float64)
    return tfs / (tfs + K1 * (1 - B) + K1 * B * lengths.astype(np.float64) / average)


def columns(postings: TermPostings) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A term's documents, counts and field lengths in one field, as arrays over the same memory."""
    return (np.frombuffer(postings.documents, dtype=np.int64), np.frombuffer(postings.tfs, dtype=np.uint32),
            np.frombuffer(postings.lengths, dtype=np.uint32))


def counts_of(documents: np.ndarray, postings: tuple[np.ndarray, np.ndarray, np.ndarray]
              ) -> tuple[np.ndarray, np.ndarray]:
    """A term's (counts, field lengths) in one field for these documents, 0 where it is absent."""
    present, tfs, lengths = postings
    if not len(present):
        return np.zeros(len(documents), np.uint32), np.zeros(len(documents), np.uint32)
    at = np.minimum(np.searchsorted(present, documents), len(present) - 1)
    found = present[at] == documents
    return np.where(found, tfs[at], 0), np.where(found, lengths[at], 0)


def big_term_tiers(by_field: Mapping[str, TermPostings], field: str, rank_average: float,
                   first_tier: int = FIRST_TIER) -> list[dict]:
    """Split a big term's entries in one field into tiers: the best-ranked entries first (by
    rank_values; the newer paper first among equals), each tier twice as large as the one before.
    A tier lists its papers by number (as differences), with the term's count and the field's
    length for each, column by column (columns compress better than rows). It also gives the
    term's counts in the other fields for the same papers (0 where it is absent), so a paper met
    in a tier is known for the whole term, and notes where the next tier starts, from which the
    browser works out the most any entry not loaded yet could add."""
    # With numpy's whole-array steps: a big term has up to one entry per paper, and an edited
    # paper re-ranks each of its big terms (an entry at a time in Python took ten times as long).
    documents, tfs, lengths = columns(by_field[field])
    count = len(documents)
    values = rank_values(tfs, lengths, rank_average)
    # Best first; among equals the later entry (documents are in order: the newer paper) first.
    ranked = (count - 1) - np.argsort(-values[::-1], kind="stable")
    others = [(name, columns(postings)) for name, postings in by_field.items() if name != field]
    bounds = tier_bounds(count, first_tier)
    files = []
    for number, (start, end) in enumerate(bounds):
        rows = np.sort(ranked[start:end])  # by document, to write documents as differences
        tier = documents[rows]
        also = {}
        for name, postings in others:
            other_tfs, other_lengths = counts_of(tier, postings)
            if other_tfs.any():
                also[name] = {"tf": other_tfs.tolist(), "length": other_lengths.tolist()}
        following = None  # the next tier's best entry as [tf, field length, document]: counts rather
        if number + 1 < len(bounds):  # than its score, which changes with every paper added elsewhere
            first = ranked[end]
            following = [int(tfs[first]), int(lengths[first]), int(documents[first])]
        files.append({"documents": np.diff(tier, prepend=0).tolist(), "tf": tfs[rows].tolist(),
                      "length": lengths[rows].tolist(), "also": also, "next": following})
    return files
