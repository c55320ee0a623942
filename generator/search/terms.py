"""What lunr.py's builder counts for each paper: its terms, field by field, and the fields' lengths.

`paper_terms` counts what lunr.py's Builder counts (tests/oracles.py runs the Builder, and a test
holds the counts, gathered in the search index, equal to its), without its cost: lunr.py runs each
word of each paper through its pipeline and keeps positions we never use, while here each distinct
word goes through lunr.py's own pipeline functions once.
"""

from __future__ import annotations

import functools
import re
from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from lunr.pipeline import Pipeline
from lunr.stemmer import porter_stemmer
from lunr.stop_word_filter import stop_word_filter
from lunr.token import Token
from lunr.tokenizer import SEPARATOR_CHARS
from lunr.trimmer import trimmer

from generator.read.records import Paper
from generator.site.archive import Archive

# Field name and boost: a match in the title counts most.
FIELDS = (("title", 10), ("authors", 5), ("organization", 3), ("tags", 3), ("arxiv", 3), ("abstract", 1))
SLOTS_PER_DAY = 4096  # document number = day ordinal * slots + place in the day (at least this many slots)
SEPARATORS = re.compile("[" + re.escape(SEPARATOR_CHARS) + "]+")
# Characters str.split() takes for whitespace that lunr's tokenizer does not: text holding one is
# split by lunr's own separators instead (str.split() is the quicker, and otherwise the same).
OTHER_SPACES = re.compile("[\x1c-\x1f\x85\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")


@functools.cache
def _stem_word(word: str) -> str:
    return porter_stemmer.stem(word)


def cached_stemmer(token, i=None, tokens=None):
    """lunr.py's Porter stemmer, remembering each word: the archive repeats words endlessly."""
    return token.update(lambda string, metadata=None: _stem_word(string))


Pipeline.register_function(cached_stemmer, "dailypapersStemmer")
INDEX_PIPELINE = (trimmer, stop_word_filter, cached_stemmer)  # lunr's default, with the stemmer cached


def day_slots(archive: Archive) -> int:
    """How many numbers each day has for its papers: SLOTS_PER_DAY, or the power of two above it
    that holds the busiest day (a big arXiv category announces more than a thousand a day)."""
    busiest = max((len(day.papers) for day in archive.days), default=0)
    return max(SLOTS_PER_DAY, 1 << max(busiest - 1, 0).bit_length())


def document_number(paper: Paper, place: int, slots: int = SLOTS_PER_DAY) -> int:
    """Number a paper by its day and its place among that day's papers (by name): stable while
    its day is unchanged, and a hit's day can be read straight from its number."""
    if place >= slots:
        raise ValueError(f"more than {slots} papers on {paper.day}")
    return paper.day.toordinal() * slots + place


def in_number_order(papers: tuple[Paper, ...]) -> list[Paper]:
    """A day's papers in the order of their document numbers: by name."""
    return sorted(papers, key=lambda paper: paper.slug)


def search_documents(archive: Archive) -> list[tuple[int, Paper]]:
    """Return (document number, paper) for every paper, in document-number order."""
    slots = day_slots(archive)
    numbered = []
    for day in archive.days:
        for place, paper in enumerate(in_number_order(day.papers)):
            numbered.append((document_number(paper, place, slots), paper))
    return sorted(numbered, key=lambda pair: pair[0])


def field_values(paper: Paper) -> tuple[str, ...]:
    """The text of each field, in FIELDS order."""
    return (paper.title, " ".join(paper.authors), paper.organization or "", " ".join(paper.tags),
            paper.arxiv_base or "", paper.abstract)


@dataclass(frozen=True)
class IndexCounts:
    """What the browser needs to score like lunr: postings with counts, and archive-wide stats."""

    postings: dict[str, dict[str, list[int]]]  # term -> field -> [doc delta, tf, field length, ...]
    document_count: int
    average_field_length: dict[str, float]
    field_lengths: dict[int, list[int]]  # document -> its fields' lengths, in FIELDS order


def encode(entries: list[tuple[int, int, int]]) -> list[int]:
    """Delta-encode (document, tf, field length) entries, sorted by document."""
    encoded: list[int] = []
    previous = 0
    for document, tf, length in sorted(entries):
        encoded += [document - previous, tf, length]
        previous = document
    return encoded


# What one paper brings to the index: each field's length, and each field's terms with their
# counts, packed to keep the build cache small and quick to load: the terms joined by spaces (a
# term never holds whitespace, lunr splits on it) and their counts as an array of unsigned ints.
PaperTerms = tuple[tuple[int, ...], tuple[tuple[str, bytes], ...]]


_pipeline = Pipeline()
_pipeline.add(*INDEX_PIPELINE)


class TermsOfWords(dict):
    """The term lunr.py's pipeline makes of each lowercased word (None for a stop word), each word
    run through the pipeline once: the archive repeats its words endlessly."""

    def __missing__(self, word: str) -> str | None:
        term = self[word] = pipeline_term(word)
        return term


def pipeline_term(word: str) -> str | None:
    if not word:
        return None
    found = [str(t) for t in _pipeline.run([Token(word)])]
    if len(found) > 1:
        raise ValueError(f"lunr's pipeline made {len(found)} terms of one word: {word!r}")
    return found[0] if found else None


TERMS = TermsOfWords()
term_of = TERMS.__getitem__


def words_of(text: str) -> list[str]:
    """Split text as lunr.py's tokenizer does: lowercased, on whitespace and hyphens."""
    lowered = text.lower()
    if OTHER_SPACES.search(lowered):
        return [word for word in SEPARATORS.split(lowered) if word]
    return lowered.replace("-", " ").split()


def paper_terms(paper: Paper) -> PaperTerms:
    """Count one paper's terms as lunr.py's builder does: its tokenizer splits the lowercased text
    on whitespace and hyphens; its pipeline trims, drops stop words and stems."""
    lengths, fields = [], []
    for value in field_values(paper):
        terms = Counter(map(term_of, words_of(value)))
        terms.pop(None, None)
        lengths.append(terms.total())
        fields.append((" ".join(terms), array("I", terms.values()).tobytes()))
    return tuple(lengths), tuple(fields)


def unpack_terms(packed: tuple[str, bytes]) -> Iterable[tuple[str, int]]:
    """(term, count) of one field of PaperTerms."""
    names, counts = packed
    return zip(names.split(" "), array("I", counts), strict=True) if names else ()
