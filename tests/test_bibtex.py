"""BibTeX entries, read back by real BibTeX parsers (pybtex, bibtexparser 2) as reference managers
read them, from a site built of records made to be awkward."""

from __future__ import annotations

import datetime as dt

import pytest
from pybtex.database import parse_string

from generator.read.records import Paper
from generator.site.bibtex import bibtex_entry


def paper(**fields) -> Paper:
    base = {"slug": "2401.00001", "day": dt.date(2024, 1, 2), "source": "x.md", "title": "A Title",
            "authors": ("Ada Lovelace",), "abstract": "Text.", "arxiv": "2401.00001"}
    return Paper(**(base | fields))


def test_a_collaboration_whose_name_holds_and_is_one_author():
    names = ("The ATLAS and CMS Collaborations", "Ada Lovelace", "Lovelace, Ada", "Rock-and-Roll Team",
             "Research AND Development Group", "Grace Hopper")
    (entry,) = parse_string(bibtex_entry(paper(authors=names)), "bibtex").entries.values()
    people = entry.persons["author"]
    assert len(people) == len(names)
    assert str(people[0]) == "{The ATLAS and CMS Collaborations}"
    assert [person.last_names for person in people[1:3]] == [["Lovelace"], ["Lovelace"]]
    assert str(people[4]) == "{Research AND Development Group}" and people[5].first_names == ["Grace"]


def test_characters_that_mean_something_to_bibtex_are_read_back_as_text():
    entry = parse_string(bibtex_entry(paper(title="50% of {x} & $y$ is #1_z ~ ^")), "bibtex").entries
    (only,) = entry.values()
    assert only.fields["title"] == (r"50\% of \textbraceleft{}x\textbraceright{} \& {$y$} is \#1\_z "
                                    r"\textasciitilde{} \textasciicircum{}")
    assert only.fields["eprint"] == "2401.00001" and only.fields["archivePrefix"] == "arXiv"


AWKWARD = [  # (file, fields): records a reference manager would choke on, if we let it
    ("2401.00001", {"title": "$k$-Means clustering with Lipschitz losses", "authors": ["Wei Wang", "Google DeepMind"],
                    "arxiv": "2401.00001", "published": "2024-01-05"}),
    ("2401.00002", {"title": "Learning to learn, { unbalanced", "authors": ["Li Wang"], "arxiv": "2401.00002",
                    "published": "2024-01-06"}),
    ("2401.00003", {"title": "Learning with 50% of the $O(n^{2})$ cost & a_b ~ c \\{ d",
                    "authors": ["Xiao Wang", "The ATLAS and CMS Collaborations"], "arxiv": "2401.00003",
                    "published": "2024-01-07"}),
    ("no-arxiv-code", {"title": "Code only: sparse GPT-4 probes for ReLU nets", "authors": ["Ada Lovelace"],
                       "links": {"code": "https://github.com/some_org/my_repo~1/tree/main?x=a_b",
                                 "doi": "https://doi.org/10.1007/978-3-030-58452-8_13"}}),
    ("math-unsafe", {"title": "When $a % b$ and ${x$ are not math", "authors": ["Grace Hopper"]}),
]


@pytest.fixture(scope="module")
def awkward_entries(tmp_path_factory):
    """Every BibTeX entry of a site built from AWKWARD, as its pages show them."""
    import json

    import html5lib

    from generator.build import build
    from generator.config import SiteConfig

    from conftest import LAYOUTS, ROOT

    root = tmp_path_factory.mktemp("awkward")
    for name, fields in AWKWARD:
        front = "\n".join(f"{key}: {json.dumps(value)}" for key, value in fields.items())
        path = root / "content/2024/01/08" / f"{name}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\n{front}\n---\n\nAn abstract.\n", encoding="utf-8")
    build(root / "content", root / "site", LAYOUTS, SiteConfig(), vendor_dir=ROOT / "node_modules")
    entries = {}
    for name, _ in AWKWARD:
        page = html5lib.parse((root / "site/papers" / name / "index.html").read_bytes(), namespaceHTMLElements=False)
        entries[name] = "".join(page.find(".//pre[@class='bibtex']").itertext())
    return entries


def parsed(text: str):
    import bibtexparser
    from bibtexparser import middlewares

    library = bibtexparser.parse_string(text, append_middleware=[middlewares.SeparateCoAuthors(),
                                                                  middlewares.SplitNameParts()])
    assert library.failed_blocks == [], [block.error for block in library.failed_blocks]
    return library


def test_every_entry_parses_with_balanced_braces_and_a_key_no_other_has(awkward_entries):
    library = parsed("\n\n".join(awkward_entries.values()))
    assert len(library.entries) == len(AWKWARD)
    keys = [entry.key for entry in library.entries]
    assert len(set(keys)) == len(keys)  # wang2024learning twice, before
    assert keys[1].startswith("wang2024learning") and keys[2].startswith("wang2024learning")
    for text in awkward_entries.values():  # as classic BibTeX counts: a backslash does not hide a brace
        depth = 0
        for ch in text:
            depth += {"{": 1, "}": -1}.get(ch, 0)
            assert depth >= 0, text
        assert depth == 0, text


def test_addresses_are_verbatim_and_math_stays_math(awkward_entries):
    library = parsed("\n\n".join(awkward_entries.values()))
    fields = {entry.key.split("-", 1)[1]: {field.key: field.value for field in entry.fields}  # by the key's slug
              for entry in library.entries}
    code = fields["no-arxiv-code"]
    assert code["url"] == "https://github.com/some_org/my_repo~1/tree/main?x=a_b"
    assert code["doi"] == "10.1007/978-3-030-58452-8_13"
    assert fields["2401.00001"]["title"].startswith("{$k$}{-Means}")  # as arXiv exports it, and braced
    assert "{$O(n^{2})$}" in fields["2401.00003"]["title"]
    assert r"50\% of" in fields["2401.00003"]["title"] and r"a\_b \textasciitilde{} c" in fields["2401.00003"]["title"]
    unsafe = fields["math-unsafe"]["title"]  # what LaTeX could not read as math is text
    assert r"\$a \% b\$" in unsafe and r"\$\textbraceleft{}x\$" in unsafe


def test_names_and_proper_nouns_are_protected(awkward_entries):
    library = parsed("\n\n".join(awkward_entries.values()))
    by_title = {entry.fields_dict["title"].value: entry for entry in library.entries}
    kmeans = next(entry for title, entry in by_title.items() if "Means" in title)
    authors = kmeans.fields_dict["author"].value
    assert [(name.first, name.last) for name in authors] == [(["Wei"], ["Wang"]), ([], ["{Google DeepMind}"])]
    assert "{Lipschitz}" in kmeans.fields_dict["title"].value  # a sentence-case title: its proper noun braced
    code = next(entry for title, entry in by_title.items() if title.startswith("Code only"))
    assert "{GPT-4}" in code.fields_dict["title"].value and "{ReLU}" in code.fields_dict["title"].value
    atlas = next(entry for title, entry in by_title.items() if "cost" in title)
    assert [name.last for name in atlas.fields_dict["author"].value] == [["Wang"], ["{The ATLAS and CMS Collaborations}"]]


def test_keys_are_unique_across_a_site_and_stable_as_papers_are_added(tmp_path):
    from generator.read.content import read_papers
    from generator.site.bibtex import citation_key
    from generator.synthetic import write_synthetic

    write_synthetic(tmp_path / "content", 1000)
    papers = read_papers(tmp_path / "content")[0]
    keys = {paper.slug: citation_key(paper) for paper in papers}
    assert len(set(keys.values())) == len(papers)
    # A key is made from its paper alone: papers added around it (AWKWARD's three Wangs) change nothing.
    (tmp_path / "content/2015/01/01/2401.00002.md").write_text(
        "---\ntitle: Learning to learn\nauthors: [Li Wang]\narxiv: '2401.00002'\npublished: 2024-01-06\n---\n\nText.\n")
    again = {paper.slug: citation_key(paper) for paper in read_papers(tmp_path / "content")[0]}
    assert {slug: again[slug] for slug in keys} == keys and again["2401.00002"] == "wang2024learning-2401.00002"


def test_every_entry_of_the_sample_site_parses_with_its_own_key(sample_site):
    import html5lib

    texts = ["".join(html5lib.parse(page.read_bytes(), namespaceHTMLElements=False)
                     .find(".//pre[@class='bibtex']").itertext()) for page in sorted(sample_site.glob("papers/*/index.html"))]
    library = parsed("\n\n".join(texts))
    assert len(library.entries) == len(texts) == 57
    assert len({entry.key for entry in library.entries}) == 57
    for entry in library.entries:
        url = entry.fields_dict["url"].value
        assert url.startswith("https://arxiv.org/abs/") and "\\" not in url


def test_dollar_amounts_title_case_compounds_and_escaped_words_are_read_right():
    def title_of(text: str) -> str:
        (entry,) = parsed(bibtex_entry(paper(title=text))).entries
        return entry.fields_dict["title"].value

    assert title_of("Costs of $5 and $6 per item") == r"Costs of \$5 and \$6 per item"  # the page shows no math
    assert title_of("Math $\\$x$ here") == r"Math {$\$x$} here"
    assert title_of("Language Models are Few-Shot Learners") == "Language Models are Few-Shot Learners"
    # A braced group that starts with a command is a special character to classic BibTeX, which
    # lowercases its letters: an empty group before it keeps the word's case.
    assert title_of("Hashtags like #MeToo and {BERT}") == r"Hashtags like {{}\#MeToo} and {{}\textbraceleft{}BERT\textbraceright{}}"
