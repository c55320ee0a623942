"""The search index kept between builds: brought up to date paper by paper, it holds exactly the
counts a new index of the same papers holds (which test_termcounts holds equal to lunr.py's)."""

from __future__ import annotations

import random
from array import array

import msgspec

from generator.read.content import read_papers
from generator.search.index import SearchIndex, papers_in_any
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
    edited = [msgspec.structs.replace(paper, abstract=paper.abstract + " grokking zymurgy") for paper in kept[:10]]
    now = kept[10:] + edited + papers[200:260]
    again = brought_up_to_date(index, remember(numbered(now)), known.get)
    assert again is index  # updated in place, not counted afresh
    assert index_counts(again) == fresh_counts(now)
    assert {term_of("grokking"), term_of("zymurgy")} <= again.touched and len(again.touched) < len(again.postings)
    fresh = brought_up_to_date(SearchIndex(), numbered(now), known.get)
    assert again.versions == fresh.versions  # the keys of shard files follow the postings alone
    assert again.entry_counts == fresh.entry_counts == {
        term: sum(len(postings.documents) for postings in by_field.values()) for term, by_field in fresh.postings.items()}
    assert {term: again.papers_with(term) for term in again.postings} == {
        term: fresh.papers_with(term) for term in fresh.postings}


def test_papers_in_any_field_are_counted_once():
    rng = random.Random(3)
    for _ in range(300):
        columns = [array("q", sorted(rng.sample(range(size := rng.choice([5, 50, 5000])), rng.randint(0, min(size, 40)))))
                   for _ in range(rng.randint(1, 4))]
        assert papers_in_any(columns) == len(set().union(*columns)), columns
    assert papers_in_any([array("q", [1, 2]), array("q", [9]), array("q", [2, 9, 10])]) == 4


def test_an_index_whose_papers_cannot_be_taken_out_is_counted_afresh(tmp_path):
    write_synthetic(tmp_path / "content", 120)
    papers = read_papers(tmp_path / "content")[0]
    index = brought_up_to_date(SearchIndex(), numbered(papers), lambda token: None)
    fewer = papers[:100]
    index.save(tmp_path / "cache")
    loaded = SearchIndex.load(tmp_path / "cache", "")
    again = brought_up_to_date(loaded, numbered(fewer), lambda token: None)  # their earlier terms are unknown
    assert again is loaded and index_counts(again) == fresh_counts(fewer)
    again.save(tmp_path / "cache")  # the index counted afresh is what the next build loads
    assert index_counts(SearchIndex.load(tmp_path / "cache", "")) == fresh_counts(fewer)


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
    assert loaded.entry_counts == index.entry_counts and len(loaded.entry_counts) == len(loaded.postings)
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
    from generator.search.shards import COUNTED_BY_NUMPY, postings_size

    write_synthetic(tmp_path / "content", 150)
    index = brought_up_to_date(SearchIndex(), numbered(read_papers(tmp_path / "content")[0]), lambda token: None)
    sizes = {term: postings_size(term, index.postings[term]) for term in index.postings}
    assert sizes == {term: encoded_size(term, index.encoded(term)) for term in index.postings}
    assert len(set(sizes.values())) > 50  # terms of many sizes: one entry, many, several fields
    lengths = [len(postings.documents) for fields in index.postings.values() for postings in fields.values()]
    assert max(lengths) >= COUNTED_BY_NUMPY > min(lengths)  # columns spelt, and columns counted by numpy


def test_a_few_changes_are_kept_in_a_journal_that_the_next_build_replays(tmp_path, monkeypatch):
    """A build that changed a few papers writes what it took out and put in beside the index; the
    index loaded with its journal holds what the index written whole would, and once the journal
    is long the index is written whole again (and an old journal is never replayed on a new index)."""
    from generator.search import index as searchindex

    monkeypatch.setattr(searchindex, "JOURNAL_PAPERS", 12)
    write_synthetic(tmp_path / "content", 200)
    papers = read_papers(tmp_path / "content")[0]
    cache = tmp_path / "cache"
    known = {}

    def remember(documents):
        known.update({token: terms for _, token, terms in documents})
        return documents

    brought_up_to_date(SearchIndex("code"), remember(numbered(papers[:150])), known.get).save(cache)
    whole = (cache / "search.cache").stat().st_mtime_ns
    now, steps_whole = papers[:150], []
    for step in range(4):
        edited = [msgspec.structs.replace(paper, abstract=f"{paper.abstract} zymurgy{step}") for paper in now[:2]]
        now = edited + now[2:] + papers[150 + 3 * step:153 + 3 * step]  # two edited, three added
        index = brought_up_to_date(SearchIndex.load(cache, "code"), remember(numbered(now)), known.get)
        assert index.generation is not None and len(index.touched) < len(index.postings)  # brought up to date
        journal_papers = sum(len(changes.taken) + len(changes.put) for changes in (*index.journal, index.changes))
        index.save(cache)
        loaded = SearchIndex.load(cache, "code")
        fresh = brought_up_to_date(SearchIndex(), numbered(now), known.get)
        assert index_counts(loaded) == fresh_counts(now) and loaded.versions == fresh.versions
        assert loaded.documents == fresh.documents and loaded.totals == fresh.totals and not loaded.touched
        written_whole = (cache / "search.cache").stat().st_mtime_ns != whole
        assert written_whole == (journal_papers > 12), step
        steps_whole.append(written_whole)
        if not written_whole:
            journal = (cache / "search-journal.cache").read_bytes()
        assert (cache / "search-journal.cache").exists() != written_whole
        whole = (cache / "search.cache").stat().st_mtime_ns
    assert True in steps_whole and False in steps_whole  # the journal was used, and then grew too long
    unchanged = SearchIndex.load(cache, "code")
    brought_up_to_date(unchanged, numbered(now), known.get).save(cache)  # nothing changed: nothing written
    assert (cache / "search.cache").stat().st_mtime_ns == whole
    brought_up_to_date(SearchIndex("code"), numbered(papers[:10]), known.get).save(cache)  # written whole, anew
    (cache / "search-journal.cache").write_bytes(journal)  # a journal of the index before
    assert index_counts(SearchIndex.load(cache, "code")) == fresh_counts(papers[:10])
