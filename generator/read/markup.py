"""Turn an abstract into safe HTML: paragraphs, links and math, every other character as written.

Abstracts are arXiv text, not documents written for Markdown: `d_{data}`, `2*3*4`, `1. `, `<`,
`\\%` and `{\\em x}` must all come out exactly as typed. So Python-Markdown runs with only the
processors an abstract needs: paragraphs, http(s) links, bare URLs made clickable, and `$...$`
math rendered to MathML. Raw HTML, emphasis, code, lists, headings, quotes, references and
backslash escapes are switched off, and every link that is not http(s) is dropped to its text.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

import markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from generator.read.mathml import MathError, latex_to_mathml
from generator.read.records import is_web_url

UNUSED_BLOCKS = ("indent", "code", "hashheader", "setextheader", "hr", "olist", "ulist", "quote",
                 "reference")
UNUSED_INLINES = ("backtick", "escape", "reference", "image_link", "image_reference",
                  "short_reference", "short_image_ref", "automail", "html", "entity", "em_strong",
                  "em_strong2", "not_strong", "strong_em", "strong", "emphasis", "emphasis2")
MATH = r"(?<![\\$])\$(?![\s$])((?:\\.|[^$\\\n])+?)(?<!\s)\$(?![\d$])"
BARE_URL = r"\bhttps?://[^\s<>\"'`]+"
LINK_REL = "nofollow ugc noopener"
# Stand-ins for a '[' that is no link's and for every '&', kept from Python-Markdown's scans: from
# each '[' it looks for a link's end as far as the text's end, and each '&' it met cost a pass over
# the text (quadratic in both). Record text never holds private-use characters (bad_character).
LITERAL_BRACKET, LITERAL_AMPERSAND = "\ue000", "\ue001"
BRACKET_OR_BREAK = re.compile(r"[\[\]]|\n[ \t]*\n")  # a blank line ends a paragraph: no link spans it
MAX_LINKS = 100  # [text](address) links in one abstract (real ones have a few); past them '[' is text
MAX_LINK_BRACKETS = 20  # brackets inside one link's text, as in [the [1] paper](address)


class MathProcessor(InlineProcessor):
    """Render `$...$` as MathML; leave a span that is not valid math as its own text."""

    def handleMatch(self, m: re.Match, data: str):  # noqa: N802 (Python-Markdown's name)
        try:
            mathml = latex_to_mathml(as_typed(m.group(1)))
        except MathError:
            return AtomicString(m.group(0)), m.start(0), m.end(0)
        return self.md.htmlStash.store(mathml), m.start(0), m.end(0)


class BareUrlProcessor(InlineProcessor):
    """Make a bare http(s) address clickable, leaving trailing punctuation outside the link."""

    def handleMatch(self, m: re.Match, data: str):  # noqa: N802
        url = m.group(0)
        while url and url[-1] in ".,;:!?'\"" or (url.endswith(")") and url.count("(") < url.count(")")):
            url = url[:-1]
        if not is_web_url(as_typed(url)):
            return None, None, None
        link = etree.Element("a", {"href": as_typed(url)})
        link.text = AtomicString(url)
        return link, m.start(0), m.start(0) + len(url)


class SafeLinks(Treeprocessor):
    """Keep only http(s) links, marked as contributed content; turn others into their text."""

    def run(self, root: etree.Element) -> None:
        for element in root.iter("a"):
            href = as_typed(element.get("href", ""))
            title = as_typed(element.get("title") or "")
            element.attrib.clear()
            if is_web_url(href):
                element.set("href", href)
                element.set("rel", LINK_REL)
                if title:
                    element.set("title", title)
            else:
                element.tag = "span"


class AbstractExtension(Extension):
    """Configure Python-Markdown for abstracts (see the module docstring)."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802
        md.preprocessors.deregister("html_block")
        for name in UNUSED_BLOCKS:
            if name in md.parser.blockprocessors:
                md.parser.blockprocessors.deregister(name)
        for name in UNUSED_INLINES:
            if name in md.inlinePatterns:
                md.inlinePatterns.deregister(name)
        md.inlinePatterns.register(MathProcessor(MATH, md), "math", 200)
        md.inlinePatterns.register(BareUrlProcessor(BARE_URL, md), "bare_url", 115)
        md.treeprocessors.register(SafeLinks(md), "safe_links", 1)


_markdown = markdown.Markdown(extensions=[AbstractExtension()], output_format="html")


# Text with none of these characters (nor control characters or any space but " " and newline), no
# web address and no line ending in a space (a Markdown line break) is only paragraphs to
# Python-Markdown as set up here: most abstracts are, and skip it. The spaces are spelt out (a test
# holds them to str.isspace): one class of characters is searched several times quicker than a
# pattern of alternatives tried at every character.
OTHER_SPACES = ("\t\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
                "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
MARKUP_CHARACTERS = re.compile("[" + re.escape("$[]()<>&\\`*_#|~{}" + OTHER_SPACES) + "\x00-\x09\x0b-\x1f\x7f]")


def has_markup(text: str) -> bool:
    """Whether Python-Markdown could make of the text anything but paragraphs (see above)."""
    return (MARKUP_CHARACTERS.search(text) is not None or " \n" in text or text.endswith(" ")
            or ("http" in text and ("http:" in text or "https:" in text)))


PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def render_abstract(text: str) -> str:
    """Render abstract text to HTML paragraphs; every character the author typed stays visible."""
    if not has_markup(text):
        paragraphs = (block.strip() for block in PARAGRAPH_BREAK.split(text))
        return "\n".join(f"<p>{block}</p>" for block in paragraphs if block)
    _markdown.reset()
    html = _markdown.convert(kept_from_markdown(text))
    return html.replace(LITERAL_BRACKET, "[").replace(LITERAL_AMPERSAND, "&amp;")


def kept_from_markdown(text: str) -> str:
    """The text with each '&', and each '[' that is neither a link's nor inside a link's text, as
    its stand-in: Python-Markdown then scans only from the '[' of `[text](address)` links."""
    if "[" in text:
        kept = link_brackets(text)
        text = re.sub(r"\[", lambda match: "[" if match.start() in kept else LITERAL_BRACKET, text)
    return text.replace("&", LITERAL_AMPERSAND)


def link_brackets(text: str) -> set[int]:
    """Where the '[' of each `[text](address)` link and of the bracket pairs in its text are (at
    most MAX_LINKS links, each with at most MAX_LINK_BRACKETS brackets in its text), found in one
    pass that pairs brackets as Python-Markdown does, within a paragraph."""
    pairs: list[tuple[int, int]] = []
    opened: list[int] = []
    for match in BRACKET_OR_BREAK.finditer(text):
        if match.group() == "[":
            opened.append(match.start())
        elif match.group() == "]":
            if opened:
                pairs.append((opened.pop(), match.start()))
        else:
            opened.clear()
    kept: set[int] = set()
    links = 0
    inside_until = -1  # the end of the text of the link being looked inside
    for start, end in sorted(pairs):
        if start < inside_until:
            kept.add(start)
        elif (text.startswith("(", end + 1) and links < MAX_LINKS
              and text.count("[", start + 1, end) + text.count("]", start + 1, end) <= MAX_LINK_BRACKETS):
            kept.add(start)
            links += 1
            inside_until = end
    return kept


def as_typed(text: str) -> str:
    """Text with its stand-ins back as the characters they stand for."""
    return text.replace(LITERAL_BRACKET, "[").replace(LITERAL_AMPERSAND, "&")


def plain_summary(text: str, limit: int = 200) -> str:
    """Shorten an abstract to at most `limit` characters, cut at a word, for meta descriptions."""
    return plain_summaries(text, (limit,))[0]


def plain_summaries(text: str, limits: tuple[int, ...]) -> tuple[str, ...]:
    """plain_summary of the text for each limit, the text flattened once for all."""
    # The flattened start of the text is the start of the flattened text: enough of it decides.
    longest = max(limits)
    flat = " ".join(text[:4 * longest + 64].split())
    if len(flat) <= longest:
        flat = " ".join(text.split())
    return tuple(flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.") + "…"
                 for limit in limits)
