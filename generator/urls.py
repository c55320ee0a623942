"""Every URL of the site is made here, as a path from the site root, and nowhere else.

Site paths have no leading slash and end in '/' for pages: `2025/10/14/`, `papers/2305.02993/`.
Pages link to each other with relative URLs, so the site works under any base path (a GitHub
Pages project site lives under /REPO/) without knowing it.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable

HOME = ""
ARCHIVE = "archive/"
TAGS = "tags/"
STYLESHEET = "static/style.css"
FAVICON = "static/favicon.svg"
COPY_SCRIPT = "static/copy.js"
SITE_SCRIPT = "static/site.js"
SEARCH_SCRIPT = "static/search.js"
SEARCH_CORE_SCRIPT = "static/search-core.js"
LUNR_SCRIPT = "static/lunr.min.js"
SEARCH_MANIFEST = "search/manifest.json"
SEARCH = "search/"
SUBMIT = "submit/"
SUBMIT_SCRIPT = "static/submit.js"
NOT_FOUND = "404.html"
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
NO_JEKYLL = ".nojekyll"  # tells GitHub Pages to serve the site as it is
RSS_FEED = "feed.xml"
ATOM_FEED = "atom.xml"
JSON_FEED = "feed.json"
DAILY_RSS_FEED = "daily.xml"
DAILY_ATOM_FEED = "daily.atom"
API_DAYS = "api/days.json"


def day_path(date: dt.date) -> str:
    return f"{date:%Y/%m/%d}/"


def month_path(year: int, month: int) -> str:
    return f"{year:04d}/{month:02d}/"


def year_path(year: int) -> str:
    return f"{year:04d}/"


def week_path(iso_year: int, week: int) -> str:
    return f"{iso_year:04d}/W{week:02d}/"


def paper_path(slug: str) -> str:
    return f"papers/{slug}/"


@functools.cache  # an archive names a few hundred tags hundreds of thousands of times
def tag_slug(name: str) -> str:
    """Return the URL name of a tag: lowercase, spaces and other separators as '-'."""
    return re.sub(r"[^a-z0-9.+]+", "-", name.lower()).strip("-").replace("+", "plus")


def tag_path(slug: str) -> str:
    return f"tags/{slug}/"


def tag_year_path(slug: str, year: int) -> str:
    return f"tags/{slug}/{year:04d}/"


def tag_feed_path(slug: str) -> str:
    return f"tags/{slug}/feed.xml"


def api_day_path(date: dt.date) -> str:
    return f"api/days/{date.isoformat()}.json"


def page_path(first: str, number: int) -> str:
    """The site path of page `number` of a list whose first page is at `first`."""
    return first if number == 1 else f"{first}page/{number}/"


def sitemap_part_path(number: int) -> str:
    return f"sitemap-{number}.xml"


def github_profile_url(handle: str) -> str:
    return f"https://github.com/{handle}"  # a handle is letters, digits and hyphens (records.HANDLE)


def arxiv_abs_url(arxiv_id: str) -> str:
    return f"https://arxiv.org/abs/{arxiv_id}"


def arxiv_pdf_url(arxiv_id: str) -> str:
    return f"https://arxiv.org/pdf/{arxiv_id}"


def file_for(path: str) -> str:
    """Return the output file that serves a site path: pages become their index.html."""
    return path + "index.html" if path == "" or path.endswith("/") else path


# Files the site makes beside the tags' own folders (the tags index): no tag may be named as one.
TAKEN_TAG_SLUGS = frozenset({file_for(TAGS).removeprefix(TAGS)})


def relative_url(target: str, page: str) -> str:
    """Return the relative URL that leads from the page at site path `page` to `target`."""
    return relative_urls_from(page)(target)


def relative_urls_from(page: str) -> Callable[[str], str]:
    """Return relative_url for one page: the page's own steps worked out once, each target once."""
    page_dir = page if page.endswith("/") or page == "" else page.rpartition("/")[0] + "/"
    base = page_dir.strip("/").split("/") if page_dir not in ("", "/") else []
    made: dict[str, str] = {}
    top, far = (base[0], FAR.setdefault(len(base), {})) if base else ("", {})

    def url(target: str) -> str:
        found = made.get(target)
        if found is None:
            if base and target.partition("/")[0] != top:  # nothing in common: the same from any page this deep
                found = far.get(target)
                if found is None:
                    if len(far) >= FAR_LIMIT:  # a long-lived serve meets ever more targets
                        far.clear()
                    found = far[target] = relative_steps(target, base)
            else:
                found = relative_steps(target, base)
            made[target] = found
        return found

    return url


# Relative URLs to targets that share no folder with the page, by the page's depth: from every paper's
# page, the stylesheet is "../../static/style.css".
FAR: dict[int, dict[str, str]] = {}
FAR_LIMIT = 1 << 18


def relative_steps(target: str, base: list[str]) -> str:
    if not base:
        return target or "./"
    steps = target.rstrip("/").split("/") if target.strip("/") else []
    common = 0
    while common < min(len(base), len(steps)) and base[common] == steps[common]:
        common += 1
    relative = "/".join([".."] * (len(base) - common) + steps[common:])
    if not relative:
        return "./"
    return relative + "/" if target == "" or target.endswith("/") else relative


def absolute_url(base_url: str, target: str) -> str:
    """Return the full address of a site path, for canonical links, sitemaps and feeds."""
    return base_url.rstrip("/") + "/" + target

