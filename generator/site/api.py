"""The read API and JSON Feed: the archive as JSON files with stable, documented shapes."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from generator import urls
from generator.config import SiteConfig
from generator.site.archive import Archive, Day
from generator.site.feeds import PaperFeed, paper_feed
from generator.site.pages import PaperView, Site

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


def to_json(data: Any, compact: bool = False) -> bytes:
    """Serialise the same way every time: UTF-8, keys in the order written, one trailing newline;
    `compact` without spaces or line breaks (the API's files: a tenth of their bytes)."""
    if compact:
        return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def paper_record(view: PaperView, config: SiteConfig) -> dict[str, Any]:
    """Return every field of a paper's record, with the addresses of its page, of arXiv's and of the PDF
    (its rendered abstract and BibTeX are on its page: a copy here would double the API's weight)."""
    paper = view.paper
    return {
        "slug": paper.slug,
        "url": urls.absolute_url(config.base_url, view.path),
        "day": paper.day.isoformat(),
        "title": paper.title,
        "authors": list(paper.authors),
        "organization": paper.organization,
        "arxiv": paper.arxiv,
        "published": paper.published.isoformat() if paper.published else None,
        "upvotes": paper.upvotes,
        "tags": list(paper.tags),
        "links": {link.kind: link.url for link in paper.links},
        "arxiv_url": urls.arxiv_abs_url(paper.arxiv_base) if paper.arxiv_base else None,
        "pdf_url": paper.link("pdf") or (urls.arxiv_pdf_url(paper.arxiv_base) if paper.arxiv_base else None),
        "submitted_by": paper.submitted_by,
        "abstract": paper.abstract,
    }


def day_summary(date: dt.date, count: int, config: SiteConfig) -> dict[str, Any]:
    return {
        "date": date.isoformat(),
        "count": count,
        "url": urls.absolute_url(config.base_url, urls.day_path(date)),
        "api_url": urls.absolute_url(config.base_url, urls.api_day_path(date)),
    }


def day_counts(archive: Archive) -> tuple[tuple[dt.date, int], ...]:
    """Each day and how many papers it has, newest first, for the API's list of days."""
    return tuple((day.date, len(day.papers)) for day in archive.days)


def render_days_index(path: str, days: tuple[tuple[dt.date, int], ...], site: Site) -> bytes:
    return to_json({"days": [day_summary(date, count, site.config) for date, count in days]}, compact=True)


def render_day_json(path: str, day: Day, site: Site) -> bytes:
    return to_json({
        **day_summary(day.date, len(day.papers), site.config),
        "previous": day.previous.isoformat() if day.previous else None,
        "next": day.next.isoformat() if day.next else None,
        "papers": [paper_record(view, site.config) for view in site.cards(day.papers)],
    }, compact=True)


def render_json_feed(path: str, source: PaperFeed, site: Site) -> bytes:
    """Return a JSON Feed 1.1 document with the same items as the RSS feed."""
    feed = paper_feed(path, source, site)
    config = site.config
    return to_json({
        "version": JSON_FEED_VERSION,
        "title": feed.title,
        "home_page_url": feed.home,
        "feed_url": urls.absolute_url(config.base_url, feed.path),
        "description": feed.description,
        "language": config.language,
        "items": [
            {
                "id": item.url,
                "url": item.url,
                "title": item.title,
                "content_html": item.html,
                "date_published": item.date.isoformat(),
                "authors": [{"name": name} for name in item.authors],
                "tags": list(item.categories),
            }
            for item in feed.items
        ],
    })
