"""The build cache: unchanged builds do nothing, unchanged records are not parsed again, and the
site is always the one a clean build makes."""

from __future__ import annotations

import shutil

from generator.build import build
from generator.cache import RecordCache
from generator.config import SiteConfig
from generator.content import read_papers

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
    # A file deleted from output/ comes back.
    (out / "index.html").unlink()
    assert not cached_build(content_copy, out, cache, layouts).unchanged
    assert (out / "index.html").is_file()
    # A record edited, added and removed; a template changed: each time the site equals a clean build.
    victim = sorted(content_copy.rglob("*.md"))[3]
    victim.write_text(victim.read_text().replace("\n\n", "\n\nEdited first words. ", 1))
    write(content_copy, "2025/10/14/zymurgy.md", record(title="Zymurgy", authors=["Zed Zebra"], abstract="Yeasts."))
    assert not cached_build(content_copy, out, cache, layouts).unchanged
    assert snapshot(out) == clean_build(content_copy, tmp_path / "clean1", layouts)
    assert b"Edited first words." in (out / "api/papers" / f"{victim.stem}.json").read_bytes()
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


def test_two_processes_read_what_one_reads(tmp_path, content_copy, monkeypatch, two_cores):
    from generator import content

    write(content_copy, "2025/10/14/broken.md", "---\ntitle: [unclosed\n---\n")  # problems come back too
    alone = content.read_papers(content_copy)
    monkeypatch.setattr(content, "PARALLEL_FROM", 10)
    assert content.read_in_second_process([], content_copy, None) is not None  # really forked
    together = content.read_papers(content_copy)
    assert together == alone and len(alone[0]) == 57 and len(alone[1]) == 1
    cache = RecordCache(tmp_path / "cache")
    assert content.read_papers(content_copy, cache=cache) == alone
    assert cache.parsed == 58 and len(cache.now) == 58  # what the second process parsed is kept too
    cache.save()
    again = RecordCache(tmp_path / "cache")
    assert content.read_papers(content_copy, cache=again) == alone and again.parsed == 0


def test_a_new_library_version_starts_afresh(tmp_path, content_copy, monkeypatch):
    from generator import fingerprints

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
    from generator.cache import record_part

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


def test_what_a_cache_file_holds_is_frozen_until_the_build_ends(tmp_path, content_copy):
    """The cycle collector does not walk what the caches hold (it lives as long as the build), and
    a build leaves nothing frozen behind it."""
    import gc

    from generator import cachefile

    gc.unfreeze()
    held = [[number, str(number)] for number in range(10_000)]
    assert cachefile.save(tmp_path / "held.cache", held)
    loaded = cachefile.load(tmp_path / "held.cache", list[tuple[int, str]])
    held = [tuple(pair) for pair in held]
    assert loaded == held and gc.get_freeze_count() >= len(held) and gc.isenabled()
    walked = {id(thing) for thing in gc.get_objects()}  # what the collector walks: never what is frozen
    assert not any(id(item) in walked for item in loaded)
    gc.unfreeze()
    cached_build(content_copy, tmp_path / "out", tmp_path / "cache")
    cached_build(content_copy, tmp_path / "out", tmp_path / "cache")  # reads every cache file
    assert gc.get_freeze_count() == 0 and gc.isenabled()


def test_once_the_search_process_has_the_records_this_one_lets_go_of_them(tmp_path, content_copy, two_cores):
    """Their memory goes to the pages (a few hundred MB of search terms at 100,000 papers); the
    search files are the same, and the record cache on disk stays whole."""
    from generator.archive import group_papers
    from generator.build import SearchCache, write_search
    from generator.fingerprints import code_fingerprint
    from generator.output import SiteWriter
    from generator.reuse import Reuse
    from generator.search import render_search

    records = RecordCache(tmp_path / "cache")
    papers, _ = read_papers(content_copy, cache=records)
    records.save()
    kept = sorted((tmp_path / "cache").glob("records-*.cache"))
    times = [path.stat().st_mtime_ns for path in kept]
    search = SearchCache(tmp_path / "cache", code_fingerprint(), records)
    worker = write_search(group_papers(papers), Reuse(), SiteWriter.open(tmp_path / "out"), search)
    assert worker is not None  # the search files are made by a second process
    assert records.before == {} and records.now == {}  # released here
    assert worker.result()["paths"] == {path for path, _ in render_search(group_papers(papers))}
    records.save()  # nothing to save any more: the cache stays as it was
    assert [path.stat().st_mtime_ns for path in kept] == times
    assert len(RecordCache(tmp_path / "cache").before) == 57
    again = cached_build(content_copy, tmp_path / "site", tmp_path / "cache")
    assert again.papers == 57 and len(RecordCache(tmp_path / "cache").before) == 57


def test_a_build_that_renders_few_pages_keeps_the_records(tmp_path, content_copy, two_cores):
    """Letting go of them costs time (~1 s at 100,000 papers) and only pays when most pages render:
    with the last build's ledger, the same templates and one record changed of 57, they stay."""
    from generator import cachefile
    from generator.archive import group_papers
    from generator.build import SearchCache, renders_most_pages, write_search
    from generator.fingerprints import code_fingerprint
    from generator.output import SiteWriter
    from generator.reuse import LEDGER_FILE, Ledger, LedgerFile, Reuse

    cached_build(content_copy, tmp_path / "out", tmp_path / "cache")

    def ledger_of(site: str) -> Ledger:
        return Ledger.load(tmp_path / "cache", site, lambda: {})

    same_site = cachefile.load(tmp_path / "cache" / LEDGER_FILE, LedgerFile).site[0]  # the templates of the last build
    record = next(content_copy.rglob("*.md"))
    record.write_text(record.read_text() + "\nOne more sentence.\n")
    records = RecordCache(tmp_path / "cache")
    papers, _ = read_papers(content_copy, cache=records)
    assert len(records.renewed) == 1
    assert renders_most_pages(Reuse(ledger_of(same_site)), records) is False
    assert renders_most_pages(Reuse(ledger_of("other templates")), records) is True
    assert renders_most_pages(Reuse(), records) is True
    search = SearchCache(tmp_path / "cache", code_fingerprint(), records)
    worker = write_search(group_papers(papers), Reuse(ledger_of(same_site)), SiteWriter.open(tmp_path / "o2"), search)
    assert worker is not None and len(records.now) == 57  # kept here
    worker.result()
