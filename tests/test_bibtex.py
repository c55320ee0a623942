"""BibTeX entries, read back by a real BibTeX parser (pybtex) as a reference manager reads them."""

from __future__ import annotations

import datetime as dt

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
    assert only.fields["title"] == r"50\% of \{x\} \& \$y\$ is \#1\_z \textasciitilde{} \textasciicircum{}"
    assert only.fields["eprint"] == "2401.00001" and only.fields["archivePrefix"] == "arXiv"
