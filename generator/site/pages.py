"""Turn the archive into HTML pages: finished data in, rendered bytes out, templates do layout."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import json
import re
import traceback
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import jinja2
import msgspec
from markupsafe import Markup

from generator import urls
from generator.config import SiteConfig
from generator.problems import Problem
from generator.read.listing import display_path
from generator.read.markup import plain_summaries
from generator.read.records import (
    HANDLE,
    LINK_KINDS,
    MAX_ABSTRACT,
    MAX_AUTHORS,
    MAX_NAME,
    MAX_TAGS,
    MAX_TITLE,
    NEW_ARXIV_ID,
    OLD_ARXIV_ID,
    TAG,
    Paper,
    is_web_url,
)
from generator.site.archive import Archive, Day, Month, Tag, Week, Year
from generator.site.bibtex import bibtex_entry, is_organisation
from generator.site.calendars import month_calendar, week_counts, week_title, year_overview
from generator.site.escaping import PageEnvironment

LINK_LABELS = {
    "pdf": "PDF", "code": "Code", "project": "Project page", "huggingface": "Hugging Face",
    "dataset": "Dataset", "demo": "Demo", "video": "Video", "blog": "Blog post", "doi": "DOI",
}
AUTHORS_ON_CARDS = 5
TAG_PAGE_PAPERS = 30  # a tag's page shows its newest papers; its year pages show the rest
# Lists cut into pages of this many, so that a page stays light on the busiest day or tag: a day's
# papers with the opening of each abstract; the compact entries of a week, month or tag's year.
# A busy Hugging Face day (the seed's has 57 papers) is still one page.
DAY_PAGE_PAPERS = 60
LIST_PAGE_PAPERS = 100
LEAD_PAPERS = 10  # a week's or month's first page leads with its most upvoted papers
NAVIGATION_BELOW_AFTER = 3  # a list of more cards than this repeats its navigation below it
SUMMARY = 200  # characters of its abstract a paper's description (meta, feeds) shows
OPENING = 300  # characters of its abstract a paper shows on its day's page


def count_label(number: int, noun: str) -> str:
    """Say how many: `1 paper`, `3 papers`, `100,150 papers`."""
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"


def long_date(date: dt.date) -> str:
    return f"{date:%A}, {date.day} {date:%B %Y}"


def short_date(date: dt.date) -> str:
    return f"{date.day} {date:%b %Y}"


# A day is linked from each of its papers' views and pages: its link made once (bounded, for a long-lived serve).
@functools.lru_cache(maxsize=1 << 16)
def day_link(date: dt.date) -> Nav:
    """The link to a day's page, labelled with its short date."""
    return Nav(urls.day_path(date), short_date(date))


def month_name(year: int, month: int) -> str:
    return f"{dt.date(year, month, 1):%B %Y}"


@dataclass(frozen=True)
class Nav:
    """A link with its words, such as the previous day."""

    path: str
    label: str


def archive_trail(year: int | None = None, month: int | None = None, day: dt.date | None = None) -> tuple[Nav, ...]:
    """The breadcrumbs of a dated page: the archive, then its year, month and day, as far as given."""
    steps = [Nav(urls.ARCHIVE, "Archive")]
    if year is not None:
        steps.append(Nav(urls.year_path(year), str(year)))
    if year is not None and month is not None:
        steps.append(Nav(urls.month_path(year, month), f"{dt.date(year, month, 1):%B}"))
    if day is not None:
        steps.append(day_link(day))
    return tuple(steps)


TAGS_TRAIL = (Nav(urls.TAGS, "Tags"),)


@dataclass(frozen=True)
class PaperPlace:
    """A paper and where it stands on its day's page: the papers either side, and how many there
    are. Made of the day itself, whose reuse key every paper of the day shares (worked out once)."""

    day: Day
    place: int  # the paper's place on its day's page

    @property
    def paper(self) -> Paper:
        return self.day.papers[self.place]

    @property
    def previous(self) -> Nav | None:
        return paper_nav(self.day.papers[self.place - 1]) if self.place else None

    @property
    def next(self) -> Nav | None:
        return paper_nav(self.day.papers[self.place + 1]) if self.place + 1 < len(self.day.papers) else None

    @property
    def day_papers(self) -> int:
        return len(self.day.papers)


def paper_nav(paper: Paper) -> Nav:
    return Nav(urls.paper_path(paper.slug), paper.title)


def paper_places(archive: Archive) -> list[PaperPlace]:
    """Every paper with its place on its day's page, by slug."""
    places = [(paper.slug, PaperPlace(day, place)) for day in archive.days for place, paper in enumerate(day.papers)]
    places.sort(key=itemgetter(0))
    return [place for _, place in places]


@dataclass(frozen=True)
class Preload:
    """A file a page will ask for, and what it is to the browser (script or fetch)."""

    path: str
    kind: str

    @property
    def crossorigin(self) -> bool:
        # A fetch() is made in CORS mode; its preload must be too, or the browser fetches it twice.
        return self.kind == "fetch"


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
        FeedLink(urls.DAILY_ATOM_FEED, "application/atom+xml", f"{config.title}: daily digest (Atom)",
                 "Daily digest (Atom)"),
    )


MAIN_FEEDS = 2  # the site's RSS and Atom feeds, which every page announces; the home page announces all


SOCIAL_IMAGE = "static/social.png"  # reads "Daily Papers": replace it with your own, or set `image:`


def preview_image(config: SiteConfig, layouts_dir: Path) -> str | None:
    """The full address of the picture link previews show: the one site.yaml names, else the
    layouts' social.png, else none."""
    if config.image:
        return config.image if is_web_url(config.image) else urls.absolute_url(config.base_url, config.image)
    if (layouts_dir / SOCIAL_IMAGE).is_file():
        return urls.absolute_url(config.base_url, SOCIAL_IMAGE)
    return None


def tag_feed_link(slug: str, name: str, config: SiteConfig) -> FeedLink:
    return FeedLink(urls.tag_feed_path(slug), "application/rss+xml", f"{config.title}: {name} (RSS)",
                    f"{name} (RSS)")


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
    opening: str  # the abstract's first sentences, plain, for its day's page
    submitter: Nav | None  # the GitHub profile of who submitted it, as "@handle"

    @functools.cached_property
    def bibtex(self) -> str:
        """Worked out when a page shows it: only the paper's own page does, and cards are many."""
        return bibtex_entry(self.paper)


def short_authors(authors: tuple[str, ...]) -> str:
    """The first authors and how many more: "A, B, C, D, E and 8 more"."""
    shown = ", ".join(authors[:AUTHORS_ON_CARDS])
    return f"{shown} and {len(authors) - AUTHORS_ON_CARDS} more" if len(authors) > AUTHORS_ON_CARDS else shown


def paper_view(paper: Paper, tags: tuple[Tag, ...]) -> PaperView:
    """Prepare what pages show of one paper."""
    authors = paper.authors
    summary, opening = plain_summaries(paper.abstract, (SUMMARY, OPENING))
    links = []
    if paper.arxiv_base:
        links.append(Nav(urls.arxiv_abs_url(paper.arxiv_base), "arXiv"))
    if paper.link("pdf") or paper.arxiv_base:
        links.append(Nav(paper.link("pdf") or urls.arxiv_pdf_url(paper.arxiv_base), "PDF"))
    links += [Nav(link.url, LINK_LABELS[link.kind]) for link in paper.links if link.kind != "pdf"]
    return PaperView(
        paper=paper,
        path=urls.paper_path(paper.slug),
        day=day_link(paper.day),
        published=short_date(paper.published) if paper.published else None,
        authors_short=short_authors(authors),
        authors_lead=", ".join(authors[:3]) + " et al." if len(authors) > AUTHORS_ON_CARDS else None,
        tags=tuple(Nav(urls.tag_path(tag.slug), tag.name) for tag in tags),
        links=tuple(links),
        summary=summary,
        opening=opening,
        submitter=Nav(urls.github_profile_url(paper.submitted_by), "@" + paper.submitted_by)
        if paper.submitted_by else None,
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


def scholarly_article(view: PaperView, config: SiteConfig) -> Markup:
    """A paper as schema.org's ScholarlyArticle, as JSON-LD for search engines: safe inside a
    <script> whatever a record holds, since every <, > and & is written as a JSON escape."""
    paper = view.paper
    page = urls.absolute_url(config.base_url, view.path)
    data = {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "name": paper.title,
        "headline": paper.title[:110],  # what Google reads of a headline
        "author": [{"@type": "Organization" if is_organisation(name) else "Person", "name": name}
                   for name in paper.authors],
        "datePublished": (paper.published or paper.day).isoformat(),
        "abstract": paper.abstract,
        "url": page,
        "mainEntityOfPage": page,
    }
    if paper.arxiv_base:
        data["identifier"] = {"@type": "PropertyValue", "propertyID": "arXiv", "value": paper.arxiv_base}
        data["sameAs"] = urls.arxiv_abs_url(paper.arxiv_base)
    if paper.tags:
        data["keywords"] = list(paper.tags)
    text = msgspec.json.encode(data).decode()  # json.dumps' bytes (no floats here), quicker
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


@contextlib.contextmanager
def template_located() -> Iterator[None]:
    """Mark an error raised while a template renders with the template and line that raised it
    (Jinja puts them in the traceback only, which a second process's error does not bring back)."""
    try:
        yield
    except jinja2.TemplateError as error:
        frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename.endswith(".html")]
        if frames and not getattr(error, "lineno", None):
            error.template_file, error.template_line = frames[-1].filename, frames[-1].lineno
        raise


def template_problem(error: jinja2.TemplateError, layouts_dir: Path) -> Problem:
    """Point at the template line that broke: where Jinja read it wrong, or where rendering it failed."""
    name = (getattr(error, "filename", None) or getattr(error, "template_file", None) or getattr(error, "name", None)
            or str(layouts_dir))
    line = getattr(error, "lineno", None) or getattr(error, "template_line", None) or 1
    return Problem(display_path(name), line, "template", str(error.message or error))


class PageRenderer:
    """Render templates for pages at known site paths, linking everything relatively."""

    def __init__(self, layouts_dir: Path, config: SiteConfig):
        self.config = config
        self.environment = PageEnvironment(
            loader=jinja2.FileSystemLoader(layouts_dir),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,  # a build's templates are read once: no page looks at their files again
        )
        self.environment.filters["count"] = count_label
        self.site_feeds = site_feed_links(config)
        self.main_feeds = self.site_feeds[:MAIN_FEEDS]
        self.preview_image = preview_image(config, layouts_dir)

    def fragment(self, template: str, **context) -> str:
        """Render a piece of HTML that is not a page, such as a feed item's body."""
        with template_located():
            return self.environment.get_template(template).render(**context)

    def render(self, template: str, path: str, *, absolute: bool = False, **context) -> bytes:
        """Render one page; `absolute` pages (404) link by full address, since a host shows them at
        any address, even outside the site's own path."""
        def in_full(target: str) -> str:
            return urls.absolute_url(self.config.base_url, target)

        url = in_full if absolute else urls.relative_urls_from(path)

        title = context.pop("title")
        context.setdefault("description", self.config.description)
        context.setdefault("inline_style", None)  # a page links the site's stylesheet unless given its text
        context.setdefault("og_type", "article" if template == "paper.html" else "website")
        context.setdefault("feeds", self.main_feeds)
        with template_located():
            html = self.environment.get_template(template).render(
                site=self.config,
                preview_image=self.preview_image,
                title=title,
                full_title=title if title == self.config.title else f"{title} · {self.config.title}",
                url=url,
                chrome=chrome_links(url),
                canonical=urls.absolute_url(self.config.base_url, path),
                **context,
            )
        return html.encode("utf-8")


@dataclass(frozen=True)
class Chrome:
    """The links of a page's head, header and footer, relative to the page."""

    home: str
    archive: str
    tags: str
    search: str
    submit: str
    stylesheet: str
    favicon: str
    site_script: str
    search_script: str
    copy_script: str


def chrome_links(url: Callable[[str], str]) -> Chrome:
    return Chrome(home=url(urls.HOME), archive=url(urls.ARCHIVE), tags=url(urls.TAGS), search=url(urls.SEARCH),
                  submit=url(urls.SUBMIT), stylesheet=url(urls.STYLESHEET), favicon=url(urls.FAVICON),
                  site_script=url(urls.SITE_SCRIPT), search_script=url(urls.SEARCH_SCRIPT),
                  copy_script=url(urls.COPY_SCRIPT))


def day_nav(day: Day) -> dict[str, Nav | None]:
    return {
        "previous": day_link(day.previous) if day.previous else None,
        "next": day_link(day.next) if day.next else None,
    }


class PaperViews(dict):
    """Every paper prepared for display, each worked out the first time something asks for it
    (a build that renders few pages prepares few papers)."""

    def __init__(self, archive: Archive):
        super().__init__()
        self.archive = archive

    def __missing__(self, slug: str) -> PaperView:
        paper = self.archive.papers[slug]
        view = self[slug] = paper_view(paper, self.archive.tags_of(paper))
        return view


class Site:
    """What every render may use besides the value it is given: the settings, the templates, and
    the papers prepared for display (a paper's view is made from the paper and its tags' names,
    which the paper's reuse token covers)."""

    def __init__(self, archive: Archive, renderer: PageRenderer):
        self.config = renderer.config
        self.renderer = renderer
        self.views = PaperViews(archive)
        self.shared: dict = {}  # pieces several files share (a feed item is in several feeds), by what they are

    def cards(self, papers: Iterable[Paper], without_tag: str | None = None) -> list[PaperView]:
        """The papers' views; on a tag's pages (`without_tag`, its path) each lists only its other tags."""
        views = [self.views[paper.slug] for paper in papers]
        if without_tag is None:
            return views
        return [dataclasses.replace(v, tags=tuple(t for t in v.tags if t.path != without_tag)) for v in views]

    def page(self, template: str, path: str, **context) -> bytes:
        return self.renderer.render(template, path, **context)


@dataclass(frozen=True)
class TagYear:
    """A tag's papers of one year, with the years before and after it that have some."""

    slug: str
    name: str
    year: int
    papers: tuple[Paper, ...]
    earlier: int | None
    later: int | None


def tag_years(archive: Archive) -> Iterator[TagYear]:
    for tag in archive.tags:
        years = tag.years
        for place, (year, papers) in enumerate(years):
            later = years[place - 1][0] if place else None
            earlier = years[place + 1][0] if place + 1 < len(years) else None
            yield TagYear(tag.slug, tag.name, year, papers, earlier, later)


@dataclass(frozen=True)
class ListPage:
    """One page of a list of papers (a day's, week's, month's or tag year's), numbered from 1 of `pages`."""

    listing: Day | Week | Month | TagYear
    number: int
    pages: int
    start: int  # where this page's papers begin in the whole list
    end: int

    @functools.cached_property
    def papers(self) -> tuple[Paper, ...]:
        """This page's papers: made of the listing, so that a page's key walks them only there (a
        listing is keyed once for all its pages, and its days are keyed for their own pages)."""
        return self.listing.papers[self.start:self.end]


def cut_into_pages(listing: Day | Week | Month | TagYear, size: int) -> tuple[ListPage, ...]:
    total = len(listing.papers)
    count = max(1, -(-total // size))
    return tuple(ListPage(listing, number, count, start, min(start + size, total))
                 for number, start in enumerate(range(0, count * size, size), start=1))


def day_pages(archive: Archive) -> list[ListPage]:
    return [page for day in archive.days for page in cut_into_pages(day, DAY_PAGE_PAPERS)]


def week_pages(archive: Archive) -> list[ListPage]:
    return [page for week in archive.weeks for page in cut_into_pages(week, LIST_PAGE_PAPERS)]


def month_pages(archive: Archive) -> list[ListPage]:
    return [page for month in archive.months for page in cut_into_pages(month, LIST_PAGE_PAPERS)]


def tag_year_pages(archive: Archive) -> list[ListPage]:
    return [page for year in tag_years(archive) for page in cut_into_pages(year, LIST_PAGE_PAPERS)]


@dataclass(frozen=True)
class HomePage:
    """The newest day's first page, and, when it holds few papers, the whole days before it."""

    latest: ListPage
    earlier: tuple[Day, ...]


def home_page(archive: Archive, min_papers: int) -> HomePage | None:
    """The first page of the newest day, followed by earlier days while the page holds fewer
    than `min_papers` papers (a slow week's reader sees more than one paper), or None for an
    empty archive."""
    if not archive.latest:
        return None
    latest = cut_into_pages(archive.latest, DAY_PAGE_PAPERS)[0]
    earlier: list[Day] = []
    shown = len(latest.papers)
    for day in archive.days[1:]:
        if shown >= min_papers or shown + len(day.papers) > DAY_PAGE_PAPERS:
            break
        earlier.append(day)
        shown += len(day.papers)
    return HomePage(latest, tuple(earlier))


def listing_path(page: ListPage) -> str:
    """The site path of a page of a list: the list's own path, then `page/2/` and on."""
    return list_page_path(page.listing, page.number)


def list_page_path(listing: Day | Week | Month | TagYear, number: int) -> str:
    if isinstance(listing, Day):
        first = urls.day_path(listing.date)
    elif isinstance(listing, Week):
        first = urls.week_path(listing.year, listing.week)
    elif isinstance(listing, Month):
        first = urls.month_path(listing.year, listing.month)
    else:
        first = urls.tag_year_path(listing.slug, listing.year)
    return urls.page_path(first, number)


@dataclass(frozen=True)
class PageNumber:
    """A link to one page of a list, as its page numbers show it."""

    path: str
    label: str
    current: bool


@dataclass(frozen=True)
class PageLinks:
    """The numbered pages of a list, and the pages before and after the one shown."""

    numbers: tuple[PageNumber, ...]
    previous: PageNumber | None
    next: PageNumber | None


def page_numbers(page: ListPage) -> PageLinks | None:
    """Links to every page of the list a page is in (None when the list fits on one)."""
    if page.pages == 1:
        return None
    numbers = tuple(PageNumber(list_page_path(page.listing, number), str(number), number == page.number)
                    for number in range(1, page.pages + 1))
    return PageLinks(numbers, numbers[page.number - 2] if page.number > 1 else None,
                     numbers[page.number] if page.number < page.pages else None)


def most_upvoted(papers: tuple[Paper, ...], count: int) -> list[Paper]:
    """The most upvoted papers, newer first among equals, then in their day's order."""
    ranked = sorted(enumerate(papers), key=lambda item: (-item[1].upvotes, -item[1].day.toordinal(), item[0]))
    return [paper for _, paper in ranked[:count]]


def on_page(title: str, page: ListPage) -> str:
    return title if page.number == 1 else f"{title} (page {page.number} of {page.pages})"


def page_of(page: ListPage) -> str | None:
    """Where a page stands in its list, said under its heading: "page 2 of 4"."""
    return f"page {page.number} of {page.pages}" if page.pages > 1 else None


def lead_of(page: ListPage, papers: tuple[Paper, ...], site: Site) -> list[PaperView]:
    """The most upvoted papers a week's or month's first page leads with, when it has more than those."""
    if page.number > 1 or len(papers) <= LEAD_PAPERS:
        return []
    return site.cards(most_upvoted(papers, LEAD_PAPERS))


def render_home(path: str, home: HomePage | None, site: Site) -> bytes:
    if home is None:
        return site.page("empty.html", path, title=site.config.title)
    earlier = [(Nav(urls.day_path(day.date), long_date(day.date)), site.cards(day.papers)) for day in home.earlier]
    return day_page(path, home.latest, site, is_home=True, earlier=earlier)


def render_day(path: str, page: ListPage, site: Site) -> bytes:
    return day_page(path, page, site, is_home=False)


def day_page(path: str, page: ListPage, site: Site, is_home: bool, earlier: list | None = None) -> bytes:
    day = page.listing
    iso = day.date.isocalendar()
    return site.page(
        "day.html", path,
        title=site.config.title if is_home else on_page(f"Papers of {long_date(day.date)}", page),
        heading=long_date(day.date), day_path=urls.day_path(day.date), is_home=is_home,
        subscribe=site.renderer.site_feeds, paper_count=len(day.papers), pages=page_numbers(page),
        feeds=site.renderer.site_feeds if is_home else site.renderer.main_feeds,
        page_of=page_of(page), earlier=earlier or [],
        navigation_below=len(page.papers) + sum(len(cards) for _, cards in earlier or []) > NAVIGATION_BELOW_AFTER,
        trail=() if is_home else archive_trail(day.date.year, day.date.month),
        papers=site.cards(page.papers), month=Nav(urls.month_path(day.date.year, day.date.month),
                                                  month_name(day.date.year, day.date.month)),
        week=Nav(urls.week_path(iso.year, iso.week), f"Week {iso.week}"),
        **day_nav(day),
    )


def render_archive(path: str, years: tuple[Year, ...], site: Site) -> bytes:
    """Every year at a glance, newest first: its months and its weeks, linked where they have papers
    (a calendar for every month of thirty years weighed 108 KB gzipped, and took pages to scroll)."""
    weeks = week_counts(years)  # a week at New Year has days in two years
    return site.page(
        "archive.html", path, title="Archive",
        years=[year_overview(year, weeks) for year in years],
        paper_count=sum(year.paper_count for year in years),
        day_count=sum(len(month.days) for year in years for month in year.months),
    )


def render_paper(path: str, place: PaperPlace, site: Site) -> bytes:
    paper = place.paper
    view = site.views[paper.slug]
    return site.page("paper.html", path, title=paper.title, view=view, meta=scholar_meta(view, site.config),
                     article=scholarly_article(view, site.config),
                     description=view.summary, place=place,
                     trail=archive_trail(paper.day.year, paper.day.month, paper.day))


@dataclass(frozen=True)
class TagCount:
    """What the tags page shows of a tag (and when it last changed): not its papers, which would
    make the page's key walk the whole archive."""

    slug: str
    name: str
    papers: int
    latest: dt.date


def tag_counts(archive: Archive) -> tuple[TagCount, ...]:
    return tuple(TagCount(tag.slug, tag.name, len(tag.papers), tag.papers[0].day) for tag in archive.tags)


def render_tags(path: str, tags: tuple[TagCount, ...], site: Site) -> bytes:
    return site.page("tags.html", path, title="Tags",
                     tags=[(Nav(urls.tag_path(tag.slug), tag.name), tag.papers) for tag in tags])


@dataclass(frozen=True)
class TagPage:
    """What a tag's own page shows: its name, how many papers it has each year, and its newest
    papers (not all of them, which would make the page's key walk every paper of the tag)."""

    slug: str
    name: str
    paper_count: int
    years: tuple[tuple[int, int], ...]  # (year, papers that year), newest first
    newest: tuple[Paper, ...]


def tag_pages(archive: Archive) -> tuple[TagPage, ...]:
    return tuple(TagPage(tag.slug, tag.name, len(tag.papers), tuple((year, len(papers)) for year, papers in tag.years),
                         tag.papers[:TAG_PAGE_PAPERS]) for tag in archive.tags)


def render_tag(path: str, tag: TagPage, site: Site) -> bytes:
    feeds = (tag_feed_link(tag.slug, tag.name, site.config), *site.renderer.main_feeds)
    years = [(Nav(urls.tag_year_path(tag.slug, year), str(year)), count) for year, count in tag.years]
    return site.page("tag.html", path, title=f"Papers tagged {tag.name}", tag=tag, trail=TAGS_TRAIL,
                     papers=site.cards(tag.newest, urls.tag_path(tag.slug)), paper_count=tag.paper_count,
                     years=years, feeds=feeds, subscribe=feeds[:1])


def render_tag_year(path: str, page: ListPage, site: Site) -> bytes:
    year = page.listing
    feeds = (tag_feed_link(year.slug, year.name, site.config), *site.renderer.main_feeds)

    def year_nav(other: int | None) -> Nav | None:
        return Nav(urls.tag_year_path(year.slug, other), str(other)) if other is not None else None

    return site.page("tag_year.html", path, title=on_page(f"Papers tagged {year.name} in {year.year}", page),
                     tag=year, trail=(*TAGS_TRAIL, Nav(urls.tag_path(year.slug), year.name)), year=year.year,
                     paper_count=len(year.papers), papers=site.cards(page.papers, urls.tag_path(year.slug)),
                     pages=page_numbers(page), navigation_below=len(page.papers) > NAVIGATION_BELOW_AFTER,
                     page_of=page_of(page),
                     previous=year_nav(year.earlier), next=year_nav(year.later), feeds=feeds)


def day_rows(page: ListPage, every: tuple[Paper, ...], site: Site) -> list[tuple[Nav, list[PaperView]]]:
    """A page's papers under the heading of each day they were featured (week and month pages); a
    day begun on the page before says it is continued. `every` is the whole list's papers."""
    days: list[tuple[Nav, list[PaperView]]] = []
    for place, paper in enumerate(page.papers, start=page.start):
        if not days or days[-1][1][-1].paper.day != paper.day:
            continued = place == page.start and place > 0 and every[place - 1].day == paper.day
            label = long_date(paper.day) + (" (continued)" if continued else "")
            days.append((Nav(urls.day_path(paper.day), label), []))
        days[-1][1].append(site.views[paper.slug])
    return days


def render_month(path: str, page: ListPage, site: Site) -> bytes:
    month = page.listing
    papers = month.papers
    return site.page(
        "month.html", path, title=on_page(month_name(month.year, month.month), page),
        days=day_rows(page, papers, site), day_count=len(month.days), pages=page_numbers(page),
        lead=lead_of(page, papers, site), page_of=page_of(page),
        trail=archive_trail(month.year), paper_count=month.paper_count,
        calendar=month_calendar(month),
        previous=Nav(urls.month_path(*month.previous), month_name(*month.previous)) if month.previous else None,
        next=Nav(urls.month_path(*month.next), month_name(*month.next)) if month.next else None,
    )


def render_week(path: str, page: ListPage, site: Site) -> bytes:
    week = page.listing
    previous = Nav(urls.week_path(*week.previous), f"Week {week.previous[1]}") if week.previous else None
    following = Nav(urls.week_path(*week.next), f"Week {week.next[1]}") if week.next else None
    return site.page(
        "week.html", path, title=on_page(week_title(week), page),
        days=day_rows(page, week.papers, site),
        day_count=len(week.days), pages=page_numbers(page),
        lead=lead_of(page, week.papers, site), page_of=page_of(page),
        paper_count=week.paper_count, previous=previous, next=following,
        trail=archive_trail(week.days[0].date.year),  # the year of its newest day, which has a page
    )


def render_year(path: str, year: Year, site: Site) -> bytes:
    months = [(Nav(urls.month_path(month.year, month.month), month_name(month.year, month.month)),
               len(month.days), month.paper_count) for month in year.months]
    return site.page("year.html", path, title=str(year.year), months=months, paper_count=year.paper_count,
                     trail=archive_trail(),
                     previous=Nav(urls.year_path(year.previous), str(year.previous)) if year.previous else None,
                     next=Nav(urls.year_path(year.next), str(year.next)) if year.next else None)


def render_search_page(path: str, paper_count: int, site: Site) -> bytes:
    # Without scripts a reader can still search the site's pages with a search engine.
    host = urllib.parse.urlsplit(site.config.base_url).hostname or ""
    # What a query needs first, asked for while the page loads rather than one after another.
    preloads = (Preload(urls.LUNR_SCRIPT, "script"), Preload(urls.SEARCH_CORE_SCRIPT, "script"),
                Preload(urls.SEARCH_MANIFEST, "fetch"))
    return site.page("search.html", path, title="Search", paper_count=paper_count, site_host=host, preloads=preloads)


def record_rules() -> str:
    """The rules of a record that a browser can apply, as JSON, from the checker's own (Python's
    patterns are JavaScript's too, but for how a group is named)."""
    def pattern(regex: re.Pattern) -> str:
        return regex.pattern.replace("(?P<", "(?<")

    rules = {"newArxiv": pattern(NEW_ARXIV_ID), "oldArxiv": pattern(OLD_ARXIV_ID), "tag": pattern(TAG),
             "handle": pattern(HANDLE), "linkKinds": list(LINK_KINDS), "maxTitle": MAX_TITLE, "maxName": MAX_NAME,
             "maxAuthors": MAX_AUTHORS, "maxTags": MAX_TAGS, "maxAbstract": MAX_ABSTRACT}
    return json.dumps(rules)  # escaped by the template, as an attribute's value


def render_submit_page(path: str, repository: str, site: Site) -> bytes:
    github = f"https://github.com/{repository}" if repository else None
    return site.page("submit.html", path, title="Submit a paper", github=github, rules=record_rules(),
                     link_kinds=LINK_KINDS, submit_script=urls.SUBMIT_SCRIPT)


def render_not_found(path: str, stylesheet: bytes, site: Site) -> bytes:
    # Its style is inlined: a host may show it where no relative or rooted link reaches the site.
    css = stylesheet.decode("utf-8").replace("</", "<\\/")  # "<\/" is the same in CSS, and cannot end the <style>
    return site.renderer.render("404.html", path, absolute=True, title="Page not found", inline_style=Markup(css))


@dataclass(frozen=True)
class SitePages:
    """Pages a sitemap file lists, and the day each last changed (None where unknown), as columns;
    `number` counts the files of a sitemap cut in parts (from 1)."""

    paths: tuple[str, ...]
    changed: tuple[dt.date | None, ...]
    number: int = 1


def render_sitemap(path: str, pages: SitePages, site: Site) -> bytes:
    """Return a sitemap file listing its pages with their absolute addresses and the day each last changed."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for page, changed in zip(pages.paths, pages.changed, strict=True):
        lastmod = f"<lastmod>{changed.isoformat()}</lastmod>" if changed else ""
        location = xml_escape(urls.absolute_url(site.config.base_url, page))
        lines.append(f"  <url><loc>{location}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def render_sitemap_index(path: str, parts: tuple[SitePages, ...], site: Site) -> bytes:
    """Return a sitemap index listing the sitemap's parts, each with the day its newest page changed."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for part in parts:
        newest = max((changed for changed in part.changed if changed), default=None)
        lastmod = f"<lastmod>{newest.isoformat()}</lastmod>" if newest else ""
        location = xml_escape(urls.absolute_url(site.config.base_url, urls.sitemap_part_path(part.number)))
        lines.append(f"  <sitemap><loc>{location}</loc>{lastmod}</sitemap>")
    lines.append("</sitemapindex>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def render_robots(path: str, _: None, site: Site) -> bytes:
    """Return robots.txt, allowing everything and pointing at the sitemap."""
    sitemap = urls.absolute_url(site.config.base_url, urls.SITEMAP)
    return f"User-agent: *\nAllow: /\n\nSitemap: {sitemap}\n".encode()
