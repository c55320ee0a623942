"""Read papers from the arXiv API (its Atom query interface): one paper by id, or a category's day."""

from __future__ import annotations

import datetime as dt
import urllib.parse
import xml.etree.ElementTree as ET
from typing import Any

from generator.importers.batch import Batch, ImportedPaper, Pacer, days_from
from generator.importers.fetch import FetchError, fetch
from generator.read.records import arxiv_problem, category_problem, strip_arxiv_version

ARXIV_API = "https://export.arxiv.org/api/query"
ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
ARXIV_REQUEST_INTERVAL = 3.0  # seconds between requests, as arXiv's API terms ask
PAGE_SIZE = 200  # papers a request asks for; arXiv allows up to 2,000, but big pages are slow to come
MAX_LISTING = 30_000  # the most results the API gives for one query
EMPTY_PAGE_TRIES = 3  # the API now and then answers an empty page in the middle of a listing


def arxiv_query_url(arxiv_id: str, base_url: str = ARXIV_API) -> str:
    return f"{base_url}?{urllib.parse.urlencode({'id_list': arxiv_id, 'max_results': 1})}"


def flatten(text: str | None) -> str:
    """Join arXiv's hard-wrapped lines into one line, keeping blank-line paragraphs."""
    paragraphs = (text or "").strip().split("\n\n")
    return "\n\n".join(" ".join(paragraph.split()) for paragraph in paragraphs if paragraph.strip())


def entry_fields(entry: ET.Element, arxiv_id: str) -> tuple[dict[str, Any], str] | None:
    """An entry's title, authors, id and first version's date as record fields, and its abstract
    (arXiv's line breaks folded); None when it lacks a title, authors or abstract."""
    title = flatten(entry.findtext(f"{ATOM}title"))
    authors = [name for name in (flatten(a.findtext(f"{ATOM}name")) for a in entry.findall(f"{ATOM}author")) if name]
    abstract = flatten(entry.findtext(f"{ATOM}summary"))
    if not title or not authors or not abstract:
        return None
    fields: dict[str, Any] = {"title": title, "authors": authors, "arxiv": arxiv_id}
    try:
        fields["published"] = dt.date.fromisoformat((entry.findtext(f"{ATOM}published") or "")[:10])
    except ValueError:
        pass
    return fields, abstract


def parse_arxiv_entry(body: bytes, arxiv_id: str) -> dict[str, Any]:
    """Turn the API's Atom answer into record fields plus the abstract, or raise FetchError."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as error:
        raise FetchError(f"the arXiv API answered with XML that cannot be read ({error})") from None
    entries = root.findall(f"{ATOM}entry")
    entry = next((e for e in entries if strip_arxiv_version((e.findtext(f"{ATOM}id") or "").rsplit("/abs/", 1)[-1])
                  == strip_arxiv_version(arxiv_id)), None)
    if entry is None:
        error_entry = next((e for e in entries if "/api/errors" in (e.findtext(f"{ATOM}id") or "")), None)
        reason = flatten(error_entry.findtext(f"{ATOM}summary")) if error_entry is not None else "no such paper"
        raise FetchError(f"arXiv has no paper {arxiv_id}: {reason}")
    found = entry_fields(entry, arxiv_id)
    if found is None:
        raise FetchError(f"the arXiv API's answer for {arxiv_id} lacks a title, authors or abstract")
    fields, abstract = found
    category = entry.find(f"{ARXIV}primary_category")
    if category is not None and category.get("term"):
        fields["tags"] = [category.get("term")]
    doi = entry.findtext(f"{ARXIV}doi")
    if doi:
        fields["links"] = {"doi": f"https://doi.org/{doi.strip()}"}
    return {"fields": fields, "abstract": abstract}


def fetch_arxiv(arxiv_id: str, base_url: str = ARXIV_API, **fetch_options) -> dict[str, Any]:
    """Ask the arXiv API about one paper; raise FetchError with a reason a person can act on."""
    return parse_arxiv_entry(fetch(arxiv_query_url(arxiv_id, base_url), **fetch_options), arxiv_id)


def listing_url(categories: list[str], day: dt.date, start: int, page_size: int, base_url: str = ARXIV_API) -> str:
    """The query for papers first submitted on `day` (UTC) in any of `categories`, oldest first."""
    followed = " OR ".join(f"cat:{category}" for category in categories)
    query = f"({followed}) AND submittedDate:[{day:%Y%m%d}0000 TO {day:%Y%m%d}2359]"
    return f"{base_url}?" + urllib.parse.urlencode({
        "search_query": query, "start": start, "max_results": page_size,
        "sortBy": "submittedDate", "sortOrder": "ascending"})


def parse_listing(body: bytes, day: dt.date) -> tuple[int, Batch]:
    """One page of a listing: the listing's total, and its papers as records of `day`."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as error:
        raise FetchError(f"the arXiv API answered with XML that cannot be read ({error})") from None
    total = (root.findtext(f"{OPENSEARCH}totalResults") or "").strip()
    if root.tag != f"{ATOM}feed" or not (total.isascii() and total.isdigit()):
        raise FetchError("the arXiv API answered with something that is not a listing (no Atom feed with a total)")
    entries = root.findall(f"{ATOM}entry")
    refused = next((e for e in entries if "/api/errors" in (e.findtext(f"{ATOM}id") or "")), None)
    if refused is not None:
        raise FetchError(f"the arXiv API refused the query: {flatten(refused.findtext(f'{ATOM}summary'))}")
    batch = Batch()
    for entry in entries:
        found = listed_paper(entry, day)
        if isinstance(found, str):
            batch.unusable.append(found)
        else:
            batch.papers.append(found)
    return int(total), batch


def listed_paper(entry: ET.Element, day: dt.date) -> ImportedPaper | str:
    """One entry of a listing as a paper, or why it cannot be one."""
    arxiv_id = strip_arxiv_version((entry.findtext(f"{ATOM}id") or "").strip().rsplit("/abs/", 1)[-1])
    if arxiv_problem(arxiv_id):
        return f"{arxiv_id[:100]!r}: not an arXiv id"
    found = entry_fields(entry, arxiv_id)
    if found is None:
        return f"{arxiv_id}: no title, authors or abstract"
    fields, abstract = found
    primary = entry.find(f"{ARXIV}primary_category")
    listed = [primary.get("term", "")] if primary is not None else []
    listed += [category.get("term", "") for category in entry.findall(f"{ATOM}category")]
    tags = [term for term in dict.fromkeys(listed) if not category_problem(term)]
    if tags:
        fields["tags"] = tags
    pdf = next((link.get("href", "") for link in entry.findall(f"{ATOM}link") if link.get("title") == "pdf"), "")
    if pdf.startswith(("http://arxiv.org/", "https://arxiv.org/")):
        fields["links"] = {"pdf": "https://" + pdf.split("://", 1)[1]}
    return ImportedPaper(day, arxiv_id, fields, abstract)


def fetch_announced(categories: list[str], first: dt.date, last: dt.date, base_url: str = ARXIV_API,
                    pacer: Pacer | None = None, page_size: int = PAGE_SIZE, **fetch_options) -> Batch:
    """Every paper first submitted in `categories` on each day from `first` to `last`, each once
    (a paper cross-listed in two of them too), read page by page at arXiv's pace."""
    pacer = pacer or Pacer(ARXIV_REQUEST_INTERVAL)
    batch, seen = Batch(), set()
    for day in days_from(first, last):
        start, total = 0, None
        while total is None or start < total:
            for _ in range(EMPTY_PAGE_TRIES):
                url = listing_url(categories, day, start, page_size, base_url)
                total, page = parse_listing(fetch(url, pacer=pacer, **fetch_options), day)
                if page.papers or page.unusable or start >= total:
                    break
            else:
                raise FetchError(f"the arXiv API answered an empty page at paper {start + 1} of {total} for "
                                 f"{day.isoformat()} {EMPTY_PAGE_TRIES} times; run the command again later")
            if total > MAX_LISTING:
                raise FetchError(f"the arXiv API lists {total} papers for {day.isoformat()}, more than the "
                                 f"{MAX_LISTING} it gives for one query; follow fewer categories")
            new = [paper for paper in page.papers if paper.arxiv not in seen]
            if page.papers and not new:  # a page already read: the listing moves no further
                break
            start += len(page.papers) + len(page.unusable)
            batch.unusable += page.unusable
            batch.papers += new
            seen.update(paper.arxiv for paper in new)
    return batch
