"""A BibTeX entry for a paper, ready to paste into a .bib file, as reference managers and classic
BibTeX read it: addresses verbatim, inline math kept as math, braces always balanced, names and
proper nouns protected, and a citation key no other paper of the site has."""

from __future__ import annotations

import functools
import re
import unicodedata

from generator import urls
from generator.read.markup import MATH
from generator.read.mathml import MathError, latex_to_mathml
from generator.read.records import Paper

ARXIV_CATEGORY = re.compile(r"[a-z-]+(\.[A-Za-z-]+)?")
STOPWORDS = {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "is", "are", "at",
             "by", "from", "via", "how", "what", "when", "why", "can", "do", "does", "towards"}
# A brace is written as a command, not as \{ : classic BibTeX counts \{ as a brace, so one
# unbalanced brace in a title would swallow the rest of the entry.
SPECIAL = {"\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}", "&": r"\&",
           "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}",
           "^": r"\textasciicircum{}"}
SPECIAL_TABLE = str.maketrans(SPECIAL)
# Inline math is found as the page finds it (no "$5 and $6", no "\$"), and kept as math when the
# page shows it as math and LaTeX can read it as it is: its braces balance and it holds nothing
# that ends a field or starts a comment.
INLINE_MATH = re.compile(MATH)
MATH_UNSAFE = re.compile(r"[%#&]")
# Words a Title Case title leaves lowercase, not counted when telling it from sentence case.
MINOR_WORDS = STOPWORDS | {"or", "not", "as", "into", "over", "vs", "per", "but", "nor", "so", "up", "off"}


def escape_bibtex(text: str) -> str:
    """Escape the characters that mean something to BibTeX and LaTeX."""
    return text.translate(SPECIAL_TABLE)


def balanced(text: str) -> bool:
    """Whether the braces balance as classic BibTeX counts them (a backslash does not hide one)."""
    depth = 0
    for ch in text:
        depth += 1 if ch == "{" else -1 if ch == "}" else 0
        if depth < 0:
            return False
    return depth == 0


def escape_with_math(text: str, protect_word=lambda word: False) -> str:
    """Escape text, keeping its inline math as math, braced so that no style changes its case;
    each word outside math that `protect_word` names is braced too."""
    pieces, last = [], 0
    for found in INLINE_MATH.finditer(text):
        math = found.group(1)
        if not balanced(math) or MATH_UNSAFE.search(math) or not shown_as_math(math):
            continue  # escaped as text below, which is never wrong
        pieces.append(escape_words(text[last:found.start()], protect_word))
        protect_word(found.group(0))  # math is a word of the title too: what follows it is not the first
        pieces.append("{$" + math + "$}")
        last = found.end()
    pieces.append(escape_words(text[last:], protect_word))
    return "".join(pieces)


def shown_as_math(source: str) -> bool:
    try:
        latex_to_mathml(source)
    except MathError:
        return False
    return True


def escape_words(text: str, protect_word) -> str:
    """Escape text word by word (whitespace kept), bracing the words `protect_word` names."""
    return "".join(braced(escape_bibtex(part)) if part.strip() and protect_word(part) else escape_bibtex(part)
                   for part in SPACES.split(text))


def braced(escaped: str) -> str:
    """Protect escaped text from case changes. A brace followed by a backslash is a "special
    character" to classic BibTeX, whose letters it still lowercases: an empty group goes first."""
    return "{{}" + escaped + "}" if escaped.startswith("\\") else "{" + escaped + "}"


SPACES = re.compile(r"(\s+)")
WORD_PARTS = re.compile(r"[-/]")


# Titles share their words: what each word is, worked out once per word (bounded, for a long-lived serve).
@functools.lru_cache(maxsize=1 << 16)
def letters(word: str) -> str:
    return "".join(filter(str.isalpha, word))


@functools.lru_cache(maxsize=1 << 16)
def inner_capital(word: str) -> bool:
    """A capital after the first letter of a part of the word: an acronym or a name styled so (LLM,
    ReLU, GPT-4), where a Title Case compound (Few-Shot, Real-Time) has none."""
    return any(any(map(str.isupper, letters(part)[1:])) for part in WORD_PARTS.split(word))


def title_protector(title: str):
    """What to brace in a title so that a style that lowercases titles keeps what must stay: every
    word with a capital after its first letter and, in a title written in sentence case (most of
    its words lowercase), each capitalised word after the first, a proper noun there (Lipschitz).
    The words are asked about in the title's order."""
    words = [word for word in INLINE_MATH.sub(" ", title).split() if letters(word)]
    later = [word for word in words[1:] if letters(word).lower() not in MINOR_WORDS and not inner_capital(word)]
    sentence_case = bool(later) and sum(1 for word in later if letters(word)[:1].isupper()) * 2 <= len(later)
    seen = []

    def protect(word: str) -> bool:
        found = letters(word)
        if not found:
            return False
        first = not seen
        seen.append(word)
        return inner_capital(word) or (sentence_case and not first and found[0].isupper())

    return protect


# BibTeX splits an author list at the word "and" (any case, between spaces) outside braces.
AND_WORD = re.compile(r"(?<!\S)and(?!\S)", re.IGNORECASE)
# Words that make a name an organisation's, which BibTeX must not split into given and family names.
ORGANISATION_WORDS = {
    "AI", "Team", "Lab", "Labs", "Laboratory", "Laboratories", "Inc", "Inc.", "Ltd", "Ltd.", "LLC", "Research",
    "Group", "University", "Institute", "Consortium", "Collaboration", "Collaborations", "Project", "Corporation",
    "Foundation", "DeepMind", "OpenAI", "Google", "Microsoft", "NVIDIA", "Anthropic", "Center", "Centre",
    "Academy", "Organization", "Organisation", "Department", "Society", "Association", "Initiative",
}


def is_organisation(name: str) -> bool:
    return len(name.split()) > 1 and any(word.strip(",.()") in ORGANISATION_WORDS for word in name.split())


def bibtex_name(name: str) -> str:
    """Escape one author's name; a name holding the word "and" (a collaboration) or an
    organisation's name (Google DeepMind) is braced whole, so that BibTeX reads it as one author
    and does not take its last word for a family name."""
    escaped = escape_bibtex(name)
    return f"{{{escaped}}}" if AND_WORD.search(name) or is_organisation(name) else escaped


def verbatim(address: str) -> str:
    """An address as biblatex and the url package read it, verbatim: only what would end the
    field (a brace) or break it is percent-encoded, which a browser reads the same."""
    return address.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D").replace(" ", "%20")


def ascii_word(text: str) -> str:
    """Fold a word to lowercase ASCII letters and digits, for a citation key."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def citation_key(paper: Paper) -> str:
    """Make a key like `vaswani2017attention-1706.03762`: first author, year and first title word,
    then the paper's name on the site (its arXiv id, when it has one), which no other paper has
    and which never changes as papers are added."""
    first = paper.authors[0]
    surname = ascii_word(first if is_organisation(first) or not first.split() else first.split()[-1])
    year = (paper.published or paper.day).year
    words = (ascii_word(word) for word in re.split(r"[\s:/-]+", paper.title))
    word = next((w for w in words if w and w not in STOPWORDS), "")
    return f"{surname or 'anonymous'}{year}{word}-{paper.slug}"


def bibtex_entry(paper: Paper) -> str:
    """Return a @misc BibTeX entry that cites the paper on arXiv when it has an id."""
    fields = [
        ("title", escape_with_math(paper.title, title_protector(paper.title))),
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
        fields.append(("url", verbatim(paper.link("project") or paper.link("code") or "")))
    doi = paper.link("doi")
    if doi and "doi.org/" in doi:
        fields.append(("doi", verbatim(doi.split("doi.org/", 1)[1])))
    width = max(len(name) for name, _ in fields)
    body = "\n".join(f"  {name.ljust(width)} = {{{value}}}," for name, value in fields)
    return f"@misc{{{citation_key(paper)},\n{body}\n}}"
