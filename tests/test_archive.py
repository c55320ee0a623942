"""Grouping papers into days, months, years and tags."""

from __future__ import annotations

import datetime as dt

from generator.read.records import Paper
from generator.site.archive import group_papers
from generator.urls import tag_slug


def paper(slug: str, day: str, title: str = "T", upvotes: int = 0, tags: tuple[str, ...] = ()) -> Paper:
    return Paper(slug=slug, day=dt.date.fromisoformat(day), source=f"{slug}.md", title=title,
                 authors=("A",), abstract="x", upvotes=upvotes, tags=tags)


def test_days_are_newest_first_and_ranked_by_upvotes_then_title():
    archive = group_papers([
        paper("a", "2025-01-02", "beta", 1),
        paper("b", "2025-01-02", "Alpha", 1),
        paper("c", "2025-01-02", "zeta", 9),
        paper("d", "2024-12-31", "old"),
        paper("e", "2025-01-05", "new"),
    ])
    assert [day.date.isoformat() for day in archive.days] == ["2025-01-05", "2025-01-02", "2024-12-31"]
    assert [p.slug for p in archive.days[1].papers] == ["c", "b", "a"]
    assert archive.latest.date == dt.date(2025, 1, 5)


def test_previous_and_next_skip_days_without_papers():
    archive = group_papers([paper("a", "2025-01-01"), paper("b", "2025-01-09"), paper("c", "2025-03-01")])
    newest, middle, oldest = archive.days
    assert (newest.previous, newest.next) == (dt.date(2025, 1, 9), None)
    assert (middle.previous, middle.next) == (dt.date(2025, 1, 1), dt.date(2025, 3, 1))
    assert (oldest.previous, oldest.next) == (None, dt.date(2025, 1, 9))


def test_months_and_years_hold_their_days_and_counts():
    archive = group_papers([paper("a", "2024-12-31"), paper("b", "2025-01-02"), paper("c", "2025-01-02"),
                            paper("d", "2025-01-20"), paper("e", "2025-02-01")])
    assert [(m.year, m.month, m.paper_count) for m in archive.months] == [(2025, 2, 1), (2025, 1, 3), (2024, 12, 1)]
    assert [day.date.day for day in archive.months[1].days] == [20, 2]
    assert [(y.year, y.paper_count, len(y.months)) for y in archive.years] == [(2025, 4, 2), (2024, 1, 1)]


def test_tags_group_case_insensitively_newest_first():
    archive = group_papers([
        paper("a", "2025-01-01", tags=("cs.LG",)),
        paper("b", "2025-01-03", tags=("cs.lg", "Diffusion Models")),
        paper("c", "2025-01-02", tags=("Diffusion Models",)),
    ])
    assert [(tag.slug, tag.name, [p.slug for p in tag.papers]) for tag in archive.tags] == [
        ("cs.lg", "cs.LG", ["b", "a"]),
        ("diffusion-models", "Diffusion Models", ["b", "c"]),
    ]
    assert [tag.slug for tag in archive.tags_of(archive.papers["b"])] == ["cs.lg", "diffusion-models"]
    # Paper b spells cs.LG as "cs.lg": its tags show with the name the tag page has.
    assert archive.tag_names(("cs.lg", "Diffusion Models")) == ["cs.LG", "Diffusion Models"]


def test_tag_slugs_are_safe_path_names():
    assert tag_slug("cs.LG") == "cs.lg"
    assert tag_slug("Large Language Models") == "large-language-models"
    assert tag_slug("C++") == "cplusplus"


def test_an_empty_archive_has_no_latest_day():
    archive = group_papers([])
    assert archive.latest is None and archive.days == () and archive.tags == ()
