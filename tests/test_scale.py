"""The site at scale: a busy day and a long tag stay light, cut into pages that lead to each other."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import html5lib
import pytest

from generator.build import build
from generator.config import SiteConfig
from generator.read.content import read_papers
from generator.site import pages
from generator.site.archive import group_papers
from generator.synthetic import DENSE_DAY, write_synthetic

from conftest import LAYOUTS, ROOT

sys.path.insert(0, str(ROOT / "tests" / "benchmarks"))
import site_size  # noqa: E402

BUSY_DAY = 150


@pytest.fixture(scope="module")
def dense_site(tmp_path_factory) -> tuple[Path, Path]:
    """1,000 papers (a tag has some 150 a year) and one day of 150."""
    root = tmp_path_factory.mktemp("dense")
    write_synthetic(root / "content", 1000, dense_day=BUSY_DAY)
    build(root / "content", root / "out", LAYOUTS, SiteConfig(), vendor_dir=ROOT / "node_modules")
    return root / "content", root / "out"


def document(page: Path):
    return html5lib.parse(page.read_bytes(), namespaceHTMLElements=False)


def paper_links(page: Path) -> list[str]:
    """The papers a page lists, in order, by their titles' links."""
    return [a.get("href").rstrip("/").rsplit("/", 1)[-1] for a in document(page).iter("a")
            if re.fullmatch(r"(\.\./)*papers/[^/]+/", a.get("href", "")) and a.text]


def numbered_pages(page: Path) -> list[tuple[str, str]]:
    """A page's list of numbered pages: (its words, where it leads), as the reader sees them."""
    found = []
    for nav in document(page).iter("nav"):
        if nav.get("class") == "page-numbers":
            found = [("".join(item.itertext()), item.get("href")) for item in nav.iter() if item.tag in ("a", "span")]
            break
    return found


def test_no_page_outweighs_the_budget_with_a_busy_day_and_a_long_tag(dense_site):
    _, out = dense_site
    kinds = site_size.measure_site(out)
    heaviest = max(kind.heaviest for kind in kinds.values() if kind.heaviest[1].endswith(".html"))
    assert [path for kind in kinds.values() for path in kind.over_budget] == []
    assert heaviest[0] <= site_size.PAGE_BUDGET, heaviest
    assert kinds["day pages"].heaviest[0] > 10_000  # the busy day's pages were weighed, with their stylesheet


@pytest.mark.parametrize("listing", ["busy day", "long tag's year", "month", "week"])
def test_a_long_list_is_cut_into_pages_that_lead_to_each_other_and_show_each_paper_once(dense_site, listing):
    content, out = dense_site
    archive = group_papers(read_papers(content)[0])
    if listing == "busy day":
        day = next(day for day in archive.days if day.date == DENSE_DAY)
        first, papers, size = f"{DENSE_DAY:%Y/%m/%d}/", day.papers, pages.DAY_PAGE_PAPERS
    elif listing == "long tag's year":
        year = max(pages.tag_years(archive), key=lambda year: len(year.papers))
        first, papers, size = f"tags/{year.slug}/{year.year}/", year.papers, pages.LIST_PAGE_PAPERS
    else:
        found = archive.months if listing == "month" else archive.weeks
        whole = max(found, key=lambda listing: listing.paper_count)
        first = f"{whole.year}/{whole.month:02d}/" if listing == "month" else f"{whole.year}/W{whole.week:02d}/"
        papers, size = whole.papers, pages.LIST_PAGE_PAPERS
    count = -(-len(papers) // size)
    assert count >= 2, (listing, len(papers))  # the archive is dense enough to cut this list
    addresses = [first] + [f"{first}page/{number}/" for number in range(2, count + 1)]
    shown = []
    for number, address in enumerate(addresses, start=1):
        page = out / address / "index.html"
        links = numbered_pages(page)
        labels = [words for words, _ in links]
        assert [label for label in labels if label.isdigit()] == [str(n) for n in range(1, count + 1)]
        assert ("← Previous page" in labels) == (number > 1) and ("Next page →" in labels) == (number < count)
        assert f"(page {number} of {count})" in "".join(document(page).find(".//main").itertext())  # where it stands
        for words, href in links:  # every link leads to the page it names
            if href is None:
                assert words == str(number)  # the page itself, not a link
                continue
            target = (page.parent / href).resolve()
            expected = {"← Previous page": number - 1, "Next page →": number + 1}.get(words, words)
            assert target == (out / addresses[int(expected) - 1]).resolve(), (address, words, href)
        listed = paper_links(page)
        if listing in ("month", "week") and number == 1:  # led by its most upvoted papers, then all of them
            lead, listed = listed[:pages.LEAD_PAPERS], listed[pages.LEAD_PAPERS:]
            upvotes = {paper.slug: paper.upvotes for paper in papers}
            assert sorted(upvotes.values(), reverse=True)[:pages.LEAD_PAPERS] == [upvotes[slug] for slug in lead]
        assert 0 < len(listed) <= size
        if listing in ("month", "week") and number > 1 and papers[(number - 1) * size].day == papers[
                (number - 1) * size - 1].day:  # a day begun on the page before
            first_heading = "".join(document(page).find(".//section[@class='day-list']/h2").itertext())
            assert first_heading.endswith("(continued)"), first_heading
        shown += listed
    assert shown == [paper.slug for paper in papers]  # every paper once, in the list's order
    assert not (out / first / "page" / str(count + 1)).exists()
    sitemap = (out / "sitemap.xml").read_text()
    assert all(f"/{address}</loc>" in sitemap for address in addresses)


def test_the_archive_of_thirty_years_stays_light(tmp_path):
    """A calendar for every month of thirty years weighed 108 KB gzipped: the archive shows each year
    as a strip of months and weeks."""
    from conftest import record, write

    for year in range(1996, 2026):
        for month in range(1, 13):
            write(tmp_path / "content", f"{year}/{month:02d}/03/p{year}{month:02d}.md", record(title=f"{year}-{month}"))
    build(tmp_path / "content", tmp_path / "out", LAYOUTS, SiteConfig(), vendor_dir=ROOT / "node_modules")
    kinds = site_size.measure_site(tmp_path / "out")
    weight, path = kinds["other pages"].heaviest
    archive = document(tmp_path / "out/archive/index.html")
    assert not list(archive.iter("table"))
    months = [a.get("href") for a in archive.iter("a") if re.fullmatch(r"\.\./\d{4}/\d\d/", a.get("href", ""))]
    assert len(months) == 30 * 12 and len(set(months)) == 360  # every month of every year, linked once
    assert weight < 20_000, (path, weight)
