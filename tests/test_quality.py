"""The reading quality bars: accessibility (axe-core), valid HTML (Nu Html Checker), page weight,
screenshots to look at, keyboard use, calendars, and a site that reads without JavaScript."""

from __future__ import annotations

import gzip
import json
import os
import re
import struct
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import ROOT

AXE = ROOT / "node_modules/axe-core/axe.min.js"
VNU = ROOT / "node_modules/vnu-jar/build/dist/vnu.jar"
PAGES = {"home": "", "day": "2025/09/25/", "paper": "papers/2510.12866/", "tag": "tags/cs.lg/", "tag year": "tags/cs.lg/2025/",
         "archive": "archive/", "search": "search/?q=grokking", "week": "2025/W42/", "month": "2025/06/",
         "submit": "submit/"}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_accessibility_violations(browser, sub_path_server, name, scheme):
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    page.goto(sub_path_server + PAGES[name])
    if name == "search":
        expect(page.locator("#search-results .search-result-snippet mark").first).to_be_visible()
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
               if v["impact"] in ("serious", "critical")]
    assert serious == [], serious
    context.close()


def test_every_page_is_valid_html_for_the_nu_checker(sample_site):
    result = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--skip-non-html", "--format", "json",
                             str(sample_site)], capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    assert [(m.get("url", "").rsplit("/output/", 1)[-1], m.get("lastLine"), m["message"]) for m in messages] == []
    assert len(list(sample_site.rglob("*.html"))) > 150


def gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def test_no_page_weighs_more_than_50_kb_before_search_is_used(sample_site):
    css = gzipped((sample_site / "static/style.css").read_bytes())
    copy_script = gzipped((sample_site / "static/copy.js").read_bytes())
    heaviest = (0, "")
    for page in sample_site.rglob("*.html"):
        html = page.read_bytes()
        weight = gzipped(html) + css + (copy_script if b"static/copy.js" in html else 0)
        heaviest = max(heaviest, (weight, page.relative_to(sample_site).as_posix()))
    assert heaviest[0] <= 50 * 1024, heaviest
    assert heaviest[0] > 4 * 1024  # the measure is real: pages and CSS were counted


def png_size(path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("device", "width"), [("phone", 390), ("desktop", 1280)])
def test_screenshots_of_home_day_and_paper(browser, sub_path_server, device, width, scheme, tmp_path):
    """Screenshots to look at (in DAILYPAPERS_SCREENSHOTS, if set, else a temporary folder): each
    page fits the screen's width, and its colours follow the reader's light or dark scheme."""
    folder = Path(os.environ.get("DAILYPAPERS_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme,
                                  device_scale_factor=1, is_mobile=device == "phone")
    page = context.new_page()
    for name in ("home", "day", "paper"):
        page.goto(sub_path_server + PAGES[name])
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name  # no sideways scrolling
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        red, green, blue = (int(part) for part in re.findall(r"\d+", background)[:3])
        assert (red + green + blue > 3 * 128) == (scheme == "light"), (name, scheme, background)
        path = folder / f"{name}-{device}-{scheme}.png"
        page.screenshot(path=str(path), full_page=True)
        shot_width, shot_height = png_size(path)
        assert shot_width == width and shot_height >= 600, (path, shot_width, shot_height)
    context.close()


def test_keys_move_between_days_and_focus_is_visible(browser, sub_path_server):
    page = browser.new_page()
    page.goto(sub_path_server + "2025/09/25/")
    page.keyboard.press("ArrowLeft")
    expect(page).to_have_url(sub_path_server + "2025/07/17/")
    page.keyboard.press("k")
    expect(page).to_have_url(sub_path_server + "2025/09/25/")
    page.keyboard.press("ArrowRight")
    expect(page).to_have_url(sub_path_server + "2025/10/14/")
    page.keyboard.press("j")
    expect(page).to_have_url(sub_path_server + "2025/09/25/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", ""), outline
    page.keyboard.press("/")
    expect(page.locator("#site-search")).to_be_focused()
    page.keyboard.press("ArrowLeft")  # typing in the box never leaves the page
    expect(page).to_have_url(sub_path_server + "2025/09/25/")
    page.close()


def test_the_archive_shows_every_year_at_a_glance_with_links_to_every_month_and_week(browser, sub_path_server):
    from generator.read.content import read_papers
    from generator.site.archive import group_papers

    from conftest import CONTENT

    archive = group_papers(read_papers(CONTENT)[0])
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto(sub_path_server + "archive/")
    years = page.locator(".archive-year")
    expect(years).to_have_count(len(archive.years))
    for section, year in zip(years.all(), archive.years, strict=True):  # newest first
        expect(section.locator("h2 a")).to_have_text(str(year.year))
        expect(section.locator(".year-months li")).to_have_count(12)  # empty months shown, not skipped
        assert section.bounding_box()["height"] < 260  # a year in a strip, not twelve calendars
    months = {a for a in page.eval_on_selector_all(".year-months a", "links => links.map(a => a.href)")}
    assert months == {sub_path_server + f"{m.year}/{m.month:02d}/" for m in archive.months}
    weeks = {a for a in page.eval_on_selector_all(".year-weeks a", "links => links.map(a => a.href)")}
    assert weeks == {sub_path_server + f"{w.year}/W{w.week:02d}/" for w in archive.weeks}
    # Months run January to December, left to right: no zigzag.
    lefts = [box["x"] for box in (li.bounding_box() for li in years.first.locator(".year-months li").all())]
    assert lefts == sorted(lefts)
    page.get_by_role("link", name="Jun 2025: 4 papers").click()
    expect(page).to_have_url(sub_path_server + "2025/06/")
    expect(page.locator(".day-list .row .row-title")).to_have_count(4)
    page.go_back()
    page.get_by_role("link", name="Week 26, 2025 (23–29 Jun): 2 papers").click()
    expect(page.locator("h1")).to_have_text("Week 26, 2025 (23–29 Jun)")
    expect(page.locator(".day-list h2")).to_have_text(["Thursday, 26 June 2025", "Monday, 23 June 2025"])
    expect(page.locator(".day-list .row .row-title")).to_have_count(2)  # archive pages show compact entries
    expect(page.locator(".lead")).to_have_count(0)  # no "most upvoted" that would only repeat its two papers
    page.close()


def test_the_month_page_has_its_calendar(browser, sub_path_server):
    page = browser.new_page()
    page.goto(sub_path_server + "2025/06/")
    june = page.locator("table.calendar")
    expect(june.locator("td.has-papers a")).to_have_count(4)
    june.get_by_role("link", name="Thursday, 26 June 2025: 1 paper").click()
    expect(page).to_have_url(sub_path_server + "2025/06/26/")
    page.close()


def test_long_author_lists_fold_and_unfold(browser, sub_path_server):
    page = browser.new_page()
    page.goto(sub_path_server + "2023/08/07/")
    authors = page.locator("details.card-authors")
    expect(authors.locator("summary")).to_have_text("Roger Grosse, Juhan Bae, Cem Anil et al. (17 authors)")
    expect(authors.locator("p")).to_be_hidden()
    authors.locator("summary").click()
    expect(authors.locator("p")).to_contain_text("Samuel R. Bowman")
    page.close()


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_reads_without_javascript(browser, sub_path_server, name):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    response = page.goto(sub_path_server + PAGES[name])
    assert response.ok
    expect(page.locator("main h1")).to_be_visible()
    expect(page.locator("header nav a")).to_have_count(3)
    if name == "search":
        expect(page.locator("#search-status")).to_contain_text("Search needs JavaScript")
    context.close()


def test_a_paper_page_prints_cleanly(browser, sub_path_server, tmp_path):
    page = browser.new_page()
    page.goto(sub_path_server + "papers/2510.12866/")
    page.emulate_media(media="print")
    hidden = page.evaluate("""() => ['.site-header', '.site-footer', '.copy-button']
        .map((s) => document.querySelector(s)).filter(Boolean)
        .map((el) => getComputedStyle(el).display)""")
    assert hidden and set(hidden) == {"none"}
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") in ("rgb(255, 255, 255)",)
    pdf = tmp_path / "paper.pdf"
    page.pdf(path=str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5_000
    page.close()
