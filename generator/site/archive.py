"""Group Papers into days, months, years and tags, in one pass over the papers."""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import groupby
from operator import attrgetter

from generator.read.records import Paper
from generator.urls import tag_slug


@dataclass(frozen=True)
class Day:
    """The papers featured on one day, in the order the day page shows them."""

    date: dt.date
    papers: tuple[Paper, ...]
    previous: dt.date | None = None  # the nearest older day that has papers
    next: dt.date | None = None  # the nearest newer day that has papers


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    days: tuple[Day, ...]  # newest first
    previous: tuple[int, int] | None = None  # the nearest older month with papers
    next: tuple[int, int] | None = None

    @property
    def paper_count(self) -> int:
        return sum(len(day.papers) for day in self.days)

    @functools.cached_property
    def papers(self) -> tuple[Paper, ...]:
        """Its days' papers, newest day first."""
        return tuple(paper for day in self.days for paper in day.papers)


@dataclass(frozen=True)
class Year:
    year: int
    months: tuple[Month, ...]  # newest first
    previous: int | None = None  # the nearest older year with papers
    next: int | None = None

    @property
    def paper_count(self) -> int:
        return sum(month.paper_count for month in self.months)


@dataclass(frozen=True)
class Week:
    """An ISO week (Monday to Sunday) that has papers."""

    year: int  # the ISO year, which differs from the calendar year around New Year
    week: int
    days: tuple[Day, ...]  # newest first
    previous: tuple[int, int] | None = None  # the nearest older week with papers
    next: tuple[int, int] | None = None

    @property
    def paper_count(self) -> int:
        return sum(len(day.papers) for day in self.days)

    @functools.cached_property
    def papers(self) -> tuple[Paper, ...]:
        """Its days' papers, newest day first."""
        return tuple(paper for day in self.days for paper in day.papers)


@dataclass(frozen=True)
class Tag:
    slug: str
    name: str
    years: tuple[tuple[int, tuple[Paper, ...]], ...]  # its papers by the year they were featured, newest first

    @functools.cached_property
    def papers(self) -> tuple[Paper, ...]:
        """Newest day first, then the day page's order (made of the years, so that its key walks them once)."""
        return tuple(paper for _, papers in self.years for paper in papers)


@dataclass(frozen=True)
class Archive:
    days: tuple[Day, ...]  # newest first
    months: tuple[Month, ...]  # newest first
    years: tuple[Year, ...]  # newest first
    weeks: tuple[Week, ...]  # newest first
    tags: tuple[Tag, ...]  # by name
    papers: dict[str, Paper] = field(default_factory=dict)  # by slug
    tags_of_names: dict[tuple[str, ...], tuple[Tag, ...]] = field(default_factory=dict)  # by a paper's tags

    def tags_of(self, paper: Paper) -> tuple[Tag, ...]:
        """The tags a paper is on, in the order its record lists them (each once)."""
        return self.tags_of_names[paper.tags]

    def tag_names(self, tags: tuple[str, ...]) -> list[str]:
        """The names a paper's list of tags shows with (a tag's name can come from another paper)."""
        return [tag.name for tag in self.tags_of_names[tags]]

    @property
    def latest(self) -> Day | None:
        return self.days[0] if self.days else None


def day_order(paper: Paper) -> tuple:
    """Rank papers within a day: most upvoted first, then by title, then by name for ties."""
    return (-paper.upvotes, paper.title.casefold(), paper.slug)


def by_year(papers: tuple[Paper, ...]) -> tuple[tuple[int, tuple[Paper, ...]], ...]:
    """Papers by the year they were featured, newest year first (papers in the archive's order,
    so that each year's run together)."""
    return tuple((year, tuple(found)) for year, found in groupby(papers, key=attrgetter("day.year")))


def make_tag(slug: str, names: set[str], papers: list[Paper]) -> Tag:
    """A tag, shown by the first of the names papers give it, with its papers (in the archive's order)."""
    found = tuple(papers)
    return Tag(slug, min(names), by_year(found))


def group_papers(papers: list[Paper]) -> Archive:
    """Build every index of the archive from the list of papers."""
    by_day: dict[dt.date, list[Paper]] = defaultdict(list)
    for paper in papers:
        by_day[paper.day].append(paper)

    dates = sorted(by_day, reverse=True)
    days = tuple(
        Day(
            date=date,
            papers=tuple(sorted(by_day[date], key=day_order)),
            previous=dates[index + 1] if index + 1 < len(dates) else None,
            next=dates[index - 1] if index > 0 else None,
        )
        for index, date in enumerate(dates)
    )

    # Papers go to their tags in the archive's order, so a tag's papers need no sorting; the slugs of
    # a list of tag names are worked out once per list (an archive repeats a few lists endlessly).
    slugs_of: dict[tuple[str, ...], tuple[str, ...]] = {}
    by_tag: dict[str, list[Paper]] = defaultdict(list)
    tag_names: dict[str, set[str]] = defaultdict(set)
    for day in days:
        for paper in day.papers:
            slugs = slugs_of.get(paper.tags)
            if slugs is None:
                slugs = slugs_of[paper.tags] = tuple(map(tag_slug, paper.tags))
                for name, slug in zip(paper.tags, slugs, strict=True):
                    tag_names[slug].add(name)
            for slug in slugs:
                by_tag[slug].append(paper)
    tags = tuple(sorted((make_tag(slug, tag_names[slug], tagged) for slug, tagged in by_tag.items()),
                        key=lambda tag: (tag.name.casefold(), tag.slug)))
    tags_by_slug = {tag.slug: tag for tag in tags}
    tags_of_list = {names: tuple(tags_by_slug[slug] for slug in dict.fromkeys(slugs))
                    for names, slugs in slugs_of.items()}

    days_by_month: dict[tuple[int, int], list[Day]] = defaultdict(list)
    for day in days:
        days_by_month[(day.date.year, day.date.month)].append(day)
    month_keys = list(days_by_month)  # newest first, as the days were
    months = tuple(Month(year, month, tuple(days_by_month[(year, month)]),
                         previous=month_keys[index + 1] if index + 1 < len(month_keys) else None,
                         next=month_keys[index - 1] if index > 0 else None)
                   for index, (year, month) in enumerate(month_keys))

    months_by_year: dict[int, list[Month]] = defaultdict(list)
    for month in months:
        months_by_year[month.year].append(month)
    year_keys = list(months_by_year)
    years = tuple(Year(year, tuple(months_by_year[year]),
                       previous=year_keys[index + 1] if index + 1 < len(year_keys) else None,
                       next=year_keys[index - 1] if index > 0 else None)
                  for index, year in enumerate(year_keys))

    days_by_week: dict[tuple[int, int], list[Day]] = defaultdict(list)
    for day in days:
        iso = day.date.isocalendar()
        days_by_week[(iso.year, iso.week)].append(day)
    week_keys = list(days_by_week)  # newest first, as the days were
    weeks = tuple(
        Week(key[0], key[1], tuple(days_by_week[key]),
             previous=week_keys[index + 1] if index + 1 < len(week_keys) else None,
             next=week_keys[index - 1] if index > 0 else None)
        for index, key in enumerate(week_keys)
    )

    return Archive(
        days=days,
        months=months,
        years=years,
        weeks=weeks,
        tags=tags,
        papers={paper.slug: paper for paper in papers},
        tags_of_names=tags_of_list,
    )
