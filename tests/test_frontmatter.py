"""The plain front matter reader against YAML: whatever it reads, libyaml and PyYAML read the same."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from generator.read import content
from generator.read.frontmatter import read_plain_fields
from generator.recordfile import format_record
from generator.synthetic import write_synthetic

ROOT = Path(__file__).resolve().parents[1]

# Values that are plain text, and values YAML reads as something else or not at all.
VALUES = [
    "Attention Is All You Need", "yes", "No", "on", "~", "null", "NULL", "", "=", "<<", "a: b", "a #b", "a#b",
    "C# for F# users", "'q''s'", "'quoted'  ", "'open", "'a' # c", '"double"', "-x", "- x", "[a, b]", "{a: b}",
    "a, b]", "1.10", "010", "12", "-3", "+4", "1:30", "0x1f", "2015-06-09", "2024-02-30", "https://x.org/a#b",
    "https://x.org/a?b=c&d", "é ü ß 深度", "\u00a0lead", "a  b  ", "...", "---", "!tag", "!!str x", "&a", "*a",
    "%x", "@x", "`x", "a :b", "a:", "a:b", "x\ty", "x\u2028y", "x\u2029y", "x\x85y", "\ufeffx", "|", ">", "?x", "? x", ":x",
    "a,b", "{x", "}", "#x", ".inf", ".5", "1e3", "True", "Ada & Bob", "a * b", "a ! b", "12345678901234567890",
    "'it''s ok'", "' spaced '", "x\\y", "x'y", "\u200b", "\U0001f600",
]
# Values of the kind records hold, so that most front matters are plain enough to be read.
USUAL = ["Ada Lovelace", "cs.LG", "2015-06-09", "12", "Deep Nets, Again", "https://github.com/a/b",
         "'1506.03134'", "'Yes'", "O'Neil", "Google DeepMind", "x-y_z (v2)"]
NAMES = ["title", "arxiv", "organization", "submitted_by", "published", "upvotes", "authors", "tags", "links",
         "abstract", "other", "Title", "yes", "title ", "1x"]


def random_front_matter(rng: random.Random) -> str:
    """Lines of the shapes a record's front matter has, and of shapes it should not."""
    def value() -> str:
        return rng.choice(USUAL) if rng.random() < 0.75 else rng.choice(VALUES)

    lines = []
    for _ in range(rng.randint(1, 7)):
        name = rng.choice(NAMES[:9]) if rng.random() < 0.8 else rng.choice(NAMES)
        shape = rng.random()
        if shape < 0.45:
            lines.append(f"{name}: {value()}")
        elif shape < 0.75:
            lines.append(f"{name}:" + rng.choice(["", " ", "  "]))
            indent = rng.choice(["", "  ", "    "])
            for _ in range(rng.randint(0, 4)):
                lines.append(indent + rng.choice(["- ", "-  ", "-", "  - "]) + value())
        elif shape < 0.9:
            lines.append(f"{name}:")
            for _ in range(rng.randint(0, 3)):
                key = rng.choice(["code", "project", "pdf", "doi", "code", "x-y", "- z"])
                lines.append(rng.choice(["  ", "  ", "    ", ""]) + f"{key}: {value()}")
        else:
            lines.append(rng.choice(["# a comment", "", "   ", "  continued", "- stray", "title:x", "key : v"]))
    return "\n".join(lines) + rng.choice(["", "\n", "\n\n"])


def plain(text: str, line_offset: int = 1):
    return read_plain_fields(text, line_offset)


def test_what_the_plain_reader_reads_yaml_reads_the_same():
    rng = random.Random(20261202)
    read = 0
    for _ in range(20000):
        text = random_front_matter(rng)
        fast = plain(text)
        if fast is None:
            continue
        read += 1
        for loader in {content.FAST_LOADER, yaml.SafeLoader}:
            assert content.read_yaml_fields(text, "r.md", 1, loader) == fast, (loader, text)
    assert read > 1000  # enough of the plain shapes came up for the comparison to mean something


@pytest.mark.parametrize("text, why", [
    ("title: A\ntitle: B\n", "a field twice"),
    ("title: A\n  continued\n", "a folded line"),
    ("authors:\n- A\n  - B\n", "items at two depths"),
    ("tags: [a, b]\n", "a flow list"),
    ("title: x # note\n", "a comment"),
    ("title: =\n", "a value YAML tags"),
    ("links:\n  code: a\n  code: b\n", "an entry twice"),
    ("title: \"A\"\n", "double quotes"),
    ("notes: A\n", "a field it does not know"),
])
def test_the_plain_reader_leaves_to_yaml_what_yaml_reads_otherwise(text, why):
    assert plain(text) is None, why


def test_the_plain_reader_reads_the_sample_the_synthetic_archive_and_what_the_importers_write(tmp_path):
    write_synthetic(tmp_path, 300, dense_day=20)
    files = sorted(tmp_path.glob("*/*/*/*.md")) + sorted((ROOT / "content").glob("*/*/*/*.*"))
    texts = [path.read_text() for path in files]
    texts.append(format_record({"title": "It's: a 'test' # of quoting", "authors": ["Yes", "No", "~", "O'Neil"],
                              "arxiv": "2305.02990", "published": "2023-05-04", "upvotes": 12,
                              "tags": ["cs.LG", "1.10"], "links": {"code": "https://github.com/a/b#readme"}},
                             "An abstract."))
    for text in texts:
        front = text.split("---\n")[1] if text.startswith("---\n") else text
        fast = plain(front)
        assert fast is not None, front
        assert fast == content.read_yaml_fields(front, "r.md", 1, content.FAST_LOADER)
