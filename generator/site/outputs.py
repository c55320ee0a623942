"""The table of outputs: every kind of file the site has, what each file is made from, how it renders.

A file is made from one value (a day, a paper, a tag's year...) and the Site (settings, templates,
papers prepared for display). The value is all it is made from: its reuse key is a hash of the
value (Reuse.key, or the kind's own quicker spelling of it), so a file cannot go stale while what
it shows changed. To add a kind of page, add an entry here and its template in layouts/; the
sitemap, the progress total and the build's file count follow from the table.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import urls
from generator.config import SiteConfig
from generator.read.cache import RecordCache
from generator.search.index import SearchIndex
from generator.search.shards import day_search_file, day_search_path, render_search
from generator.site import api, feeds, pages
from generator.site.archive import Archive
from generator.site.pages import Site
from generator.write.reuse import Kept, Reuse


@dataclass(frozen=True)
class SearchCache:
    """Where the search index is kept between builds, and the record cache its papers' terms come
    from (as counted when each record was parsed, in this build or the last)."""

    folder: Path
    code: str
    records: RecordCache


@dataclass(frozen=True)
class Sources:
    """What the site's files are made from: the archive, the settings, the static files, and,
    with a cache, the last build's search index."""

    archive: Archive
    config: SiteConfig
    static: dict[str, bytes]
    search: SearchCache | None = None

    @functools.cached_property
    def worked_out(self) -> dict[Output, list]:
        return {}

    def values(self, output: Output) -> list:
        """The values of a kind's files, worked out once: the sitemap asks for the pages' too."""
        found = self.worked_out.get(output)
        if found is None:
            found = self.worked_out[output] = list(output.each(self))
        return found

    @functools.cached_property
    def site_feed(self) -> feeds.PaperFeed:
        return feeds.site_feed(self.archive, self.config, self.day_places)

    @functools.cached_property
    def sitemap_parts(self) -> tuple[pages.SitePages, ...]:
        return sitemap_parts(self)

    @functools.cached_property
    def day_places(self) -> feeds.DayPlaces:
        return feeds.DayPlaces(self.archive)


@dataclass(frozen=True)
class Output:
    """One kind of file: a file for each value `each` gives, at `path(value)`, with the bytes
    `render(path, value, site)`."""

    name: str
    each: Callable[[Sources], Iterable[Any]]
    path: Callable[[Any], str]  # a site path: a page's ends in '/' and is written as its index.html
    render: Callable[[str, Any, Site], bytes]
    templated: bool = True  # made with layouts/, so a template change renders it again
    # A page for the sitemap: the day it last changed (None where unknown); without, not in the sitemap.
    lastmod: Callable[[Any], dt.date | None] | None = None
    shared: bool = False  # so many that the second process takes its share once its own work is done
    # The value's reuse key spelt by the kind itself, where it has many files and Reuse.key's general
    # spelling is slow: it must name all of the value, as Reuse.key does.
    key: Callable[[Reuse, Any], str] | None = None


@dataclass(frozen=True)
class OutputGroup:
    """Files whose number and names are known only as they are made (the search index): `files`
    yields (file, bytes or KEPT), keyed through `reuse` as an Output's are. Made in the second
    process where there is one."""

    name: str
    files: Callable[[Sources, Reuse], Iterator[tuple[str, bytes | Kept]]]


def one(value_of: Callable[[Sources], Any]) -> Callable[[Sources], tuple[Any]]:
    """`each` of a kind with one file."""
    return lambda sources: (value_of(sources),)


def at(path: str) -> Callable[[Any], str]:
    """`path` of a kind with one file."""
    return lambda value: path


def latest(sources: Sources) -> dt.date | None:
    return sources.archive.latest.date if sources.archive.latest else None


def nothing(sources: Sources) -> None:
    return None



def search_files(sources: Sources, reuse: Reuse) -> Iterator[tuple[str, bytes | Kept]]:
    """The search index's files; with a cache, the last build's index is brought up to date and kept."""
    cache = sources.search
    index = SearchIndex.load(cache.folder, cache.code) if cache else SearchIndex()
    yield from render_search(sources.archive, cache.records.terms_of if cache else None, reuse=reuse, index=index,
                             counted_before=cache.records.terms_counted if cache else None)
    if cache:
        index.save(cache.folder)


def site_pages(sources: Sources) -> pages.SitePages:
    """Every page worth indexing, with the day it last changed: the sitemap's entries, from the table."""
    paths: list[str] = []
    changed: list[dt.date | None] = []
    for output in OUTPUTS:  # a kind at a time, each column at C speed (there is a page a paper)
        if isinstance(output, Output) and output.lastmod:
            values = sources.values(output)
            paths += map(output.path, values)
            changed += map(output.lastmod, values)
    return pages.SitePages(tuple(paths), tuple(changed))


# A sitemap file may list 50,000 URLs and weigh 50 MB (the sitemaps protocol): a site with more
# pages has a sitemap index and parts. A URL line weighs well under 1 KB, so the count binds first.
SITEMAP_URLS = 50_000


def sitemap_parts(sources: Sources) -> tuple[pages.SitePages, ...]:
    """The site's pages cut into sitemap files of at most SITEMAP_URLS each (one file if they fit)."""
    every = site_pages(sources)
    return tuple(pages.SitePages(every.paths[start:start + SITEMAP_URLS], every.changed[start:start + SITEMAP_URLS],
                                 number) for number, start in enumerate(range(0, len(every.paths) or 1, SITEMAP_URLS),
                                                                        start=1))


OUTPUTS: list[Output | OutputGroup] = [
    # Pages, in the sitemap's order.
    Output("home", one(lambda s: pages.home_page(s.archive, s.config.home_min_papers)), at(urls.HOME),
           pages.render_home, lastmod=lambda home: home.latest.listing.date if home else None),
    Output("archive", one(lambda s: s.archive.years), at(urls.ARCHIVE), pages.render_archive,
           lastmod=lambda years: years[0].months[0].days[0].date if years else None),
    Output("day", lambda s: pages.day_pages(s.archive), pages.listing_path, pages.render_day,
           lastmod=lambda page: page.listing.date),
    Output("month", lambda s: pages.month_pages(s.archive), pages.listing_path, pages.render_month,
           lastmod=lambda page: page.listing.days[0].date),
    Output("year", lambda s: s.archive.years, lambda year: urls.year_path(year.year), pages.render_year,
           lastmod=lambda year: year.months[0].days[0].date),
    Output("week", lambda s: pages.week_pages(s.archive), pages.listing_path, pages.render_week,
           lastmod=lambda page: page.listing.days[0].date),
    Output("paper", lambda s: pages.paper_places(s.archive), lambda place: urls.paper_path(place.paper.slug),
           pages.render_paper, lastmod=lambda place: place.paper.day, shared=True,
           key=lambda reuse, place: f"{reuse.key(place.day)}#{place.place}"),
    Output("tags", one(lambda s: pages.tag_counts(s.archive)), at(urls.TAGS), pages.render_tags,
           lastmod=lambda tags: max((tag.latest for tag in tags), default=None)),
    Output("tag", lambda s: pages.tag_pages(s.archive), lambda tag: urls.tag_path(tag.slug), pages.render_tag,
           lastmod=lambda tag: tag.newest[0].day),
    Output("tag year", lambda s: pages.tag_year_pages(s.archive), pages.listing_path, pages.render_tag_year,
           lastmod=lambda page: page.listing.papers[0].day),
    Output("search page", one(lambda s: len(s.archive.papers)), at(urls.SEARCH), pages.render_search_page),
    Output("submit page", one(lambda s: s.config.repository), at(urls.SUBMIT), pages.render_submit_page),
    Output("404", one(lambda s: s.static.get(urls.STYLESHEET, b"")), at(urls.NOT_FOUND), pages.render_not_found),
    # Feeds.
    Output("RSS", one(lambda s: s.site_feed), at(urls.RSS_FEED), feeds.render_rss),
    Output("Atom", one(lambda s: s.site_feed), at(urls.ATOM_FEED), feeds.render_atom),
    Output("JSON Feed", one(lambda s: s.site_feed), at(urls.JSON_FEED), api.render_json_feed),
    Output("daily RSS", one(lambda s: feeds.digest_days(s.archive, s.config)), at(urls.DAILY_RSS_FEED),
           feeds.render_digest_rss),
    Output("daily Atom", one(lambda s: feeds.digest_days(s.archive, s.config)), at(urls.DAILY_ATOM_FEED),
           feeds.render_digest_atom),
    Output("tag feed", lambda s: tuple(feeds.tag_feeds(s.archive, s.config, s.day_places)),
           lambda feed: urls.tag_feed_path(feed.tag), feeds.render_rss),
    # The JSON API and the search index: no templates.
    Output("API days", one(lambda s: api.day_counts(s.archive)), at(urls.API_DAYS), api.render_days_index,
           templated=False),
    Output("API day", lambda s: s.archive.days, lambda day: urls.api_day_path(day.date), api.render_day_json,
           templated=False),
    OutputGroup("search index", search_files),
    # The search's day files (the hits' titles) need no index: made here, where the days are keyed already.
    Output("search day", lambda s: s.archive.days, day_search_path, lambda path, day, site: day_search_file(day),
           templated=False),
    # For crawlers and hosts, and the static files.
    Output("sitemap", lambda s: s.sitemap_parts if len(s.sitemap_parts) == 1 else (), at(urls.SITEMAP),
           pages.render_sitemap, templated=False),
    Output("sitemap index", lambda s: (s.sitemap_parts,) if len(s.sitemap_parts) > 1 else (), at(urls.SITEMAP),
           pages.render_sitemap_index, templated=False),
    Output("sitemap part", lambda s: s.sitemap_parts if len(s.sitemap_parts) > 1 else (),
           lambda part: urls.sitemap_part_path(part.number), pages.render_sitemap, templated=False),
    Output("robots", one(nothing), at(urls.ROBOTS), pages.render_robots, templated=False),
    Output("no Jekyll", one(nothing), at(urls.NO_JEKYLL), lambda path, value, site: b"", templated=False),
    Output("static", lambda s: tuple(s.static.items()), lambda item: item[0], lambda path, item, site: item[1],
           templated=False),
]


def render_file(output: Output, value: Any, site: Site, reuse: Reuse) -> tuple[str, bytes | Kept]:
    """One file of a kind: (file, bytes), or (file, KEPT) when the last build made it from the same value."""
    path = output.path(value)
    return reuse.render_file(urls.file_for(path), value, functools.partial(output.render, path), site,
                             kind=output.name, templated=output.templated,
                             key=None if output.key is None else output.key(reuse, value))
