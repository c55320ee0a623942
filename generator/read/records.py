"""The `Paper` record and its schema: what a valid record is."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from typing import Any
from urllib.parse import urlsplit

import msgspec

from generator.problems import Problem
from generator.urls import TAGS, TAKEN_TAG_SLUGS, tag_slug

NEW_ARXIV_ID = re.compile(r"(?P<yy>\d{2})(?P<mm>\d{2})\.(?P<num>\d{4,5})(?P<version>v[1-9]\d*)?", re.ASCII)
OLD_ARXIV_ID = re.compile(
    r"(?P<archive>[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?)/(?P<num>\d{7})(?P<version>v[1-9]\d*)?", re.ASCII
)
SLUG = re.compile(r"[a-z0-9](?:[a-z0-9.-]{0,62}[a-z0-9])?")
TAG = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9 ._+-]{0,38}[A-Za-z0-9+])?")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
HANDLE = re.compile(r"@?[A-Za-z0-9](?:[A-Za-z0-9_-]{0,38})")

# Names Windows keeps for devices, with or without an extension: a file so named cannot be checked
# out there, nor a folder of the site made.
WINDOWS_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)),
                              *(f"lpt{n}" for n in range(10))})


def is_windows_device_name(name: str) -> bool:
    """Whether Windows reserves a (lowercase) file or folder name for a device (`con`, `aux.v2`)."""
    return name.split(".")[0] in WINDOWS_RESERVED

# Joiners that Arabic, Persian and Indic scripts (and emoji sequences) need inside a word.
JOINERS = frozenset("\u200c\u200d")

LINK_KINDS = ("pdf", "code", "project", "huggingface", "dataset", "demo", "video", "blog", "doi")

FIELDS = (
    "title",
    "authors",
    "arxiv",
    "published",
    "upvotes",
    "tags",
    "organization",
    "links",
    "submitted_by",
    "abstract",
)

# Names people reach for that mean one of ours; a wrong name must never be dropped silently.
FIELD_ALIASES = {
    "author": "authors",
    "date": "published",
    "day": "published",
    "tag": "tags",
    "keywords": "tags",
    "categories": "tags",
    "org": "organization",
    "affiliation": "organization",
    "url": "links",
    "code": "links",
    "pdf": "links",
    "arxiv_id": "arxiv",
    "likes": "upvotes",
    "votes": "upvotes",
    "summary": "abstract",
    "submitter": "submitted_by",
}

MAX_TITLE = 300
MAX_NAME = 200
MAX_AUTHORS = 5000
MAX_TAGS = 20
MAX_ABSTRACT = 20_000
MAX_RECORD_BYTES = 512 * 1024
MAX_UPVOTES = 1_000_000_000  # more than any paper has: a count cache files and feeds can carry


class Link(msgspec.Struct, frozen=True, gc=False):
    """A labelled outside link of a paper."""

    kind: str
    url: str


class Paper(msgspec.Struct, frozen=True, gc=False):
    """One featured paper, exactly as its record file describes it (a Struct: decoded from the cache
    far sooner than a dataclass, and never walked by the cycle collector)."""

    slug: str
    day: dt.date
    source: str
    title: str
    authors: tuple[str, ...]
    abstract: str
    arxiv: str | None = None
    published: dt.date | None = None
    upvotes: int = 0
    tags: tuple[str, ...] = ()
    organization: str | None = None
    links: tuple[Link, ...] = ()
    submitted_by: str | None = None
    line: int = 1
    abstract_html: str = ""

    @property
    def arxiv_base(self) -> str | None:
        """Return the arXiv id without its version, the paper's identity on arXiv."""
        return strip_arxiv_version(self.arxiv) if self.arxiv else None

    def link(self, kind: str) -> str | None:
        """Return the URL of the link of this kind, if the record has one."""
        return next((link.url for link in self.links if link.kind == kind), None)


ARXIV_VERSION = re.compile(r"v\d+$", re.ASCII)


def strip_arxiv_version(arxiv_id: str) -> str:
    """Return an arXiv id without its trailing `vN`."""
    return ARXIV_VERSION.sub("", arxiv_id)


ARXIV_VERSIONS = re.compile(r"v\d+$", re.ASCII | re.MULTILINE)


def strip_arxiv_versions(arxiv_ids: list[str]) -> list[str]:
    """strip_arxiv_version of each id, in one pass of the pattern over them all, one a line."""
    bases = ARXIV_VERSIONS.sub("", "\n".join(arxiv_ids)).split("\n") if arxiv_ids else []
    if len(bases) != len(arxiv_ids):  # an id holding a line break (never a valid one)
        return [strip_arxiv_version(arxiv_id) for arxiv_id in arxiv_ids]
    return bases


def slug_for_arxiv(arxiv_id: str) -> str:
    """Return the file slug for an arXiv id: `hep-th/9901001v2` becomes `hep-th-9901001`."""
    return strip_arxiv_version(arxiv_id).replace("/", "-").lower()


# arXiv's own categories (cs.CL, hep-th, cond-mat.mes-hall), not the ACM and MSC classes it also lists:
# what the settings follow and what an imported paper is tagged with.
ARXIV_CATEGORY = re.compile(r"[a-z][a-z-]*(\.[A-Za-z][A-Za-z-]*)?")


def category_problem(category: str) -> str | None:
    """Say what is wrong with an arXiv category, or return None if it is one."""
    if ARXIV_CATEGORY.fullmatch(category):
        return None
    return f"{category[:100]!r} is not an arXiv category, such as cs.CL or hep-th"


def arxiv_problem(value: str) -> str | None:
    """Say what is wrong with an arXiv id, or return None if it is valid."""
    new = NEW_ARXIV_ID.fullmatch(value)
    if new:
        month, yy = int(new["mm"]), int(new["yy"])
        if not 1 <= month <= 12:
            return f"{value!r} has month {new['mm']}; a new-style id is YYMM.NNNNN"
        if yy < 7 or (yy == 7 and month < 4):
            return f"{value!r} is older than April 2007, when new-style ids began"
        if len(new["num"]) == 4 and yy >= 15:
            return f"{value!r} needs five digits after the dot since 2015"
        if len(new["num"]) == 5 and yy < 15:
            return f"{value!r} has five digits after the dot; before 2015 there were four"
        return None
    if OLD_ARXIV_ID.fullmatch(value):
        return None
    return (
        f"{value!r} is not an arXiv id; write it like 2305.02993 or hep-th/9901001 "
        "(an optional version such as v2 may follow)"
    )


def is_web_url(value: str) -> bool:
    """Tell whether a string is an absolute http(s) URL with a host and nothing unsafe in it (no
    space, control, invisible, surrogate or unassigned character: isprintable refuses them all)."""
    if not value.isprintable() or any(ch == " " or ch in "<>\"'`\\" for ch in value):
        return False
    try:
        parts = urlsplit(value)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and port_ok


def bad_character(text: str, *, multiline: bool = False) -> str | None:
    """Describe the first character that must not appear in record text, or return None."""
    # Fast path: printable text (the usual case) holds none; only look closer when it is not.
    if (text.replace("\n", " ").replace("\t", " ") if multiline else text).isprintable():
        return None
    for index, ch in enumerate(text):
        if multiline and ch in "\n\t":
            continue
        category = unicodedata.category(ch)
        if category in ("Cc", "Cs", "Co", "Cn") or ch in "\ufeff\ufffe\uffff":
            return f"contains the invisible control character U+{ord(ch):04X} at character {index + 1}"
        if category == "Cf" and not (ch in JOINERS and inside_word(text, index)):
            # Zero-width characters, bidirectional overrides and isolates, tag characters, soft hyphens.
            name = unicodedata.name(ch, "a format character")
            return f"contains the invisible character U+{ord(ch):04X} ({name}) at character {index + 1}"
    return None


def inside_word(text: str, index: int) -> bool:
    """Whether the character at index has visible, non-space characters on both sides."""
    return (0 < index < len(text) - 1 and all(
        not neighbour.isspace() and unicodedata.category(neighbour)[0] != "C"
        for neighbour in (text[index - 1], text[index + 1])))


def suggest_field(name: str) -> str:
    """Return a hint naming the field a misspelt or foreign name probably meant."""
    lowered = str(name).strip().lower()
    if lowered in FIELDS:
        return f"did you mean {lowered!r}? field names are lowercase"
    if lowered in FIELD_ALIASES:
        return f"did you mean {FIELD_ALIASES[lowered]!r}?"
    close = difflib.get_close_matches(lowered, FIELDS, n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    return "known fields are " + ", ".join(FIELDS)


class RecordChecker:
    """Validate the raw fields of one record file, collecting every problem."""

    def __init__(self, path: str, lines: dict[str, int], first_line: int):
        self.path = path
        self.lines = lines
        self.first_line = first_line
        self.problems: list[Problem] = []

    def report(self, field: str, message: str, line: int | None = None) -> None:
        line = line or self.lines.get(field, self.first_line)
        self.problems.append(Problem(self.path, line, field, message))

    def text(self, data: dict, field: str, max_length: int, multiline: bool = False) -> str | None:
        value = data.get(field)
        if value is None:
            return None
        if not isinstance(value, str):
            shown = {list: "a list", dict: "a mapping"}.get(type(value), repr(value))
            self.report(field, f"must be text, not {shown}; put the value in quotes")
            return None
        value = value.strip()
        if not value:
            return None
        problem = bad_character(value, multiline=multiline)
        if problem:
            self.report(field, f"{problem}; delete it")
            return None
        if len(value) > max_length:
            self.report(field, f"is {len(value)} characters long; at most {max_length} are allowed")
            return None
        return value

    def required_text(self, data: dict, field: str, max_length: int, multiline: bool = False) -> str | None:
        value = self.text(data, field, max_length, multiline)
        if value is None and self._missing(data, field):
            where = "below the front matter" if field == "abstract" else f"as `{field}: ...`"
            self.report(field, f"is required; add it {where}")
        return value

    def _missing(self, data: dict, field: str) -> bool:
        value = data.get(field)
        return value is None or (isinstance(value, str) and not value.strip())

    def string_list(self, data: dict, field: str, max_items: int, max_length: int) -> list[str] | None:
        value = data.get(field)
        if value is None:
            return None
        if isinstance(value, str):
            self.report(field, "must be a list, one item per line starting with '- '")
            return None
        if not isinstance(value, list):
            self.report(field, f"must be a list, not {value!r}")
            return None
        if len(value) > max_items:
            self.report(field, f"has {len(value)} items; at most {max_items} are allowed")
            return None
        items: list[str] = []
        for position, item in enumerate(value, start=1):
            line = self.lines.get(f"{field}[{position}]")
            if not isinstance(item, str) or not item.strip():
                if item is None or isinstance(item, str):
                    message = f"item {position} is empty; write it, or delete its line"
                else:
                    message = (f"item {position} is a {type(item).__name__}, not text; write it as text, in quotes "
                               "if it starts with [ or {")
                self.report(field, message, line)
                continue
            item = " ".join(item.split())
            problem = bad_character(item)
            if problem:
                self.report(field, f"item {position} {problem}; delete it", line)
            elif len(item) > max_length:
                self.report(field, f"item {position} is longer than {max_length} characters", line)
            else:
                items.append(item)
        return items

    def authors(self, data: dict) -> list[str] | None:
        if self._missing(data, "authors"):
            self.report("authors", "is required: a list of names, each on a line starting with '- '")
            return None
        names = self.string_list(data, "authors", MAX_AUTHORS, MAX_NAME)
        if names is not None and not names and not any(p.field == "authors" for p in self.problems):
            self.report("authors", "must list at least one name")
        return names

    def arxiv(self, data: dict) -> str | None:
        value = data.get("arxiv")
        if value is None:
            return None
        if isinstance(value, float):
            self.report("arxiv", f"was read as the number {value}; put the id in quotes, like '2305.02993'")
            return None
        if not isinstance(value, str):
            self.report("arxiv", f"must be an arXiv id such as '2305.02993', not {value!r}")
            return None
        value = value.strip()
        for prefix in ("arXiv:", "arxiv:", "https://arxiv.org/abs/", "http://arxiv.org/abs/"):
            if value.startswith(prefix):
                self.report("arxiv", f"write just the id, without {prefix!r}")
                return None
        problem = arxiv_problem(value)
        if problem:
            self.report("arxiv", problem)
            return None
        return value

    def published(self, data: dict) -> dt.date | None:
        value = data.get("published")
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str) and ISO_DATE.fullmatch(value.strip()):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError as error:
                self.report("published", f"{value.strip()} is not a real date ({error})")
                return None
        self.report("published", f"must be a date written YYYY-MM-DD, not {value!r}")
        return None

    def upvotes(self, data: dict) -> int:
        value = data.get("upvotes", 0)
        if value is None:
            return 0
        # A number of more digits than the reader takes comes as text.
        too_long = isinstance(value, str) and value.isascii() and value.isdigit() and len(value) > len(f"{MAX_UPVOTES}")
        if too_long or (isinstance(value, int) and not isinstance(value, bool) and value > MAX_UPVOTES):
            self.report("upvotes", f"is larger than {MAX_UPVOTES:,}; give the paper's own count")
            return 0
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.report("upvotes", f"must be a whole number of 0 or more, not {value!r}")
            return 0
        return value

    def tags(self, data: dict) -> list[str]:
        tags = self.string_list(data, "tags", MAX_TAGS, 40) or []
        valid = []
        for tag in tags:
            if not TAG.fullmatch(tag):
                self.report(
                    "tags",
                    f"{tag!r} is not a short tag; use letters, digits, spaces, '.', '_', '+' or '-' "
                    "(at most 40 characters, starting with a letter or digit)",
                )
            elif tag_slug(tag) in TAKEN_TAG_SLUGS:
                self.report("tags", f"{tag!r} would be named as a file the site makes "
                            f"({TAGS}{tag_slug(tag)}); choose another tag")
            elif is_windows_device_name(tag_slug(tag)):
                self.report("tags", f"{tag!r} would name its folder as Windows names a device, where the site "
                            "could not be built; choose another tag")
            elif tag not in valid:
                valid.append(tag)
        return valid

    def links(self, data: dict) -> list[Link]:
        value = data.get("links")
        if value is None:
            return []
        if not isinstance(value, dict):
            self.report("links", "must be a mapping such as `code: https://github.com/...`, one per line")
            return []
        links = []
        for kind, url in value.items():
            line = self.lines.get(f"links.{kind}")
            if kind not in LINK_KINDS:
                close = difflib.get_close_matches(str(kind), LINK_KINDS, n=1)
                hint = f"did you mean {close[0]!r}?" if close else "known kinds are " + ", ".join(LINK_KINDS)
                self.report("links", f"unknown link kind {kind!r}; {hint}", line)
            elif not isinstance(url, str) or not is_web_url(url.strip()):
                self.report("links", f"{kind}: {url!r} is not an http:// or https:// address", line)
            else:
                links.append(Link(kind, url.strip()))
        return links

    def submitted_by(self, data: dict) -> str | None:
        value = self.text(data, "submitted_by", 40)
        if value is not None and not HANDLE.fullmatch(value):
            self.report("submitted_by", f"{value!r} is not a handle; use a GitHub user name, like 'octocat'")
            return None
        return value.lstrip("@") if value else None


def check_field_names(checker: RecordChecker, data: dict) -> None:
    """Report every field name the schema does not know, with the name it probably meant."""
    for name in data:
        if name not in FIELDS:
            checker.report(str(name), f"unknown field; {suggest_field(str(name))}")


def make_paper(
    data: dict[str, Any],
    *,
    path: str,
    slug: str,
    day: dt.date,
    lines: dict[str, int],
    first_line: int = 1,
) -> tuple[Paper | None, list[Problem]]:
    """Validate the raw fields of one record and build its Paper, or return its problems."""
    checker = RecordChecker(path, lines, first_line)
    check_field_names(checker, data)
    title = checker.required_text(data, "title", MAX_TITLE)
    if title is not None:
        title = " ".join(title.split())
    authors = checker.authors(data)
    abstract = checker.required_text(data, "abstract", MAX_ABSTRACT, multiline=True)
    arxiv = checker.arxiv(data)
    published = checker.published(data)
    upvotes = checker.upvotes(data)
    tags = checker.tags(data)
    organization = checker.text(data, "organization", MAX_NAME)
    links = checker.links(data)
    submitted_by = checker.submitted_by(data)
    if arxiv and slug != slug_for_arxiv(arxiv):
        if slug_for_arxiv(slug.replace("-", "/", 1) if "/" in arxiv else slug) == slug_for_arxiv(arxiv):
            message = (f"a record is named by its arXiv id without the version: rename the file "
                       f"{slug!r} to {slug_for_arxiv(arxiv)!r} plus its extension (the arxiv field may keep it)")
        else:
            message = (f"the file is named {slug!r} but holds arXiv {arxiv}; "
                       f"rename it to {slug_for_arxiv(arxiv)!r} plus its extension")
        checker.report("arxiv", message)
    if checker.problems or title is None or not authors or abstract is None:
        return None, checker.problems
    paper = Paper(
        slug=slug,
        day=day,
        source=path,
        title=title,
        authors=tuple(authors),
        abstract=abstract,
        arxiv=arxiv,
        published=published,
        upvotes=upvotes,
        tags=tuple(tags),
        organization=organization,
        links=tuple(links),
        submitted_by=submitted_by,
        line=first_line,
    )
    return paper, []
