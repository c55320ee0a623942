"""The build cache: unchanged builds do nothing, unchanged records are not parsed again, and the
site is always the one a clean build makes."""

from __future__ import annotations

import os
import shutil

import pytest

from generator.build import build
from generator.config import SiteConfig
from generator.read.cache import RecordCache
from generator.read.content import read_papers
from generator.search.terms import paper_terms
from generator.synthetic import write_synthetic

from conftest import CONTENT, LAYOUTS, ROOT, record, run_cli, snapshot, write


def cached_build(content, output, cache, layouts=LAYOUTS):
    return build(content, output, layouts, SiteConfig(), cache_dir=cache, vendor_dir=ROOT / "node_modules")


def clean_build(content, folder, layouts=LAYOUTS):
    build(content, folder, layouts, SiteConfig(), vendor_dir=ROOT / "node_modules")
    return snapshot(folder)


def test_a_build_with_nothing_changed_does_nothing(tmp_path, content_copy):
    first = cached_build(content_copy, tmp_path / "out", tmp_path / "cache")
    assert not first.unchanged and first.written == first.files
    again = cached_build(content_copy, tmp_path / "out", tmp_path / "cache")
    assert again.unchanged and (again.papers, again.days, again.files) == (first.papers, first.days, first.files)
    assert "Nothing changed since the last build of 57 papers" in str(again)
    assert snapshot(tmp_path / "out") == clean_build(content_copy, tmp_path / "clean")


def test_every_change_a_user_makes_is_built(tmp_path, content_copy):
    out, cache = tmp_path / "out", tmp_path / "cache"
    layouts = tmp_path / "layouts"
    shutil.copytree(LAYOUTS, layouts)
    cached_build(content_copy, out, cache, layouts)
    # A file deleted from output/ is trusted gone by a build of unchanged inputs, and comes back with --verify.
    (out / "index.html").unlink()
    assert cached_build(content_copy, out, cache, layouts).unchanged and not (out / "index.html").exists()
    assert not build(content_copy, out, layouts, SiteConfig(), cache_dir=cache, vendor_dir=ROOT / "node_modules",
                     verify=True).unchanged
    assert (out / "index.html").is_file()
    # A record edited, added and removed; a template changed: each time the site equals a clean build.
    victim = sorted(content_copy.rglob("*.md"))[3]
    victim.write_text(victim.read_text().replace("\n\n", "\n\nEdited first words. ", 1))
    write(content_copy, "2025/10/14/zymurgy.md", record(title="Zymurgy", authors=["Zed Zebra"], abstract="Yeasts."))
    assert not cached_build(content_copy, out, cache, layouts).unchanged
    assert snapshot(out) == clean_build(content_copy, tmp_path / "clean1", layouts)
    assert b"Edited first words." in (out / "papers" / victim.stem / "index.html").read_bytes()
    (content_copy / "2025/10/14/zymurgy.md").unlink()
    base = layouts / "base.html"
    base.write_text(base.read_text().replace("</body>", "<!-- changed --></body>"))
    assert not cached_build(content_copy, out, cache, layouts).unchanged
    assert snapshot(out) == clean_build(content_copy, tmp_path / "clean2", layouts)
    assert b"<!-- changed -->" in (out / "index.html").read_bytes()
    assert not (out / "papers/zymurgy").exists()


def test_only_changed_records_are_parsed_again(tmp_path, content_copy):
    cache_dir = tmp_path / "cache"
    first = RecordCache(cache_dir)
    papers, problems = read_papers(content_copy, cache=first)
    first.save()
    assert first.parsed == len(papers) == 57 and problems == []
    victim = sorted(content_copy.rglob("*.md"))[0]
    victim.write_text(victim.read_text().replace("\n\n", "\n\nChanged. ", 1))
    (sorted(content_copy.rglob("*.md"))[1]).touch()  # a new time but the same bytes: not parsed
    second = RecordCache(cache_dir)
    again, problems = read_papers(content_copy, cache=second)
    assert second.parsed == 1 and problems == []
    assert again == read_papers(content_copy)[0]  # the same papers a reading without cache gives
    assert any(p.abstract.startswith("Changed. ") for p in again)


def test_a_damaged_cache_is_ignored(tmp_path, content_copy):
    cache_dir = tmp_path / "cache"
    cached_build(content_copy, tmp_path / "out", cache_dir)
    for part in cache_dir.glob("records-*.cache"):
        part.write_bytes(part.read_bytes()[:-40])  # cut short
    (cache_dir / "last-build.cache").write_text("{")
    summary = cached_build(content_copy, tmp_path / "out", cache_dir)
    assert not summary.unchanged and summary.papers == 57
    assert snapshot(tmp_path / "out") == clean_build(content_copy, tmp_path / "clean")


def test_the_command_keeps_its_cache_beside_the_project_and_can_do_without(tmp_path):
    shutil.copytree(CONTENT, tmp_path / "content")
    arguments = ("build", "--content", str(tmp_path / "content"), "--output", str(tmp_path / "out"),
                 "--layouts", str(LAYOUTS), "--node-modules", str(ROOT / "node_modules"))
    first = run_cli(*arguments, cwd=tmp_path)
    assert first.returncode == 0
    assert (tmp_path / ".dailypapers-cache/last-build.cache").is_file()
    second = run_cli(*arguments, cwd=tmp_path)
    assert second.returncode == 0 and "Nothing changed since the last build" in second.stdout
    record = next((tmp_path / "content").rglob("*.md"))
    record.write_text(record.read_text() + "\nEdited.\n")
    edited = run_cli(*arguments, cwd=tmp_path)  # the second processes: output/ listed, search rendered
    assert edited.returncode == 0 and "Built 57 papers" in edited.stdout
    uncached = run_cli(*arguments, "--no-cache", cwd=tmp_path)
    assert uncached.returncode == 0 and "Nothing changed" not in uncached.stdout
    for run in (first, second, edited, uncached):  # nothing said at exit, such as a process pool's race
        assert "Traceback" not in run.stderr and "Exception" not in run.stderr and "Error" not in run.stderr


@pytest.mark.parametrize("stray_name", [False, True])
def test_two_processes_read_what_one_reads(tmp_path, content_copy, monkeypatch, two_cores, stray_name):
    from generator.parallel import Forked, in_second_process
    from generator.read import content

    started = []

    def beside(function, *arguments):
        started.append(in_second_process(function, *arguments))
        return started[-1]

    write(content_copy, "2025/10/14/broken.md", "---\ntitle: [unclosed\n---\n")  # problems come back too
    if stray_name:  # a name of bytes that are no text comes back too (MessagePack takes text only)
        with open(os.fsencode(content_copy / "2025/10/14") + b"/caf\xe9.md", "wb") as file:
            file.write(record().encode())
    alone = content.read_papers(content_copy, beside=beside)
    assert started == []  # too few records to be worth a second process
    monkeypatch.setattr(content, "PARALLEL_FROM", 10)
    together = content.read_papers(content_copy, beside=beside)
    assert len(started) == 1 and isinstance(started[0], Forked)  # really forked
    files = 59 if stray_name else 58
    assert together == alone and len(alone[0]) == 57 and len(alone[1]) == 1 + stray_name
    cache = RecordCache(tmp_path / "cache")
    assert content.read_papers(content_copy, cache=cache, beside=beside) == alone
    assert cache.parsed == files and len(cache.now) == files  # what the second process parsed is kept too
    assert all(cache.terms_of(paper.source) == paper_terms(paper) for paper in alone[0])  # and its terms
    assert cache.renewed == set(cache.now)
    cache.save()
    again = RecordCache(tmp_path / "cache")
    # (A name of no text cannot be kept in a cache file: that record alone is parsed again.)
    assert content.read_papers(content_copy, cache=again, beside=beside) == alone and again.parsed == stray_name
    assert len(again.now) == files and len(again.renewed) == stray_name
    again.save()
    # A change of a dozen records: only they are read, half of them in the second process.
    changed = sorted(content_copy.rglob("*.md"))[5:17]
    for path in changed:
        path.write_text(path.read_text() + "\nOne more sentence.\n")
    forks = len(started)
    expected = content.read_papers(content_copy)
    partly = RecordCache(tmp_path / "cache")
    assert content.read_papers(content_copy, cache=partly, beside=beside) == expected
    assert len(started) == forks + 1 and sum(paper.abstract.endswith("One more sentence.") for paper in expected[0]) == 12
    assert partly.parsed == 12 + stray_name and len(partly.now) == files
    assert {key[0] for key in partly.renewed} == {str(path) for path in changed} | (
        {key[0] for key in again.renewed} if stray_name else set())


def test_a_new_library_version_starts_afresh(tmp_path, content_copy, monkeypatch):
    from generator.read import fingerprints

    first = RecordCache(tmp_path / "cache")
    read_papers(content_copy, cache=first)
    first.save()
    real_version = fingerprints.metadata.version
    monkeypatch.setattr(fingerprints.metadata, "version",
                        lambda name: "99.0" if name == "Markdown" else real_version(name))
    again = RecordCache(tmp_path / "cache")
    read_papers(content_copy, cache=again)
    assert again.parsed == 57  # abstracts may render differently with another Python-Markdown


def test_the_record_cache_is_rewritten_only_when_it_learnt_something(tmp_path, content_copy):
    from generator.read.cache import record_part

    def read_and_save():
        cache = RecordCache(tmp_path / "cache")
        read_papers(content_copy, cache=cache)
        cache.save()
        return {part.name: part.stat().st_mtime_ns for part in (tmp_path / "cache").glob("records-*.cache")}, \
            cache.parsed

    def part_of(path):
        return f"records-{record_part(str(path)):02d}.cache"

    first, parsed = read_and_save()
    assert parsed == 57 and 10 < len(first) <= 32  # in parts
    assert read_and_save() == (first, 0)  # nothing new: every part stays as it was
    records = sorted(content_copy.rglob("*.md"))
    records[0].touch()  # the same bytes at a new time: not parsed, but noted, in its own part only
    touched, parsed = read_and_save()
    assert parsed == 0 and {name for name in first if touched[name] != first[name]} == {part_of(records[0])}
    records[1].unlink()  # a record gone: forgotten, in its own part only
    gone, parsed = read_and_save()
    assert parsed == 0 and {name for name in gone if gone[name] != touched[name]} == {part_of(records[1])}
    assert len(RecordCache(tmp_path / "cache").before) == 56
    new = records[1].with_name("a-new-one.md")  # a record added: its part keeps all it held, and takes it
    new.write_text(records[2].read_text())  # (its arXiv id is another's: a problem, though read and kept all the same)
    added, parsed = read_and_save()
    assert parsed == 1 and {name for name in added if added[name] != gone.get(name)} == {part_of(new)}
    kept = RecordCache(tmp_path / "cache").before
    assert len(kept) == 57 and str(new) in {key[0] for key in kept}
    assert {key[0] for key in kept} == {str(path) for path in content_copy.rglob("*.md")}


def test_a_damaged_part_of_the_record_cache_costs_only_its_records(tmp_path, content_copy):
    first = RecordCache(tmp_path / "cache")
    alone = read_papers(content_copy, cache=first)
    first.save()
    damaged = sorted((tmp_path / "cache").glob("records-*.cache"))[0]
    damaged.write_bytes(damaged.read_bytes()[:60] + b"\xc1 damaged" + damaged.read_bytes()[70:])
    again = RecordCache(tmp_path / "cache")
    assert read_papers(content_copy, cache=again) == alone
    assert 0 < again.parsed < 57  # only the damaged part's records were parsed again
    again.save()
    assert RecordCache(tmp_path / "cache").before.keys() == first.now.keys()  # the part is whole again


def test_a_build_leaves_the_cycle_collector_as_it_found_it(tmp_path, content_copy):
    """A build freezes what lives as long as it does (the caches, the papers) so that the cycle
    collector need not walk it; a caller that builds again and again (serve) gets it all back."""
    import gc

    gc.unfreeze()
    cached_build(content_copy, tmp_path / "out", tmp_path / "cache")
    cached_build(content_copy, tmp_path / "other", tmp_path / "cache")  # reads every cache file
    assert gc.get_freeze_count() == 0 and gc.isenabled()


def test_a_build_on_two_cores_that_releases_the_records_keeps_their_cache_whole(tmp_path, content_copy, two_cores):
    """The search process has its own copy of the records' terms, so a build that renders most
    pages hands this process's back to them; the record cache on disk stays whole all the same."""
    cached_build(content_copy, tmp_path / "out", tmp_path / "cache")
    assert len(RecordCache(tmp_path / "cache").before) == 57
    record = next(content_copy.rglob("*.md"))
    record.write_text(record.read_text() + "\nOne more sentence.\n")
    again = RecordCache(tmp_path / "cache")
    read_papers(content_copy, cache=again)
    assert len(again.renewed) == 1  # the other 56 came from the cache the first build left
    cached_build(content_copy, tmp_path / "out", tmp_path / "cache")
    assert snapshot(tmp_path / "out") == clean_build(content_copy, tmp_path / "clean")


def test_a_build_that_renders_few_pages_keeps_the_records(tmp_path, content_copy):
    """Releasing them costs time and only pays when most pages render: with the last build's
    ledger, the same templates and one record changed of 57, they stay."""
    from generator import cachefile
    from generator.pipeline import renders_most_pages
    from generator.write.ledger import LEDGER_FILE, Ledger, LedgerFile
    from generator.write.reuse import Reuse

    cached_build(content_copy, tmp_path / "out", tmp_path / "cache")

    def ledger_of(site: str) -> Ledger:
        return Ledger.load(tmp_path / "cache", site, lambda: {})

    same_site = cachefile.load(tmp_path / "cache" / LEDGER_FILE, LedgerFile).site[0]  # the templates of the last build
    record = next(content_copy.rglob("*.md"))
    record.write_text(record.read_text() + "\nOne more sentence.\n")
    records = RecordCache(tmp_path / "cache")
    read_papers(content_copy, cache=records)
    assert len(records.renewed) == 1
    assert renders_most_pages(Reuse(ledger_of(same_site)), records) is False
    assert renders_most_pages(Reuse(ledger_of("other templates")), records) is True
    assert renders_most_pages(Reuse(), records) is True


def test_the_search_terms_are_kept_apart_and_the_old_ones_last_as_long_as_the_build(tmp_path):
    """A record's terms are counted when it is parsed and kept in their own files; the build that
    changes a record still knows its old terms (the search index takes them out), the next does not."""
    from generator.read.cache import record_token

    write_synthetic(tmp_path / "content", 300)
    first = RecordCache(tmp_path / "cache")
    papers = read_papers(tmp_path / "content", cache=first)[0]
    first.save()
    assert len(list((tmp_path / "cache").glob("terms-*.cache"))) == 32  # in parts, each kept, even empty
    assert RecordCache(tmp_path / "cache").uncounted == set()  # so none is taken for lost
    edited = sorted((tmp_path / "content").rglob("*.md"))[5]
    old = next(paper for paper in papers if paper.source.endswith(edited.name))
    old_token = record_token(old.source, first.digests()[old.source])
    edited.write_text(edited.read_text() + "\nZymurgy grokking.\n")
    second = RecordCache(tmp_path / "cache")
    now = read_papers(tmp_path / "content", cache=second)[0]
    second.save()  # rewrites the edited record's part of the terms
    assert second.parsed == 1 and second.terms_counted(old_token) == paper_terms(old)
    assert all(second.terms_of(paper.source) == paper_terms(paper) for paper in now)
    carried = RecordCache.following(second, tmp_path / "cache", second.code)  # as serve builds again
    assert carried.terms_counted(old_token) is None
    read_papers(tmp_path / "content", cache=carried)
    assert all(carried.terms_of(paper.source) == paper_terms(paper) for paper in now)
    third = RecordCache(tmp_path / "cache")
    read_papers(tmp_path / "content", cache=third)
    assert third.parsed == 0 and third.terms_counted(old_token) is None  # gone with its version
    assert all(third.terms_of(paper.source) == paper_terms(paper) for paper in now)


def read_synthetic_into_cache(tmp_path, papers):
    """Read a synthetic archive of this many papers through a new record cache, saved; its papers."""
    write_synthetic(tmp_path / "content", papers)
    cache = RecordCache(tmp_path / "cache")
    found = read_papers(tmp_path / "content", cache=cache)[0]
    cache.save()
    return found


def test_a_lost_part_of_the_search_terms_is_counted_again(tmp_path):
    papers = read_synthetic_into_cache(tmp_path, 300)
    lost = max((tmp_path / "cache").glob("terms-*.cache"), key=lambda part: part.stat().st_size)  # one with papers
    lost.unlink()
    again = RecordCache(tmp_path / "cache")
    assert read_papers(tmp_path / "content", cache=again)[0] == papers
    assert 0 < again.parsed < 300  # only the lost part's records
    again.save()
    assert lost.is_file()
    whole = RecordCache(tmp_path / "cache")
    read_papers(tmp_path / "content", cache=whole)
    assert whole.parsed == 0 and all(whole.terms_of(paper.source) == paper_terms(paper) for paper in papers)


def test_a_damaged_part_of_the_search_terms_is_counted_again_not_kept_partial(tmp_path):
    papers = read_synthetic_into_cache(tmp_path, 300)
    damaged = max((tmp_path / "cache").glob("terms-*.cache"), key=lambda part: part.stat().st_size)  # one with papers
    damaged.write_bytes(damaged.read_bytes()[:100])
    again = RecordCache(tmp_path / "cache")
    read_papers(tmp_path / "content", cache=again)
    assert again.parsed == 0  # a damaged part is found only when read
    assert sum(again.terms_of(paper.source) is None for paper in papers) > 0  # its papers are counted when asked
    again.save()  # a build that read it lets it go, rather than write it again without its papers
    whole = RecordCache(tmp_path / "cache")
    assert read_papers(tmp_path / "content", cache=whole)[0] == papers and whole.parsed > 0
    whole.save()
    assert damaged.is_file() and all(whole.terms_of(paper.source) == paper_terms(paper) for paper in papers)


def test_serve_without_a_cache_key_keeps_the_terms_in_memory(tmp_path, monkeypatch):
    from generator import cachefile

    monkeypatch.setattr(cachefile, "this_users_stamp", lambda: None)  # no key: nothing written or believed
    write_synthetic(tmp_path / "content", 100)
    first = RecordCache(tmp_path / "cache")
    papers = read_papers(tmp_path / "content", cache=first)[0]
    first.save()
    carried = RecordCache.following(first, tmp_path / "cache", first.code)
    read_papers(tmp_path / "content", cache=carried)
    assert carried.parsed == 0 and all(carried.terms_of(paper.source) == paper_terms(paper) for paper in papers)


def test_the_inputs_fingerprint_changes_with_every_field_of_every_listed_file():
    """A build that finds the same fingerprint does nothing: each field of each file must move it,
    a name of bytes that are no text too (spelt another way), and the same listing must give the same."""
    from generator.read.fingerprints import inputs_fingerprint
    from generator.read.listing import RecordFile

    files = [RecordFile(f"content/2025/11/18/{n}.md", 100 + n, 10**18 + n, 0o100644) for n in range(3)]
    base = inputs_fingerprint(files, "site")
    assert inputs_fingerprint(list(files), "site") == base
    variants = [inputs_fingerprint(files, "other site"), inputs_fingerprint(files[:2], "site"),
                inputs_fingerprint(files[::-1], "site")]
    for field in RecordFile._fields:
        changed = list(files)
        value = getattr(files[1], field)
        changed[1] = files[1]._replace(**{field: value + ("x" if isinstance(value, str) else 1)})
        variants.append(inputs_fingerprint(changed, "site"))
    stray = [*files, RecordFile(os.fsdecode(b"content/2025/11/18/caf\xe9.md"), 1, 2, 0o100644)]
    variants += [inputs_fingerprint(stray, "site"), inputs_fingerprint(stray[:3] + [stray[3]._replace(size=9)], "site")]
    assert inputs_fingerprint(stray, "site") == variants[-2]
    assert len({base, *variants}) == len(variants) + 1
