"""Search: the shards lunr.py's counts were cut into answer like one unsplit lunr.py index."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys

import pytest

from generator.build import build
from generator.config import SiteConfig
from generator.read.content import read_papers
from generator.search.shards import SHARD_LIMIT, partition_terms, shard_file
from generator.search.terms import paper_terms, search_documents
from generator.site.archive import group_papers

from conftest import CONTENT, LAYOUTS, ROOT, record, search_files_of, write
from oracles import index_papers, partition_by_walking

ARCHIVE = group_papers(read_papers(CONTENT)[0])
DOCUMENTS = search_documents(ARCHIVE)
SLUG_OF = {str(number): paper.slug for number, paper in DOCUMENTS}
QUERIES = [
    "grokking", "title:grokking", "transformer", "+transformer -vision", "gener*", "generalization",
    "Valentino", "authors:darrell", "tags:cs.cv", "2305.02993", "neural operator", "length generaliz*",
    "arithmetic transformers", "abstract:medical", "pointer networks", "diffusion", "grok~1", "title:gener*",
    "difusion", "numerical stabilty", "softmax collapse", "length generalization", "genralizaton", "genralization~1",
]


def node_search(site, queries: list[str]) -> dict:
    result = subprocess.run(["node", str(ROOT / "tests/js/search.js"), str(site)], input=json.dumps(queries),
                            capture_output=True, text=True, timeout=120, check=True)
    return json.loads(result.stdout)


def unsplit_results(query: str) -> list[tuple[str, float]]:
    """Search one unsplit lunr.py index over the same documents, ties broken like the site."""
    index = index_papers(DOCUMENTS).build()
    results = [(r["ref"], r["score"]) for r in index.search(query)]
    return sorted(results, key=lambda r: (-round(r[1], 9), -int(r[0])))


def test_shards_answer_exactly_like_one_unsplit_lunr_py_index(sample_site):
    answers = node_search(sample_site, QUERIES)
    for query in QUERIES:
        answer = answers[query]
        assert "error" not in answer, (query, answer)
        expected = unsplit_results(answer["asked"])  # the query as the reader meant it
        assert answer["refs"] == [ref for ref, _ in expected], query
        assert answer["scores"] == pytest.approx([score for _, score in expected], rel=1e-9), query
    assert answers["grokking"]["refs"], "the sample has papers about grokking"
    assert SLUG_OF[answers["2305.02993"]["refs"][0]] == "2305.02993"
    assert answers["title:grokking"]["titles"][0].startswith(("Grokking", "Where to find Grokking"))
    assert answers["Valentino"]["titles"] == [
        "SemEval-2023 Task 7: Multi-Evidence Natural Language Inference for Clinical Trial Data"]


def paper_words(paper) -> set[str]:
    from generator.search.terms import field_values

    return {word.lower().strip(".,:;()\"'") for value in field_values(paper) for word in value.replace("-", " ").split()}


def test_several_words_find_the_papers_with_all_of_them_or_say_there_are_none(sample_site):
    queries = ["length generalization", "softmax collapse", "grokking zebracorn", "the", "the a of", "the grokking"]
    answers = node_search(sample_site, queries)
    by_ref = {str(number): paper for number, paper in DOCUMENTS}
    everything = answers["length generalization"]
    assert everything["asked"] == "+length +generalization" and not everything["anyWord"]
    assert 0 < len(everything["refs"]) < 10  # not 54 of 57, as when any word would do
    for ref in everything["refs"]:
        words = paper_words(by_ref[ref])
        assert "length" in words and any(w.startswith("generaliz") for w in words), by_ref[ref].title
    collapse = answers["softmax collapse"]
    first = by_ref[collapse["refs"][0]]
    assert {"softmax", "collapse"} <= paper_words(first)  # the paper with both words, first
    assert all({"softmax", "collapse"} <= paper_words(by_ref[ref]) for ref in collapse["refs"])
    fallback = answers["grokking zebracorn"]  # no paper has both: any of them, and it says so
    assert fallback["anyWord"] and fallback["asked"] == "grokking zebracorn" and fallback["refs"]
    for stop_words in ("the", "the a of"):
        assert answers[stop_words]["error"].startswith("SearchError: "), answers[stop_words]
        assert "too common to search" in answers[stop_words]["error"]
    assert answers["the grokking"]["refs"] == answers["grokking zebracorn"]["refs"][:0] + \
        node_search(sample_site, ["grokking"])["grokking"]["refs"]  # a common word is left out


def holds_phrase(paper, phrase: str) -> bool:
    """Whether the paper's title, authors, organization or abstract has the words of phrase in order,
    each word as lunr.py stems it (so "language models" is in "the large language model")."""
    from lunr.stemmer import porter_stemmer

    def words(text: str) -> str:
        trimmed = (re.sub(r"^\W+|\W+$", "", word) for word in re.split(r"[\s\-]+", text.lower()))
        return " " + " ".join(porter_stemmer.stem(word) for word in trimmed if word) + " "

    fields = (paper.title, ", ".join(paper.authors), paper.organization or "", paper.abstract)
    return any(words(phrase) in words(field) for field in fields)


def test_a_quoted_phrase_finds_its_words_in_that_order_in_lunrs_order(sample_site):
    phrases = ['"numerical stability"', '"in-context learning"', '"length generalization"', '"large language models"',
               '"neural networks" grokking']
    answers = node_search(sample_site, phrases + ['"generalization length"'])
    by_ref = {str(number): paper for number, paper in DOCUMENTS}
    for query in phrases:
        answer = answers[query]
        phrase = query.split('"')[1]
        holding = [ref for ref, _ in unsplit_results(answer["asked"]) if holds_phrase(by_ref[ref], phrase)]
        assert holding and answer["refs"] == holding, (query, answer["asked"])  # lunr's order, kept
        assert not answer["anyOrder"]
    assert [by_ref[ref].title for ref in answers['"numerical stability"']["refs"]] == [
        "Grokking at the Edge of Numerical Stability"]
    assert len(answers['"in-context learning"']["refs"]) == 1  # it was fourth among four when the words were enough
    # What lunr would read as syntax inside quotes is words; a field, a minus and a typo apply to the phrase.
    more = node_search(sample_site, ['"Imitation Game: Turing Machine"', 'title:"numerical stability"',
                                     'authors:"numerical stability"', 'grokking -"numerical stability"',
                                     '"numerical stabilty"', '-"numerical stability"', "grokking"])
    imitation = [by_ref[ref].title for ref in more['"Imitation Game: Turing Machine"']["refs"]]
    assert imitation == ["The Imitation Game: Turing Machine Imitator is Length Generalizable Reasoner"]
    assert [by_ref[ref].title for ref in more['title:"numerical stability"']["refs"]] == [
        "Grokking at the Edge of Numerical Stability"]
    assert more['title:"numerical stability"']["asked"] == "+title:numerical +title:stability"
    assert more['authors:"numerical stability"']["refs"] == []
    stable = {ref for ref in more["grokking"]["refs"] if holds_phrase(by_ref[ref], "numerical stability")}
    assert stable and set(more['grokking -"numerical stability"']["refs"]) == set(more["grokking"]["refs"]) - stable
    assert more['"numerical stabilty"']["refs"] == answers['"numerical stability"']["refs"]  # corrected in the phrase
    assert "add words to find" in more['-"numerical stability"']["error"]
    reversed_words = answers['"generalization length"']  # in no paper in that order: all its words, saying so
    assert reversed_words["anyOrder"] and reversed_words["refs"]
    assert set(reversed_words["refs"]) >= set(answers['"length generalization"']["refs"])


SUFFIXES = ["", "s", "es", "ies", "ed", "ing", "ly", "ness", "ation", "ational", "tional", "izer", "ization", "ful",
            "fulness", "iti", "ive", "ible", "able", "ement", "ment", "alism", "ousness", "iveness", "ence", "enci",
            "anci", "bli", "alli", "entli", "eli", "ousli", "ator", "aliti", "iviti", "biliti", "logi", "icate",
            "ative", "alize", "iciti", "ical", "ant", "ion", "ous", "ate", "ize", "al", "er", "ic", "e", "ey", "ay",
            "oy", "eed", "ll"]


def test_the_browser_stems_every_word_as_the_index_was_stemmed():
    import re

    from lunr.stemmer import porter_stemmer

    stems = {word for _, paper in DOCUMENTS for word in re.findall(r"[a-z]+", paper.title.lower() + " "
                                                                      + paper.abstract.lower() + " "
                                                                      + " ".join(paper.authors).lower())}
    words = sorted({stem + suffix for stem in stems for suffix in SUFFIXES} | {"toys", "playing", "survey", "fly"})
    script = ("const lunr = require(process.argv[1] + '/node_modules/lunr');"
              "const core = require(process.argv[1] + '/layouts/static/search-core.js')(lunr, () => null);"
              "const words = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
              "process.stdout.write(JSON.stringify(words.map(core.stem)));")
    result = subprocess.run(["node", "-e", script, str(ROOT)], input=json.dumps(words), capture_output=True,
                            text=True, timeout=300, check=True)
    browser = json.loads(result.stdout)
    differ = [(word, porter_stemmer.stem(word), got) for word, got in zip(words, browser, strict=True)
              if porter_stemmer.stem(word) != got]
    assert len(words) > 50_000 and differ == []


def test_words_ending_in_a_vowel_and_y_are_found(sample_site):
    answers = node_search(sample_site, ["toys", "playing", "survey", "Berkeley"])
    titles = {query: answer["titles"] for query, answer in answers.items()}
    assert "Learning to Grasp Anything by Playing with Random Toys" in titles["toys"]
    assert "Learning to Grasp Anything by Playing with Random Toys" in titles["playing"]
    assert titles["survey"], "the sample's quantization paper is a survey"


def searched_as(site, answers: dict, expected: dict[str, str]) -> None:
    """Each query was searched as the query `expected` names, and found what that one finds."""
    direct = node_search(site, sorted(set(expected.values())))
    for query, asked in expected.items():
        assert answers[query]["asked"] == asked and answers[query]["refs"], (query, answers[query])
        assert answers[query]["refs"] == direct[asked]["refs"], query


def test_a_word_in_no_paper_is_corrected_one_letter_off(sample_site):
    queries = ["difusion", "trasnformer", "genralization", "title:trasnformer", "numerical stabilty",
               "-difusion grokking", "grokk", "zzzzqqq", "transformer"]
    answers = node_search(sample_site, queries)
    expected = {"difusion": "diffusion", "trasnformer": "transformer", "genralization": "generalization",
                "title:trasnformer": "title:transformer", "numerical stabilty": "+numerical +stability"}
    searched_as(sample_site, answers, expected)
    assert answers["numerical stabilty"]["corrected"] == [["stabilty", "stability"]]
    # A word the reader excludes, or a word that is in some paper, is taken as typed.
    for query in ("-difusion grokking", "transformer"):
        assert answers[query]["corrected"] == [] and answers[query]["asked"] == query
    assert answers["grokk"]["corrected"] == [["grokk", "grok"]]  # "grok" is the term of grokking
    assert answers["grokk"]["refs"] == node_search(sample_site, ["grokking"])["grokking"]["refs"]
    assert answers["zzzzqqq"]["corrected"] == [] and answers["zzzzqqq"]["refs"] == []


def test_a_long_word_is_corrected_two_letters_off_and_word_tilde_n_on_what_was_typed(sample_site):
    queries = ["genralizaton", "trasnfomers", "generalizaton~1", "genralizaton~2", "genralizaton~1", "grok~1",
               "length genralization~1", "difuson"]
    answers = node_search(sample_site, queries)
    expected = {"genralizaton": "generalization", "trasnfomers": "transformers", "generalizaton~1": "generalization",
                "genralizaton~2": "generalization", "length genralization~1": "+length +generalization"}
    searched_as(sample_site, answers, expected)
    assert answers["genralizaton~1"]["corrected"] == []  # two letters off, and ~1 allows one
    assert answers["difuson"]["corrected"] == []  # two letters off diffusion, but seven letters allow one
    # A word~N whose stem is in the index is left to lunr, which compares stems.
    assert answers["grok~1"]["asked"] == "grok~1" and answers["grok~1"]["refs"]


def test_the_words_files_hold_every_term_by_its_first_two_letters(sample_site):
    manifest = json.loads((sample_site / "search/manifest.json").read_text())
    terms = set()
    for path in (sample_site / "search/terms").glob("*.json"):
        terms |= set(json.loads(path.read_text()))
    expected = {term for term in terms if len(term) >= manifest["typo_min_length"] and term[:2].isalpha()}
    found = set()
    for prefix in manifest["words"]:
        words = json.loads((sample_site / manifest["words_dir"] / f"{prefix}.json").read_text())
        assert words == sorted(words) and all(word.startswith(prefix) for word in words)
        found |= set(words)
    assert found == expected and len(manifest["words"]) == len(list((sample_site / "search/words").glob("*.json")))


def test_an_organization_is_searched(sample_site):
    answers = node_search(sample_site, ["Berkeley", "organization:berkeley"])
    by_ref = {str(number): paper for number, paper in DOCUMENTS}
    for query in ("Berkeley", "organization:berkeley"):
        found = [by_ref[ref] for ref in answers[query]["refs"]]
        assert found and all("Berkeley" in (p.organization or "") + " ".join(p.authors) + p.abstract
                             for p in found), query
        assert any("Berkeley" in (p.organization or "") for p in found)


def test_a_query_loads_only_the_shards_of_its_terms(sample_site):
    manifest = json.loads((sample_site / "search/manifest.json").read_text())
    assert len(manifest["shards"]) > 1
    answers = node_search(sample_site, ["grokking", "gener*"])
    assert len(answers["grokking"]["files"]) == 2  # the manifest and one shard
    assert answers["grokking"]["files"][1] == shard_file(max(s for s in manifest["shards"] if s <= "grok"))
    assert len(answers["gener*"]["files"]) >= 2


def test_every_shard_file_loads_into_lunr_js_on_its_own(sample_site):
    shards = sorted((sample_site / "search/terms").glob("*.json"))
    manifest = json.loads((sample_site / "search/manifest.json").read_text())
    assert {shard_file(start) for start in manifest["shards"]} == {f"search/terms/{p.name}" for p in shards}
    assert len(shards) == len(manifest["shards"])
    for path in shards:
        data = json.loads(path.read_text())
        assert data and all(isinstance(v, dict) for v in data.values())
    # one term from each shard, searched alone, is found: each file loads and scores in lunr.js
    terms = [next(t for t in sorted(json.loads(p.read_text())) if t.isalpha() and len(t) > 2) for p in shards]
    answers = node_search(sample_site, terms)
    for term in terms:
        assert answers[term].get("refs"), (term, answers[term])


@pytest.mark.parametrize("query", ['"quoted', "title:", ":colon", "*leading", "~", "a~b~c", "x" * 1000,
                                   "ünïcödé 日本語 🚀", "author:smith", "+", "-", "^2", "title:grokking^x"])
def test_any_query_text_gives_results_or_a_message(sample_site, query):
    answer = node_search(sample_site, [query])[query]
    assert "refs" in answer or answer["error"].startswith("SearchError: "), answer


def test_unknown_field_names_the_fields_you_can_search(sample_site):
    answer = node_search(sample_site, ["author:smith"])["author:smith"]
    assert "title: authors: organization: tags: arxiv: abstract:" in answer["error"]
    assert "unrecognised field 'author'" in answer["error"]


def test_shards_of_untouched_terms_stay_byte_identical(tmp_path, content_copy):
    config = SiteConfig()
    build(content_copy, tmp_path / "one", LAYOUTS, config)
    write(content_copy, "2025/10/14/zymurgy.md", record(title="Zymurgy", authors=["Zed Zebra"],
                                                          abstract="Zymurgy zygotes."))
    build(content_copy, tmp_path / "two", LAYOUTS, config)
    one = {p.name: p.read_bytes() for p in (tmp_path / "one/search/terms").glob("*.json")}
    two = {p.name: p.read_bytes() for p in (tmp_path / "two/search/terms").glob("*.json")}
    new_terms = {"zymurgi", "zygot", "zed", "zebra"}  # the new paper's words, as lunr.py stems them
    touched = {name for name, data in two.items() if new_terms & set(json.loads(data))}
    changed = {name for name in two if one.get(name) != two[name]}
    assert touched and changed == touched, (changed, touched)
    assert len(one) - len(changed) >= 3  # every other shard kept its name and its bytes


def test_partition_keeps_shards_under_the_limit_and_in_order():
    terms = sorted(f"{a}{b}{c}" for a in "abcd" for b in "xyz" for c in "mnop")
    sizes = {t: SHARD_LIMIT // 10 for t in terms}
    shards = partition_terms(terms, sizes)
    assert [t for _, members in shards for t in members] == terms
    assert all(sum(sizes[t] for t in members) <= SHARD_LIMIT for _, members in shards)
    starts = [start for start, _ in shards]
    assert starts == sorted(starts)
    for start, members in shards:
        assert all(t >= start for t in members)
    sizes["bxm"] = SHARD_LIMIT * 3  # one huge term gets a shard of its own, others unmoved
    again = partition_terms(terms, sizes)
    assert ("bxm", ["bxm"]) in again
    assert [s for s in shards if not s[0].startswith("b")] == [s for s in again if not s[0].startswith("b")]


def test_partition_is_the_walk_of_the_prefix_tree():
    rng = random.Random(11)
    alphabet = "ab\u00e9z\u4e2d\U0001f600" + chr(sys.maxunicode)
    for _ in range(200):
        terms = sorted({"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 6)))
                        for _ in range(rng.randint(1, 300))})
        sizes = {term: rng.choice([1, 50, SHARD_LIMIT // 40, SHARD_LIMIT // 3, SHARD_LIMIT * 2]) for term in terms}
        assert partition_terms(terms, sizes) == partition_by_walking(terms, sizes)


@pytest.fixture(scope="module")
def tiered_site(tmp_path_factory):
    """A synthetic archive whose common words are big terms split into several tiers."""
    from generator.synthetic import write_synthetic

    from conftest import write_site

    root = tmp_path_factory.mktemp("tiered")
    write_synthetic(root / "content", 1500)
    papers, problems = read_papers(root / "content")
    assert problems == []
    archive = group_papers(papers)
    files = search_files_of(archive, big_term_documents=100, first_tier=40)
    write_site(files, root / "site")
    return root / "site", archive


TIERED_QUERIES = ["model", "neural network training", "title:model", "model^3 language", "+transformer -vision",
                  "+model learning", "-data model", "gradient* policy", "lea*", "grokking data", "tags:cs.lg",
                  "title:neural title:network", "+neural +network -training", "model~1"]
# (A fuzzy word looks up words with its first letter only, see README: model~1 finds what lunr.py finds.)


def test_tiered_big_terms_give_exactly_the_unsplit_top_twenty(tiered_site):
    site, archive = tiered_site
    documents = search_documents(archive)
    assert len(list((site / "search/big").glob("model.abstract.*.json"))) >= 3  # the test really uses tiers
    index = index_papers(documents).build()
    answers = node_search(site, TIERED_QUERIES)
    loaded_fewer = looked_up = 0
    for query in TIERED_QUERIES:
        answer = answers[query]
        assert "error" not in answer, (query, answer)
        expected = sorted(((r["ref"], r["score"]) for r in index.search(answer["asked"])),
                          key=lambda r: (-round(r[1], 9), -int(r[0])))
        top = min(20, len(expected))
        assert answer["refs"][:top] == [ref for ref, _ in expected[:top]], query
        assert answer["scores"][:top] == pytest.approx([score for _, score in expected[:top]], rel=1e-9), query
        tiers = [f for f in answer["files"] if f.startswith("search/big/")]
        lists = {f.rsplit(".", 2)[0] for f in tiers}  # search/big/<term>.<field>
        loaded_fewer += len(tiers) < sum(len(list(site.glob(f"{name}.*.json"))) for name in lists)
        looked_up += any(f.startswith("search/papers/") for f in answer["files"])
    assert loaded_fewer >= 3  # common-word queries stopped before loading every tier
    assert looked_up >= 3  # and settled papers met in some lists from their own files


def test_big_term_tiers_rank_as_the_formula_says_with_the_newer_paper_first_among_equals(tiered_site):
    """Each tier, made a whole array at a time, holds what ranking the entries one by one in plain
    Python gives: BM25's term-frequency part, then the later document, cut 40, 80, 160... entries."""
    from generator.search.index import SearchIndex
    from generator.search.shards import K1, B
    from generator.search.tiers import big_term_tiers

    _, archive = tiered_site
    index = SearchIndex()
    index.add_all([(number, paper.source, paper_terms(paper)) for number, paper in search_documents(archive)])
    checked = 0
    common = sorted(index.postings, key=lambda term: -sum(map(len, (p.documents for p in index.postings[term].values()))))
    for term in common[:4]:
        for field, postings in index.postings[term].items():
            entries = postings.entries()
            if len(entries) <= 40:
                continue
            average = 7.5
            ranked = sorted(entries, key=lambda e: (-(e[1] / (e[1] + K1 * (1 - B) + K1 * B * e[2] / average)), -e[0]))
            assert len({e[1:] for e in entries}) > 1 and len(entries) > len({e[1:] for e in entries})  # ties exist
            tiers = big_term_tiers(index.postings[term], field, average, first_tier=40)
            start, size = 0, 40
            for number, tier in enumerate(tiers):
                rows = sorted(ranked[start:start + size])
                documents = [e[0] for e in rows]
                assert tier["documents"] == [b - a for a, b in zip([0, *documents[:-1]], documents, strict=True)]
                assert (tier["tf"], tier["length"]) == ([e[1] for e in rows], [e[2] for e in rows])
                for other, other_postings in index.postings[term].items():
                    counts = {e[0]: e[1:] for e in other_postings.entries()}
                    found = [counts.get(document, (0, 0)) for document in documents]
                    if other != field and any(tf for tf, _ in found):
                        assert tier["also"][other] == {"tf": [c[0] for c in found], "length": [c[1] for c in found]}
                    elif other != field:
                        assert other not in tier["also"]
                following = ranked[start + size] if number + 1 < len(tiers) else None
                assert tier["next"] == (list(following[1:]) + [following[0]] if following else None)
                start, size = start + size, size * 2
                checked += 1
            assert start >= len(entries) > start - size // 2
    assert checked >= 10


def test_an_index_counted_whole_holds_what_adding_each_paper_gives(tiered_site, monkeypatch):
    """add_all, made of whole columns a chunk of papers at a time, gives the postings, lengths and
    totals that putting the papers in one at a time does (chunks small here, so that many are met)."""
    from generator.search import index as search_index

    _, archive = tiered_site
    documents = [(number, paper.source, paper_terms(paper)) for number, paper in search_documents(archive)]
    for place in range(0, len(documents), 3):  # some papers without an organization or tags
        number, source, (lengths, fields) = documents[place]
        blank = 2 + place % 2
        documents[place] = (number, source, (lengths[:blank] + (0,) + lengths[blank + 1:],
                                             fields[:blank] + (("", b""),) + fields[blank + 1:]))
    one_by_one = search_index.SearchIndex()
    for document in documents:
        one_by_one.add(*document)
    monkeypatch.setattr(search_index, "ADD_ALL_PAPERS", 64)
    whole = search_index.SearchIndex()
    whole.add_all(documents)
    assert len(documents) > 10 * 64 and len(whole.postings) > 1000
    assert whole.postings.keys() == one_by_one.postings.keys() == whole.touched
    for term, by_field in one_by_one.postings.items():
        assert {name: postings.entries() for name, postings in whole.postings[term].items()} == {
            name: postings.entries() for name, postings in by_field.items()}, term
    assert (whole.documents, whole.lengths, whole.totals) == (one_by_one.documents, one_by_one.lengths,
                                                              one_by_one.totals)


def test_big_term_tiers_keep_their_bytes_when_a_paper_is_added(tiered_site, tmp_path):
    from generator.read.records import Paper

    site, archive = tiered_site
    newest = archive.days[-1].papers[0]
    extra = Paper(slug="zz-added", day=newest.day, source="zz-added.md", title="Zymurgy of yeasts",
                  authors=("Zed Zebra",), abstract="Zymurgy zygotes ferment quietly.")
    papers = [p for day in archive.days for p in day.papers] + [extra]
    again = group_papers(papers)
    files = search_files_of(again, big_term_documents=100, first_tier=40)
    before = {p.relative_to(site).as_posix(): p.read_bytes() for p in (site / "search/big").glob("*.json")}
    after = {name: data for name, data in files.items() if name.startswith("search/big/")}
    assert before.keys() == after.keys()
    same = sum(before[name] == after[name] for name in before)
    # Every score changed (one more paper, new average lengths), yet tiers hold counts: nearly all
    # keep their bytes (an entry whose rank moved across a tier's edge may change two).
    assert same >= 0.9 * len(before), (same, len(before))


def test_a_day_with_more_papers_than_4096_is_found_by_lunr_js(tmp_path):
    """A big arXiv category announces more than a thousand papers a day: a day's numbers grow to
    hold them, and the last of them is found, on its day, by its title."""
    from generator.search.terms import day_slots

    content = tmp_path / "content"
    for number in range(4097):
        write(content, f"2025/11/18/p{number:04d}.yaml",
              f"title: Paper {number:04d} zq{number:04d}\nauthors: [A]\nabstract: Text.\n")
    build(content, tmp_path / "out", LAYOUTS, SiteConfig(), vendor_dir=ROOT / "node_modules")
    manifest = json.loads((tmp_path / "out/search/manifest.json").read_text())
    assert manifest["slots_per_day"] == 8192 == day_slots(group_papers(read_papers(content)[0]))
    answer = node_search(tmp_path / "out", ["zq4096", "zq0000"])
    assert answer["zq4096"]["titles"] == ["Paper 4096 zq4096"] and answer["zq0000"]["titles"] == ["Paper 0000 zq0000"]


def test_words_sharing_a_long_prefix_get_file_names_a_file_system_takes(tmp_path):
    """Words that share a 43-character CJK prefix made a shard name of 260 bytes (OSError: File
    name too long); the name is now bounded, the browser finds it through the manifest, and the
    words and a long big term are found by lunr.js."""
    from generator.search import shards as search

    prefix = "中" * 43
    content = tmp_path / "content"
    for number in range(30):
        words = " ".join(f"{prefix}{chr(0x4e00 + number * 7 + k)}" for k in range(7))
        long_word = "x" * 120
        write(content, f"2025/11/18/p{number:02d}.yaml",
              f"title: Paper {number}\nauthors: [A]\nabstract: {words} {long_word} filler{number}\n")
    original = search.SHARD_LIMIT
    try:
        search.SHARD_LIMIT = 200  # small shards, so that prefixes grow long
        build(content, tmp_path / "out", LAYOUTS, SiteConfig(), vendor_dir=ROOT / "node_modules")
    finally:
        search.SHARD_LIMIT = original
    names = [path.name for path in (tmp_path / "out/search").rglob("*")]
    assert max(len(name.encode()) for name in names) <= 255
    manifest = json.loads((tmp_path / "out/search/manifest.json").read_text())
    assert manifest["long_names"] and all("~" in stem for stem in manifest["long_names"].values())
    target = f"{prefix}{chr(0x4e00 + 5 * 7 + 3)}"
    answer = node_search(tmp_path / "out", [target, "x" * 120])
    assert answer[target]["titles"] == ["Paper 5"], answer
    assert len(answer["x" * 120]["refs"]) == 30


@pytest.mark.parametrize("data", [
    {"label": "Tue 18 Nov", "papers": [["papers/2511.1/", "Ünïcode — “quoted” \\ \"x\" </script> \u2028 \x7f\x00\x1f 中文 😀",
                                        "A. B, C. D"]]},
    {"10": {"lengths": [3, 0], "terms": [0, 5, 2]}, "9": {"lengths": [], "terms": []}, "a": None, "b": True},
    ["\t\n\r\b\f", "", "dé", "zz", "a", "Z"],
    {"étude": [1, 2], "zeta": {}, "alpha": [[], {"x": [18446744073709551615, -1]}]},
])
def test_the_quick_json_of_search_files_is_the_plain_jsons_bytes(data):
    from generator.search.shards import to_json, to_json_quickly

    assert to_json_quickly(data) == to_json(data)
