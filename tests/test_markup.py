"""Abstracts come out character for character, with math as MathML and only safe links."""

from __future__ import annotations

import json
import re

import html5lib
import pytest

from generator.read.content import read_papers
from generator.read.markup import plain_summaries, plain_summary, render_abstract

from conftest import CONTENT, ROOT

MATHML = "{http://www.w3.org/1998/Math/MathML}"


def text_of(html: str) -> str:
    """Return the text a reader sees, as a browser's parser builds it."""
    fragment = html5lib.parseFragment(html, namespaceHTMLElements=False)
    return "".join(fragment.itertext())


def elements(html: str, tag: str) -> list:
    return list(html5lib.parseFragment(html, namespaceHTMLElements=False).iter(tag))


@pytest.mark.parametrize(
    "text",
    [
        "MNIST < CIFAR10 < Imagenet and color > size > velocity",
        "<b>bold?</b> <script>alert(1)</script> <img src=x onerror=alert(1)>",
        "intrinsic dimension (d_{data}) and d_{repr}, with __init__ and snake_case_names",
        "a * b * c, 2*3*4, *not emphasis* and **not strong**",
        "approximately 1-2\\% on {\\em labeled} data with na\\\"ive loss minimization",
        "``label sharpness'' and `code` and ``two`` ticks",
        "1. first line\n2. second line\n- a dash line\n+ plus\n# not a heading\n> not a quote",
        "&amp; stays &amp;, AT&T, &lt;tag&gt; and &#169;",
        "[1]: http://example.com is not a reference definition",
        "    indented text is not code",
        "a line\n---\nbelow a rule that is not",
        "costs $5 and $10 but not math",
        "fine-tuning of $textbf{specialist} and textbf{generalist}$ models",
        "unbalanced $x^{2$ math and $\\unknowncommand{x}$",
    ],
)
def test_every_character_comes_out_as_written(text):
    html = render_abstract(text)
    assert text_of(html).split() == text.split()
    for tag in ("b", "script", "img", "em", "strong", "code", "ol", "ul", "li", "h1", "blockquote", "pre",
                "hr", MATHML + "math"):
        assert elements(html, tag) == [], (tag, html)


def test_every_sample_abstract_reads_exactly_as_its_record():
    papers, problems = read_papers(CONTENT)
    assert problems == [] and len(papers) == 57
    for paper in papers:
        # Bare URLs become links, but their text is unchanged.
        assert text_of(paper.abstract_html).split() == paper.abstract.split(), paper.slug


def test_sample_holds_the_tricky_characters():
    abstracts = " ".join(p.abstract for p in read_papers(CONTENT)[0])
    for needle in ["<", ">", "_", "d_{data}", "\\%", "{\\em labeled}", 'na\\"ive', "$textbf{specialist}"]:
        assert needle in abstracts, needle


def test_valid_math_becomes_mathml_and_keeps_its_source():
    html = render_abstract("error $\\mathcal{O}(d^k)$ with $x_i^2 + \\frac{1}{2}$ and $\\alpha<\\beta$.")
    maths = elements(html, MATHML + "math")
    assert len(maths) == 3
    assert [m.find(f".//{MATHML}annotation").text for m in maths] == ["\\mathcal{O}(d^k)", "x_i^2 + \\frac{1}{2}",
                                                              "\\alpha<\\beta"]
    assert "$" not in html  # the delimiters were consumed by the math, not shown
    assert maths[0].find(f".//{MATHML}msup") is not None
    assert maths[1].find(f".//{MATHML}mfrac") is not None
    assert "𝒪" in text_of(html)


def test_broken_math_is_shown_as_plain_text():
    source = "fine-tuning of $textbf{specialist} and textbf{generalist}$ models"
    html = render_abstract(source)
    assert elements(html, MATHML + "math") == []
    assert text_of(html) == source


def test_only_http_links_survive():
    html = render_abstract("[x](javascript:alert(1)) [y](https://example.org/a?b=1&c=2) [z](data:text/html,hi) "
                           "<https://example.com/auto> see https://github.com/o/r. and (https://x.org/p_(q))")
    links = [(a.get("href"), a.text) for a in elements(html, "a")]
    assert links == [("https://example.org/a?b=1&c=2", "y"), ("https://example.com/auto", "https://example.com/auto"),
                     ("https://github.com/o/r", "https://github.com/o/r"), ("https://x.org/p_(q)", "https://x.org/p_(q)")]
    assert all(a.get("rel") == "nofollow ugc noopener" for a in elements(html, "a"))
    assert "javascript" not in "".join(a.get("href") for a in elements(html, "a"))
    assert text_of(html).startswith("x y z ")


def test_paragraphs_are_kept():
    html = render_abstract("First paragraph\ncontinues here.\n\nSecond paragraph.")
    assert [text_of(json.dumps(p.text)[1:-1]) for p in elements(html, "p")] == [
        "First paragraph\\ncontinues here.", "Second paragraph."]


def test_summary_cuts_at_a_word():
    summary = plain_summary("word " * 100, limit=50)
    assert len(summary) <= 50 and summary.endswith("word…")
    assert plain_summary("short  text\nhere") == "short text here"
    assert not re.search(r"\s…$", summary)


def test_plain_abstracts_skip_markdown_yet_render_exactly_as_markdown_would():
    import json

    from generator.read import markup
    from generator.synthetic import synthetic_records

    seed = json.loads((ROOT / "tests/data/seed-papers.json").read_text())
    abstracts = [p["abstract"] for p in (seed if isinstance(seed, list) else seed["papers"])]
    abstracts += [text.split("---\n", 2)[2] for _, _, text in synthetic_records(300)]
    abstracts += ["One.\n\nTwo lines\nin a paragraph.\n\n\n   \nThree.", "  leading and trailing  ", "Line break  \nhere",
                  "Quotes \"x\" and 'y' -- dashes... 1. not a list\n- nor this", "Ünïcödé 日本語 🚀", "", "\n\n",
                  "Tab\there", "a\r\nb", "nbsp\xa0 and\u3000ideographic\u2028", "\x85next line", "Email a@b.org and www.example.org", "3 < 4 & 5 > 2", "x_1 and 2*3*4"]
    plain = 0
    for text in abstracts:
        markup._markdown.reset()
        assert markup.render_abstract(text) == markup._markdown.convert(text), text
        plain += not markup.has_markup(text)
    assert plain >= 200  # the fast path really ran, for most synthetic abstracts


def test_markup_is_found_as_the_plain_pattern_finds_it():
    """has_markup searches one class of characters and a few strings, where the plain pattern tries
    its alternatives at every character: both say the same of every text."""
    import random
    import sys

    from generator.read import markup

    from oracles import MARKUP_BY_ALTERNATIVES

    assert markup.OTHER_SPACES == "".join(chr(code) for code in range(sys.maxunicode + 1)
                                          if chr(code).isspace() and chr(code) not in " \n")
    alphabet = "ab hpst:/\n\t\r\x0b\x85\xa0\u2028\u3000\x00\x1f\x7f$[]()<>&\\`*_#|~{}-.é日"
    chance = random.Random(22)
    texts = ["".join(chance.choice(alphabet) for _ in range(chance.randrange(14))) for _ in range(100_000)]
    texts += ["see http://x", "https:", "http", "http :", "line \nnext", "ends ", "ends \n", "plain text.\n"]
    found = [markup.has_markup(text) for text in texts]
    assert found == [MARKUP_BY_ALTERNATIVES.search(text) is not None for text in texts]
    assert 10_000 < found.count(False) < 90_000  # both kinds, many times over


@pytest.mark.parametrize("text", ["[" * 19_000, "[a](" * 4_000, "&" * 19_000, "[(" * 5_000 + "]",
                                  "x & [y] &amp; [z](https://example.org/?a=1&b=2) [w"],
                         ids=["19,000 [", "4,000 [a](", "19,000 &", "5,000 [(", "mixed"])
def test_brackets_and_ampersands_in_any_number_come_out_as_written_at_once(text):
    """Python-Markdown scanned from each '[' to the text's end (19,000 took 13 s) and passed over
    the text for each '&'. The budget is a bound, far above the milliseconds these now take, that
    the old quadratic scans cannot meet on any machine; it is not a measurement."""
    import signal

    def too_slow(*_):
        raise TimeoutError("an abstract took more than 3 seconds to render")

    signal.signal(signal.SIGALRM, too_slow)
    signal.alarm(3)
    try:
        html = render_abstract(text)
    finally:
        signal.alarm(0)
    assert text_of(html) == text.replace("[z](https://example.org/?a=1&b=2)", "z")
    if "example.org" in text:
        assert [(a.get("href"), a.text) for a in elements(html, "a")] == [("https://example.org/?a=1&b=2", "z")]


@pytest.mark.parametrize(("text", "href", "label"), [
    ("See [our\ncode](https://example.com/x) now.", "https://example.com/x", "our\ncode"),
    ("See [the [1] paper](https://example.com/x).", "https://example.com/x", "the [1] paper"),
    ("[x](https://e.com/a(b(c)))", "https://e.com/a(b(c))", "x"),
    ('Link [x](https://e.com/?a=1&b=2 "T & [t]")', "https://e.com/?a=1&b=2", "x"),
    ("[" * 500 + " then [a link](https://e.com/y)", "https://e.com/y", "a link"),
])
def test_links_python_markdown_reads_are_still_links_among_any_brackets(text, href, label):
    [link] = elements(render_abstract(text), "a")
    assert (link.get("href"), "".join(link.itertext())) == (href, label)


def test_a_summary_reads_only_the_start_it_needs_and_says_what_the_whole_text_would():
    import random

    def whole(text, limit):  # the summary worked out from the whole text
        flat = " ".join(text.split())
        return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.") + "…"

    rng = random.Random(3)
    pieces = ["a", "word", "longerword", ",", ".", " ", "  ", "\n", "\t", "\u2003", " " * 300, "é", "x" * 250]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 400)))
        limits = (1, 2, 50, 200, 320)
        assert plain_summaries(text, limits) == tuple(whole(text, limit) for limit in limits), text
        assert plain_summary(text, 200) == whole(text, 200), text
