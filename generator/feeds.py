"""RSS and Atom feeds from the archive, written with feedgen; dates come from records, never the clock.

Known ways community feeds break, and what stops each here: every item carries its featured day,
not the fetch time; the feed holds whole days and never fewer than a set number of papers; every
link is made from base_url by urls.py; lastBuildDate and updated are the newest item's date.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from feedgen.feed import FeedGenerator

from generator import urls
from generator.archive import Archive, Day, Tag
from generator.config import SiteConfig
from generator.pages import PaperView
from generator.records import Paper

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


def whole_recent_days(papers: list[Paper], feed_days: int, min_papers: int) -> list[Paper]:
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


class FeedBuilder:
    """Make the site's feeds; item bodies are rendered by the fragment templates in layouts/."""

    def __init__(self, archive: Archive, config: SiteConfig, render_fragment: Callable[..., str],
                 views: dict[str, PaperView]):
        self.archive = archive
        self.config = config
        self.render_fragment = render_fragment
        self.views = views
        self.rank = {paper.slug: (index, len(day.papers))
                     for day in archive.days for index, paper in enumerate(day.papers)}

    def absolute(self, path: str) -> str:
        return urls.absolute_url(self.config.base_url, path)

    def paper_item(self, paper: Paper) -> FeedItem:
        rank, day_size = self.rank[paper.slug]
        html = self.render_fragment(
            "feed_paper.html", authors=", ".join(paper.authors), organization=paper.organization,
            abstract_html=paper.abstract_html, links=self.views[paper.slug].links,
        )
        return FeedItem(
            url=self.absolute(urls.paper_path(paper.slug)),
            title=paper.title,
            date=item_time(paper.day, rank, day_size),
            authors=paper.authors,
            categories=paper.tags,
            html=html.strip(),
        )

    def day_item(self, day: Day, label: str) -> FeedItem:
        papers = [{"url": self.absolute(urls.paper_path(p.slug)), "title": p.title,
                   "authors": self.views[p.slug].authors_short, "upvotes": p.upvotes} for p in day.papers]
        count = len(day.papers)
        html = self.render_fragment("feed_day.html", papers=papers,
                                    day_url=self.absolute(urls.day_path(day.date)))
        return FeedItem(
            url=self.absolute(urls.day_path(day.date)),
            title=f"{label}: {count} paper{'s' if count != 1 else ''}",
            date=item_time(day.date, 0, 0),
            authors=(),
            categories=(),
            html=html.strip(),
        )

    def paper_feed(self, path: str, title: str, description: str, home: str, papers: list[Paper]) -> Feed:
        chosen = whole_recent_days(papers, self.config.feed_days, self.config.feed_min_papers)
        return Feed(path, title, description, self.absolute(home), tuple(map(self.paper_item, chosen)))

    def site_feed(self, path: str) -> Feed:
        papers = [paper for day in self.archive.days for paper in day.papers]
        return self.paper_feed(path, self.config.title, self.config.description, urls.HOME, papers)

    def tag_feed(self, tag: Tag) -> Feed:
        return self.paper_feed(urls.tag_feed_path(tag.slug), f"{self.config.title}: {tag.name}",
                               f"Papers tagged {tag.name} on {self.config.title}.",
                               urls.tag_path(tag.slug), list(tag.papers))

    def digest_feed(self, path: str, day_label: Callable[[dt.date], str]) -> Feed:
        days = self.archive.days[: self.config.digest_days]
        items = tuple(self.day_item(day, day_label(day.date)) for day in days)
        return Feed(path, f"{self.config.title}: daily digest",
                    f"One item a day listing the papers of {self.config.title}.",
                    self.absolute(urls.ARCHIVE), items)


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


def render_rss(feed: Feed, config: SiteConfig) -> bytes:
    return feed_generator(feed, config, RSS).rss_str(pretty=True)


def render_atom(feed: Feed, config: SiteConfig) -> bytes:
    return feed_generator(feed, config, ATOM).atom_str(pretty=True)


def render_feeds(
    builder: FeedBuilder, site: Feed, day_label: Callable[[dt.date], str]
) -> Iterator[tuple[str, bytes]]:
    """Yield (output file, bytes) for every RSS and Atom feed; `site` is the site feed's items."""
    config = builder.config
    yield urls.RSS_FEED, render_rss(dataclasses.replace(site, path=urls.RSS_FEED), config)
    yield urls.ATOM_FEED, render_atom(dataclasses.replace(site, path=urls.ATOM_FEED), config)
    digest = builder.digest_feed(urls.DAILY_RSS_FEED, day_label)
    yield urls.DAILY_RSS_FEED, render_rss(digest, config)
    yield urls.DAILY_ATOM_FEED, render_atom(dataclasses.replace(digest, path=urls.DAILY_ATOM_FEED), config)
    for tag in builder.archive.tags:
        yield urls.tag_feed_path(tag.slug), render_rss(builder.tag_feed(tag), config)
