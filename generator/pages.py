"""Turn the archive into HTML pages: finished data in, rendered bytes out, templates do layout."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import jinja2

from generator import urls
from generator.archive import Archive, Day, Month, Tag, Week, Year
from generator.bibtex import bibtex_entry
from generator.calendars import MonthCalendar, month_calendar, week_title
from generator.config import SiteConfig
from generator.markup import plain_summary
from generator.records import Paper
from generator.reuse import Kept, Reuse

LINK_LABELS = {
    "pdf": "PDF", "code": "Code", "project": "Project page", "huggingface": "Hugging Face",
    "dataset": "Dataset", "demo": "Demo", "video": "Video", "blog": "Blog post", "doi": "DOI",
}
AUTHORS_ON_CARDS = 5
TAG_PAGE_PAPERS = 30  # a tag's page shows its newest papers; its year pages show the rest


def count_label(number: int, noun: str) -> str:
    """Say how many: `1 paper`, `3 papers`."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def long_date(date: dt.date) -> str:
    return f"{date:%A}, {date.day} {date:%B %Y}"


def short_date(date: dt.date) -> str:
    return f"{date.day} {date:%b %Y}"


def month_name(year: int, month: int) -> str:
    return f"{dt.date(year, month, 1):%B %Y}"


@dataclass(frozen=True)
class Nav:
    """A link with its words, such as the previous day."""

    path: str
    label: str


@dataclass(frozen=True)
class FeedLink:
    """A feed as a page's head announces it and its subscribe links show it."""

    path: str
    type: str
    title: str
    label: str


def site_feed_links(config: SiteConfig) -> tuple[FeedLink, ...]:
    return (
        FeedLink(urls.RSS_FEED, "application/rss+xml", f"{config.title} (RSS)", "RSS"),
        FeedLink(urls.ATOM_FEED, "application/atom+xml", f"{config.title} (Atom)", "Atom"),
        FeedLink(urls.JSON_FEED, "application/feed+json", f"{config.title} (JSON Feed)", "JSON Feed"),
        FeedLink(urls.DAILY_RSS_FEED, "application/rss+xml", f"{config.title}: daily digest (RSS)",
                 "Daily digest"),
    )


def tag_feed_link(tag: Tag, config: SiteConfig) -> FeedLink:
    return FeedLink(urls.tag_feed_path(tag.slug), "application/rss+xml",
                    f"{config.title}: {tag.name} (RSS)", f"{tag.name} (RSS)")


@dataclass(frozen=True)
class PaperView:
    """A paper with everything its page and its cards display, worked out once."""

    paper: Paper
    path: str
    day: Nav
    published: str | None
    authors_short: str  # "A, B, C, D, E and 8 more", for feeds and lists
    authors_lead: str | None  # "A, B, C et al." when the list is long enough to fold on cards
    tags: tuple[Nav, ...]
    links: tuple[Nav, ...]  # absolute outside URLs
    summary: str
    bibtex: str


def short_authors(authors: tuple[str, ...]) -> str:
    """The first authors and how many more: "A, B, C, D, E and 8 more"."""
    shown = ", ".join(authors[:AUTHORS_ON_CARDS])
    return f"{shown} and {len(authors) - AUTHORS_ON_CARDS} more" if len(authors) > AUTHORS_ON_CARDS else shown


def paper_view(paper: Paper, tags: tuple[Tag, ...]) -> PaperView:
    """Prepare what pages show of one paper."""
    authors = paper.authors
    links = []
    if paper.arxiv_base:
        links.append(Nav(urls.arxiv_abs_url(paper.arxiv_base), "arXiv"))
    if paper.link("pdf") or paper.arxiv_base:
        links.append(Nav(paper.link("pdf") or urls.arxiv_pdf_url(paper.arxiv_base), "PDF"))
    links += [Nav(link.url, LINK_LABELS[link.kind]) for link in paper.links if link.kind != "pdf"]
    return PaperView(
        paper=paper,
        path=urls.paper_path(paper.slug),
        day=Nav(urls.day_path(paper.day), short_date(paper.day)),
        published=short_date(paper.published) if paper.published else None,
        authors_short=short_authors(authors),
        authors_lead=", ".join(authors[:3]) + " et al." if len(authors) > AUTHORS_ON_CARDS else None,
        tags=tuple(Nav(urls.tag_path(tag.slug), tag.name) for tag in tags),
        links=tuple(links),
        summary=plain_summary(paper.abstract),
        bibtex=bibtex_entry(paper),
    )


def scholar_meta(view: PaperView, config: SiteConfig) -> list[tuple[str, str]]:
    """Return the Google Scholar `citation_*` meta tags of a paper page, in order."""
    paper = view.paper
    meta = [("citation_title", paper.title)]
    meta += [("citation_author", name) for name in paper.authors]
    date = paper.published or paper.day
    meta.append(("citation_publication_date", f"{date:%Y/%m/%d}"))
    if paper.arxiv_base:
        meta.append(("citation_arxiv_id", paper.arxiv_base))
    pdf = paper.link("pdf") or (urls.arxiv_pdf_url(paper.arxiv_base) if paper.arxiv_base else None)
    if pdf:
        meta.append(("citation_pdf_url", pdf))
    meta.append(("citation_abstract_html_url", urls.absolute_url(config.base_url, view.path)))
    return meta


class PageRenderer:
    """Render templates for pages at known site paths, linking everything relatively."""

    def __init__(self, layouts_dir: Path, config: SiteConfig):
        self.config = config
        self.environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(layouts_dir),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.environment.filters["count"] = count_label
        self.site_feeds = site_feed_links(config)

    def fragment(self, template: str, **context) -> str:
        """Render a piece of HTML that is not a page, such as a feed item's body."""
        return self.environment.get_template(template).render(**context)

    def render(self, template: str, path: str, *, rooted: bool = False, **context) -> bytes:
        """Render one page; `rooted` pages (404) link from the host root, since they show anywhere."""
        def from_root(target: str) -> str:
            return urls.rooted_url(self.config.base_url, target)

        url = from_root if rooted else urls.relative_urls_from(path)

        title = context.pop("title")
        context.setdefault("description", self.config.description)
        context.setdefault("og_type", "article" if template == "paper.html" else "website")
        context.setdefault("feeds", self.site_feeds)
        html = self.environment.get_template(template).render(
            site=self.config,
            title=title,
            full_title=title if title == self.config.title else f"{title} · {self.config.title}",
            url=url,
            canonical=urls.absolute_url(self.config.base_url, path),
            nav_home=urls.HOME,
            nav_archive=urls.ARCHIVE,
            nav_tags=urls.TAGS,
            stylesheet=urls.STYLESHEET,
            favicon=urls.FAVICON,
            copy_script=urls.COPY_SCRIPT,
            search_script=urls.SEARCH_SCRIPT,
            search_page=urls.SEARCH,
            **context,
        )
        return html.encode("utf-8")


def day_nav(day: Day) -> dict[str, Nav | None]:
    return {
        "previous": Nav(urls.day_path(day.previous), short_date(day.previous)) if day.previous else None,
        "next": Nav(urls.day_path(day.next), short_date(day.next)) if day.next else None,
    }


class PaperViews(dict):
    """Every paper prepared for display, each worked out the first time something asks for it
    (a build that renders few pages prepares few papers)."""

    def __init__(self, archive: Archive):
        super().__init__()
        self.archive = archive

    def __missing__(self, slug: str) -> PaperView:
        view = self[slug] = paper_view(self.archive.papers[slug], self.archive.tags_of_paper[slug])
        return view


def paper_views(archive: Archive) -> PaperViews:
    """Prepare papers for display once; pages, feeds and the API all read these."""
    return PaperViews(archive)


def render_pages(
    archive: Archive, views: dict[str, PaperView], renderer: PageRenderer, reuse: Reuse | None = None,
    paper_slugs: Iterable[str] | None = None,
) -> Iterator[tuple[str, bytes | Kept]]:
    """Yield (output file, bytes) for every HTML page of the site; (output file, KEPT) for a page
    whose file the last build made from the same ingredients. Paper pages are made for
    `paper_slugs` (by default every paper: a second process may take some, see build.py)."""
    config = renderer.config
    reuse = reuse or Reuse()

    def cards(papers: tuple[Paper, ...]) -> list[PaperView]:
        return [views[paper.slug] for paper in papers]

    def day_page(day: Day, path: str, is_home: bool) -> tuple[str, bytes | Kept]:
        return reuse.file(urls.file_for(path),
                          ("day", is_home, day.date, day.previous, day.next, reuse.papers(day.papers)),
                          render_day, day, path, renderer, cards, is_home)

    def days_of(days: tuple[Day, ...]) -> tuple:
        return tuple((day.date, reuse.papers(day.papers)) for day in days)

    if archive.latest:
        yield day_page(archive.latest, urls.HOME, True)
    else:
        yield urls.file_for(urls.HOME), renderer.render("empty.html", urls.HOME, title=config.title)
    for day in archive.days:
        yield day_page(day, urls.day_path(day.date), False)
    calendars = {(month.year, month.month): month_calendar(month) for month in archive.months}
    for month in archive.months:
        yield reuse.file(urls.file_for(urls.month_path(month.year, month.month)),
                         ("month", month.year, month.month, days_of(month.days)),
                         render_month, month, calendars[(month.year, month.month)], renderer, cards)
    for year in archive.years:
        yield urls.file_for(urls.year_path(year.year)), render_year(year, renderer)
    for week in archive.weeks:
        yield reuse.file(urls.file_for(urls.week_path(week.year, week.week)),
                         ("week", week.year, week.week, week.previous, week.next, days_of(week.days)),
                         render_week, week, renderer, cards)
    yield urls.file_for(urls.ARCHIVE), renderer.render(
        "archive.html", urls.ARCHIVE, title="Archive", years=[
            (Nav(urls.year_path(year.year), str(year.year)),
             [calendars[(month.year, month.month)] for month in year.months])
            for year in archive.years
        ], paper_count=len(archive.papers), day_count=len(archive.days),
    )
    yield from render_paper_pages(archive.papers if paper_slugs is None else paper_slugs, archive, views,
                                  renderer, reuse)
    for tag in archive.tags:
        years = tag.years
        counts = [(year, len(papers)) for year, papers in years]
        newest = tag.papers[:TAG_PAGE_PAPERS]
        yield reuse.file(urls.file_for(urls.tag_path(tag.slug)),
                         ("tag", tag.slug, tag.name, len(tag.papers), counts, reuse.papers(newest)),
                         render_tag, tag, newest, counts, renderer, cards)
        for place, (year, papers) in enumerate(years):
            later = years[place - 1][0] if place else None
            earlier = years[place + 1][0] if place + 1 < len(years) else None
            yield reuse.file(urls.file_for(urls.tag_year_path(tag.slug, year)),
                             ("tag year", tag.slug, tag.name, year, earlier, later, reuse.papers(papers)),
                             render_tag_year, tag, year, papers, earlier, later, renderer, cards)
    yield urls.file_for(urls.TAGS), renderer.render(
        "tags.html", urls.TAGS, title="Tags",
        tags=[(Nav(urls.tag_path(tag.slug), tag.name), len(tag.papers)) for tag in archive.tags],
    )
    yield urls.file_for(urls.SEARCH), renderer.render("search.html", urls.SEARCH, title="Search",
                                                      paper_count=len(archive.papers))
    yield urls.NOT_FOUND, renderer.render("404.html", urls.NOT_FOUND, rooted=True, title="Page not found")


def render_paper_pages(slugs: Iterable[str], archive: Archive, views: dict[str, PaperView], renderer: PageRenderer,
                       reuse: Reuse) -> Iterator[tuple[str, bytes | Kept]]:
    for slug in slugs:
        yield reuse.file(urls.file_for(urls.paper_path(slug)), ("paper", reuse.paper(archive.papers[slug])),
                         render_paper, slug, views, renderer)


def render_paper(slug: str, views: dict[str, PaperView], renderer: PageRenderer) -> bytes:
    view = views[slug]
    return renderer.render("paper.html", view.path, title=view.paper.title, view=view,
                           meta=scholar_meta(view, renderer.config), description=view.summary)


def render_tag(tag: Tag, newest: tuple[Paper, ...], counts: list[tuple[int, int]], renderer: PageRenderer,
               cards: Callable) -> bytes:
    path = urls.tag_path(tag.slug)
    feeds = (tag_feed_link(tag, renderer.config), *renderer.site_feeds)
    years = [(Nav(urls.tag_year_path(tag.slug, year), str(year)), count) for year, count in counts]
    return renderer.render("tag.html", path, title=f"Papers tagged {tag.name}", tag=tag, papers=cards(newest),
                           paper_count=len(tag.papers), years=years, feeds=feeds, subscribe=feeds[:1])


def render_tag_year(tag: Tag, year: int, papers: tuple[Paper, ...], earlier: int | None, later: int | None,
                    renderer: PageRenderer, cards: Callable) -> bytes:
    path = urls.tag_year_path(tag.slug, year)
    feeds = (tag_feed_link(tag, renderer.config), *renderer.site_feeds)

    def year_nav(other: int | None) -> Nav | None:
        return Nav(urls.tag_year_path(tag.slug, other), str(other)) if other is not None else None

    return renderer.render("tag_year.html", path, title=f"Papers tagged {tag.name} in {year}", tag=tag,
                           tag_page=Nav(urls.tag_path(tag.slug), tag.name), year=year, papers=cards(papers),
                           previous=year_nav(earlier), next=year_nav(later), feeds=feeds)


def render_day(day: Day, path: str, renderer: PageRenderer, cards: Callable, is_home: bool) -> bytes:
    iso = day.date.isocalendar()
    return renderer.render(
        "day.html", path,
        title=renderer.config.title if is_home else f"Papers of {long_date(day.date)}",
        heading=long_date(day.date), day_path=urls.day_path(day.date), is_home=is_home,
        subscribe=renderer.site_feeds,
        papers=cards(day.papers), month=Nav(urls.month_path(day.date.year, day.date.month),
                                            month_name(day.date.year, day.date.month)),
        week=Nav(urls.week_path(iso.year, iso.week), f"Week {iso.week}"),
        **day_nav(day),
    )


def day_cards(days: tuple[Day, ...], cards: Callable) -> list[tuple[Nav, list[PaperView]]]:
    """Each day's heading link and its paper cards, for month and week pages."""
    return [(Nav(urls.day_path(day.date), long_date(day.date)), cards(day.papers)) for day in days]


def render_month(month: Month, month_grid: MonthCalendar, renderer: PageRenderer, cards: Callable) -> bytes:
    path = urls.month_path(month.year, month.month)
    return renderer.render(
        "month.html", path, title=month_name(month.year, month.month), days=day_cards(month.days, cards),
        year=Nav(urls.year_path(month.year), str(month.year)), paper_count=month.paper_count,
        calendar=month_grid,
    )


def render_week(week: Week, renderer: PageRenderer, cards: Callable) -> bytes:
    path = urls.week_path(week.year, week.week)
    previous = Nav(urls.week_path(*week.previous), f"Week {week.previous[1]}") if week.previous else None
    following = Nav(urls.week_path(*week.next), f"Week {week.next[1]}") if week.next else None
    return renderer.render(
        "week.html", path, title=week_title(week), days=day_cards(week.days, cards),
        paper_count=week.paper_count, previous=previous, next=following,
    )


def render_year(year: Year, renderer: PageRenderer) -> bytes:
    path = urls.year_path(year.year)
    months = [(Nav(urls.month_path(month.year, month.month), month_name(month.year, month.month)),
               len(month.days), month.paper_count) for month in year.months]
    return renderer.render(
        "year.html", path, title=str(year.year), months=months, paper_count=year.paper_count,
    )


def sitemap_paths(archive: Archive) -> list[tuple[str, dt.date | None]]:
    """List every page worth indexing with the date it last changed, if known."""
    latest = archive.latest.date if archive.latest else None
    entries: list[tuple[str, dt.date | None]] = [(urls.HOME, latest), (urls.ARCHIVE, latest)]
    entries += [(urls.day_path(day.date), day.date) for day in archive.days]
    entries += [(urls.month_path(m.year, m.month), m.days[0].date) for m in archive.months]
    entries += [(urls.year_path(y.year), y.months[0].days[0].date) for y in archive.years]
    entries += [(urls.week_path(w.year, w.week), w.days[0].date) for w in archive.weeks]
    entries += [(urls.paper_path(slug), archive.papers[slug].day) for slug in sorted(archive.papers)]
    entries += [(urls.TAGS, latest)] + [(urls.tag_path(tag.slug), tag.papers[0].day) for tag in archive.tags]
    entries += [(urls.tag_year_path(tag.slug, year), papers[0].day)
                for tag in archive.tags for year, papers in tag.years]
    return entries


def render_sitemap(archive: Archive, config: SiteConfig) -> bytes:
    """Return sitemap.xml listing every page with its absolute address."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for path, changed in sitemap_paths(archive):
        lastmod = f"<lastmod>{changed.isoformat()}</lastmod>" if changed else ""
        location = xml_escape(urls.absolute_url(config.base_url, path))
        lines.append(f"  <url><loc>{location}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def render_robots(config: SiteConfig) -> bytes:
    """Return robots.txt, allowing everything and pointing at the sitemap."""
    sitemap = urls.absolute_url(config.base_url, urls.SITEMAP)
    return f"User-agent: *\nAllow: /\n\nSitemap: {sitemap}\n".encode()
