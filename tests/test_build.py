"""End to end: build the sample content/ and check its pages, links and tricky abstracts."""

from __future__ import annotations

import datetime as dt
import io
import json
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import html5lib
import pytest

from generator.build import Progress, build
from generator.config import SiteConfig
from generator.read.content import read_papers
from generator.site.archive import group_papers
from generator.urls import tag_slug

from conftest import CONTENT, LAYOUTS, SUB_PATH_BASE_URL, record, write

PAPERS = sorted(read_papers(CONTENT)[0], key=lambda p: p.slug)
ARCHIVE = group_papers(PAPERS)
DEEP_MISSING = "no/such/page/"


def parse(path: Path):
    """Parse a page with the WHATWG parser in strict mode: any HTML syntax error fails the test."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(path.read_bytes())


def text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def file_for_url(site: Path, url: str) -> Path | None:
    """Map an address under the base URL to the file a static host would serve, or None."""
    url = urldefrag(url)[0].split("?")[0]
    if not url.startswith(SUB_PATH_BASE_URL):
        return None
    relative = url[len(SUB_PATH_BASE_URL):]
    path = site / relative
    return path / "index.html" if relative == "" or relative.endswith("/") else path


def page_url(site: Path, page: Path) -> str:
    relative = page.relative_to(site).as_posix()
    if relative == "404.html":
        return SUB_PATH_BASE_URL + DEEP_MISSING  # a 404 page is shown at any missing address
    return SUB_PATH_BASE_URL + relative.removesuffix("index.html")


def links_of(document) -> list[str]:
    found = [a.get("href") for a in document.iter("a")] + [link.get("href") for link in document.iter("link")]
    found += [element.get("src") for element in document.iter() if element.get("src")]
    return [link for link in found if link is not None]


def test_every_page_exists(sample_site):
    expected = ["index.html", "archive/index.html", "tags/index.html", "404.html", "sitemap.xml", "robots.txt",
                "static/style.css"]
    expected += [f"{d.date:%Y/%m/%d}/index.html" for d in ARCHIVE.days]
    expected += [f"{m.year}/{m.month:02d}/index.html" for m in ARCHIVE.months]
    expected += [f"{y.year}/index.html" for y in ARCHIVE.years]
    expected += [f"{d.date.isocalendar().year}/W{d.date.isocalendar().week:02d}/index.html" for d in ARCHIVE.days]
    expected += [f"papers/{p.slug}/index.html" for p in PAPERS]
    expected += [f"tags/{tag_slug(t)}/index.html" for p in PAPERS for t in p.tags]
    expected += [f"tags/{tag_slug(t)}/{p.day.year}/index.html" for p in PAPERS for t in p.tags]
    missing = [path for path in expected if not (sample_site / path).is_file()]
    assert missing == []
    assert len(PAPERS) == 57
    assert {p.day.year for p in PAPERS} == {2015, 2017, 2019, 2020, 2021, 2022, 2023, 2024, 2025}


def card_links(page: Path) -> list[str]:
    """The papers a page's cards link to, in order, as paper slugs."""
    titles = parse(page).iter("a")
    return [a.get("href").rstrip("/").rsplit("/", 1)[-1] for a in titles
            if a.get("href", "").rstrip("/").rsplit("/", 2)[-2:-1] == ["papers"]]


def test_a_tag_shows_its_newest_papers_and_every_paper_on_its_year_page(tmp_path, monkeypatch):
    from generator.site import pages

    monkeypatch.setattr(pages, "TAG_PAGE_PAPERS", 4)
    build(CONTENT, tmp_path / "site", LAYOUTS, SiteConfig(base_url=SUB_PATH_BASE_URL))
    tag = next(tag for tag in ARCHIVE.tags if len({p.day.year for p in tag.papers}) >= 3 and len(tag.papers) > 4)
    folder = tmp_path / "site" / "tags" / tag.slug
    assert card_links(folder / "index.html") == [paper.slug for paper in tag.papers[:4]]  # newest first
    years = sorted({paper.day.year for paper in tag.papers}, reverse=True)
    year_links = [a for a in parse(folder / "index.html").iter("a") if a.get("href", "").rstrip("/").isdigit()]
    assert [(a.get("href"), text(a)) for a in year_links] == [(f"{year}/", str(year)) for year in years]
    shown = []
    for place, year in enumerate(years):
        page = folder / str(year) / "index.html"
        slugs = card_links(page)
        assert slugs == [paper.slug for paper in tag.papers if paper.day.year == year]
        shown += slugs
        pager = {a.get("rel"): a.get("href") for a in parse(page).iter("a") if a.get("rel") in ("prev", "next")}
        assert pager.get("next") == (f"../{years[place - 1]}/" if place else None)
        assert pager.get("prev") == (f"../{years[place + 1]}/" if place + 1 < len(years) else None)
    assert shown == [paper.slug for paper in tag.papers]  # every tagged paper, once
    sitemap = (tmp_path / "site" / "sitemap.xml").read_text()
    assert all(f"{SUB_PATH_BASE_URL}tags/{tag.slug}/{year}/</loc>" in sitemap for year in years)


def test_a_sitemap_of_more_urls_than_a_file_may_hold_is_an_index_of_parts(tmp_path, monkeypatch):
    """The protocol allows 50,000 URLs a file: with the limit set to 40, the sample's pages are cut
    into parts that list every page exactly once, and sitemap.xml lists the parts."""
    from generator.site import outputs

    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    build(CONTENT, tmp_path / "whole", LAYOUTS, SiteConfig(base_url=SUB_PATH_BASE_URL))
    whole = [loc.text for loc in ET.parse(tmp_path / "whole/sitemap.xml").iter(f"{ns}loc")]
    monkeypatch.setattr(outputs, "SITEMAP_URLS", 40)
    build(CONTENT, tmp_path / "cut", LAYOUTS, SiteConfig(base_url=SUB_PATH_BASE_URL))
    index = ET.parse(tmp_path / "cut/sitemap.xml").getroot()
    assert index.tag == f"{ns}sitemapindex"
    parts = [loc.text for loc in index.iter(f"{ns}loc")]
    assert parts == [f"{SUB_PATH_BASE_URL}sitemap-{number}.xml" for number in range(1, -(-len(whole) // 40) + 1)]
    listed = []
    for number, part in enumerate(parts, start=1):
        tree = ET.parse(file_for_url(tmp_path / "cut", part))
        urls = [loc.text for loc in tree.iter(f"{ns}loc")]
        assert tree.getroot().tag == f"{ns}urlset" and 0 < len(urls) <= 40
        days = [dt.date.fromisoformat(lastmod.text) for lastmod in tree.iter(f"{ns}lastmod")]
        newest = index.findall(f"{ns}sitemap")[number - 1].find(f"{ns}lastmod").text
        assert newest == max(days).isoformat()
        listed += urls
    assert listed == whole and len(set(listed)) == len(listed)  # every page once, in the same order
    assert f"Sitemap: {SUB_PATH_BASE_URL}sitemap.xml" in (tmp_path / "cut/robots.txt").read_text()


def test_every_page_is_valid_html(sample_site):
    pages = sorted(sample_site.rglob("*.html"))
    assert len(pages) > 100
    for page in pages:
        parse(page)  # raises on any parse error


def test_home_shows_the_latest_day(sample_site):
    home = parse(sample_site / "index.html")
    latest = max(PAPERS, key=lambda p: p.day)
    assert "14 October 2025" in text(home.find(".//h1"))
    titles = [text(h) for h in home.iter("h2") if "card-title" in (h.get("class") or "")]
    assert titles == [latest.title]
    assert home.find(".//link[@rel='canonical']").get("href") == SUB_PATH_BASE_URL


def test_day_pages_link_to_the_neighbouring_days_that_have_papers(sample_site):
    dates = sorted(day.date for day in ARCHIVE.days)
    for index, date in enumerate(dates):
        page = sample_site / f"{date:%Y/%m/%d}/index.html"
        document = parse(page)
        for rel, neighbour in (("prev", dates[index - 1] if index else None),
                               ("next", dates[index + 1] if index + 1 < len(dates) else None)):
            links = {a.get("href") for a in document.iter("a") if a.get("rel") == rel}
            if neighbour is None:
                assert links == set()
            else:
                [href] = links
                target = file_for_url(sample_site, urljoin(page_url(sample_site, page), href))
                assert target == sample_site / f"{neighbour:%Y/%m/%d}/index.html"


def test_day_page_ranks_by_upvotes_then_title(tmp_path):
    content = tmp_path / "content"
    for slug, title, upvotes in [("a", "banana", 2), ("b", "Apple", 2), ("c", "cherry", 7), ("d", "date", 0)]:
        write(content, f"2025/05/06/{slug}.md", record(title=title, upvotes=upvotes))
    build(content, tmp_path / "out", LAYOUTS, SiteConfig(base_url=SUB_PATH_BASE_URL))
    day = parse(tmp_path / "out/2025/05/06/index.html")
    titles = [text(h) for h in day.iter("h2") if "card-title" in (h.get("class") or "")]
    assert titles == ["cherry", "Apple", "banana", "date"]


def test_paper_pages_carry_scholar_and_open_graph_tags(sample_site):
    for paper in PAPERS:
        document = parse(sample_site / f"papers/{paper.slug}/index.html")
        meta = [(m.get("name") or m.get("property"), m.get("content")) for m in document.iter("meta")]
        values = {}
        for name, content in meta:
            values.setdefault(name, []).append(content)
        assert values["citation_title"] == [paper.title]
        assert values["citation_author"] == list(paper.authors)
        assert values["citation_publication_date"] == [f"{paper.published:%Y/%m/%d}"]
        assert values["citation_arxiv_id"] == [paper.arxiv_base]
        assert values["citation_pdf_url"] == [f"https://arxiv.org/pdf/{paper.arxiv_base}"]
        canonical = SUB_PATH_BASE_URL + f"papers/{paper.slug}/"
        assert document.find(".//link[@rel='canonical']").get("href") == canonical
        assert values["og:url"] == [canonical]
        assert values["og:title"] == [paper.title]
        assert values["og:type"] == ["article"]
        assert text(document.find(".//h1")) == paper.title
        bibtex = text(document.find(".//pre"))
        assert f"eprint = {{{paper.arxiv_base}}}" in " ".join(bibtex.split())
        hrefs = [a.get("href") for a in document.iter("a")]
        assert f"https://arxiv.org/abs/{paper.arxiv_base}" in hrefs
        for link in paper.links:
            assert link.url in hrefs


def test_paper_page_shows_every_fact_of_its_record(sample_site):
    paper = next(p for p in PAPERS if p.slug == "2510.12866")
    page = text(parse(sample_site / "papers/2510.12866/index.html").find(".//main"))
    for fact in ["UC Berkeley", "14 Oct 2025", "https://lego-grasp.github.io/", "cs.RO", "Jitendra Malik",
                 "@misc{niu2025learning-2510.12866,"]:
        assert fact in page or fact in (sample_site / "papers/2510.12866/index.html").read_text(), fact
    assert ", ".join(paper.authors) in page


def test_tricky_abstracts_come_out_exactly(sample_site):
    for paper in PAPERS:
        document = parse(sample_site / f"papers/{paper.slug}/index.html")
        abstract = next(div for div in document.iter("div") if div.get("class") == "abstract")
        assert text(abstract) == " ".join(paper.abstract.split()), paper.slug
        assert list(abstract.iter("script")) == [] and list(abstract.iter("em")) == []
    broken_math = (sample_site / "papers/2410.04717/index.html").read_text()
    assert "$textbf{specialist} and textbf{generalist}$" in broken_math
    assert "MNIST &lt; CIFAR10 &lt; Imagenet" in (sample_site / "papers/2305.01034/index.html").read_text()


def test_every_internal_link_resolves(sample_site):
    checked = 0
    for page in sorted(sample_site.rglob("*.html")):
        base = page_url(sample_site, page)
        document = parse(page)
        ids = {element.get("id") for element in document.iter() if element.get("id")}
        for href in links_of(document):
            if href.startswith("#"):
                assert href[1:] in ids, (page, href)
                continue
            absolute = urljoin(base, href)
            if urlsplit(absolute).netloc != urlsplit(SUB_PATH_BASE_URL).netloc:
                assert urlsplit(absolute).scheme == "https", (page, href)
                continue
            target = file_for_url(sample_site, absolute)
            assert target is not None and target.is_file(), (page.relative_to(sample_site), href, absolute)
            checked += 1
    assert checked > 1500


def test_sitemap_and_robots(sample_site):
    tree = ET.parse(sample_site / "sitemap.xml")
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locations = [loc.text for loc in tree.iter(f"{ns}loc")]
    assert len(locations) == len(set(locations)) == 3 + len(ARCHIVE.days) + len(ARCHIVE.months) + len(
        ARCHIVE.years) + len(ARCHIVE.weeks) + len(PAPERS) + len(ARCHIVE.tags) + len(
        {(tag.slug, paper.day.year) for tag in ARCHIVE.tags for paper in tag.papers})
    for location in locations:
        assert file_for_url(sample_site, location).is_file(), location
    for lastmod in tree.iter(f"{ns}lastmod"):
        dt.date.fromisoformat(lastmod.text)
    robots = (sample_site / "robots.txt").read_text()
    assert f"Sitemap: {SUB_PATH_BASE_URL}sitemap.xml" in robots


def test_every_link_works_when_served_under_a_sub_path(sub_path_server):
    root = sub_path_server
    seen, queue = {root}, [root]
    while queue:
        url = queue.pop()
        with urllib.request.urlopen(url) as response:
            assert response.status == 200, url
            body = response.read()
            kind = response.headers.get("Content-Type", "")
        if "html" not in kind:
            continue
        document = html5lib.parse(body, namespaceHTMLElements=False)
        for href in links_of(document):
            target = urldefrag(urljoin(url, href))[0]
            if target.startswith("http://127.0.0.1") and target not in seen:
                assert target.startswith(root), (url, href)
                seen.add(target)
                queue.append(target)
    assert len(seen) > 170


def test_an_empty_content_folder_builds_a_welcoming_site(tmp_path):
    (tmp_path / "content").mkdir()
    summary = build(tmp_path / "content", tmp_path / "out", LAYOUTS, SiteConfig())
    assert (summary.papers, summary.days) == (0, 0)
    home = parse(tmp_path / "out/index.html")
    assert "No papers yet" in text(home.find(".//main"))
    assert (tmp_path / "out/archive/index.html").is_file() and (tmp_path / "out/sitemap.xml").is_file()


def test_hostile_record_text_is_escaped_everywhere(tmp_path):
    content = tmp_path / "content"
    output = tmp_path / "out"
    write(content, "2025/05/06/x.md", record(
        title='<script>alert("t")</script> & "quotes"', authors=["<img src=x onerror=alert(1)>", "Łukasz Ωmega"],
        abstract="<iframe src=javascript:alert(1)></iframe> [click](javascript:alert(2))",
        organization="'<b>Org</b>'",
    ))
    build(content, output, LAYOUTS, SiteConfig())
    for page in (output / "index.html", output / "papers/x/index.html", output / "2025/05/06/index.html"):
        document = parse(page)
        for tag in ("img", "iframe", "b"):
            assert list(document.iter(tag)) == [], (page, tag)
        data = [s for s in document.iter("script") if s.get("type") == "application/ld+json"]
        for script in data:  # linked data: inert, and nothing in it can end the script
            body = "".join(script.itertext())
            assert "<" not in body and json.loads(body)["name"] == '<script>alert("t")</script> & "quotes"'
        scripts = [(s.get("src"), "".join(s.itertext())) for s in document.iter("script") if s not in data]
        ours = [(src, body) for src, body in scripts
                if (src or "").endswith(("static/copy.js", "static/site.js")) and not body.strip()]
        assert scripts == ours and "alert" not in str(scripts), scripts
        assert all(not (a.get("href") or "").startswith("javascript") for a in document.iter("a"))
        assert '<script>alert("t")</script> & "quotes"' in text(document.find(".//main"))
    paper_page = parse(output / "papers/x/index.html")
    authors = [m.get("content") for m in paper_page.iter("meta") if m.get("name") == "citation_author"]
    assert authors == ["<img src=x onerror=alert(1)>", "Łukasz Ωmega"]


def test_relative_urls_lead_where_the_browser_resolves_them():
    from urllib.parse import urljoin

    from generator.urls import relative_url

    paths = ["", "index.html", "2024/", "2024/05/", "2024/05/01/", "2024/05/01/index.html", "2024/06/",
             "papers/2305.02990/", "papers/2305.02990/index.html", "tags/cs.lg/", "tags/cs.lg/feed.xml",
             "search/", "feed.xml", "static/style.css", "2023/W05/", "api/papers/x.json"]
    for page in paths:
        for target in paths:
            relative = relative_url(target, page)
            assert not relative.startswith("/") and "//" not in relative
            # The browser, on the page's address, turns the link back into the target's address.
            assert urljoin("https://example.org/site/" + page, relative) == "https://example.org/site/" + target, \
                (page, target, relative)


def test_search_rendered_in_a_second_process_equals_search_rendered_here(tmp_path, monkeypatch, two_cores):
    from generator import parallel
    from generator import pipeline as build_module

    started = []

    def watched(function, *arguments):
        started.append(parallel.in_second_process(function, *arguments))
        return started[-1]

    monkeypatch.setattr(build_module, "in_second_process", watched)
    build(CONTENT, tmp_path / "two-cores", LAYOUTS, SiteConfig())
    assert any(isinstance(worker, parallel.Forked) for worker in started)  # really forked
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 1)
    build(CONTENT, tmp_path / "one-core", LAYOUTS, SiteConfig())
    two = {p.relative_to(tmp_path / "two-cores"): p.read_bytes() for p in (tmp_path / "two-cores").rglob("*") if p.is_file()}
    one = {p.relative_to(tmp_path / "one-core"): p.read_bytes() for p in (tmp_path / "one-core").rglob("*") if p.is_file()}
    assert two == one
    assert any(name.parts[0] == "search" for name in one)


@pytest.mark.parametrize("planted", ["static/p.css", "base.html", "static", "node_modules/lunr/lunr.min.js",
                                     "node_modules/lunr"])
def test_a_link_in_the_layouts_or_vendored_code_is_refused_and_nothing_is_published(tmp_path, planted):
    """A link would put any file of the building machine on the site (a checkout's .git/config
    holds the token actions/checkout keeps)."""
    import shutil

    from generator.problems import BuildFailed

    from conftest import ROOT

    secret = tmp_path / "secret.txt"
    secret.write_text("token=s3cret")
    shutil.copytree(LAYOUTS, tmp_path / "layouts")
    shutil.copytree(ROOT / "node_modules/lunr", tmp_path / "node_modules/lunr")
    path = tmp_path / ("" if planted.startswith("node_modules") else "layouts") / planted
    shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
    path.symlink_to(secret if "." in path.name else tmp_path / "elsewhere")
    if not path.suffix:
        shutil.copytree(LAYOUTS / "static" if planted == "static" else ROOT / "node_modules/lunr", tmp_path / "elsewhere")
    with pytest.raises(BuildFailed) as failed:
        build(CONTENT, tmp_path / "out", tmp_path / "layouts", SiteConfig(), vendor_dir=tmp_path / "node_modules",
              cache_dir=tmp_path / "cache")
    assert [(problem.path.rpartition("/")[2], problem.field) for problem in failed.value.problems] == \
        [(path.name, "file")]
    assert "is a symbolic link" in failed.value.problems[0].message
    assert not (tmp_path / "out").exists()


def test_an_output_folder_that_is_a_link_is_refused(tmp_path):
    from generator.write.writer import OutputError

    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere/precious.txt").write_text("mine")
    (tmp_path / "out").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(OutputError, match="is a symbolic link"):
        build(CONTENT, tmp_path / "out", LAYOUTS, SiteConfig())
    assert [path.name for path in (tmp_path / "elsewhere").iterdir()] == ["precious.txt"]


@pytest.mark.parametrize("cached", [False, True], ids=["without the cache", "with the cache"])
def test_a_link_planted_in_output_is_removed_so_the_deploy_never_publishes_its_target(tmp_path, cached):
    """upload-pages-artifact packs output/ following links: one left there would publish the file it
    points to (a checkout's .git/config, the cache key)."""
    out = tmp_path / "out"
    cache = tmp_path / "cache" if cached else None
    build(CONTENT, out, LAYOUTS, SiteConfig(), cache_dir=cache)
    (tmp_path / "secret.txt").write_text("token=s3cret")
    (out / "leak.txt").symlink_to(tmp_path / "secret.txt")
    (out / "static/leaked").symlink_to(tmp_path)
    summary = build(CONTENT, out, LAYOUTS, SiteConfig(), cache_dir=cache, verify=True)  # a deploy starts afresh
    assert not summary.unchanged and summary.removed >= 1
    assert not (out / "leak.txt").is_symlink() and not (out / "static/leaked").is_symlink()
    assert (tmp_path / "secret.txt").read_text() == "token=s3cret"


def test_links_planted_in_output_are_replaced_never_written_through(tmp_path):
    """A pull request can force-add files under output/: the marker and the pages it links are
    replaced by the build's own files; what they pointed to is untouched, dangling ones stay unmade."""
    out = tmp_path / "out"
    build(CONTENT, out, LAYOUTS, SiteConfig())
    (tmp_path / "victim.txt").write_text("precious")
    for name in (".dailypapers-output", "index.html", "feed.xml"):
        (out / name).unlink()
        (out / name).symlink_to(tmp_path / "victim.txt")
    (out / "archive/index.html").unlink()
    (out / "archive/index.html").symlink_to(tmp_path / "dangling.txt")
    (out / ".index.html.1.tmp").symlink_to(tmp_path / "dangling-tmp.txt")
    build(CONTENT, out, LAYOUTS, SiteConfig())
    assert (tmp_path / "victim.txt").read_text() == "precious"
    assert not (tmp_path / "dangling.txt").exists() and not (tmp_path / "dangling-tmp.txt").exists()
    for name in (".dailypapers-output", "index.html", "feed.xml", "archive/index.html"):
        assert not (out / name).is_symlink() and (out / name).stat().st_size > 20


@pytest.mark.parametrize("where", ["here", "in the search process"])
@pytest.mark.parametrize("before", ["no folder", "an empty folder", "a site"])
def test_a_build_that_fails_midway_leaves_output_as_it_was(tmp_path, monkeypatch, before, where):
    """Whatever fails, in whichever process, and however far the other process got: nothing it
    wrote or staged is left (the JSON feed fails here while the search process is still at work,
    or a search file fails there while the pages are written here)."""
    import dataclasses

    from generator.site import outputs
    from generator.write.writer import STAGING

    from conftest import ROOT, snapshot

    out = tmp_path / "out"
    if before == "an empty folder":
        out.mkdir()
    elif before == "a site":
        build(CONTENT, out, LAYOUTS, SiteConfig(title="The site before"), vendor_dir=ROOT / "node_modules")
    was = snapshot(out) if out.exists() else None

    def fails(*arguments):
        raise RuntimeError("a failure while the search files are being made")

    def fails_later(*arguments, **keywords):  # once some search files are written or staged
        for made, file in enumerate(real_search(*arguments, **keywords)):
            if made == 40:
                raise RuntimeError("a failure while the pages are being made")
            yield file

    real_search = outputs.render_search
    if where == "here":
        monkeypatch.setattr(outputs, "OUTPUTS", [dataclasses.replace(output, render=fails)
                                                 if output.name == "JSON Feed" else output
                                                 for output in outputs.OUTPUTS])
    else:
        monkeypatch.setattr(outputs, "render_search", fails_later)
    with pytest.raises(RuntimeError, match="a failure while"):
        build(CONTENT, out, LAYOUTS, SiteConfig(), vendor_dir=ROOT / "node_modules", cache_dir=tmp_path / "cache")
    assert (snapshot(out) if out.exists() else None) == was
    assert not (out / STAGING).exists()


def test_a_tag_named_as_a_file_of_the_site_is_refused(tmp_path):
    from conftest import run_cli

    write(tmp_path, "content/2025/05/06/x.md", record(tags="[cs.LG, index.html]"))
    result = run_cli("check", "--content", str(tmp_path / "content"), cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert ("content/2025/05/06/x.md:5: tags: 'index.html' would be named as a file the site makes "
            "(tags/index.html); choose another tag") in result.stderr


def test_the_first_and_last_days_a_folder_can_name_build(tmp_path):
    """9999/12/31 is in a week whose Sunday is past the last date Python knows."""
    import feedparser

    for day in ("9999/12/31", "0001/01/01"):
        write(tmp_path / "content", f"{day}/{day[:4]}.md", record(title=f"Paper of {day}"))
    summary = build(tmp_path / "content", tmp_path / "out", LAYOUTS, SiteConfig())
    assert (summary.papers, summary.days) == (2, 2)
    assert "Week 52, 9999 (27–31 Dec)" in text(parse(tmp_path / "out/9999/W52/index.html").find(".//h1"))
    feed = feedparser.parse((tmp_path / "out/feed.xml").read_bytes())
    assert not feed.bozo and [entry.title for entry in feed.entries][0] == "Paper of 9999/12/31"


def test_a_content_folder_that_is_a_link_is_refused(tmp_path):
    from generator.problems import BuildFailed

    (tmp_path / "content").symlink_to(CONTENT)
    for cache in (None, tmp_path / "cache"):
        with pytest.raises(BuildFailed) as failed:
            build(tmp_path / "content", tmp_path / "out", LAYOUTS, SiteConfig(), cache_dir=cache)
        assert [(p.field, p.message) for p in failed.value.problems] == [
            ("content", "is a symbolic link; records live in a real folder")]


def test_a_tags_pages_list_each_papers_other_tags_only(tmp_path):
    content = tmp_path / "content"
    write(content, "2025/11/18/a.yaml", "title: Both\nauthors: [A]\nabstract: x\ntags: [cs.LG, cs.CL]\n")
    write(content, "2025/11/18/b.yaml", "title: One\nauthors: [B]\nabstract: y\ntags: [cs.LG]\n")
    build(content, tmp_path / "out", LAYOUTS, SiteConfig())
    for page in ("tags/cs.lg/index.html", "tags/cs.lg/2025/index.html"):
        html = (tmp_path / "out" / page).read_text()
        rows = html[html.index('<ol class="rows">'):]
        assert ">cs.CL</a>" in rows and ">cs.LG</a>" not in rows, page
    day = (tmp_path / "out/2025/11/18/index.html").read_text()
    assert day.count(">cs.LG</a>") == 2  # elsewhere every tag shows


def test_a_build_runs_the_cycle_collector_less_often_and_gives_it_back_as_it_was(tmp_path, monkeypatch):
    import gc

    from generator import build as stages
    from generator import pipeline
    from generator.problems import BuildFailed

    during = []
    group = pipeline.group_papers
    monkeypatch.setattr(pipeline, "group_papers", lambda papers: during.append(gc.get_threshold()) or group(papers))
    before = gc.get_threshold()
    build(CONTENT, tmp_path / "out", LAYOUTS, SiteConfig(), vendor_dir=LAYOUTS.parent / "node_modules")
    assert during == [stages.BUILD_COLLECTOR_THRESHOLDS] != [before]
    assert gc.get_threshold() == before
    broken = tmp_path / "content"
    write(broken, "2025/01/02/broken.md", "---\ntitle: [unclosed\n---\n\nText.\n")
    with pytest.raises(BuildFailed):
        build(broken, tmp_path / "out2", LAYOUTS, SiteConfig(), vendor_dir=LAYOUTS.parent / "node_modules")
    assert gc.get_threshold() == before  # a failed build too


def test_progress_prints_its_figures_at_most_once_an_interval():
    stream = io.StringIO()
    progress = Progress(stream=stream, interval=3600)
    progress.last = -1e9  # long ago: the first message is due
    progress.update("  rendered {}/{} files", 3, 10)
    progress.update("  rendered {}/{} files", 4, 10)  # within the hour: not printed
    assert stream.getvalue() == "  rendered 3/10 files\n"
    Progress(stream=None).update("  read {}/{} records", 1, 2)  # quiet: nothing to print to, no error
