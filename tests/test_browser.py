"""A real headless Chromium reads the site as a person would: home, a day, a paper, on any screen."""

from __future__ import annotations

import functools
import http.server
import re
import threading

import pytest
from playwright.sync_api import expect

from generator.build import build
from generator.config import SiteConfig

from conftest import LAYOUTS, SUB_PATH, SubPathHandler, record, write
from test_serve import BUILD_ID, fetch, running_server, wait_for

LATEST = "Learning to Grasp Anything by Playing with Random Toys"


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def test_home_then_a_paper_then_a_day(page, sub_path_server):
    page.goto(sub_path_server)
    expect(page.locator("h1")).to_contain_text("Tuesday, 14 October 2025")
    expect(page).to_have_title("Daily Papers")
    expect(page.locator(".card-opening").first).to_contain_text("Robotic manipulation policies")  # the abstract's opening
    page.get_by_role("link", name=LATEST, exact=True).click()
    expect(page).to_have_url(sub_path_server + "papers/2510.12866/")
    expect(page.locator("h1")).to_have_text(LATEST)
    expect(page.locator(".abstract")).to_contain_text("randomly assembled objects")
    expect(page.locator("pre.bibtex")).to_contain_text("@misc{niu2025learning-2510.12866,")
    page.get_by_role("link", name="14 Oct 2025").click()
    expect(page).to_have_url(sub_path_server + "2025/10/14/")
    page.get_by_role("link", name="← 25 Sep 2025").first.click()
    expect(page).to_have_url(sub_path_server + "2025/09/25/")
    expect(page.locator("h1")).to_have_text("Thursday, 25 September 2025")
    expect(page.locator(".card-title")).to_have_text(["GALAX: Graph-Augmented Language Model for Explainable "
                                                      "Reinforcement-Guided Subgraph Reasoning in Precision Medicine"])
    page.get_by_role("link", name="Archive").first.click()
    expect(page).to_have_url(sub_path_server + "archive/")
    page.get_by_role("link", name="Jun 2015: 1 paper", exact=True).click()
    expect(page).to_have_url(sub_path_server + "2015/06/")
    page.get_by_role("link", name="Tuesday, 9 June 2015", exact=True).click()
    expect(page.locator(".card-title")).to_have_text(["Pointer Networks"])
    expect(page.get_by_text("No earlier day")).to_have_count(1)  # one pager above a day of one paper


def test_the_sample_opens_on_hugging_faces_day_of_57_papers(browser, tmp_path):
    import json

    from conftest import SAMPLE, SEED_JSON, served_under_sub_path

    build(SAMPLE, tmp_path / "site", LAYOUTS, SiteConfig(base_url="https://example.org" + SUB_PATH))
    seed = json.loads(SEED_JSON.read_text(encoding="utf-8"))
    most_upvoted = max(seed, key=lambda entry: entry["upvotes"])
    with served_under_sub_path(tmp_path / "site") as address:
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.goto(address)
        expect(page.locator("h1")).to_contain_text("Tuesday, 18 November 2025")
        expect(page.locator(".card-title")).to_have_count(57)  # the whole day on one page, as the seed shows it
        titles = page.locator(".card-title").all_text_contents()
        assert sorted(titles) == sorted(" ".join(entry["title"].split()) for entry in seed)
        assert titles[0] == " ".join(most_upvoted["title"].split())  # the most upvoted first
        expect(page.get_by_role("link", name="Next page →")).to_have_count(0)
        page.close()


def test_cards_show_upvotes_only_when_there_are_some_and_link_the_submitter(browser, tmp_path):
    from conftest import served_under_sub_path

    content = tmp_path / "content"
    authors = "".join(f"  - Author Number{n}\n" for n in range(13))
    write(content, "2025/11/18/2511.00001.md", "---\ntitle: Quiet Paper\nauthors: [Ada Lovelace]\n"
          "arxiv: '2511.00001'\nupvotes: 0\n---\n\nAn abstract.\n")
    write(content, "2025/11/18/2511.00002.md", "---\ntitle: Loved Paper With A Rather Long Title About "
          "Supercalifragilisticexpialidocious Things\nauthors:\n" + authors + "arxiv: '2511.00002'\n"
          "upvotes: 5\nsubmitted_by: octocat\n---\n\nAnother abstract.\n")
    build(content, tmp_path / "site", LAYOUTS, SiteConfig(base_url="https://example.org" + SUB_PATH))
    with served_under_sub_path(tmp_path / "site") as address:
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(address)
        quiet, loved = page.locator(".card").nth(1), page.locator(".card").nth(0)
        expect(loved.locator(".card-title")).to_contain_text("Loved Paper")
        expect(loved.locator(".votes")).to_have_text("▲ 5 upvotes")
        expect(quiet.locator(".votes")).to_have_count(0)
        expect(quiet).not_to_contain_text("▲")
        submitter = loved.get_by_role("link", name="@octocat")
        expect(submitter).to_have_attribute("href", "https://github.com/octocat")
        # No column of its own for the votes: the title starts where the card's text does.
        title_box, card_box = loved.locator(".card-title").bounding_box(), loved.bounding_box()
        assert title_box["x"] - card_box["x"] < 20
        authors = loved.locator("details.card-authors")
        expect(authors.locator("summary")).to_contain_text("Author Number0, Author Number1, Author Number2 et al.")
        authors.locator("summary").click()
        expect(authors.locator("summary .lead")).to_be_hidden()  # the full list does not repeat it
        expect(authors.locator("p")).to_contain_text("Author Number12")
        page.goto(address + "papers/2511.00002/")
        expect(page.get_by_role("link", name="@octocat")).to_have_attribute("href", "https://github.com/octocat")
        bibtex = page.locator("pre.bibtex")
        assert bibtex.evaluate("e => e.scrollWidth <= e.clientWidth")  # wrapped, not clipped
        page.goto(address + "papers/2511.00001/")
        expect(page.locator(".facts")).not_to_contain_text("Upvotes")
        page.close()


TARGETS = """() => [...document.querySelectorAll('a, button, summary, input')]
    .filter((e) => !e.closest('.abstract, .card-opening, .skip-link'))
    .map((e) => { const r = e.getBoundingClientRect(); return [e.textContent.trim().slice(0, 40), r.width, r.height]; })
    .filter(([, width, height]) => height > 0 && (width < 24 || height < 24))"""


@pytest.mark.parametrize("path", ["", "2025/10/14/", "2025/W42/", "2025/10/", "tags/cs.lg/", "tags/cs.lg/2025/",
                                  "papers/2510.12866/", "archive/", "search/", "submit/"])
def test_every_target_is_at_least_24_pixels_on_a_phone(browser, sub_path_server, path):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(sub_path_server + path)
    assert page.evaluate(TARGETS) == []  # WCAG 2.2, 2.5.8: links outside running text
    page.close()


def test_lists_are_not_cluttered(page, sub_path_server):
    page.goto(sub_path_server + "2025/10/14/")  # a day of one paper
    expect(page.locator("nav.pager")).to_have_count(1)  # no second pager below a single card
    expect(page.locator(".subscribe")).to_have_count(0)  # the feeds are offered on the home page
    page.goto(sub_path_server)
    expect(page.locator(".subscribe")).to_contain_text("RSS")
    page.goto(sub_path_server + "tags/cs.lg/")
    rows = page.locator(".row")
    assert rows.count() > 3
    expect(rows.locator(".tag", has_text="cs.LG")).to_have_count(0)  # the page's own tag, not on every row


def test_a_quiet_newest_day_is_followed_on_the_home_page_by_the_days_before(page, sub_path_server):
    page.goto(sub_path_server)  # the newest day of the many-day archive has one paper
    expect(page.locator("h1")).to_contain_text("Tuesday, 14 October 2025")
    headings = page.locator("h2.day-heading")
    expect(headings.first).to_have_text("Thursday, 25 September 2025")
    cards = page.locator(".card")
    assert cards.count() >= 10 and headings.count() == cards.count() - 1  # one paper a day, each under its date
    headings.first.get_by_role("link").click()
    expect(page).to_have_url(sub_path_server + "2025/09/25/")
    expect(page.locator("h2.day-heading")).to_have_count(0)  # a day's own page is that day only


def test_month_and_year_pages_link_their_neighbours(page, sub_path_server):
    page.goto(sub_path_server + "2025/10/")
    pager = page.get_by_role("navigation", name="Other months")
    expect(pager).to_contain_text("No later month")
    pager.get_by_role("link", name="← September 2025").click()
    expect(page).to_have_url(sub_path_server + "2025/09/")
    expect(page.get_by_role("navigation", name="Other months").get_by_role("link", name="October 2025 →")).to_be_visible()
    page.goto(sub_path_server + "2025/")
    page.get_by_role("navigation", name="Other years").get_by_role("link", name="← 2024").click()
    expect(page).to_have_url(sub_path_server + "2024/")
    page.goto(sub_path_server + "2015/")
    expect(page.get_by_role("navigation", name="Other years")).to_contain_text("No earlier year")


BREADCRUMBS = {  # every page below the top: its trail, one pattern, each step a link
    "2025/10/14/": ["Archive", "2025", "October"],
    "2025/10/": ["Archive", "2025"],
    "2025/W42/": ["Archive", "2025"],
    "2025/": ["Archive"],
    "papers/2510.12866/": ["Archive", "2025", "October", "14 Oct 2025"],
    "tags/cs.lg/": ["Tags"],
    "tags/cs.lg/2025/": ["Tags", "cs.LG"],
}


def test_every_page_below_the_top_has_one_pattern_of_breadcrumbs_and_tags_keep_their_case(page, sub_path_server):
    for path, trail in BREADCRUMBS.items():
        page.goto(sub_path_server + path)
        crumbs = page.get_by_role("navigation", name="Breadcrumb").get_by_role("link")
        assert [text.strip() for text in crumbs.evaluate_all("links => links.map(a => a.innerText)")] == trail, path
        expect(page.locator(".eyebrow")).to_have_count(0)
        crumbs.last.click()
        expect(page.locator("h1")).to_be_visible()
        assert page.url != sub_path_server + path  # each step leads up
    page.goto(sub_path_server + "tags/cs.lg/2025/")
    expect(page.locator("h1")).to_have_text("cs.LG in 2025")
    assert page.locator("h1").evaluate("h => h.innerText") == "cs.LG in 2025"  # as typed: no uppercase style


def test_a_paper_page_links_the_papers_either_side_on_its_day(browser, sample_day_server):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(sample_day_server)
    titles = page.locator(".card-title").all_text_contents()
    links = page.locator(".card-title a").evaluate_all("links => links.map(a => a.href)")
    page.goto(links[0])
    pager = page.get_by_role("navigation", name="Papers of the same day")
    expect(pager.locator("[rel=prev]")).to_have_count(0)  # the day's first
    expect(pager.get_by_role("link", name="Every paper of that day (57)")).to_have_attribute("href", "../../2025/11/18/")
    pager.locator("[rel=next]").click()
    expect(page.locator("h1")).to_have_text(titles[1])
    expect(pager.locator("[rel=prev] .pager-title")).to_have_text(titles[0])
    expect(pager.locator("[rel=next] .pager-title")).to_have_text(titles[2])
    page.goto(links[-1])
    expect(pager.locator("[rel=next]")).to_have_count(0)  # the day's last
    expect(pager.locator("[rel=prev] .pager-title")).to_have_text(titles[-2])
    page.close()


@pytest.mark.parametrize("path", ["", "2025/10/14/", "2025/W42/", "2025/10/", "tags/cs.lg/", "tags/cs.lg/2025/"])
def test_on_a_phone_the_header_is_two_rows_and_the_first_paper_is_on_the_first_screen(browser, sub_path_server,
                                                                                        path):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(sub_path_server + path)
    header = page.locator(".site-header").bounding_box()
    assert header["height"] < 110, header  # it was 134 px in three rows
    title = page.locator(".card-title, .row-title").first.bounding_box()
    assert title["y"] + title["height"] < 844 * 0.75, title  # well within the first screen
    page.close()


def test_the_header_box_leads_to_all_results_and_the_search_page_has_one_box(page, sub_path_server):
    page.goto(sub_path_server + "2025/10/14/")
    page.locator("#site-search").type("gener*")
    expect(page.locator("#search-suggestions .search-result-title")).to_have_count(6)
    page.get_by_role("link", name="All results on the search page").click()
    expect(page).to_have_url(sub_path_server + "search/?q=gener*")
    expect(page.locator("#search-results .search-result-title")).to_have_count(20)
    expect(page.locator("input[type=search]")).to_have_count(1)  # no second, inert box in the header
    page.locator("h1").click()  # away from the box
    page.keyboard.press("/")
    expect(page.locator("#search-page-input")).to_be_focused()


def test_bibtex_copy_button_copies_the_entry(browser, sub_path_server):
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(sub_path_server + "papers/2305.02993/")
    page.get_by_role("button", name="Copy BibTeX").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("@misc{jullien2023semeval-2305.02993,") and "eprint        = {2305.02993}," in copied
    assert copied == page.locator("pre.bibtex").text_content().strip()
    context.close()


@pytest.mark.parametrize(("path", "expected"), [
    ("", ["feed.xml", "atom.xml", "feed.json", "daily.xml", "daily.atom"]),  # the home page: every feed
    ("papers/2305.02993/", ["feed.xml", "atom.xml"]),
    ("tags/cs.lg/", ["tags/cs.lg/feed.xml", "feed.xml", "atom.xml"]),
])
def test_feeds_are_discovered_from_the_rendered_head(page, sub_path_server, path, expected):
    page.goto(sub_path_server + path)
    alternates = page.locator("head link[rel=alternate]")
    hrefs = alternates.evaluate_all("links => links.map(l => l.href)")  # resolved by the browser
    assert hrefs == [sub_path_server + name for name in expected]
    for href in hrefs:
        response = page.request.get(href)
        assert response.ok, href
        assert response.body().lstrip().startswith((b"<?xml", b"{")), href
    if path != "papers/2305.02993/":
        visible = page.locator(".subscribe a").evaluate_all("links => links.map(l => l.href)")
        assert visible == hrefs[: len(visible)] and visible


def test_pages_work_without_javascript(browser, sub_path_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(sub_path_server + "2025/10/14/")
    expect(page.locator(".card-opening")).to_contain_text("Robotic manipulation policies")
    page.get_by_role("link", name="Read the abstract: Learning to Grasp Anything by Playing with Random Toys").click()
    expect(page).to_have_url(sub_path_server + "papers/2510.12866/#abstract-heading")
    abstract = page.locator(".abstract")
    expect(abstract).to_be_visible()
    expect(abstract).to_contain_text("randomly assembled objects")  # the whole abstract, past the opening
    page.goto(sub_path_server + "search/?q=grokking")
    expect(page.locator("#search-status")).to_contain_text("Search needs JavaScript")
    elsewhere = page.get_by_role("searchbox", name="Or search this site's pages with DuckDuckGo, without scripts:")
    expect(elsewhere).to_be_visible()
    expect(page.locator("form[action='https://duckduckgo.com/'] input[name=sites]")).to_have_value("example.github.io")
    context.close()


@pytest.mark.parametrize("path", ["", "2025/10/14/", "papers/2308.03296/", "papers/2303.03340/", "archive/",
                                  "tags/cs.lg/"])
def test_no_sideways_scrolling_on_a_phone(browser, sub_path_server, path):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, device_scale_factor=2)
    page = context.new_page()
    page.goto(sub_path_server + path)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, (path, width)
    context.close()


def luminance(css_color: str) -> float:
    red, green, blue = (int(x) for x in re.findall(r"\d+", css_color)[:3])
    return (0.2126 * red + 0.7152 * green + 0.0722 * blue) / 255


def test_dark_mode_follows_the_system(browser, sub_path_server):
    shades = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)
        page = context.new_page()
        page.goto(sub_path_server + "papers/2510.12866/")
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        text = page.evaluate("getComputedStyle(document.querySelector('h1')).color")
        shades[scheme] = (luminance(background), luminance(text))
        context.close()
    assert shades["light"][0] > 0.9 and shades["light"][1] < 0.3
    assert shades["dark"][0] < 0.15 and shades["dark"][1] > 0.8


def test_math_renders_as_math_and_broken_math_as_text(browser, tmp_path):
    content = tmp_path / "content"
    write(content, "2025/05/06/math.md", record(
        title="Math", abstract=r"A bound of $\mathcal{O}(d^k)$ with $\frac{1}{2}$ and broken $textbf{x} and y$ text."))
    output = tmp_path / "out"
    build(content, output, LAYOUTS, SiteConfig(base_url="https://example.org" + SUB_PATH))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(SubPathHandler, directory=str(output)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{server.server_port}{SUB_PATH}papers/math/")
        maths = page.locator(".abstract math")
        expect(maths).to_have_count(2)
        for index in range(2):
            box = maths.nth(index).bounding_box()
            assert box["width"] > 5 and box["height"] > 5
            assert maths.nth(index).evaluate("m => getComputedStyle(m).display") in ("inline math", "math")
        # the annotation keeping the source is not shown, and the delimiters are gone
        visible = page.locator(".abstract").inner_text()
        assert "\\mathcal" not in visible and "$\\frac" not in visible
        assert "$textbf{x} and y$" in visible
        # a fraction is laid out as one: numerator above denominator
        fraction = page.locator(".abstract mfrac").first
        top = fraction.locator("mrow").nth(0).bounding_box()
        bottom = fraction.locator("mrow").nth(1).bounding_box()
        assert top["y"] + top["height"] <= bottom["y"] + 1
        context.close()
    finally:
        server.shutdown()
        server.server_close()


def test_serve_reloads_the_open_page_when_a_record_changes(browser, tmp_path, content_copy):
    with running_server(content_copy, tmp_path / "out") as (url, _process):
        page = browser.new_page()
        page.goto(url + "papers/2510.12866/")
        expect(page.locator("h1")).to_have_text(LATEST)
        page.wait_for_timeout(1000)  # let the page take its first look at the build number
        record_file = content_copy / "2025/10/14/2510.12866.md"
        record_file.write_text(record_file.read_text().replace("Random Toys", "Building Blocks"))
        wait_for(lambda: fetch(url + BUILD_ID)[1] == "2")
        expect(page.locator("h1")).to_have_text("Learning to Grasp Anything by Playing with Building Blocks",
                                                timeout=10_000)
        page.close()


def search_requests(requests: list[str]) -> list[str]:
    return [url for url in requests if "search" in url or "lunr" in url]


def test_nothing_for_search_loads_before_the_box_is_focused(page, sub_path_server):
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(sub_path_server + "2025/10/14/")
    page.wait_for_load_state("networkidle")
    assert search_requests(requests) == []
    page.keyboard.press("/")
    expect(page.locator("#site-search")).to_be_focused()
    page.keyboard.type("grokking")
    panel = page.locator(".search-panel .search-result-title")
    expect(panel.first).to_have_text("Grokking at the Edge of Numerical Stability")
    loaded = search_requests(requests)
    assert sub_path_server + "static/lunr.min.js" in loaded
    assert sub_path_server + "search/manifest.json" in loaded
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page).to_have_url(sub_path_server + "papers/2501.04697/")


def test_search_page_finds_opens_and_keeps_the_query(page, sub_path_server):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(sub_path_server + "search/")
    box = page.locator("#search-page-input")
    expect(box).to_be_focused()
    box.type("Valentino")
    first = page.locator("#search-results .search-result-title").first
    expect(first).to_have_text("SemEval-2023 Task 7: Multi-Evidence Natural Language Inference for Clinical Trial Data")
    expect(page).to_have_url(sub_path_server + "search/?q=Valentino")
    box.fill("title:grokking")
    expect(page.locator("#search-status")).to_have_text("3 papers found.")
    expect(page.locator("#search-results .search-result-snippet mark").first).to_have_text(re.compile("grokking", re.IGNORECASE))
    page.reload()
    expect(page.locator("#search-page-input")).to_have_value("title:grokking")
    expect(page.locator("#search-results .search-result-title")).to_have_count(3)
    page.locator("#search-results .search-result-title").first.click()
    expect(page.locator("h1")).to_contain_text("Grokking")
    page.go_back()
    expect(page.locator("#search-page-input")).to_have_value("title:grokking")
    expect(page.locator("#search-results .search-result-title")).to_have_count(3)
    assert errors == []


def test_searches_by_author_prefix_and_presence(page, sub_path_server):
    cases = {
        "authors:darrell": "Learning to Grasp Anything by Playing with Random Toys",
        "+transformer -vision pointer": "A Generalization of Transformer Networks to Graphs",
        "pointer networks": "Pointer Networks",
        "2305.02993": "SemEval-2023 Task 7: Multi-Evidence Natural Language Inference for Clinical Trial Data",
    }
    page.goto(sub_path_server + "search/")
    for query, title in cases.items():
        page.locator("#search-page-input").fill(query)
        expect(page.locator("#search-results .search-result-title").first).to_have_text(title)
    page.locator("#search-page-input").fill("gener*")
    expect(page.locator("#search-status")).to_contain_text("papers found")


@pytest.mark.parametrize("query", ['"unclosed', "title:", ":", "*former", "~2", "a~b~c", "^", "+", "-",
                                   "x" * 1000, "ünïcödé 日本語 🚀", "author:smith", "title:grokking^x",
                                   "zzzzqqq"])
def test_any_text_in_the_box_gives_results_or_a_message(browser, sub_path_server, query):
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(sub_path_server + "search/")
    status = page.locator("#search-status")
    expect(status).to_have_text("Type words from a title, an author's name, an organization or an abstract.")
    page.locator("#search-page-input").fill(query)
    expect(status).not_to_have_text(re.compile("^(Searching…|Type words.*)?$"))
    text = status.text_content()
    assert "found" in text or "No papers match" in text or "cannot" in text or "field" in text.lower() \
        or "expect" in text.lower(), text
    assert "could not load" not in text
    assert errors == []
    context.close()


HOSTILE_RECORD = """---
title: '<img src=x onerror="window.__pwned=1;alert(1)"> Zebracorn <script>alert(2)</script>'
authors:
  - '<svg onload="window.__pwned=2;alert(3)">'
  - 'Robert"); alert(4); //'
organization: '<style>body{display:none}</style><b onmouseover=alert(5)>Org</b>'
tags: [hostile]
---

Zebracorn <iframe src="javascript:alert(6)"></iframe> [click](javascript:alert(7)) <a href="javascript:alert(8)">x</a>
$\\href{javascript:alert(9)}{x}$ <div style="position:fixed;inset:0" onclick=alert(10)>cover</div> &lt;script&gt;
<details open ontoggle=alert(11)>x</details> ![img](javascript:alert(12)) <https://example.org/ok>
"""


def test_hostile_records_stay_inert_in_every_page(browser, tmp_path):
    content = tmp_path / "content"
    write(content, "2025/05/06/hostile.md", HOSTILE_RECORD)
    output = tmp_path / "out"
    build(content, output, LAYOUTS, SiteConfig(base_url="https://example.org" + SUB_PATH))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(SubPathHandler, directory=str(output)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}{SUB_PATH}"
    try:
        context = browser.new_context()
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        for path in ["", "2025/05/06/", "papers/hostile/", "tags/hostile/", "search/?q=zebracorn"]:
            page.goto(base + path)
            if path.startswith("search"):
                expect(page.locator("#search-results .search-result-snippet")).to_contain_text("Zebracorn")
            else:
                for summary in page.locator("summary").all():
                    summary.click()  # open every abstract, so anything hidden in it would run
            page.mouse.move(200, 300)
            page.mouse.click(200, 300)
            page.wait_for_timeout(200)
            assert page.evaluate("window.__pwned") is None, path
            injected = page.evaluate("""() => {
                const found = [];
                for (const el of document.querySelectorAll('main *, .search-panel *')) {
                  for (const attr of el.getAttributeNames()) {
                    if (attr.startsWith('on') || attr === 'style') found.push(el.tagName + '@' + attr);
                  }
                  if (['SCRIPT', 'IFRAME', 'STYLE', 'IMG', 'SVG', 'OBJECT', 'EMBED'].includes(el.tagName.toUpperCase()))
                    found.push(el.tagName);
                  const href = el.getAttribute('href') || '';
                  if (/^\\s*(javascript|data):/i.test(href)) found.push('href ' + href);
                }
                return found;
            }""")
            assert injected == [], (path, injected)
            assert page.locator("body").is_visible()
        assert dialogs == []
        page.goto(base + "papers/hostile/")
        expect(page.locator("h1")).to_contain_text('<img src=x onerror="window.__pwned=1;alert(1)"> Zebracorn')
        expect(page.locator(".abstract")).to_contain_text('<iframe src="javascript:alert(6)"></iframe>')
        context.close()
    finally:
        server.shutdown()
        server.server_close()


def test_more_results_come_twenty_at_a_time(page, sub_path_server):
    page.goto(sub_path_server + "search/?q=gener*")
    titles = page.locator("#search-results .search-result-title")
    expect(titles).to_have_count(20)
    expect(page.locator("#search-status")).to_have_text("54 papers found, showing the first 20.")
    first_twenty = titles.all_text_contents()
    page.get_by_role("button", name="Show more papers").click()
    expect(titles).to_have_count(40)
    assert titles.all_text_contents()[:20] == first_twenty
    expect(titles.nth(20)).to_be_focused()
    page.get_by_role("button", name="Show more papers").click()
    expect(titles).to_have_count(54)
    expect(page.get_by_role("button", name="Show more papers")).to_be_hidden()
    expect(page.locator("#search-status")).to_have_text("54 papers found.")


def test_search_reads_words_as_a_reader_means_them(page, sub_path_server):
    page.goto(sub_path_server + "search/")
    box, status = page.locator("#search-page-input"), page.locator("#search-status")
    titles = page.locator("#search-results .search-result-title")
    box.type("length generalization")
    expect(status).to_have_text(re.compile(r"^\d papers? found\.$"))  # every word, not 54 papers with either
    assert 0 < titles.count() < 10
    box.fill("grokking zebracorn")
    expect(status).to_contain_text("No paper has all of these words; these have some of them.")
    expect(titles).to_have_count(3)
    box.fill("the grokking")
    expect(status).to_have_text("“the” is too common to search and left out. 3 papers found.")
    box.fill("the of")
    expect(status).to_contain_text("“the” and “of” are too common to search")
    box.fill("toys")
    expect(titles.first).to_have_text(LATEST)  # "Random Toys": a word ending in a vowel and y
    box.fill("difusion")
    expect(status).to_have_text("Showing results for “diffusion”: no paper has “difusion”. 3 papers found.")
    box.fill("Berkeley")
    expect(titles.first).to_have_text(LATEST)  # its organization
    box.fill("")
    box.type('"numerical stability"')  # typed key by key, the quotes too
    expect(status).to_have_text("1 paper found.")
    expect(titles).to_have_text(["Grokking at the Edge of Numerical Stability"])
    box.fill('"generalization length"')
    expect(status).to_contain_text("No paper has the quoted words in that order; these have them all.")
    box.fill("grokking")
    expect(status).to_have_text("3 papers found.")
    marks = page.locator("#search-results .search-result-snippet mark")
    expect(marks.first).to_have_text(re.compile("^grokking$", re.IGNORECASE))
    assert {text.lower() for text in marks.all_text_contents()} == {"grokking"}  # no comma, no quotes


HEADER_STYLE = """() => {
    const header = getComputedStyle(document.querySelector(".site-header"));
    const brand = getComputedStyle(document.querySelector(".brand"));
    return [header.borderBottomWidth, header.backgroundColor, brand.fontWeight, brand.textDecorationLine,
            getComputedStyle(document.querySelector("main")).maxWidth];
}"""


def test_the_404_page_is_styled_and_its_links_work_wherever_a_host_shows_it(browser, tmp_path):
    import urllib.request

    from conftest import CONTENT, RootHandler, served_under_sub_path

    site = tmp_path / "site"
    site.mkdir()
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    with served_under_sub_path(site) as address, served_under_sub_path(site, RootHandler) as elsewhere:
        build(CONTENT, site, LAYOUTS, SiteConfig(base_url=address))
        page.goto(address)
        expected = page.evaluate(HEADER_STYLE)
        # Deep under the site's path, and on a host that serves it outside that path (a mirror, a
        # custom domain set up before base_url was changed): styled, and every link leads home.
        for missing in (address + "no/such/paper/here/", elsewhere + "some/other/deep/path"):
            assert page.goto(missing).status == 404
            expect(page.locator("h1")).to_have_text("Page not found")
            assert page.evaluate(HEADER_STYLE) == expected, missing
            links = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
            links = [link for link in links if not link.startswith(missing + "#")]
            assert len(links) >= 5
            for link in links:
                assert link.startswith(address), link
                with urllib.request.urlopen(link) as answer:
                    assert answer.status == 200, link
    page.close()


CARD_STYLE = """(element) => {
    const box = getComputedStyle(element), title = getComputedStyle(element.querySelector(".card-title"));
    return [box.backgroundColor, box.borderTopWidth, box.borderTopColor, box.borderRadius, box.paddingLeft,
            box.paddingTop, title.fontSize, title.fontWeight];
}"""


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1366, "height": 900}])
def test_search_results_look_like_the_cards_of_every_listing(browser, sub_path_server, viewport):
    page = browser.new_page(viewport=viewport)
    page.goto(sub_path_server)
    card = page.locator(".card").first.evaluate(CARD_STYLE)
    page.goto(sub_path_server + "search/?q=grokking")
    result = page.locator("#search-results .search-result").first
    expect(result.locator(".search-result-snippet mark").first).to_be_visible()
    assert result.evaluate(CARD_STYLE) == card
    expect(result.locator(".card-meta")).to_have_text(re.compile(r"^Featured \d+ \w+ \d{4}$"))
    page.close()


CLS_OBSERVER = """() => {
    window.__shift = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__shift += entry.value;
    }).observe({ type: "layout-shift", buffered: true });
}"""


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1366, "height": 900}])
def test_results_appear_once_at_their_final_size(browser, sub_path_server, viewport):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.add_init_script(f"({CLS_OBSERVER})()")
    page.goto(sub_path_server + "search/?q=gener*")
    expect(page.locator("#search-results .search-result")).to_have_count(20)
    expect(page.locator("#search-results .search-result-snippet mark").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    shift = page.evaluate("window.__shift")
    assert shift < 0.1, shift  # "good" layout shift; it was 0.26 to 0.47
    context.close()


def test_back_returns_to_the_same_result_and_one_query_is_one_history_entry(page, sub_path_server):
    page.goto(sub_path_server)
    page.goto(sub_path_server + "search/")
    box = page.locator("#search-page-input")
    box.type("gener*")
    titles = page.locator("#search-results .search-result-title")
    expect(titles).to_have_count(20)
    entries = page.evaluate("history.length")
    box.press("Enter")
    expect(titles.first).to_be_focused()  # Enter goes to the first result...
    assert page.evaluate("history.length") == entries  # ...and adds no history entry
    chosen = titles.nth(14)
    chosen.scroll_into_view_if_needed()
    title = chosen.text_content()
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 500
    chosen.click()
    expect(page.locator("h1")).to_have_text(title)
    page.go_back()
    expect(page).to_have_url(sub_path_server + "search/?q=gener*")
    expect(titles.nth(14)).to_be_focused()
    assert abs(page.evaluate("window.scrollY") - scrolled) < 5
    page.go_back()
    expect(page).to_have_url(sub_path_server)  # the page before the search: one entry for it


@pytest.fixture(scope="module")
def sample_day_server(tmp_path_factory):
    """The real sample, Hugging Face's day of 57 papers, served under a sub-path."""
    from conftest import SAMPLE, served_under_sub_path

    site = tmp_path_factory.mktemp("sample-day") / "site"
    build(SAMPLE, site, LAYOUTS, SiteConfig(base_url="https://example.org" + SUB_PATH))
    with served_under_sub_path(site) as address:
        yield address


def test_twenty_results_of_one_day_take_at_most_16_requests(browser, sample_day_server):
    from generator.read.content import read_papers

    from conftest import SAMPLE

    abstracts = {paper.title: " ".join(paper.abstract.split()) for paper in read_papers(SAMPLE)[0]}
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(sample_day_server + "search/?q=numerical")
    results = page.locator("#search-results .search-result")
    expect(results).to_have_count(20)
    last = results.nth(19)
    last.scroll_into_view_if_needed()
    expect(last.locator(".search-result-snippet mark").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert len(requests) <= 16, requests  # it was 48: one page per snippet, one day file per result
    assert not [url for url in requests if url.startswith(sample_day_server + "papers/")]  # but the day's one file
    for result in (results.first, last):
        title = result.locator(".search-result-title").text_content()
        snippet = " ".join(result.locator(".search-result-snippet").text_content().strip("… ").split())
        assert snippet and snippet in abstracts[title]
    page.close()


def test_snippets_of_hits_on_busy_days_come_from_their_pages_as_they_come_into_view(page, tiered_site_server):
    address = tiered_site_server[0]
    pages: list[str] = []
    page.on("request", lambda request: pages.append(request.url) if request.url.startswith(address + "papers/") else None)
    page.goto(address + "search/?q=neural+network+training")
    results = page.locator("#search-results .search-result")
    expect(results).to_have_count(20)
    expect(results.first.locator(".search-result-snippet mark").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    last = results.nth(19)
    last_page = last.locator(".search-result-title").get_attribute("href")
    fetched = len(pages)
    assert 0 < fetched < 20, pages  # the first screen's snippets, not all twenty
    assert not any(url.endswith(last_page.lstrip("./")) for url in pages)
    expect(last.locator(".search-result-snippet")).to_be_empty()
    last.scroll_into_view_if_needed()
    expect(last.locator(".search-result-snippet mark").first).to_be_visible()
    assert len(pages) > fetched


@pytest.fixture(scope="module")
def tiered_site_server(tmp_path_factory):
    """A synthetic site whose common words are big terms in several tiers, served under a sub-path."""
    import shutil

    from generator.build import build
    from generator.config import SiteConfig
    from generator.read.content import read_papers
    from generator.site.archive import group_papers
    from generator.synthetic import write_synthetic

    from conftest import LAYOUTS, ROOT, search_files_of, served_under_sub_path, write_site

    root = tmp_path_factory.mktemp("tiered-site")
    write_synthetic(root / "content", 1500)
    build(root / "content", root / "site", LAYOUTS, SiteConfig(), vendor_dir=ROOT / "node_modules")
    archive = group_papers(read_papers(root / "content")[0])
    for data in ("terms", "big", "papers", "days"):  # the search files, not the search page
        shutil.rmtree(root / "site/search" / data, ignore_errors=True)
    (root / "site/search/manifest.json").unlink()
    search = search_files_of(archive, big_term_documents=100, first_tier=40)
    site = {p.relative_to(root / "site").as_posix(): p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()
            and p.name != ".dailypapers-output"}
    write_site({**site, **search}, root / "site")
    with served_under_sub_path(root / "site") as address:
        yield address, archive, root / "site"


def test_common_words_search_stops_early_and_shows_more_in_the_browser(page, tiered_site_server):
    from generator.search.terms import search_documents

    from oracles import index_papers

    address, archive, site = tiered_site_server
    documents = search_documents(archive)
    index = index_papers(documents).build()
    query = "neural network training"
    # The page searches the words as a reader means them: every one required.
    ranked = sorted(index.search("+neural +network +training"), key=lambda r: (-round(r["score"], 9), -int(r["ref"])))
    title_of = {str(number): paper.title for number, paper in documents}
    errors: list[str] = []
    loaded: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: loaded.append(request.url))
    page.goto(address + "search/?q=" + query.replace(" ", "+"))
    titles = page.locator("#search-results .search-result-title")
    expect(titles).to_have_count(20)
    assert titles.all_text_contents() == [title_of[r["ref"]] for r in ranked[:20]]
    expect(page.locator("#search-status")).to_contain_text("papers found, showing the best 20")
    tiers = {url for url in loaded if "/search/big/" in url}
    available = [p for word in ("neural", "network", "train") for p in (site / "search/big").glob(f"{word}.*.json")]
    assert 0 < len(tiers) < len(available)  # big terms, and the search stopped before reading them whole
    page.locator("#search-more").click()
    expect(titles).to_have_count(40)
    assert titles.all_text_contents() == [title_of[r["ref"]] for r in ranked[:40]]
    assert errors == []


def test_the_submission_page_writes_a_record_the_check_accepts_and_opens_it_on_github(browser, sub_path_server,
                                                                                      tmp_path):
    import subprocess
    import sys
    import urllib.parse

    from conftest import ROOT

    page = browser.new_page(viewport={"width": 1200, "height": 900})
    opened: list[str] = []

    def github(route):
        opened.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<title>GitHub</title>")

    page.route("https://github.com/**", github)
    page.goto(sub_path_server)
    page.get_by_role("link", name="Submit a paper").click()
    expect(page.locator("h1")).to_have_text("Submit a paper")
    form = page.locator("#submit-form")
    form.get_by_label("arXiv id").fill("https://arxiv.org/abs/2401.12345v2")
    form.get_by_label("Featured on").fill("2025-11-19")
    form.get_by_label("Title").fill('Colons: "quotes", # hashes & a {brace}')
    form.get_by_label("Authors, one a line").fill("Ada Lovelace\nNo\n  Grace   Hopper  ")
    form.get_by_label("Abstract").fill("We study $x^2$.\n\nA second paragraph: with a colon.")
    form.get_by_label("Tags, separated by commas").fill("cs.CL, 1.10")
    form.get_by_label("code").fill("ftp://example.org/code")
    form.get_by_label("Your GitHub user name").fill("@octocat")
    form.get_by_role("button", name="Open the record on GitHub").click()
    expect(page.locator("#submit-problems li")).to_have_text(
        ["links: code: “ftp://example.org/code” is not an http:// or https:// address"])
    assert opened == []  # nothing opened while a problem stands
    form.get_by_label("code").fill("https://github.com/some_org/my_repo")
    form.get_by_role("button", name="Open the record on GitHub").click()
    page.wait_for_url("https://github.com/**")
    (url,) = opened
    assert url.startswith("https://github.com/example/dailypapers/new/main?")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    (path,), (text,) = query["filename"], query["value"]
    assert path == "content/2025/11/19/2401.12345.md"
    record = tmp_path / path
    record.parent.mkdir(parents=True)
    record.write_text(text, encoding="utf-8")
    check = subprocess.run([sys.executable, "-m", "generator", "check", "--content", str(tmp_path / "content")],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert check.returncode == 0 and "1 record checked: no problems." in check.stdout, check.stderr
    from generator.read.content import read_papers

    (paper,) = read_papers(tmp_path / "content")[0]
    assert paper.title == 'Colons: "quotes", # hashes & a {brace}'
    assert paper.authors == ("Ada Lovelace", "No", "Grace Hopper") and paper.tags == ("cs.CL", "1.10")
    assert paper.arxiv == "2401.12345v2" and paper.submitted_by == "octocat"
    assert paper.link("code") == "https://github.com/some_org/my_repo" and "second paragraph" in paper.abstract
    page.close()


def test_without_javascript_the_submission_page_points_to_contributing(browser, sub_path_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(sub_path_server + "submit/")
    expect(page.locator("#submit-form")).to_be_hidden()
    link = page.get_by_role("link", name="CONTRIBUTING.md")
    expect(link).to_have_attribute("href", "https://github.com/example/dailypapers/blob/main/CONTRIBUTING.md")
    context.close()


def test_on_a_phone_a_papers_facts_keep_each_label_beside_its_value(browser, sub_path_server):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(sub_path_server + "papers/2305.02993/")
    rows = page.evaluate("""() => [...document.querySelectorAll('.facts dt')].map(dt =>
        [dt.getBoundingClientRect().top, dt.nextElementSibling.getBoundingClientRect().top])""")
    assert len(rows) >= 2
    assert all(abs(label - value) < 2 for label, value in rows), rows  # it stacked into six lines
    page.close()
