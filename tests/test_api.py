"""The JSON read API: every day and paper as files whose fields are what the records say."""

from __future__ import annotations

import json

from generator.read.content import read_papers
from generator.site.archive import group_papers

from conftest import CONTENT, SUB_PATH_BASE_URL

PAPERS = read_papers(CONTENT)[0]
ARCHIVE = group_papers(PAPERS)


def load(site, path):
    return json.loads((site / path).read_text(encoding="utf-8"))


def test_days_index_lists_every_day_with_its_count(sample_site):
    days = load(sample_site, "api/days.json")["days"]
    assert [d["date"] for d in days] == [day.date.isoformat() for day in ARCHIVE.days]
    assert [d["count"] for d in days] == [len(day.papers) for day in ARCHIVE.days]
    for day in days:
        assert day["url"] == SUB_PATH_BASE_URL + day["date"].replace("-", "/") + "/"
        assert day["api_url"] == SUB_PATH_BASE_URL + f"api/days/{day['date']}.json"
        assert (sample_site / f"api/days/{day['date']}.json").is_file()


def test_day_file_holds_its_papers_in_page_order_with_neighbours(sample_site):
    for day in ARCHIVE.days:
        data = load(sample_site, f"api/days/{day.date.isoformat()}.json")
        assert [p["slug"] for p in data["papers"]] == [p.slug for p in day.papers]
        assert data["previous"] == (day.previous.isoformat() if day.previous else None)
        assert data["next"] == (day.next.isoformat() if day.next else None)


def test_a_day_file_holds_every_field_of_each_of_its_records(sample_site):
    found = {paper["slug"]: paper for day in ARCHIVE.days
             for paper in load(sample_site, f"api/days/{day.date.isoformat()}.json")["papers"]}
    assert sorted(found) == sorted(paper.slug for paper in PAPERS)
    for paper in PAPERS:
        data = found[paper.slug]
        assert data["title"] == paper.title
        assert data["authors"] == list(paper.authors)
        assert data["abstract"] == paper.abstract
        assert data["arxiv"] == paper.arxiv
        assert data["day"] == paper.day.isoformat()
        assert data["published"] == paper.published.isoformat()
        assert data["upvotes"] == paper.upvotes
        assert data["tags"] == list(paper.tags)
        assert data["organization"] == paper.organization
        assert data["links"] == {link.kind: link.url for link in paper.links}
        assert data["submitted_by"] == paper.submitted_by
        assert data["url"] == SUB_PATH_BASE_URL + f"papers/{paper.slug}/"
        assert data["arxiv_url"] == f"https://arxiv.org/abs/{paper.arxiv_base}"
        assert list(data) == ["slug", "url", "day", "title", "authors", "organization", "arxiv", "published",
                              "upvotes", "tags", "links", "arxiv_url", "pdf_url", "submitted_by", "abstract"]
    assert not (sample_site / "api/papers").exists()  # each record once, in its day's file
    day_file = (sample_site / f"api/days/{ARCHIVE.days[0].date.isoformat()}.json").read_bytes()
    assert day_file.count(b"\n") == 1 and b'":"' in day_file  # compact: no spaces, one line
