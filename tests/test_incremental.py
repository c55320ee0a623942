"""Incremental builds: a build with a cache renders only the files whose ingredients changed, and
its output/ is byte for byte the one a clean build makes, whatever the change."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import msgspec
import pytest

from generator import cachefile
from generator.build import build
from generator.config import SiteConfig
from generator.site.pages import PageRenderer
from generator.synthetic import write_synthetic
from generator.write.ledger import LEDGER_FILE, LedgerFile

from conftest import LAYOUTS, ROOT, note_who_lists_output, snapshot

PAPERS = 200  # about 17 weekdays: several weeks, two months, every synthetic tag; a file a day and a
# paper in search/


def cached_build(content, output, cache, layouts=LAYOUTS, config=None, verify=False):
    return build(content, output, layouts, config or SiteConfig(), cache_dir=cache, vendor_dir=ROOT / "node_modules",
                 verify=verify)


def clean_snapshot(content, folder, layouts=LAYOUTS, config=None):
    build(content, folder, layouts, config or SiteConfig(), vendor_dir=ROOT / "node_modules")
    return snapshot(folder)


def folders(root):
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_dir()}


@pytest.fixture()
def archive(tmp_path, monkeypatch):
    from generator.search import shards as search
    from generator.site import pages

    # Words in more than 60 papers are "big": their tiers, and each paper's file of them, are built too.
    monkeypatch.setattr(search, "BIG_TERM_DOCUMENTS", 60)
    monkeypatch.setattr(search, "FIRST_TIER", 20)
    # Every list long enough to be cut into pages: days, weeks, months and tag years have several.
    monkeypatch.setattr(pages, "DAY_PAGE_PAPERS", 5)
    monkeypatch.setattr(pages, "LIST_PAGE_PAPERS", 20)
    content = tmp_path / "content"
    write_synthetic(content, PAPERS)
    layouts = tmp_path / "layouts"
    shutil.copytree(LAYOUTS, layouts)
    return content, layouts


def records(content):
    return sorted(content.rglob("*.md"))


def rendered_pages(monkeypatch) -> list[str]:
    """Watch the real renderer: the site path of every page rendered from now on (in this
    process only, so no second process takes a share of the pages, however fast it is)."""
    from generator import parallel

    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 1)
    seen: list[str] = []
    render = PageRenderer.render

    def watched(self, template, path, **context):
        seen.append(path)
        return render(self, template, path, **context)

    monkeypatch.setattr(PageRenderer, "render", watched)
    return seen


def data_files_rendered(monkeypatch) -> list[str]:
    """Watch the files made without templates (JSON, search) being rendered from now on (here: no
    second process, so the search files are watched too)."""
    from generator import parallel
    from generator.write.reuse import KEPT, Reuse

    seen: list[str] = []
    render_file = Reuse.render_file

    def watched(self, path, value, render, *context, kind="", templated=True, key=None):
        file = render_file(self, path, value, render, *context, kind=kind, templated=templated, key=key)
        if file[1] is not KEPT and not templated:
            seen.append(path)
        return file

    monkeypatch.setattr(Reuse, "render_file", watched)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 1)
    return seen


def rename(path, name):
    """Give a record a new file name (its arXiv id must go: it names the file)."""
    text = "".join(line for line in path.read_text().splitlines(keepends=True) if not line.startswith("arxiv:"))
    path.unlink()
    path.with_name(f"{name}.md").write_text(text)


def index_updates(monkeypatch) -> list[tuple[bool, int, int]]:
    """Watch the search index being brought up to date (here: no second process) and note whether
    the last build's index was loaded, how many terms it touched, and how many it has (an index
    counted afresh is brought up to date a second time, from empty, and touches every term)."""
    from generator import parallel
    from generator.search.index import SearchIndex

    seen = []
    update = SearchIndex.bring_up_to_date

    def watched(self, documents, terms_of, counted_before):
        result = update(self, documents, terms_of, counted_before)
        seen.append((result is self and bool(self.versions), len(result.touched), len(result.postings)))
        return result

    monkeypatch.setattr(SearchIndex, "bring_up_to_date", watched)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 1)
    return seen


def edit_abstract(path):
    path.write_text(path.read_text().replace("\n\n", "\n\nEdited for the test. ", 1))


@pytest.mark.parametrize("staged", [False, True])  # changed files held in memory, or staged on disk
def test_every_kind_of_change_builds_what_a_clean_build_makes(tmp_path, archive, monkeypatch, staged):
    from generator.write import writer as output

    if staged:
        monkeypatch.setattr(output, "MEMORY_BUDGET", 0)
    content, layouts = archive
    out, cache = tmp_path / "out", tmp_path / "cache"
    cached_build(content, out, cache, layouts)
    newest = records(content)[-1].parent
    oldest = records(content)[0]
    settings = {"config": None}  # the site's settings, which a change may alter

    def add_to_newest_day():
        (newest / "added-today.md").write_text("---\ntitle: Added today\nauthors: [Ada Lovelace]\n"
                                               "tags: [cs.LG]\n---\n\nA new abstract.\n")

    def add_on_a_new_day():
        later = newest.parent / f"{int(newest.name) + 1:02d}" if int(newest.name) < 28 else newest.parent / "28"
        later.mkdir(exist_ok=True)
        (later / "a-new-day.md").write_text("---\ntitle: A new day\nauthors: [Alan Turing]\n---\n\nText.\n")

    def remove_one():
        records(content)[PAPERS // 2].unlink()

    def shorten_a_day_to_one_page():  # its page/2/ and on must go
        for path in sorted(oldest.parent.glob("*.md"))[5:]:
            path.unlink()

    def rename_one():
        rename(records(content)[5], "renamed-record")

    def respell_a_tag():  # a tag's shown name comes from the papers: every page showing it changes
        path = records(content)[7]
        lines = path.read_text().splitlines(keepends=True)
        first_tag = lines.index("tags:\n") + 1
        lines[first_tag] = lines[first_tag].upper()
        path.write_text("".join(lines))

    def move_to_another_day():
        path = records(content)[10]
        shutil.move(path, oldest.parent / path.name)

    def remove_a_whole_day():  # the days either side link each other instead
        days = sorted({path.parent for path in records(content)})
        for path in days[len(days) // 2].glob("*.md"):
            path.unlink()

    def add_a_tag():  # a tag no paper had: its pages and feed appear
        path = records(content)[12]
        lines = path.read_text().splitlines(keepends=True)
        first_tag = lines.index("tags:\n") + 1
        lines.insert(first_tag, lines[first_tag][:lines[first_tag].index("-")] + "- A New Topic\n")
        path.write_text("".join(lines))

    def retitle_one():  # its neighbours' pages name it
        path = records(content)[14]
        path.write_text("".join("title: A retitled paper\n" if line.startswith("title:") else line
                                for line in path.read_text().splitlines(keepends=True)))

    def change_a_static_file():
        style = layouts / "static" / "style.css"
        style.write_text(style.read_text() + "\n/* changed */\n")

    def change_a_setting():
        settings["config"] = SiteConfig(title="Another title", description="Other words.")

    def edit_a_template():
        base = layouts / "base.html"
        base.write_text(base.read_text().replace("</body>", "<!-- changed --></body>"))

    def edit_an_output_file():  # by hand, keeping its size
        page = next((out / "papers").iterdir()) / "index.html"
        data = page.read_bytes()
        page.write_bytes(data.replace(b"<h1>", b"<h2>", 1))

    def delete_an_output_file():
        os.remove(next((out / "api/days").iterdir()))

    assert (out / oldest.parent.relative_to(content) / "page/2/index.html").is_file()
    changes = [("abstract edited in an old day", lambda: edit_abstract(oldest)),
               ("paper added to the newest day", add_to_newest_day),
               ("paper added on a new day", add_on_a_new_day),
               ("paper removed", remove_one),
               ("a day shortened to one page", shorten_a_day_to_one_page),
               ("record renamed", rename_one),
               ("tag respelled", respell_a_tag),
               ("paper moved to another day", move_to_another_day),
               ("a whole day removed", remove_a_whole_day),
               ("a new tag", add_a_tag),
               ("title edited", retitle_one),
               ("static file changed", change_a_static_file),
               ("setting changed", change_a_setting),
               ("template edited", edit_a_template),
               ("output file edited by hand", edit_an_output_file),
               ("output file deleted", delete_an_output_file)]
    for number, (name, change) in enumerate(changes):
        change()
        try:  # what was done to output/ by hand is seen by a build asked to verify it
            summary = cached_build(content, out, cache, layouts, settings["config"],
                                   verify=name.startswith("output file"))
        except Exception as e:
            raise AssertionError(f"{name}: {getattr(e, 'problems', e)}") from e
        assert not summary.unchanged, name
        assert snapshot(out) == clean_snapshot(content, tmp_path / f"clean{number}", layouts,
                                               settings["config"]), name
        assert folders(out) == folders(tmp_path / f"clean{number}"), name


def test_an_unchanged_build_trusts_output_and_verify_repairs_it(tmp_path, archive, monkeypatch):
    from generator.write import listing

    content, layouts = archive
    out, cache = tmp_path / "out", tmp_path / "cache"
    cached_build(content, out, cache, layouts)
    page = next((out / "papers").iterdir()) / "index.html"
    made = page.read_bytes()
    page.write_bytes(made.replace(b"<h1>", b"<h2>", 1))
    (out / "feed.xml").unlink()
    listed = []
    monkeypatch.setattr(listing, "files_on_disk", lambda folder: listed.append(folder) or {})
    monkeypatch.setattr(listing, "files_in_part", lambda folder, papers: listed.append(folder) or {})
    assert cached_build(content, out, cache, layouts).unchanged  # as make does: inputs compared, output/ trusted
    assert listed == [] and page.read_bytes() != made and not (out / "feed.xml").exists()
    monkeypatch.undo()
    summary = cached_build(content, out, cache, layouts, verify=True)
    assert not summary.unchanged and page.read_bytes() == made and (out / "feed.xml").is_file()
    assert cached_build(content, out, cache, layouts, verify=True).unchanged  # and then nothing is left to repair


def test_an_unchanged_build_trusts_output_only_if_no_other_build_wrote_there_since(tmp_path, archive):
    """Another build into the same folder (without this cache, with another address) leaves other
    pages: the next build of the first inputs sees it, and builds them again."""
    content, layouts = archive
    out, cache = tmp_path / "out", tmp_path / "cache"
    cached_build(content, out, cache, layouts)
    build(content, out, layouts, SiteConfig(base_url="https://elsewhere.example/"), vendor_dir=ROOT / "node_modules")
    summary = cached_build(content, out, cache, layouts)
    assert not summary.unchanged and summary.written > 0
    assert snapshot(out) == clean_snapshot(content, tmp_path / "clean", layouts)
    assert cached_build(content, out, cache, layouts).unchanged  # and then it is trusted again


def test_a_folder_found_as_left_after_another_build_is_trusted_again(tmp_path, archive, monkeypatch):
    from generator.write import listing

    content, layouts = archive
    out, cache = tmp_path / "out", tmp_path / "cache"
    cached_build(content, out, cache, layouts)
    build(content, out, layouts, SiteConfig(), vendor_dir=ROOT / "node_modules")  # the same files, a new marker
    assert cached_build(content, out, cache, layouts).unchanged  # every file looked at, each as left
    listed = []
    monkeypatch.setattr(listing, "files_on_disk", lambda folder: listed.append(folder) or {})
    monkeypatch.setattr(listing, "files_in_part", lambda folder, papers: listed.append(folder) or {})
    assert cached_build(content, out, cache, layouts).unchanged and listed == []  # and then trusted, unlisted


def test_a_changed_build_trusts_output_too_unless_a_build_stopped_there(tmp_path, archive, monkeypatch):
    """Like make, a build after an edit looks at its inputs, not at output/; a build stopped midway
    (a template that fails) leaves output/ untrusted, and the next one lists it and repairs it."""
    content, layouts = archive
    out, cache = tmp_path / "out", tmp_path / "cache"
    cached_build(content, out, cache, layouts)
    listed_by = tmp_path / "listed-by"
    note_who_lists_output(monkeypatch, listed_by)
    edit_abstract(records(content)[0])
    assert not cached_build(content, out, cache, layouts).unchanged and not listed_by.exists()
    assert snapshot(out) == clean_snapshot(content, tmp_path / "clean", layouts)
    base = layouts / "base.html"
    good = base.read_text()
    base.write_text(good.replace("</body>", "{{ 1 / 0 }}</body>"))
    with pytest.raises(ZeroDivisionError):
        cached_build(content, out, cache, layouts)
    base.write_text(good)
    (out / "feed.xml").unlink()  # by hand, after the stopped build: seen, since output/ is listed now
    edit_abstract(records(content)[1])
    assert not cached_build(content, out, cache, layouts).unchanged and listed_by.exists()
    assert snapshot(out) == clean_snapshot(content, tmp_path / "clean2", layouts)


@pytest.mark.parametrize("loss", ["deleted", "damaged"])
def test_a_trusted_output_whose_ledger_is_lost_is_looked_at(tmp_path, archive, loss):
    """The ledger is what says what a trusted output/ holds: without it, a removed paper's page
    would stay, unknown to the build; output/ is listed instead, and pruned as a clean build's."""
    content, layouts = archive
    out, cache = tmp_path / "out", tmp_path / "cache"
    cached_build(content, out, cache, layouts)
    if loss == "deleted":
        (cache / LEDGER_FILE).unlink()
    else:
        (cache / LEDGER_FILE).write_bytes((cache / LEDGER_FILE).read_bytes()[:200])
    removed = records(content)[5]
    removed.unlink()
    assert not cached_build(content, out, cache, layouts).unchanged
    assert not (out / "papers" / removed.stem).exists()
    assert snapshot(out) == clean_snapshot(content, tmp_path / "clean", layouts)
    assert folders(out) == folders(tmp_path / "clean")


def test_a_ledger_that_could_not_be_saved_is_not_trusted(tmp_path, archive, monkeypatch):
    """A build whose ledger was not written (a full disk, say) leaves the last build's ledger, which
    knows nothing of the files this one made: the next build lists output/, and a paper added in
    the build without a ledger, then removed, leaves no page behind."""
    from generator.write import ledger

    content, layouts = archive
    out, cache = tmp_path / "out", tmp_path / "cache"
    cached_build(content, out, cache, layouts)
    added = records(content)[3].with_name("zz-added-paper.md")
    added.write_text("---\ntitle: A paper added while the disk was full\nauthors: [Ada Lovelace]\n---\n\nText.\n")
    saved = ledger.Ledger.save
    monkeypatch.setattr(ledger.Ledger, "save", lambda self, written: False)  # and the old file stays
    cached_build(content, out, cache, layouts)
    assert (out / "papers" / added.stem).is_dir()
    monkeypatch.setattr(ledger.Ledger, "save", saved)
    listed_by = tmp_path / "listed-by"
    note_who_lists_output(monkeypatch, listed_by)
    added.unlink()
    assert not cached_build(content, out, cache, layouts).unchanged and listed_by.exists()
    assert not (out / "papers" / added.stem).exists()
    assert snapshot(out) == clean_snapshot(content, tmp_path / "clean", layouts)


def test_a_removed_or_renamed_paper_leaves_no_trace(tmp_path, archive):
    content, layouts = archive
    out, cache = tmp_path / "out", tmp_path / "cache"
    cached_build(content, out, cache, layouts)
    removed, renamed = records(content)[10], records(content)[20]
    traces = []
    for path in (removed, renamed):
        title = next(line for line in path.read_text().splitlines() if line.startswith("title: "))[7:]
        traces += [path.stem.encode(), title.strip("'\"").encode()]
    assert all(any(trace in data for data in snapshot(out).values()) for trace in traces)
    removed.unlink()
    rename(renamed, "a-new-name")
    cached_build(content, out, cache, layouts)
    site = snapshot(out)
    # Not on any page, feed, JSON file or search file; the renamed paper lives on under its new name.
    assert [(path, trace) for path, data in site.items() for trace in traces[:3] if trace in data] == []
    assert [path for path, data in site.items() if traces[2] + b"." in data] == []  # the old file name
    assert "papers/a-new-name/index.html" in site and traces[3] in site["papers/a-new-name/index.html"]
    assert not (out / "papers" / removed.stem).exists() and not (out / "papers" / renamed.stem).exists()
    clean_snapshot(content, tmp_path / "clean", layouts)
    assert folders(out) == folders(tmp_path / "clean")


def test_only_pages_whose_ingredients_changed_are_rendered(tmp_path, archive, monkeypatch):
    content, layouts = archive
    out, cache = tmp_path / "out", tmp_path / "cache"
    cached_build(content, out, cache, layouts)
    untouched = out / "papers" / records(content)[-1].stem / "index.html"
    before = untouched.stat().st_mtime_ns
    victim = records(content)[0]
    edit_abstract(victim)
    rendered = rendered_pages(monkeypatch)
    updates = index_updates(monkeypatch)
    cached_build(content, out, cache, layouts)
    [(in_place, touched, terms)] = updates
    assert in_place and 0 < touched < terms / 10  # the last build's index, changed where the paper changed
    papers = [path for path in rendered if path.startswith("papers/")]
    days = [path for path in rendered if path.count("/") == 3 and path[:4].isdigit()]
    # A paper's page is made of its day (the papers either side, how many): its day's papers, no other's.
    assert sorted(papers) == sorted(f"papers/{path.stem}/" for path in victim.parent.glob("*.md"))
    assert victim.parent != records(content)[-1].parent
    day = victim.parent.relative_to(content).as_posix()
    assert days == [f"{day}/"]
    assert len(rendered) < 30 + len(papers)  # of some 300 pages: the paper, every page of its day, week, month and tags, the few always made
    assert untouched.stat().st_mtime_ns == before  # neither rendered nor written
    # The search files rendered in the second process are known by their ingredients too.
    ledger = cachefile.load(cache / LEDGER_FILE, LedgerFile)
    searched = [key for path, key in zip(ledger.paths, ledger.keys, strict=True)
                if path.startswith(("search/days/", "search/papers/"))]
    packs = len(list((out / "search/papers").iterdir()))  # a few papers' counts of the big terms a file
    assert len({path.parent for path in records(content)}) <= packs < PAPERS / 3
    assert len(searched) == len({path.parent for path in records(content)}) + packs and all(searched)

    # A template change renders every page again, but no JSON or search file (none is made with one).
    rendered.clear()
    data = data_files_rendered(monkeypatch)
    base = layouts / "base.html"
    base.write_text(base.read_text().replace("</body>", "<!-- changed --></body>"))
    cached_build(content, out, cache, layouts)
    assert len([path for path in rendered if path.startswith("papers/")]) == PAPERS
    assert data == []
    assert snapshot(out) == clean_snapshot(content, tmp_path / "clean templates", layouts)
    # A change of settings renders everything again.
    rendered.clear()
    data.clear()
    cached_build(content, out, cache, layouts, SiteConfig(title="Another title"))
    assert len([path for path in rendered if path.startswith("papers/")]) == PAPERS
    assert len([path for path in data if path.startswith("api/days/")]) == len({path.parent for path in records(content)})
    assert len([path for path in data if path.startswith("search/papers/")]) == len(list((out / "search/papers").iterdir()))
    assert snapshot(out) == clean_snapshot(content, tmp_path / "clean", layouts, SiteConfig(title="Another title"))


def rewritten(path, ledger):
    assert cachefile.save(path, ledger)
    return path.read_bytes()


@pytest.mark.parametrize("damage", [lambda path, ledger: path.read_bytes()[:-9],
                                    lambda path, ledger: b"not a ledger",
                                    lambda path, ledger: rewritten(path, msgspec.structs.replace(
                                        ledger, digests=ledger.digests[:-1])),
                                    lambda path, ledger: rewritten(path, msgspec.structs.replace(
                                        ledger, sizes=ledger.sizes[:-3])),
                                    lambda path, ledger: rewritten(path, msgspec.structs.replace(
                                        ledger, keys=[])),
                                    lambda path, ledger: rewritten(path, msgspec.structs.replace(
                                        ledger, version=ledger.version - 1))],
                         ids=["cut short", "not a ledger", "digests cut short", "a size of 5 bytes",
                              "no keys", "an older version"])
def test_a_damaged_ledger_only_means_more_work(tmp_path, archive, monkeypatch, damage):
    content, layouts = archive
    out, cache = tmp_path / "out", tmp_path / "cache"
    cached_build(content, out, cache, layouts)
    ledger = cache / LEDGER_FILE
    ledger.write_bytes(damage(ledger, cachefile.load(ledger, LedgerFile)))
    edit_abstract(records(content)[3])
    rendered = rendered_pages(monkeypatch)
    cached_build(content, out, cache, layouts)
    assert len([path for path in rendered if path.startswith("papers/")]) == PAPERS
    assert snapshot(out) == clean_snapshot(content, tmp_path / "clean", layouts)


def test_a_kind_of_page_registered_in_the_table_is_built_reused_and_removed_like_the_others(
        tmp_path, archive, monkeypatch):
    """One entry in the table of outputs and one template: a page per first author."""
    from dataclasses import dataclass

    from generator import urls
    from generator.read.records import Paper
    from generator.site import outputs

    @dataclass(frozen=True)
    class FirstAuthor:
        name: str
        papers: tuple[Paper, ...]

    def first_authors(sources):
        found: dict[str, list[Paper]] = {}
        for day in sources.archive.days:
            for paper in day.papers:
                found.setdefault(paper.authors[0], []).append(paper)
        return [FirstAuthor(name, tuple(papers)) for name, papers in sorted(found.items())]

    def author_path(author):
        return f"authors/{urls.tag_slug(author.name)}/"

    entry = outputs.Output("first author", first_authors, author_path,
                           lambda path, author, site: site.page("author.html", path, title=author.name,
                                                                papers=site.cards(author.papers)),
                           lastmod=lambda author: author.papers[0].day)
    monkeypatch.setattr(outputs, "OUTPUTS", [*outputs.OUTPUTS, entry])
    content, layouts = archive
    (layouts / "author.html").write_text(
        '{% extends "base.html" %}\n{% block main %}<h1>{{ title }}</h1>\n<ul>{% for view in papers %}'
        '<li><a href="{{ url(view.path) }}">{{ view.paper.title }}</a></li>{% endfor %}</ul>{% endblock %}\n')
    day = records(content)[0].parent
    (day / "registered.md").write_text("---\ntitle: A paper of its own\nauthors: [Ada Registered, Alan Turing]\n"
                                       "---\n\nAn abstract.\n")
    out, cache = tmp_path / "out", tmp_path / "cache"

    cached_build(content, out, cache, layouts)
    own = out / "authors/ada-registered/index.html"
    assert "A paper of its own" in own.read_text()
    pages = list((out / "authors").iterdir())
    assert len(pages) > 20  # one per first author of the synthetic archive too
    sitemap = (out / "sitemap.xml").read_text()
    assert all(f"authors/{page.name}/</loc>" in sitemap for page in pages)

    rendered = rendered_pages(monkeypatch)  # a paper retitled: its author's page, and no other, again
    record = day / "registered.md"
    record.write_text(record.read_text().replace("A paper of its own", "A paper retitled"))
    cached_build(content, out, cache, layouts)
    assert [path for path in rendered if path.startswith("authors/")] == ["authors/ada-registered/"]
    assert "A paper retitled" in own.read_text()
    assert snapshot(out) == clean_snapshot(content, tmp_path / "clean", layouts)

    record.unlink()  # its author's only paper: the page goes
    cached_build(content, out, cache, layouts)
    assert not own.exists() and not own.parent.exists()
    assert "ada-registered" not in (out / "sitemap.xml").read_text()
    assert snapshot(out) == clean_snapshot(content, tmp_path / "clean after", layouts)


def test_a_process_that_builds_again_keeps_the_record_cache_in_memory(tmp_path, archive, monkeypatch):
    from generator.build import Carried
    from generator.read import cache as record_cache
    from generator.read.listing import find_record_files

    content, layouts = archive
    out, cache = tmp_path / "out", tmp_path / "cache"
    carried = Carried()

    def build_again():
        build(content, out, layouts, SiteConfig(), cache_dir=cache, vendor_dir=ROOT / "node_modules",
              carried=carried, record_files=find_record_files(content))

    build_again()  # a build that renders most pages hands its records' memory to them...
    edit_abstract(records(content)[3])
    build_again()  # ...so the next reads them back, and keeps them
    assert carried.records is not None and len(carried.records.now) == PAPERS
    for part in cache.glob("records-*.cache"):  # what a build in a new process would read back
        part.unlink()
    made = []
    following = record_cache.RecordCache.following
    monkeypatch.setattr(record_cache.RecordCache, "following",
                        classmethod(lambda cls, *args: made.append(following(*args)) or made[-1]))
    edit_abstract(records(content)[5])
    build_again()
    assert [cache.parsed for cache in made] == [1]  # the edited record alone, though no part was on disk
    assert carried.records is made[0]
    assert snapshot(out) == clean_snapshot(content, tmp_path / "clean", layouts)
    # The parts it did not read were written again: a build in a new process finds every record.
    assert len(following(None, cache, carried.records.code).before) == PAPERS


def test_a_build_that_fails_while_reading_carries_no_cache_it_did_not_save(tmp_path, archive, monkeypatch):
    from generator.build import Carried
    from generator.read import content as reading

    content, layouts = archive
    out, cache = tmp_path / "out", tmp_path / "cache"
    carried = Carried()
    build(content, out, layouts, SiteConfig(), cache_dir=cache, vendor_dir=ROOT / "node_modules", carried=carried)
    edit_abstract(records(content)[3])

    def broken(*args, **kwargs):
        raise OSError("the disk went away")

    monkeypatch.setattr(reading, "read_record", broken)
    with pytest.raises(OSError):
        build(content, out, layouts, SiteConfig(), cache_dir=cache, vendor_dir=ROOT / "node_modules",
              carried=carried)
    assert carried.records is None  # the next build reads the cache back from its files


def test_the_same_layouts_and_vendored_code_given_by_another_path_are_the_same(tmp_path, archive, monkeypatch):
    content, layouts = archive
    out, cache = tmp_path / "out", tmp_path / "cache"
    cached_build(content, out, cache, layouts)
    monkeypatch.chdir(tmp_path)
    again = build(content, out, Path("layouts"), SiteConfig(), cache_dir=cache,
                  vendor_dir=Path(os.path.relpath(ROOT / "node_modules")))
    assert again.unchanged
    (layouts / "static" / "notes.txt").write_text("the same bytes under two names\n")
    assert not cached_build(content, out, cache, layouts).unchanged
    (layouts / "static" / "notes.txt").rename(layouts / "static" / "renamed.txt")  # a name is hashed too
    assert not cached_build(content, out, cache, layouts).unchanged
    assert (out / "static" / "renamed.txt").is_file() and not (out / "static" / "notes.txt").exists()


def test_a_trusted_build_never_prunes_through_a_folder_made_a_link(tmp_path, archive):
    """A trusted output/ is not listed: a paper's folder replaced by a link since the last build
    is not followed when the paper's page goes, and what it points to stays whole."""
    content, layouts = archive
    out, cache = tmp_path / "out", tmp_path / "cache"
    cached_build(content, out, cache, layouts)
    removed = records(content)[5]
    folder = out / "papers" / removed.stem
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(folder, elsewhere)
    shutil.rmtree(folder)
    folder.symlink_to(elsewhere, target_is_directory=True)
    removed.unlink()
    cached_build(content, out, cache, layouts)
    assert (elsewhere / "index.html").is_file()
    cached_build(content, out, cache, layouts, verify=True)  # verified, the link itself goes
    assert not folder.is_symlink() and (elsewhere / "index.html").is_file()
    assert snapshot(out) == clean_snapshot(content, tmp_path / "clean", layouts)
