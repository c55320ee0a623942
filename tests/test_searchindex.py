"""The search index kept between builds: brought up to date paper by paper, it holds exactly the
counts a new index of the same papers holds (which test_termcounts holds equal to lunr.py's)."""

from __future__ import annotations

import dataclasses
import random

from generator.read.content import read_papers
from generator.search.index import SearchIndex
from generator.search.terms import paper_terms, search_documents, term_of
from generator.site.archive import group_papers
from generator.synthetic import write_synthetic

from oracles import brought_up_to_date, index_counts


def fresh_counts(papers):
    """The counts of a new index of these papers (test_termcounts holds them equal to lunr.py's)."""
    return index_counts(brought_up_to_date(SearchIndex(), numbered(papers), lambda token: None))


def numbered(papers):
    """(number, token, terms) of each paper, as a build gives them to the index."""
    return [(number, f"{paper.source}\0{paper.abstract}", paper_terms(paper))
            for number, paper in search_documents(group_papers(papers))]


def test_an_index_brought_up_to_date_equals_a_fresh_count(tmp_path):
    write_synthetic(tmp_path / "content", 300)
    papers = read_papers(tmp_path / "content")[0]
    rng = random.Random(7)
    known = {}  # token -> terms, as the record cache remembers them

    def remember(documents):
        known.update({token: terms for _, token, terms in documents})
        return documents

    index = brought_up_to_date(SearchIndex(), remember(numbered(papers[:200])), known.get)
    assert index_counts(index) == fresh_counts(papers[:200])
    with_term = {term: index.papers_with(term) for term in index.postings}  # kept until a term changes
    assert max(with_term.values()) > 150 and min(with_term.values()) == 1
    index.touched.clear()
    # Papers leave, papers come (some on days that had papers, which renumbers their neighbours),
    # and some abstracts change.
    kept = rng.sample(papers[:200], 170)
    edited = [dataclasses.replace(paper, abstract=paper.abstract + " grokking zymurgy") for paper in kept[:10]]
    now = kept[10:] + edited + papers[200:260]
    again = brought_up_to_date(index, remember(numbered(now)), known.get)
    assert again is index  # updated in place, not counted afresh
    assert index_counts(again) == fresh_counts(now)
    assert {term_of("grokking"), term_of("zymurgy")} <= again.touched and len(again.touched) < len(again.postings)
    fresh = brought_up_to_date(SearchIndex(), numbered(now), known.get)
    assert again.versions == fresh.versions  # the keys of shard files follow the postings alone
    assert {term: again.papers_with(term) for term in again.postings} == {
        term: fresh.papers_with(term) for term in fresh.postings}


def test_an_index_whose_papers_cannot_be_taken_out_is_counted_afresh(tmp_path):
    write_synthetic(tmp_path / "content", 120)
    papers = read_papers(tmp_path / "content")[0]
    index = brought_up_to_date(SearchIndex(), numbered(papers), lambda token: None)
    fewer = papers[:100]
    again = brought_up_to_date(index, numbered(fewer), lambda token: None)  # their earlier terms are unknown
    assert again is not index and index_counts(again) == fresh_counts(fewer)


def test_an_index_survives_the_cache(tmp_path, monkeypatch):
    from generator.search import index as searchindex

    monkeypatch.setattr(searchindex, "PART_ENTRIES", 500)  # saved in many parts
    write_synthetic(tmp_path / "content", 120)
    papers = read_papers(tmp_path / "content")[0]
    index = brought_up_to_date(SearchIndex("code"), numbered(papers), lambda token: None)
    assert len(list(index.parts())) > 10
    assert max(index.papers_with(term) for term in index.postings) > 100
    index.save(tmp_path / "cache")
    loaded = SearchIndex.load(tmp_path / "cache", "code")
    assert index_counts(loaded) == index_counts(index) and loaded.versions == index.versions and not loaded.touched
    assert loaded.sizes == index.sizes and loaded.totals == index.totals and loaded.papers_with_term == index.papers_with_term
    assert SearchIndex.load(tmp_path / "cache", "other code").postings == {}  # other code starts afresh
    saved = (tmp_path / "cache" / "search.cache").read_bytes()
    for damaged in (saved[: len(saved) // 2], saved[:-5], b"damaged"):  # cut short, or not an index at all
        (tmp_path / "cache" / "search.cache").write_bytes(damaged)
        assert SearchIndex.load(tmp_path / "cache", "code").postings == {}


def encoded_size(term, fields):
    """A term's estimated bytes in a shard, from its encoded lists (as the shard will hold them)."""
    return len(term) + 12 + sum(len(name) + 6 + len(",".join(map(str, numbers))) + (1 if numbers else 0)
                                for name, numbers in fields.items())


def test_a_terms_shard_size_is_worked_out_from_its_postings_as_from_its_encoded_lists(tmp_path):
    from generator.search.shards import postings_size

    write_synthetic(tmp_path / "content", 150)
    index = brought_up_to_date(SearchIndex(), numbered(read_papers(tmp_path / "content")[0]), lambda token: None)
    sizes = {term: postings_size(term, index.postings[term]) for term in index.postings}
    assert sizes == {term: encoded_size(term, index.encoded(term)) for term in index.postings}
    assert len(set(sizes.values())) > 50  # terms of many sizes: one entry, many, several fields
