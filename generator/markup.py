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

from generator.mathml import MathError, latex_to_mathml
from generator.records import is_web_url

UNUSED_BLOCKS = ("indent", "code", "hashheader", "setextheader", "hr", "olist", "ulist", "quote",
                 "reference")
UNUSED_INLINES = ("backtick", "escape", "reference", "image_link", "image_reference",
                  "short_reference", "short_image_ref", "automail", "html", "entity", "em_strong",
                  "em_strong2", "not_strong", "strong_em", "strong", "emphasis", "emphasis2")
MATH = r"(?<![\\$])\$(?![\s$])((?:\\.|[^$\\\n])+?)(?<!\s)\$(?![\d$])"
BARE_URL = r"\bhttps?://[^\s<>\"'`]+"
LINK_REL = "nofollow ugc noopener"


class MathProcessor(InlineProcessor):
    """Render `$...$` as MathML; leave a span that is not valid math as its own text."""

    def handleMatch(self, m: re.Match, data: str):  # noqa: N802 (Python-Markdown's name)
        try:
            mathml = latex_to_mathml(m.group(1))
        except MathError:
            return AtomicString(m.group(0)), m.start(0), m.end(0)
        return self.md.htmlStash.store(mathml), m.start(0), m.end(0)


class BareUrlProcessor(InlineProcessor):
    """Make a bare http(s) address clickable, leaving trailing punctuation outside the link."""

    def handleMatch(self, m: re.Match, data: str):  # noqa: N802
        url = m.group(0)
        while url and url[-1] in ".,;:!?'\"" or (url.endswith(")") and url.count("(") < url.count(")")):
            url = url[:-1]
        if not is_web_url(url):
            return None, None, None
        link = etree.Element("a", {"href": url})
        link.text = AtomicString(url)
        return link, m.start(0), m.start(0) + len(url)


class AmpersandProcessor(InlineProcessor):
    """Show `&` as written, even where it looks like an HTML entity such as `&amp;`."""

    def handleMatch(self, m: re.Match, data: str):  # noqa: N802
        return self.md.htmlStash.store("&amp;"), m.start(0), m.end(0)


class SafeLinks(Treeprocessor):
    """Keep only http(s) links, marked as contributed content; turn others into their text."""

    def run(self, root: etree.Element) -> None:
        for element in root.iter("a"):
            href = element.get("href", "")
            title = element.get("title")
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
        md.inlinePatterns.register(AmpersandProcessor("&", md), "ampersand", 5)
        md.treeprocessors.register(SafeLinks(md), "safe_links", 1)


_markdown = markdown.Markdown(extensions=[AbstractExtension()], output_format="html")


# Text with none of these characters (nor control characters or any space but " " and newline), no
# web address and no line ending in a space (a Markdown line break) is only paragraphs to
# Python-Markdown as set up here: most abstracts are, and skip it.
MARKUP_CHARACTERS = re.compile(r"[$\[\]()<>&\\`*_#|~{}\x00-\x09\x0b-\x1f\x7f]|[^\S \n]|https?:| \n| $")
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def render_abstract(text: str) -> str:
    """Render abstract text to HTML paragraphs; every character the author typed stays visible."""
    if not MARKUP_CHARACTERS.search(text):
        paragraphs = (block.strip() for block in PARAGRAPH_BREAK.split(text))
        return "\n".join(f"<p>{block}</p>" for block in paragraphs if block)
    _markdown.reset()
    return _markdown.convert(text)


def plain_summary(text: str, limit: int = 200) -> str:
    """Shorten an abstract to at most `limit` characters, cut at a word, for meta descriptions."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"
