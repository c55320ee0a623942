"""The read API and JSON Feed: the archive as JSON files with stable, documented shapes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from generator import urls
from generator.archive import Archive, Day
from generator.config import SiteConfig
from generator.feeds import Feed
from generator.pages import PaperView
from generator.reuse import Kept, Reuse

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


def to_json(data: Any) -> bytes:
    """Serialise the same way every time: UTF-8, keys in the order written, one trailing newline."""
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def paper_record(view: PaperView, config: SiteConfig) -> dict[str, Any]:
    """Return every field of a paper, with the addresses of its page and its JSON."""
    paper = view.paper
    return {
        "slug": paper.slug,
        "url": urls.absolute_url(config.base_url, view.path),
        "api_url": urls.absolute_url(config.base_url, urls.api_paper_path(paper.slug)),
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
        "abstract_html": paper.abstract_html,
        "bibtex": view.bibtex,
    }


def day_summary(day: Day, config: SiteConfig) -> dict[str, Any]:
    return {
        "date": day.date.isoformat(),
        "count": len(day.papers),
        "url": urls.absolute_url(config.base_url, urls.day_path(day.date)),
        "api_url": urls.absolute_url(config.base_url, urls.api_day_path(day.date)),
    }


def render_api(
    archive: Archive, views: dict[str, PaperView], config: SiteConfig, reuse: Reuse | None = None
) -> Iterator[tuple[str, bytes | Kept]]:
    """Yield (output file, bytes) for /api/days.json, one file per day and one per paper; (output
    file, KEPT) for a file the last build made from the same ingredients."""
    reuse = reuse or Reuse()
    yield urls.API_DAYS, to_json({"days": [day_summary(day, config) for day in archive.days]})
    for day in archive.days:
        yield reuse.data_file(urls.api_day_path(day.date),
                              ("api day", day.date, day.previous, day.next, reuse.papers(day.papers)),
                              day_json, day, views, config)
    for slug, paper in archive.papers.items():
        yield reuse.data_file(urls.api_paper_path(slug), ("api paper", reuse.paper(paper)),
                              paper_json, slug, views, config)


def day_json(day: Day, views: dict[str, PaperView], config: SiteConfig) -> bytes:
    return to_json({
        **day_summary(day, config),
        "previous": day.previous.isoformat() if day.previous else None,
        "next": day.next.isoformat() if day.next else None,
        "papers": [paper_record(views[paper.slug], config) for paper in day.papers],
    })


def paper_json(slug: str, views: dict[str, PaperView], config: SiteConfig) -> bytes:
    return to_json(paper_record(views[slug], config))


def render_json_feed(feed: Feed, config: SiteConfig) -> bytes:
    """Return a JSON Feed 1.1 document with the same items as the RSS feed."""
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
