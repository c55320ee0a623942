"""The table of outputs: every file is made from its value alone, so a key of the value cannot miss a change."""

from __future__ import annotations

from generator.config import SiteConfig
from generator.read.cache import RecordCache
from generator.read.content import read_papers
from generator.site.archive import group_papers
from generator.site.outputs import OUTPUTS, Output, Sources, render_file
from generator.site.pages import PageRenderer, Site
from generator.synthetic import write_synthetic
from generator.write.reuse import Reuse

from conftest import LAYOUTS


def files_by_key(content, cache_dir) -> dict[tuple[str, str, str], bytes]:
    """Every file the table makes of these records, by (kind, path, key of its value as the build
    keys it: its kind's own spelling where it has one, which must tell apart every two values that
    Reuse.key tells apart)."""
    cache = RecordCache(cache_dir)
    papers, problems = read_papers(content, cache=cache)
    assert problems == []
    archive = group_papers(papers)
    config = SiteConfig(base_url="https://example.org/papers/")
    site = Site(archive, PageRenderer(LAYOUTS, config))
    reuse = Reuse(None, cache.digests(), archive.tag_names)
    sources = Sources(archive, config, {"static/a.css": b"a {}"})
    files = {}
    for output in OUTPUTS:
        if isinstance(output, Output):
            values = list(output.each(sources))
            if output.key is not None:
                own = [output.key(reuse, value) for value in values]
                assert len(set(own)) == len({reuse.key(value) for value in values}) == len(values)
            for value in values:
                path, data = render_file(output, value, site, reuse)
                key = reuse.key(value) if output.key is None else output.key(reuse, value)
                files[(output.name, path, key)] = data
    return files


def test_a_file_is_made_from_its_value_alone(tmp_path):
    """Two archives that differ in a few papers: every file whose value hashes the same in both
    has the same bytes in both (a render that read anything its value does not hold would differ)."""
    content = tmp_path / "content"
    write_synthetic(content, 500)  # some 40 weekdays: three months, eight weeks
    before = files_by_key(content, tmp_path / "cache-before")
    records = sorted(content.rglob("*.md"))
    # A paper on a day in the middle, with a tag of its own; a paper on a new day a year before the first.
    (records[len(records) // 2].parent / "added.md").write_text(
        "---\ntitle: Added in the middle\nauthors: [Ada Lovelace]\ntags: [A tag of its own]\n---\n\nText.\n")
    earlier = content / str(int(records[0].parent.parent.parent.name) - 1) / "01" / "05"
    earlier.mkdir(parents=True)
    (earlier / "earlier.md").write_text("---\ntitle: A year before\nauthors: [Alan Turing]\n---\n\nText.\n")
    after = files_by_key(content, tmp_path / "cache-after")
    same_value = before.keys() & after.keys()
    kinds = {kind for kind, _, _ in same_value}
    every_kind = {kind for kind, _, _ in before}  # the sitemap index and its parts only come with 50,000 pages
    assert len(same_value) > len(before) * 0.9
    # Only kinds whose every file shows one of the changes have no file to compare.
    assert set(every_kind) - kinds == {"archive", "tags", "search page", "API days", "sitemap", "year",
                                       "daily RSS", "daily Atom"}
    assert len(before.keys() - after.keys()) > 10  # and some changed: their day's, week's, month's...
    assert [key for key in sorted(same_value) if before[key] != after[key]] == []


def test_no_two_kinds_of_value_key_alike_and_a_paper_of_unknown_bytes_is_never_kept():
    import dataclasses

    import pytest

    paper = read_papers(LAYOUTS.parent / "content")[0][0]
    token = (paper.source, "digest")
    reuse = Reuse(None, {paper.source: "digest"})
    values = [paper, token, list(token), (paper,), [paper], {}, frozenset(), {"a": 1}, ("a", 1), ["a", 1]]
    keys = [reuse.key(value) for value in values]
    assert len(set(keys)) == len(keys)

    def named_alike(module: str):
        made = dataclasses.make_dataclass("Day", [("date", str)], frozen=True)
        made.__module__ = module
        return made("2025-11-18")

    assert reuse.key(named_alike("one")) != reuse.key(named_alike("other"))
    assert Reuse().key(paper) != Reuse().key(paper)  # no bytes known: never the key of a file on disk
    with pytest.raises(TypeError, match="a file cannot be keyed by a .*Path"):
        reuse.key(LAYOUTS)


def test_a_papers_key_names_its_file_bytes_and_shown_tag_names_and_no_two_lists_of_papers_spell_alike():
    from itertools import product

    import msgspec

    paper = read_papers(LAYOUTS.parent / "content")[0][0]
    # Names that, run together, could pass for a separator, another paper or a digest.
    sources = ["a", "a,", ",a", "a'", "a)", "P'a", "a'0f", "a\\'", "a,P'b'ff", "ab", "a" + "0f" * 32 + "(),Pa"]
    papers = [msgspec.structs.replace(paper, source=source, tags=("Vision",)) for source in sources]
    digests = {source: "0f" * 32 for source in sources}
    reuse = Reuse(None, digests)
    spelt = {}
    for size in (1, 2, 3):
        for chosen in product(papers, repeat=size):
            spelt.setdefault(reuse.key(chosen), []).append(chosen)
    assert all(len(found) == 1 for found in spelt.values())
    assert len(spelt) == 11 + 11 ** 2 + 11 ** 3

    def token(digest: str, shown: tuple[str, ...]) -> str:
        return Reuse(None, {"a": digest}, lambda _: shown).key(papers[0])

    assert token("0f" * 32, ("Vision",)) == token("0f" * 32, ("Vision",))
    assert token("0f" * 32, ("Vision",)) != token("1f" * 32, ("Vision",))  # its bytes changed
    assert token("0f" * 32, ("Vision",)) != token("0f" * 32, ("vision",))  # another paper respelt its tag
    assert token("0f" * 32, ("Vision",)) != token("0f" * 32, ())
