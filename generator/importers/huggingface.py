"""Turn Hugging Face's /api/daily_papers answer into records, one per paper, on the day it was featured."""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
from typing import Any

from generator.importers.arxiv import flatten
from generator.importers.batch import Batch, ImportedPaper, Pacer, days_from
from generator.importers.fetch import FetchError, fetch
from generator.read.records import arxiv_problem, is_web_url

HF_API = "https://huggingface.co/api/daily_papers"
HF_REQUEST_INTERVAL = 1.0  # seconds between two days' requests: a backfill is polite to the service


HF_PAGE_SIZE = 100  # papers a request asks for, the most the API gives at once
HF_MAX_PAGES = 100  # a day of more than 10,000 papers is no day of Hugging Face's


def daily_papers_url(date: dt.date, base_url: str = HF_API, page: int = 0) -> str:
    return f"{base_url}?{urllib.parse.urlencode({'date': date.isoformat(), 'limit': HF_PAGE_SIZE, 'p': page})}"


def parse_daily_papers(body: bytes) -> Batch:
    """Read the answer; items that cannot make a valid record are listed with the reason."""
    try:
        items = json.loads(body)
    except (ValueError, RecursionError) as error:
        reason = "nested too deeply" if isinstance(error, RecursionError) else str(error)
        raise FetchError(f"Hugging Face answered with JSON that cannot be read ({reason})") from None
    if not isinstance(items, list):
        raise FetchError("Hugging Face answered with JSON that is not a list of papers")
    result = Batch()
    for position, item in enumerate(items, start=1):
        try:
            found = parse_item(position, item)
        except (TypeError, ValueError, AttributeError, KeyError) as error:  # one item of another shape
            found = f"item {position}: not a paper of the shape Hugging Face gives ({type(error).__name__})"
        if isinstance(found, str):
            result.unusable.append(found)
        else:
            result.papers.append(found)
    return result


def parse_item(position: int, item: Any) -> ImportedPaper | str:
    """One item of the answer as a paper, or why it cannot be one."""
    paper = item.get("paper") if isinstance(item, dict) else None
    if not isinstance(paper, dict):
        return f"item {position}: no paper in it"
    arxiv_id = str(paper.get("id", ""))
    if arxiv_problem(arxiv_id):
        return f"item {position}: {arxiv_id[:100]!r} is not an arXiv id"
    featured = str(paper.get("submittedOnDailyAt") or item.get("publishedAt") or "")[:10]
    try:
        day = dt.date.fromisoformat(featured)
    except ValueError:
        return f"{arxiv_id}: no day it was featured (submittedOnDailyAt)"
    title = flatten(str(paper.get("title") or item.get("title") or ""))
    authors = [flatten(str(a.get("name", ""))) for a in paper.get("authors") or [] if isinstance(a, dict)]
    abstract = flatten(str(paper.get("summary") or ""))
    if not title or not [a for a in authors if a] or not abstract:
        return f"{arxiv_id}: no title, authors or abstract"
    fields: dict[str, Any] = {"title": title, "authors": [a for a in authors if a], "arxiv": arxiv_id}
    published = str(paper.get("publishedAt") or "")[:10]
    try:
        fields["published"] = dt.date.fromisoformat(published)
    except ValueError:
        pass
    upvotes = paper.get("upvotes")
    if isinstance(upvotes, int) and not isinstance(upvotes, bool) and upvotes >= 0:
        fields["upvotes"] = upvotes
    organization = paper.get("organization") or item.get("organization")
    if isinstance(organization, dict):
        name = organization.get("fullname") or organization.get("name")
        if isinstance(name, str) and name.strip():
            fields["organization"] = flatten(name)
    links = {kind: str(paper[key]) for kind, key in (("code", "githubRepo"), ("project", "projectPage"))
             if paper.get(key) and is_web_url(str(paper[key]))}
    links["huggingface"] = f"https://huggingface.co/papers/{arxiv_id}"
    fields["links"] = links
    submitter = paper.get("submittedOnDailyBy") or item.get("submittedBy")
    if isinstance(submitter, dict) and isinstance(submitter.get("user"), str):
        fields["submitted_by"] = submitter["user"]
    return ImportedPaper(day, arxiv_id, fields, abstract)


def fetch_daily_papers(first: dt.date, last: dt.date, base_url: str = HF_API, pacer: Pacer | None = None,
                       **fetch_options) -> Batch:
    """The papers featured on each day from `first` to `last`: a request a day (and one more for
    each further hundred papers), paced."""
    pacer = pacer or Pacer(HF_REQUEST_INTERVAL)
    batch = Batch()
    for day in days_from(first, last):
        seen: set[str] = set()
        for page in range(HF_MAX_PAGES):
            found = parse_daily_papers(fetch(daily_papers_url(day, base_url, page), pacer=pacer, **fetch_options))
            new = [paper for paper in found.papers if paper.arxiv not in seen]
            seen.update(paper.arxiv for paper in new)
            batch.papers += new
            batch.unusable += [reason for reason in found.unusable if reason not in batch.unusable]
            # A short page is the last; so is one that repeats the last (a service that ignores p).
            if len(found.papers) + len(found.unusable) < HF_PAGE_SIZE or (found.papers and not new):
                break
        else:
            raise FetchError(f"Hugging Face gave more than {HF_MAX_PAGES} pages of papers for {day.isoformat()}")
    return batch
