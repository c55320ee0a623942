"""A deterministic synthetic archive for benchmarks: any number of papers, the same every time.

Words follow a Zipf-like law over a made-up vocabulary with real machine-learning words among
the common ones, so queries behave like queries on a real archive: a few words are in most
abstracts, most words are rare, and author surnames repeat across papers.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Iterator
from pathlib import Path

from generator.recordfile import format_record, record_path

REAL_WORDS = (
    "model learning neural network training data language transformer attention diffusion vision "
    "generalization reasoning benchmark optimization gradient reinforcement policy graph representation "
    "embedding retrieval alignment robustness adversarial inference sampling latent generative "
    "architecture scaling grokking tokenization multimodal segmentation detection agent planning "
    "memory compression quantization distillation pretraining finetuning evaluation dataset"
).split()
SYLLABLES = ("ka ra to mi ne su lo vi de pa zu ri mo ta ki sa no be ga fu le ma xi ro cha "
             "shi tri qua ven dor lin gar mel thos").split()
FIRST_NAMES = ("Ada Alan Grace Yann Fei Andrej Ilya Daphne Yoshua Geoffrey Jürgen Sepp Kyunghyun Percy "
               "Chelsea Sergey Pieter Lilian Jacob Noam Ashish Niki Llion Aidan Łukasz Mei Wei Hiroshi "
               "Amara Chidi Priya Arjun Sofía Mateo Olga Dmitri Zainab Omar Ingrid Lars").split()
TAGS = ("cs.LG cs.CL cs.CV cs.AI cs.RO stat.ML cs.NE cs.IR eess.AS q-bio.NC").split()
START_DAY = dt.date(2015, 1, 1)  # arXiv ids have had five digits (YYMM.NNNNN) since 2015; 100,000 papers reach 2047
MATH = (r"$O(n \log n)$", r"$\alpha = 0.1$", r"$x \in \mathbb{R}^d$", r"$\frac{1}{\sqrt{n}}$", r"$k \times k$",
        r"$10^{-3}$", r"$\epsilon$-greedy", r"$\ell_2$")


def made_up_words(rng: random.Random, count: int) -> list[str]:
    """Return `count` distinct pronounceable words."""
    words: list[str] = []
    seen = set(REAL_WORDS)
    for length in itertools.cycle((2, 3, 3, 4)):
        word = "".join(rng.choice(SYLLABLES) for _ in range(length))
        if word not in seen:
            seen.add(word)
            words.append(word)
            if len(words) == count:
                return words
    return words


# Zipf-Mandelbrot weights 1 / (rank + SHIFT): the shift flattens the head of the law so the most
# common word is about 3% of an abstract's words, as "gener" (2.5%) and "model" (2.0%) are among
# the stemmed, stop-word-free words of the 57 real abstracts in tests/data/seed-papers.json. (A
# plain Zipf law made the top word 10% of all words and titles like "Model model model model".)
SHIFT = 2.7


def zipf_weights(count: int, shift: float = SHIFT) -> list[float]:
    return [1 / (rank + shift) for rank in range(1, count + 1)]


DENSE_DAY = START_DAY  # a busy day: the archive's first, with papers numbered from 501 so that their ids are their own
DENSE_FIRST_NUMBER = 501


def featured_days(rng: random.Random, start: dt.date = START_DAY, per_day: tuple[int, int] = (8, 16)
                  ) -> Iterator[tuple[dt.date, int]]:
    """Yield (day, papers that day): weekdays only, 8 to 16 papers each (about 12) unless told."""
    day = start
    while True:
        if day.weekday() < 5:
            yield day, rng.randint(*per_day)
        day += dt.timedelta(days=1)


def synthetic_records(count: int, seed: int = 2026, start: dt.date = START_DAY, per_day: tuple[int, int] = (8, 16),
                      first_number: int = 1) -> list[tuple[dt.date, str, str]]:
    """Return (featured day, slug, record text) for `count` papers: about 12 a weekday, 1 to 20
    authors, abstracts of 150 to 300 words with some inline math, heavy-tailed upvotes, tags and
    links."""
    rng = random.Random(seed)
    vocabulary = REAL_WORDS[:20] + made_up_words(rng, 30_000)
    vocabulary[200:200] = REAL_WORDS[20:]  # the rest of the real words are moderately common
    cumulative = list(itertools.accumulate(zipf_weights(len(vocabulary))))
    surnames = [word.capitalize() for word in made_up_words(rng, 6_000)]
    records: list[tuple[dt.date, str, str]] = []
    for day, papers in featured_days(rng, start, per_day):
        for place in range(first_number, first_number + papers):
            if len(records) == count:
                return records
            arxiv = f"{day:%y%m}.{(day.day * 1000 + place) % 100000:05d}"
            words = rng.choices(vocabulary, cum_weights=cumulative, k=rng.randint(150, 300))
            if rng.random() < 0.25:  # a quarter of the abstracts have some inline math
                for _ in range(rng.randint(1, 2)):
                    words.insert(rng.randrange(len(words)), rng.choice(MATH))
            sentences = [" ".join(words[i:i + 18]).capitalize() + "." for i in range(0, len(words), 18)]
            title_words = rng.choices(vocabulary, cum_weights=cumulative, k=rng.randint(5, 11))
            author_count = min(20, 1 + int(rng.expovariate(0.25)))
            authors = [f"{rng.choice(FIRST_NAMES)} {rng.choice(surnames)}" for _ in range(author_count)]
            links = {}
            if rng.random() < 0.4:
                links["code"] = f"https://github.com/{authors[0].split()[-1].lower()}/{title_words[0].lower()}"
            if rng.random() < 0.15:
                links["project"] = f"https://{title_words[-1].lower()}.github.io/"
            fields = {
                "title": " ".join(title_words).capitalize(),
                "authors": authors,
                "arxiv": arxiv,
                "published": day,
                "upvotes": int(rng.paretovariate(1.3)) - 1,
                "tags": rng.sample(TAGS, rng.randint(1, 2)),
            }
            if links:
                fields["links"] = links
            records.append((day, arxiv, format_record(fields, " ".join(sentences))))
    return records


def write_synthetic(content_dir: Path, count: int, seed: int = 2026, dense_day: int = 0) -> int:
    """Write the synthetic archive under content_dir, and `dense_day` more papers all featured on
    DENSE_DAY (a busy day of Hugging Face's or of an arXiv category); return how many records."""
    records = synthetic_records(count, seed)
    if dense_day:
        records += synthetic_records(dense_day, seed + 1, DENSE_DAY, (dense_day, dense_day), DENSE_FIRST_NUMBER)
    for day, slug, text in records:
        path = record_path(content_dir, day, slug)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return len(records)
