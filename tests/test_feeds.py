"""Feeds parsed back by feedparser: valid, complete, stable, correctly dated and linked."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import feedparser
import html5lib
import pytest

from generator.build import build
from generator.config import SiteConfig
from generator.read.content import read_papers
from generator.read.records import Paper
from generator.site.feeds import whole_recent_days

from conftest import CONTENT, LAYOUTS, ROOT, SUB_PATH_BASE_URL, record, snapshot, write

PAPERS = sorted(read_papers(CONTENT)[0], key=lambda p: p.day, reverse=True)  # one paper a day
FEED_FILES = ["feed.xml", "atom.xml", "daily.xml", "daily.atom"]


def parsed(site: Path, name: str):
    result = feedparser.parse((site / name).read_bytes())
    assert not result.bozo, (name, result.get("bozo_exception"))
    return result


def page_of(site: Path, url: str) -> Path:
    assert url.startswith(SUB_PATH_BASE_URL), url
    relative = url[len(SUB_PATH_BASE_URL):]
    return site / (relative + "index.html" if relative == "" or relative.endswith("/") else relative)


def day_of(entry) -> dt.date:
    return dt.date(*entry.published_parsed[:3])


def test_every_feed_parses_without_error(sample_site):
    names = FEED_FILES + [p.relative_to(sample_site).as_posix() for p in sample_site.glob("tags/*/feed.xml")]
    assert len(names) == 4 + len({t for p in PAPERS for t in p.tags})
    for name in names:
        result = parsed(sample_site, name)
        assert result.entries, name
        assert result.version in ("rss20", "atom10"), name


@pytest.mark.parametrize("name", ["feed.xml", "atom.xml"])
def test_site_feed_holds_the_newest_whole_days_in_page_order(sample_site, name):
    result = parsed(sample_site, name)
    newest = PAPERS[:20]  # three days are fewer than 20 papers, so whole older days are added up to 20
    assert [entry.title for entry in result.entries] == [paper.title for paper in newest]
    for entry, paper in zip(result.entries, newest, strict=True):
        url = SUB_PATH_BASE_URL + f"papers/{paper.slug}/"
        assert entry.link == url and entry.id == url
        assert day_of(entry) == paper.day
        assert entry.published_parsed.tm_hour == 0  # within the featured day, UTC
        assert [author.name for author in entry.authors] == list(paper.authors)
        assert [tag.term for tag in entry.get("tags", [])] == list(paper.tags)
        assert f"https://arxiv.org/abs/{paper.arxiv_base}" in entry.summary
    feed = result.feed
    assert feed.link == SUB_PATH_BASE_URL
    assert time.strftime("%Y-%m-%d", feed.updated_parsed) == PAPERS[0].day.isoformat()
    self_links = [link.href for link in feed.links if link.rel == "self"]
    assert self_links == [SUB_PATH_BASE_URL + name]
    assert feed.language == "en"


def test_rss_guids_are_permalinks_and_authors_are_dc_creators(sample_site):
    text = (sample_site / "feed.xml").read_text()
    assert text.count('<guid isPermaLink="true">') == 20
    assert "<dc:creator>Dantong Niu</dc:creator>" in text
    assert "<author>" not in text  # RSS author wants an e-mail address
    assert "<lastBuildDate>Tue, 14 Oct 2025 00:00:01 +0000</lastBuildDate>" in text


def test_daily_digest_has_one_item_a_day(sample_site):
    for name in ("daily.xml", "daily.atom"):
        result = parsed(sample_site, name)
        assert len(result.entries) == 30
        first = result.entries[0]
        assert first.title == "Tuesday, 14 October 2025: 1 paper"
        assert first.link == SUB_PATH_BASE_URL + "2025/10/14/"
        assert day_of(first) == dt.date(2025, 10, 14)
        assert "Learning to Grasp Anything by Playing with Random Toys" in first.summary
        assert [day_of(e) for e in result.entries] == [p.day for p in PAPERS[:30]]


def test_tag_feed_holds_the_tags_papers(sample_site):
    result = parsed(sample_site, "tags/cs.lg/feed.xml")
    tagged = [p for p in PAPERS if "cs.LG" in p.tags]
    assert [e.title for e in result.entries] == [p.title for p in tagged]
    assert result.feed.title == "Daily Papers: cs.LG"
    assert result.feed.link == SUB_PATH_BASE_URL + "tags/cs.lg/"


def test_every_link_in_the_feeds_is_absolute_and_leads_to_a_page(sample_site):
    names = FEED_FILES + [p.relative_to(sample_site).as_posix() for p in sample_site.glob("tags/*/feed.xml")]
    checked = 0
    for name in names:
        result = parsed(sample_site, name)
        urls = [result.feed.link] + [link.href for link in result.feed.links]
        for entry in result.entries:
            urls += [entry.link, entry.id]
            content = entry.content[0].value if "content" in entry else entry.summary
            fragment = html5lib.parseFragment(content, namespaceHTMLElements=False)
            urls += [a.get("href") for a in fragment.iter("a")]
        for url in urls:
            assert url.startswith(("https://", "http://")), (name, url)
            if url.startswith(SUB_PATH_BASE_URL):
                assert page_of(sample_site, url).is_file(), (name, url)
                checked += 1
    json_feed = json.loads((sample_site / "feed.json").read_text())
    for item in json_feed["items"]:
        assert page_of(sample_site, item["url"]).is_file()
    assert checked > 300


def test_json_feed_matches_the_rss_feed(sample_site):
    data = json.loads((sample_site / "feed.json").read_text(encoding="utf-8"))
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert data["feed_url"] == SUB_PATH_BASE_URL + "feed.json"
    rss = parsed(sample_site, "feed.xml")
    assert [item["id"] for item in data["items"]] == [entry.id for entry in rss.entries]
    first = data["items"][0]
    assert first["date_published"] == "2025-10-14T00:00:01+00:00"
    assert [a["name"] for a in first["authors"]] == list(PAPERS[0].authors)


def paper(slug: str, day: str) -> Paper:
    return Paper(slug=slug, day=dt.date.fromisoformat(day), source="", title=slug, authors=("A",), abstract="x")


def test_recent_days_are_never_split():
    busy = [paper(f"a{i}", "2025-01-03") for i in range(25)]
    quiet = [paper(f"b{i}", "2025-01-02") for i in range(5)]
    older = [paper("c", "2025-01-01")]
    papers = busy + quiet + older
    assert len(whole_recent_days(papers, feed_days=1, min_papers=20)) == 25
    assert len(whole_recent_days(papers, feed_days=2, min_papers=20)) == 30
    assert len(whole_recent_days(papers, feed_days=1, min_papers=26)) == 30
    assert len(whole_recent_days(papers, feed_days=5, min_papers=1)) == 31
    assert whole_recent_days([], feed_days=3, min_papers=20) == []


def test_a_busy_day_stays_whole_in_a_built_feed(tmp_path):
    content = tmp_path / "content"
    for index in range(25):
        write(content, f"2025/01/03/p{index:02d}.md", record(title=f"Busy {index:02d}", upvotes=index))
    write(content, "2025/01/02/q.md", record(title="Quiet"))
    config = SiteConfig(base_url=SUB_PATH_BASE_URL, feed_days=1, feed_min_papers=10)
    build(content, tmp_path / "out", LAYOUTS, config)
    entries = parsed(tmp_path / "out", "feed.xml").entries
    assert [e.title for e in entries] == [f"Busy {i:02d}" for i in range(24, -1, -1)]  # upvotes rank
    published = [e.published_parsed for e in entries]
    assert published == sorted(published, reverse=True)  # readers sorting by date keep the page order


def test_adding_a_paper_to_a_past_day_keeps_every_other_guid(tmp_path, content_copy):
    config = SiteConfig(base_url=SUB_PATH_BASE_URL)
    build(content_copy, tmp_path / "before", LAYOUTS, config)
    write(content_copy, "2025/06/12/late-addition.md", record(title="A Late Addition", upvotes=5))
    build(content_copy, tmp_path / "after", LAYOUTS, config)
    for name in ("feed.xml", "atom.xml"):
        before = {e.title: e.id for e in parsed(tmp_path / "before", name).entries}
        after = {e.title: e.id for e in parsed(tmp_path / "after", name).entries}
        assert after["A Late Addition"] == SUB_PATH_BASE_URL + "papers/late-addition/"
        assert {title: after[title] for title in before if title in after} == {
            title: guid for title, guid in before.items() if title in after}
        assert len(set(before) - set(after)) <= 1  # at most the oldest item makes room


def test_hostile_and_international_text_survives_every_format(tmp_path):
    title = 'Fish & Chips <b>not bold</b> "quoted" \'single\' 🐟 — 日本語のタイトル'
    authors = ["Łukasz Kaiser", "张伟", "O'Brien & <Sons>", "Ωmega Ünïcode"]
    content = tmp_path / "content"
    names = "\n".join(f"  - {json.dumps(name, ensure_ascii=False)}" for name in authors)
    text = (f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\nauthors:\n{names}\ntags: [R&D]\n---\n\n"
            "Abstract with <tags> & ampersands 🚀.\n")
    write(content, "2025/01/02/special.md", text.replace("tags: [R&D]\n", "tags: [nlp]\n"))
    output = tmp_path / "out"
    build(content, output, LAYOUTS, SiteConfig(base_url=SUB_PATH_BASE_URL))
    for name in ("feed.xml", "atom.xml", "tags/nlp/feed.xml"):
        [entry] = parsed(output, name).entries
        assert entry.title == title, name
        assert [a.name for a in entry.authors] == authors, name
        body = entry.content[0].value if "content" in entry else entry.summary
        fragment = html5lib.parseFragment(body, namespaceHTMLElements=False)
        visible = "".join(fragment.itertext())
        assert "Abstract with <tags> & ampersands 🚀." in visible
        assert list(fragment.iter("tags")) == [] and list(fragment.iter("b")) == []
    [item] = json.loads((output / "feed.json").read_text(encoding="utf-8"))["items"]
    assert item["title"] == title and [a["name"] for a in item["authors"]] == authors
    [api] = [paper for day in output.glob("api/days/*.json") for paper in json.loads(day.read_text("utf-8"))["papers"]
             if paper["slug"] == "special"]
    assert api["title"] == title and api["authors"] == authors


def test_the_site_built_a_year_later_is_byte_identical(tmp_path):
    """libfaketime moves every clock the build could read (in it and in the processes it forks)
    400 days on: a timestamp anywhere, even a date alone, would differ."""
    faketime = shutil.which("faketime")
    assert faketime, "the tests need Debian's faketime (make test installs it)"

    def built(folder: str, *clock: str) -> dict[str, bytes]:
        command = [*clock, sys.executable, "-m", "generator", "build", "--quiet", "--no-cache", "--content",
                   str(CONTENT), "--layouts", str(LAYOUTS), "--output", str(tmp_path / folder), "--base-url",
                   SUB_PATH_BASE_URL]
        subprocess.run(command, cwd=ROOT, check=True, timeout=300)
        return snapshot(tmp_path / folder)

    later = built("later", faketime, "-f", "+400d")
    now = built("now")
    assert len([path for path in now if path.endswith((".xml", ".atom", ".json"))]) > 100
    assert later == now


ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)"


def atom_problems(data: bytes) -> list[str]:
    """What RFC 4287 requires of a feed and its entries that this one lacks (4.1.1, 4.1.2, 3.2, 3.3)."""
    import re
    import xml.etree.ElementTree as ElementTree

    feed = ElementTree.fromstring(data)
    problems = [] if feed.tag == ATOM + "feed" else ["the root is not atom:feed"]

    def exactly_one(element, name: str, where: str) -> None:
        found = element.findall(ATOM + name)
        if len(found) != 1:
            problems.append(f"{where}: {len(found)} atom:{name}")
        elif name == "updated" and not re.fullmatch(RFC3339, found[0].text or ""):
            problems.append(f"{where}: atom:updated {found[0].text!r} is not an RFC 3339 date")

    for name in ("id", "title", "updated"):
        exactly_one(feed, name, "feed")
    if not any(link.get("rel") == "self" for link in feed.findall(ATOM + "link")):
        problems.append("feed: no atom:link rel=self")
    feed_has_author = bool(feed.findall(ATOM + "author"))
    for author in feed.iter(ATOM + "author"):
        if not (author.findtext(ATOM + "name") or "").strip():
            problems.append("an atom:author without atom:name")
    for number, entry in enumerate(feed.findall(ATOM + "entry")):
        for name in ("id", "title", "updated"):
            exactly_one(entry, name, f"entry {number}")
        if not (feed_has_author or entry.findall(ATOM + "author")):
            problems.append(f"entry {number}: no atom:author, and the feed has none")
        if not (entry.findall(ATOM + "content") or any(link.get("rel", "alternate") == "alternate"
                                                       for link in entry.findall(ATOM + "link"))):
            problems.append(f"entry {number}: neither atom:content nor an alternate link")
    return problems


def test_every_atom_feed_has_what_rfc_4287_requires(sample_site):
    atoms = [path for path in sample_site.rglob("*") if path.suffix in (".atom", ".xml")
             and path.read_bytes().find(b'xmlns="http://www.w3.org/2005/Atom"') != -1]
    assert {path.relative_to(sample_site).as_posix() for path in atoms} >= {"atom.xml", "daily.atom"}
    for path in atoms:
        assert atom_problems(path.read_bytes()) == [], path
    assert atom_problems(b'<feed xmlns="http://www.w3.org/2005/Atom"><entry/></feed>')  # the check can fail


def test_math_in_a_feed_item_survives_a_sanitizer_and_reads_once_as_text(tmp_path):
    import re

    import nh3

    write(tmp_path / "content", "2024/01/08/math.md",
          record(title="Math", abstract="We study $\\mathcal{O}(d^k)$ algorithms with $x_1 < x^2$ and more."))
    build(tmp_path / "content", tmp_path / "site", LAYOUTS, SiteConfig(), vendor_dir=ROOT / "node_modules")
    page = (tmp_path / "site/papers/math/index.html").read_text()
    assert "<math" in page  # the page shows math as math
    for name, field in (("feed.xml", "description"), ("atom.xml", "content")):
        item = feedparser.parse((tmp_path / "site" / name).read_bytes()).entries[0]
        html = item[field] if field == "description" else item.content[0].value
        assert "<math" not in html, name
        for kept in (nh3.clean(html), re.sub(r"<[^>]+>", "", html)):  # a sanitizer's, and a text-only reader's
            text = kept.replace("&lt;", "<")
            assert "We study $\\mathcal{O}(d^k)$ algorithms with $x_1 < x^2$ and more." in text, (name, kept)
            assert text.count("mathcal") == 1, (name, kept)
