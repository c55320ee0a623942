"""Our term counting (each paper's terms, gathered in the search index) gives exactly what lunr.py's
builder counts, on real, synthetic and hostile text."""

from __future__ import annotations

import datetime as dt

from generator.read.content import read_papers
from generator.read.records import Paper
from generator.search.index import SearchIndex
from generator.search.terms import paper_terms, search_documents
from generator.site.archive import group_papers
from generator.synthetic import synthetic_records

from conftest import CONTENT
from oracles import brought_up_to_date, collect_counts, index_counts, index_papers


def lunr_py_counts(documents):
    return collect_counts(index_papers(documents))


def count_terms(documents):
    """What a build counts: each paper's terms (paper_terms) put into a new search index."""
    numbered = [(number, paper.source, paper_terms(paper)) for number, paper in documents]
    return index_counts(brought_up_to_date(SearchIndex(), numbered, lambda token: None))


def test_counts_equal_lunr_py_on_the_sample():
    documents = search_documents(group_papers(read_papers(CONTENT)[0]))
    ours = count_terms(documents)
    assert ours == lunr_py_counts(documents)
    assert ours.postings["grok"]  # not trivially empty


def test_counts_equal_lunr_py_on_synthetic_papers(tmp_path):
    from generator.synthetic import write_synthetic

    write_synthetic(tmp_path, 300)
    documents = search_documents(group_papers(read_papers(tmp_path)[0]))
    assert len(documents) == 300 == len(synthetic_records(300))
    assert count_terms(documents) == lunr_py_counts(documents)


def test_counts_equal_lunr_py_on_awkward_text():
    texts = [
        "Self-supervised pre-training -- of  the\u00a0non\u2011breaking İstanbul ǅungla ẞtraße",
        "“Quoted” (parenthesised) [bracketed] — dashes… 3.14 x^2 $\\alpha$ e-mail@example.org",
        "the and of a an to", "--- - -", "\t\n\r\f\v mixed   spacing \u2003 em space",
        "Ünïcödé 日本語のテキスト 🚀🚀 emoji-laden café-au-lait naïve",
        "spaces\u3000lunr\u2028keeps\u205fin\x85words\x1cand\x1fthese\u202ftoo",  # str.split() would split them
    ]
    papers = [Paper(slug=f"p{i}", day=dt.date(2024, 1, 1 + i % 3), source=f"p{i}.md", title=text,
                    authors=(text[:20], "Zoë O'Brien-Smith"), abstract=text * 2,
                    arxiv=f"2401.0000{i}v2" if i % 3 else None, tags=("cs.LG", text[:5]) if i % 2 else ())
              for i, text in enumerate(texts)]
    documents = search_documents(group_papers(papers))
    assert count_terms(documents) == lunr_py_counts(documents)


def test_words_are_split_where_lunr_splits_them():
    """The quick split (str.split) is used only where it splits as lunr's tokenizer does: every
    character str.split() takes for a space and lunr does not is among OTHER_SPACES."""
    import sys

    from lunr.tokenizer import SEPARATOR_CHARS

    from generator.search.terms import OTHER_SPACES, words_of

    odd = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace() and chr(c) not in SEPARATOR_CHARS]
    assert odd and all(OTHER_SPACES.fullmatch(c) for c in odd)
    assert words_of("Pre-training\u00a0 the\tMODEL\u2003x") == ["pre", "training", "the", "model\u2003x"]
