"""Read a paper's metadata from the arXiv API (its Atom query interface)."""

from __future__ import annotations

import datetime as dt
import urllib.parse
import xml.etree.ElementTree as ET
from typing import Any

from generator.importers.fetch import FetchError, fetch
from generator.read.records import strip_arxiv_version

ARXIV_API = "https://export.arxiv.org/api/query"
ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"


def arxiv_query_url(arxiv_id: str, base_url: str = ARXIV_API) -> str:
    return f"{base_url}?{urllib.parse.urlencode({'id_list': arxiv_id, 'max_results': 1})}"


def flatten(text: str | None) -> str:
    """Join arXiv's hard-wrapped lines into one line, keeping blank-line paragraphs."""
    paragraphs = (text or "").strip().split("\n\n")
    return "\n\n".join(" ".join(paragraph.split()) for paragraph in paragraphs if paragraph.strip())


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
    title = flatten(entry.findtext(f"{ATOM}title"))
    authors = [flatten(a.findtext(f"{ATOM}name")) for a in entry.findall(f"{ATOM}author")]
    abstract = flatten(entry.findtext(f"{ATOM}summary"))
    if not title or not authors or not abstract:
        raise FetchError(f"the arXiv API's answer for {arxiv_id} lacks a title, authors or abstract")
    fields: dict[str, Any] = {"title": title, "authors": [a for a in authors if a], "arxiv": arxiv_id}
    published = (entry.findtext(f"{ATOM}published") or "")[:10]
    try:
        fields["published"] = dt.date.fromisoformat(published)
    except ValueError:
        pass
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
