"""Writing output/: reproducible, incremental, pruned, and untouched by a failed build."""

from __future__ import annotations

import os
import shutil

import pytest

from generator.build import build
from generator.config import SiteConfig
from generator.problems import BuildFailed
from generator.write.writer import MARKER, OutputError, check_site_path

from conftest import CONTENT, LAYOUTS, ROOT, note_who_lists_output, record, run_cli, snapshot, write, write_site


def test_two_builds_are_byte_identical(tmp_path):
    config = SiteConfig(base_url="https://example.org/site/")
    build(CONTENT, tmp_path / "one", LAYOUTS, config)
    build(CONTENT, tmp_path / "two", LAYOUTS, config)
    one, two = snapshot(tmp_path / "one"), snapshot(tmp_path / "two")
    assert len(one) > 170
    assert one == two


def test_rebuild_writes_only_what_changed_and_prunes_what_is_gone(tmp_path, content_copy):
    output = tmp_path / "out"
    first = build(content_copy, output, LAYOUTS, SiteConfig())
    assert first.written == first.files
    page = output / "papers/2305.02993/index.html"
    os.utime(page, ns=(1, 1))
    second = build(content_copy, output, LAYOUTS, SiteConfig())
    assert (second.written, second.removed) == (0, 0)
    assert page.stat().st_mtime_ns == 1  # an unchanged file is not rewritten

    (content_copy / "2023/05/04/2305.02993.md").unlink()
    before = set(snapshot(output))
    third = build(content_copy, output, LAYOUTS, SiteConfig())
    gone = before - set(snapshot(output))
    assert not (output / "papers/2305.02993").exists()
    assert not (output / "2023/05/04").exists()
    assert not (output / "api/days/2023-05-04.json").exists()
    assert {"papers/2305.02993/index.html", "2023/05/04/index.html",
            "api/days/2023-05-04.json", "search/days/2023-05-04.json"} <= gone
    assert third.removed == len(gone)
    assert third.written > 0


def test_failed_build_reports_every_problem_and_leaves_output_untouched(tmp_path, content_copy):
    output = tmp_path / "out"
    assert run_cli("build", "--content", str(content_copy), "--output", str(output)).returncode == 0
    before = {path: (data, (output / path).stat().st_mtime_ns) for path, data in snapshot(output).items()}

    write(content_copy, "2025/10/14/broken.md", "---\ntitle: [unclosed\n---\n")
    write(content_copy, "2025/10/14/typo.md", record(autors="[x]"))
    write(content_copy, "2025/02/30/2502.99999.md", record(arxiv="'2502.99999'"))
    write(content_copy, "2025/10/15/2305.02993.md", record(arxiv="'2305.02993v2'"))
    result = run_cli("build", "--content", str(content_copy), "--output", str(output))

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    shown = str(content_copy)
    assert lines == [
        f"{shown}/2025/02/30/2502.99999.md:1: day: 2025-02-30 is not a real date; "
        "move the file to the folder of a day that exists",
        f"{shown}/2025/10/14/broken.md:2: front matter: is not valid YAML: expected ',' or ']', but got '<stream end>'"
        "; check quotes and indentation (a ':' in text needs quotes)",
        f"{shown}/2025/10/14/typo.md:5: autors: unknown field; did you mean 'authors'?",
        f"{shown}/2025/10/15/2305.02993.md:1: arxiv: arXiv 2305.02993 is also recorded in "
        f"{shown}/2023/05/04/2305.02993.md; keep one of the two files",
        "4 problems found; nothing was written.",
    ]
    after = {path: (data, (output / path).stat().st_mtime_ns) for path, data in snapshot(output).items()}
    assert after == before


def test_output_folder_with_foreign_files_is_refused(tmp_path):
    foreign = tmp_path / "home"
    write(foreign, "precious.txt", "keep me")
    with pytest.raises(OutputError, match="refusing to build into"):
        write_site({"index.html": b"x"}, foreign)
    assert (foreign / "precious.txt").read_text() == "keep me"
    result = run_cli("build", "--output", str(foreign))
    assert result.returncode == 2 and "refusing to build into" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("path", ["../escape.html", "/etc/passwd", "a/../../b", "a//b", "./a", "a\\b", "", "..",
                                  "a/..", "a/./b", "a/", "a\0b", "a/../b"])
def test_paths_outside_the_site_are_refused(tmp_path, path):
    with pytest.raises(OutputError):
        check_site_path(path)
    with pytest.raises(OutputError):
        write_site({path: b"x"}, tmp_path / "out")
    assert not (tmp_path / "escape.html").exists()


@pytest.mark.parametrize("path", ["index.html", ".nojekyll", "papers/2401.00001v2/index.html", "tags/c++/a..b",
                                  "search/terms/_.json", "a/.well-known/x", "día/página.html"])
def test_plain_paths_inside_the_site_are_accepted(path):
    check_site_path(path)


@pytest.mark.parametrize("budget", [0, 10**9])  # the new file staged on disk, or held in memory
def test_write_site_marks_its_folder_and_replaces_a_folder_with_a_file(tmp_path, monkeypatch, budget):
    from generator.write import writer as output_module

    monkeypatch.setattr(output_module, "MEMORY_BUDGET", budget)
    output = tmp_path / "out"
    write_site({"a/index.html": b"1", "a/b/c.txt": b"3", "b.txt": b"2"}, output)
    assert (output / MARKER).is_file()
    result = write_site({"a": b"now a file", "b.txt": b"2"}, output)
    assert snapshot(output) == {MARKER: (output / MARKER).read_bytes(), "a": b"now a file", "b.txt": b"2"}
    assert result.written == 1 and result.unchanged == 1
    assert not (output / output_module.STAGING).exists()


def test_an_incremental_build_equals_a_clean_build_after_deletes_renames_and_edits(tmp_path, content_copy):
    config = SiteConfig(base_url="https://example.org/site/")
    incremental = tmp_path / "incremental"
    build(content_copy, incremental, LAYOUTS, config)
    # delete a paper, rename another to a different day, edit a third, add a fourth with a new tag
    (content_copy / "2023/05/04/2305.02993.md").unlink()
    moved = content_copy / "2025/11/20/2510.12866.md"
    moved.parent.mkdir(parents=True)
    (content_copy / "2025/10/14/2510.12866.md").rename(moved)
    edited = content_copy / "2015/06/09/1506.03134.md"
    edited.write_text(edited.read_text().replace("Pointer Networks", "Pointer Networks, Revisited", 1))
    write(content_copy, "2025/06/05/new-one.md", record(title="A New One", tags="[brand-new]"))
    build(content_copy, incremental, LAYOUTS, config)
    clean = tmp_path / "clean"
    build(content_copy, clean, LAYOUTS, config)
    assert snapshot(incremental) == snapshot(clean)
    gone = [path for path in snapshot(incremental) if "2305.02993" in path or "2023-05-04" in path or
            path.startswith(("2025/10/14/", "2023/05/04/"))]
    assert gone == []  # the deleted and the moved paper left no page, JSON or search file behind
    everything = b"".join(snapshot(incremental).values())
    assert b"SemEval-2023 Task 7" not in everything  # not in any page, feed, JSON file or search shard
    assert b"Pointer Networks, Revisited" in (incremental / "papers/1506.03134/index.html").read_bytes()


@pytest.mark.parametrize("budget", [0, 10**9])  # changed files staged on disk, or held in memory
def test_a_build_that_fails_midway_leaves_the_previous_site_whole(tmp_path, content_copy, monkeypatch, budget):
    from generator.write import writer as output_module

    monkeypatch.setattr(output_module, "MEMORY_BUDGET", budget)
    layouts = tmp_path / "layouts"
    shutil.copytree(LAYOUTS, layouts)
    site = tmp_path / "out"
    build(content_copy, site, layouts, SiteConfig(), vendor_dir=ROOT / "node_modules")
    before = snapshot(site)
    # Every page changes, and the tag pages, rendered after the day and paper pages, cannot render.
    base = layouts / "base.html"
    base.write_text(base.read_text().replace("</body>", "<!-- new --></body>"))
    tag = layouts / "tag.html"
    tag.write_text(tag.read_text().replace("{% block main %}", "{% block main %}{{ no_such_thing }}"))
    with pytest.raises(BuildFailed) as failed:
        build(content_copy, site, layouts, SiteConfig(), vendor_dir=ROOT / "node_modules")
    [problem] = failed.value.problems  # the template and its line, as a record's problem is said
    assert (problem.path.endswith("layouts/tag.html") and problem.field == "template"
            and "no_such_thing" in problem.message)
    assert snapshot(site) == before
    assert not (site / output_module.STAGING).exists()
    # Mended, the next build writes the new site, through the staging folder or from memory.
    tag.write_text(tag.read_text().replace("{{ no_such_thing }}", ""))
    summary = build(content_copy, site, layouts, SiteConfig(), vendor_dir=ROOT / "node_modules")
    assert summary.written > 170 and not (site / output_module.STAGING).exists()
    assert b"<!-- new -->" in (site / "index.html").read_bytes()
    build(content_copy, tmp_path / "clean", layouts, SiteConfig(), vendor_dir=ROOT / "node_modules")
    assert snapshot(site) == snapshot(tmp_path / "clean")


def test_a_stopped_build_leaves_nothing_behind_for_the_next(tmp_path):
    from generator.write.writer import STAGING

    site = tmp_path / "out"
    build(CONTENT, site, LAYOUTS, SiteConfig())
    write(site, f"{STAGING}/index.html", "half a build")  # as a build stopped by the machine leaves it
    build(CONTENT, site, LAYOUTS, SiteConfig())
    assert not (site / STAGING).exists()
    build(CONTENT, tmp_path / "clean", LAYOUTS, SiteConfig())
    assert snapshot(site) == snapshot(tmp_path / "clean")


@pytest.mark.parametrize("cached", [False, True])
def test_links_inside_output_are_replaced_never_written_through(tmp_path, content_copy, cached):
    cache = tmp_path / "cache" if cached else None
    site = tmp_path / "out"
    build(content_copy, site, LAYOUTS, SiteConfig(), vendor_dir=ROOT / "node_modules", cache_dir=cache)
    outside = tmp_path / "outside"
    write(outside, "index.html", "not the site's")
    write(outside, "days.json", "not the site's either")
    shutil.rmtree(site / "papers/2305.02993")
    (site / "papers/2305.02993").symlink_to(outside, target_is_directory=True)  # a folder of the site
    (site / "api/days.json").unlink()
    (site / "api/days.json").symlink_to(outside / "days.json")  # a file of the site
    (site / "search").rename(tmp_path / "old-search")
    (site / "search").symlink_to(tmp_path / "old-search", target_is_directory=True)
    # With the cache and unchanged inputs, a build trusts output/ unless asked to verify it (a
    # deploy builds into an empty one): verified, every link is replaced and none written through.
    build(content_copy, site, LAYOUTS, SiteConfig(), vendor_dir=ROOT / "node_modules", cache_dir=cache, verify=cached)
    assert (outside / "index.html").read_text() == "not the site's"
    assert (outside / "days.json").read_text() == "not the site's either"
    assert not any(path.is_symlink() for path in site.rglob("*"))
    build(content_copy, tmp_path / "clean", LAYOUTS, SiteConfig(), vendor_dir=ROOT / "node_modules")
    assert snapshot(site) == snapshot(tmp_path / "clean")


@pytest.mark.parametrize("fresh", [False, True], ids=["looked at first", "made first"])
def test_a_folder_made_meanwhile_by_the_other_process_is_taken_only_if_real(tmp_path, monkeypatch, fresh):
    import os

    from generator.write.writer import make_folder

    real_mkdir = os.mkdir
    made_instead = {"papers": lambda path: real_mkdir(path),  # the other process made the folder first
                    "links": lambda path: os.symlink(tmp_path / "elsewhere", path)}  # or something else did

    def racing_mkdir(path, *args, **kwargs):
        made_instead[os.path.basename(path)](path)
        raise FileExistsError(path)

    root = tmp_path / "out"
    real_mkdir(root)
    monkeypatch.setattr(os, "mkdir", racing_mkdir)
    make_folder(root / "papers", root, set(), fresh)
    assert (root / "papers").is_dir() and not (root / "papers").is_symlink()
    with pytest.raises(FileExistsError):
        make_folder(root / "links", root, set(), fresh)


def test_two_processes_share_work_each_item_once(two_cores):
    import time

    from generator.parallel import WorkShare, in_second_process

    share = WorkShare(list(range(300)), batch=1)

    def take() -> list[int]:
        taken = []
        for item in share:
            time.sleep(0.002)  # work to do, so that both processes get some
            taken.append(item)
        return taken

    theirs = in_second_process(take)
    assert theirs is not None  # really forked
    mine = take()
    theirs = theirs.result()
    assert mine and theirs and sorted(mine + theirs) == list(range(300))


def test_a_share_one_process_took_whole_is_not_worked_out_by_the_other(two_cores):
    from generator.parallel import WorkShare, in_second_process

    worked_out = []

    def items() -> list[int]:
        worked_out.append(os.getpid())
        return list(range(10))

    share = WorkShare(items, batch=3)
    mine = list(share)
    theirs = in_second_process(lambda: (list(share), worked_out))
    assert theirs is not None  # really forked
    assert mine == list(range(10)) and theirs.result() == ([], [os.getpid()])  # never worked out there
    other_way = WorkShare(items, batch=3)  # the second process takes them all first: this one never works them out
    first = in_second_process(lambda: (list(other_way), worked_out))
    taken, there = first.result()
    assert taken == list(range(10)) and len(there) == 2 and there[-1] != os.getpid()
    assert list(other_way) == [] and worked_out == [os.getpid()]


@pytest.mark.parametrize("cores", [1, 2])
def test_output_is_listed_in_a_second_process_while_the_build_reads(tmp_path, monkeypatch, cores):
    """The ledger's listing of output/ is made by two more processes, a part each, beside the
    reading of content/ and the caches where there are two cores, and is the same listing either way."""
    from generator import parallel
    from generator.write import listing as listing_module

    monkeypatch.setattr(parallel.os, "cpu_count", lambda: cores)
    write_site({"index.html": b"home", "papers/a/index.html": b"a", "api/a.json": b"{}"}, tmp_path / "out")
    listed_by = tmp_path / "listed-by"
    note_who_lists_output(monkeypatch, listed_by)
    on_disk = listing_module.look_at_output(tmp_path / "out", beside=parallel.in_second_process)
    (tmp_path / "out" / "later.html").write_text("made after the listing began")
    found = on_disk()
    assert set(found) <= {MARKER, "index.html", "papers/a/index.html", "api/a.json", "later.html"}
    assert {"index.html", "papers/a/index.html", "api/a.json"} <= set(found)
    status = (tmp_path / "out" / "papers/a/index.html").stat()
    assert found["papers/a/index.html"] == (status.st_size, status.st_mtime_ns)
    listers = {int(pid) for pid in listed_by.read_text().split()}
    assert listers == {os.getpid()} if cores == 1 else (len(listers) == 2 and os.getpid() not in listers)


@pytest.mark.parametrize("files", [["tags/index.html", "tags/index.html/index.html"],
                                   ["tags/index.html/feed.xml", "tags/index.html"]],
                         ids=["file, then a file inside it", "a file inside, then the file"])
def test_a_file_of_the_site_is_never_also_a_folder_of_it(tmp_path, files):
    """Writing one would silently remove the other: the build stops instead, and output/ stays."""
    write_site({"index.html": b"before"}, tmp_path / "out")
    with pytest.raises(OutputError, match="tags/index.html"):
        write_site({path: b"page" for path in files} | {"index.html": b"after"}, tmp_path / "out")
    assert [path.name for path in (tmp_path / "out").iterdir()] == [".dailypapers-output", "index.html"]
    assert (tmp_path / "out/index.html").read_bytes() == b"before"


def test_what_a_writer_wrote_goes_to_another_process_as_columns_and_comes_back_whole():
    """A forked writer hands back its files' records (tens of thousands at scale) as the ledger's
    columns; where columns cannot hold them (no ledger's digests, a name of stray bytes) as they are."""
    from generator.write.ledger import Written, bytes_digest, packed, unpacked

    files = {f"search/papers/{n}.json": Written(f"search papers:{n}" if n % 3 else None, bytes_digest(bytes([n])),
                                                 100 + n, 10**18 + n) for n in range(50)}
    sent = packed(files)
    assert isinstance(sent, bytes) and unpacked(sent) == files and list(unpacked(sent)) == list(files)
    assert all(type(written) is Written for written in unpacked(sent).values())
    assert unpacked(packed({})) == {}
    no_ledger = {**files, "index.html": Written(None, b"", 0, 0)}
    stray = {**files, os.fsdecode(b"caf\xe9.html"): Written("k", bytes_digest(b"x"), 1, 2)}
    assert packed(no_ledger) == no_ledger and unpacked(packed(no_ledger)) == no_ledger
    assert packed(stray) == stray and unpacked(packed(stray)) == stray
