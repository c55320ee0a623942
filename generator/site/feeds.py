"""RSS and Atom feeds from the archive, written with feedgen; dates come from records, never the clock.

Known ways community feeds break, and what stops each here: every item carries its featured day,
not the fetch time; the feed holds whole days and never fewer than a set number of papers; every
link is made from base_url by urls.py; lastBuildDate and updated are the newest item's date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from feedgen.feed import FeedGenerator

from generator import urls
from generator.config import SiteConfig
from generator.read.records import Paper
from generator.site.archive import Archive, Day
from generator.site.pages import Site, long_date

RSS, ATOM = "rss", "atom"
FEED_TYPES = {RSS: "application/rss+xml", ATOM: "application/atom+xml"}


@dataclass(frozen=True)
class FeedItem:
    url: str  # absolute address of the page the item is about; also its guid and id
    title: str
    date: dt.datetime
    authors: tuple[str, ...]
    categories: tuple[str, ...]
    html: str


@dataclass(frozen=True)
class Feed:
    path: str  # where the feed is written, as a site path
    title: str
    description: str
    home: str  # absolute address of the page the feed follows
    items: tuple[FeedItem, ...]

    @property
    def updated(self) -> dt.datetime:
        """The newest item's date, or the epoch for a feed with no items: never the clock."""
        return max((item.date for item in self.items), default=dt.datetime(1970, 1, 1, tzinfo=dt.UTC))


def item_time(day: dt.date, rank: int, day_size: int) -> dt.datetime:
    """Date an item on its featured day, a second apart in the day page's order, so readers
    that sort by date keep that order and every item stays within its day."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC) + dt.timedelta(seconds=day_size - rank)


def whole_recent_days(papers: Iterable[Paper], feed_days: int, min_papers: int) -> list[Paper]:
    """Take papers (newest day first) day by day, never splitting a day, until there are both
    `feed_days` days and `min_papers` papers, or no more papers."""
    taken: list[Paper] = []
    days: set[dt.date] = set()
    for paper in papers:
        if paper.day not in days and len(days) >= feed_days and len(taken) >= min_papers:
            break
        days.add(paper.day)
        taken.append(paper)
    return taken


@dataclass(frozen=True)
class FeedPaper:
    """A paper as a feed lists it, with its place on its day's page (which dates its item)."""

    paper: Paper
    rank: int
    day_size: int


@dataclass(frozen=True)
class PaperFeed:
    """What a feed of papers is made from: the site's feed, or a tag's (`tag` is its slug)."""

    tag: str | None
    title: str
    description: str
    home: str  # the site path of the page the feed follows
    papers: tuple[FeedPaper, ...]


class DayPlaces:
    """Each paper's place on its day's page and the number of papers that day, worked out only for
    the days of the papers asked about (a feed's, few of the archive's)."""

    def __init__(self, archive: Archive):
        self.days = {day.date: day for day in archive.days}
        self.places: dict[dt.date, dict[str, int]] = {}

    def __call__(self, paper: Paper) -> tuple[int, int]:
        day = self.days[paper.day]
        places = self.places.get(day.date)
        if places is None:
            places = self.places[day.date] = {each.slug: index for index, each in enumerate(day.papers)}
        return places[paper.slug], len(day.papers)


def chosen_papers(papers: Iterable[Paper], places: DayPlaces, config: SiteConfig) -> tuple[FeedPaper, ...]:
    chosen = whole_recent_days(papers, config.feed_days, config.feed_min_papers)
    return tuple(FeedPaper(paper, *places(paper)) for paper in chosen)


def site_feed(archive: Archive, config: SiteConfig, places: DayPlaces) -> PaperFeed:
    papers = (paper for day in archive.days for paper in day.papers)  # read only as far as the feed goes
    return PaperFeed(None, config.title, config.description, urls.HOME, chosen_papers(papers, places, config))


def tag_feeds(archive: Archive, config: SiteConfig, places: DayPlaces) -> Iterator[PaperFeed]:
    for tag in archive.tags:
        yield PaperFeed(tag.slug, f"{config.title}: {tag.name}", f"Papers tagged {tag.name} on {config.title}.",
                        urls.tag_path(tag.slug), chosen_papers(tag.papers, places, config))


# The MathML of generator/read/mathml.py, which ends each formula with its TeX source.
MATHML = re.compile(r'<math\b[^>]*>.*?<annotation encoding="application/x-tex">(.*?)</annotation>.*?</math>', re.S)


def tex_for_math(html: str) -> str:
    """The abstract's HTML with each formula as its TeX source between dollars, as arXiv's own feeds
    give it: feed readers' sanitizers remove MathML, and text-only readers showed it twice."""
    return MATHML.sub(lambda found: "$" + found.group(1) + "$", html)


def paper_item(entry: FeedPaper, site: Site) -> FeedItem:
    """A paper's feed item, made once for every feed that lists it at that place (site.shared)."""
    paper = entry.paper
    known = site.shared.get(("feed item", paper.slug, entry.rank, entry.day_size))
    if known is not None:
        return known
    html = site.renderer.fragment(
        "feed_paper.html", authors=", ".join(paper.authors), organization=paper.organization,
        abstract_html=tex_for_math(paper.abstract_html), links=site.views[paper.slug].links,
    )
    item = site.shared[("feed item", paper.slug, entry.rank, entry.day_size)] = FeedItem(
        url=urls.absolute_url(site.config.base_url, urls.paper_path(paper.slug)),
        title=paper.title,
        date=item_time(paper.day, entry.rank, entry.day_size),
        authors=paper.authors,
        categories=paper.tags,
        html=html.strip(),
    )
    return item


def paper_feed(path: str, source: PaperFeed, site: Site) -> Feed:
    return Feed(path, source.title, source.description, urls.absolute_url(site.config.base_url, source.home),
                tuple(paper_item(entry, site) for entry in source.papers))


def day_item(day: Day, site: Site) -> FeedItem:
    def absolute(path: str) -> str:
        return urls.absolute_url(site.config.base_url, path)

    papers = [{"url": absolute(urls.paper_path(p.slug)), "title": p.title,
               "authors": site.views[p.slug].authors_short, "upvotes": p.upvotes} for p in day.papers]
    count = len(day.papers)
    html = site.renderer.fragment("feed_day.html", papers=papers, day_url=absolute(urls.day_path(day.date)))
    return FeedItem(
        url=absolute(urls.day_path(day.date)),
        title=f"{long_date(day.date)}: {count} paper{'s' if count != 1 else ''}",
        date=item_time(day.date, 0, 0),
        authors=(),
        categories=(),
        html=html.strip(),
    )


def digest_days(archive: Archive, config: SiteConfig) -> tuple[Day, ...]:
    """The days the daily digest lists, one item each."""
    return archive.days[: config.digest_days]


def digest_feed(path: str, days: tuple[Day, ...], site: Site) -> Feed:
    config = site.config
    return Feed(path, f"{config.title}: daily digest", f"One item a day listing the papers of {config.title}.",
                urls.absolute_url(config.base_url, urls.ARCHIVE), tuple(day_item(day, site) for day in days))


def feed_generator(feed: Feed, config: SiteConfig, kind: str) -> FeedGenerator:
    """Fill a feedgen FeedGenerator with one feed, for RSS or for Atom."""
    generator = FeedGenerator()
    generator.load_extension("dc", atom=False, rss=True)
    self_url = urls.absolute_url(config.base_url, feed.path)
    generator.id(self_url)
    generator.title(feed.title)
    generator.description(feed.description)
    generator.link(href=self_url, rel="self", type=FEED_TYPES[kind])
    generator.link(href=feed.home, rel="alternate")  # last, since feedgen's RSS <link> is the last link
    generator.language(config.language)
    generator.updated(feed.updated)  # lastBuildDate too: the newest item, never the clock
    if kind == ATOM:  # RFC 4287 4.1.1: a feed has an author, which entries without one inherit
        generator.author(name=config.title, uri=config.base_url)
    for item in feed.items:
        entry = generator.add_entry(order="append")
        entry.id(item.url)
        entry.guid(item.url, permalink=True)
        entry.title(item.title)
        entry.link(href=item.url, rel="alternate")
        entry.published(item.date)
        entry.updated(item.date)
        for category in item.categories:
            entry.category(term=category, label=category)
        if kind == RSS:
            entry.description(item.html)
            if item.authors:
                entry.dc.dc_creator(list(item.authors))
        else:
            entry.content(item.html, type="html")
            for name in item.authors:
                entry.author(name=name)
    return generator


def render_rss(path: str, source: PaperFeed, site: Site) -> bytes:
    return feed_generator(paper_feed(path, source, site), site.config, RSS).rss_str(pretty=True)


def render_atom(path: str, source: PaperFeed, site: Site) -> bytes:
    return feed_generator(paper_feed(path, source, site), site.config, ATOM).atom_str(pretty=True)


def render_digest_rss(path: str, days: tuple[Day, ...], site: Site) -> bytes:
    return feed_generator(digest_feed(path, days, site), site.config, RSS).rss_str(pretty=True)


def render_digest_atom(path: str, days: tuple[Day, ...], site: Site) -> bytes:
    return feed_generator(digest_feed(path, days, site), site.config, ATOM).atom_str(pretty=True)
