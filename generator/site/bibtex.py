"""A BibTeX entry for a paper, ready to paste into a .bib file."""

from __future__ import annotations

import re
import unicodedata

from generator import urls
from generator.read.records import Paper

ARXIV_CATEGORY = re.compile(r"[a-z-]+(\.[A-Za-z-]+)?")
STOPWORDS = {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "is", "are", "at",
             "by", "from", "via", "how", "what", "when", "why", "can", "do", "does", "towards"}
SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%",
           "$": r"\$", "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}",
           "^": r"\textasciicircum{}"}


def escape_bibtex(text: str) -> str:
    """Escape the characters that mean something to BibTeX and LaTeX."""
    return "".join(SPECIAL.get(ch, ch) for ch in text)


# BibTeX splits an author list at the word "and" (any case, between spaces) outside braces.
AND_WORD = re.compile(r"(?<!\S)and(?!\S)", re.IGNORECASE)


def bibtex_name(name: str) -> str:
    """Escape one author's name; a name holding the word "and" (a collaboration) is braced whole,
    so that BibTeX reads it as one author rather than two."""
    escaped = escape_bibtex(name)
    return f"{{{escaped}}}" if AND_WORD.search(name) else escaped


def ascii_word(text: str) -> str:
    """Fold a word to lowercase ASCII letters and digits, for a citation key."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def citation_key(paper: Paper) -> str:
    """Make a key like `vaswani2017attention` from first author, year and first title word."""
    surname = ascii_word(paper.authors[0].split()[-1]) or "anonymous"
    year = (paper.published or paper.day).year
    words = [ascii_word(word) for word in re.split(r"[\s:/-]+", paper.title)]
    word = next((w for w in words if w and w not in STOPWORDS), "")
    return f"{surname}{year}{word}"


def bibtex_entry(paper: Paper) -> str:
    """Return a @misc BibTeX entry that cites the paper on arXiv when it has an id."""
    fields = [
        ("title", escape_bibtex(paper.title)),
        ("author", " and ".join(bibtex_name(name) for name in paper.authors)),
        ("year", str((paper.published or paper.day).year)),
    ]
    if paper.arxiv_base:
        fields += [("eprint", paper.arxiv_base), ("archivePrefix", "arXiv")]
        category = next((tag for tag in paper.tags if ARXIV_CATEGORY.fullmatch(tag) and "." in tag), None)
        if category:
            fields.append(("primaryClass", category))
        fields.append(("url", urls.arxiv_abs_url(paper.arxiv_base)))
    elif paper.link("project") or paper.link("code"):
        fields.append(("url", escape_bibtex(paper.link("project") or paper.link("code") or "")))
    doi = paper.link("doi")
    if doi and "doi.org/" in doi:
        fields.append(("doi", escape_bibtex(doi.split("doi.org/", 1)[1])))
    width = max(len(name) for name, _ in fields)
    body = "\n".join(f"  {name.ljust(width)} = {{{value}}}," for name, value in fields)
    return f"@misc{{{citation_key(paper)},\n{body}\n}}"
