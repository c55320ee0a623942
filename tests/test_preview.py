"""Serve's first look at an edit (preview.py): exactly the pages the build after it writes, or nothing."""

from __future__ import annotations

import argparse
import os
import re
import shutil
from pathlib import Path

import pytest

from generator.build import Carried, build
from generator.config import SiteConfig
from generator.preview import preview_edits
from generator.read.listing import RecordFile
from generator.synthetic import write_synthetic

from conftest import LAYOUTS, ROOT, SAMPLE, snapshot

CONFIG = SiteConfig(base_url="http://127.0.0.1:8000/")
DAY_PAGE = re.compile(r"[0-9]{4}/[0-9]{2}/[0-9]{2}/(page/[0-9]+/)?index\.html")


def record_file(path: Path) -> RecordFile:
    status = os.lstat(path)
    return RecordFile(os.fspath(path), status.st_size, status.st_mtime_ns, status.st_mode)


def built_with_carried(content: Path, out: Path, cache: Path) -> Carried:
    carried = Carried()
    build(content, out, LAYOUTS, CONFIG, vendor_dir=ROOT / "node_modules", cache_dir=cache, carried=carried)
    return carried


def set_field(record: Path, field: str, value: str) -> None:
    lines = record.read_text().splitlines(keepends=True)
    record.write_text("".join(f"{field}: {value}\n" if line.startswith(f"{field}:") else line for line in lines))


@pytest.fixture(params=["the sample's day", "a day of three pages"])
def archive(request, tmp_path) -> Path:
    content = tmp_path / "content"
    if request.param == "the sample's day":
        shutil.copytree(SAMPLE, content)
    else:
        write_synthetic(content, 40, dense_day=150)
    return content


def middle_of_busiest_day(content: Path) -> list[Path]:
    day = max((folder for folder in content.glob("*/*/*")), key=lambda folder: len(list(folder.iterdir())))
    return sorted(day.iterdir())


def test_a_preview_writes_every_page_of_its_day_the_edit_changes_as_the_build_writes_it(tmp_path, archive):
    out, cache = tmp_path / "out", tmp_path / "cache"
    carried = built_with_carried(archive, out, cache)
    before = snapshot(out)
    records = middle_of_busiest_day(archive)
    moved, retitled = records[len(records) // 2], records[len(records) // 3]
    set_field(moved, "upvotes", "100000")  # to the top of its day: papers move on its day's pages
    set_field(retitled, "title", "A retitled paper")  # the pages beside it show its title

    shown = preview_edits([record_file(moved), record_file(retitled)], archive, LAYOUTS, out, CONFIG,
                          carried.archive)
    previewed = snapshot(out)
    build(archive, tmp_path / "clean", LAYOUTS, CONFIG, vendor_dir=ROOT / "node_modules")
    clean = snapshot(tmp_path / "clean")

    assert {path for path in previewed if previewed[path] != before.get(path)} <= shown.keys()
    assert all(previewed[path] == clean[path] for path in shown), "a preview wrote what the build does not"
    assert all(shown[path] == before.get(path) for path in shown)  # what each file held, to put back
    day_files = {path for path in clean if DAY_PAGE.fullmatch(path) or path.startswith("papers/")}
    changed = {path for path in day_files if clean[path] != before.get(path)}
    assert len(changed) >= 5 and changed <= shown.keys(), sorted(changed - shown.keys())
    assert f"papers/{moved.stem}/index.html" in shown and f"papers/{retitled.stem}/index.html" in shown


@pytest.mark.parametrize("edit", ["moved to another day", "a new tag", "a broken record", "a new record",
                                  "unchanged", "an edit beside a new record"])
def test_a_preview_leaves_every_other_edit_to_the_build(tmp_path, edit):
    content, out, cache = tmp_path / "content", tmp_path / "out", tmp_path / "cache"
    shutil.copytree(SAMPLE, content)
    carried = built_with_carried(content, out, cache)
    before = snapshot(out)
    record = sorted((content / "2025/11/18").iterdir())[3]
    if edit == "moved to another day":
        (content / "2025/11/19").mkdir()
        record = record.rename(content / "2025/11/19" / record.name)
    elif edit == "a new tag":
        record.write_text(re.sub(r"(?m)^tags:\n- .*$", "tags:\n- A New Topic", record.read_text()))
    elif edit == "a broken record":
        record.write_text(record.read_text().replace("title:", "title: [", 1))
    records = [record]
    if edit in ("a new record", "an edit beside a new record"):
        records.append(content / "2025/11/18/2511.99999.md")
        records[-1].write_text("---\ntitle: A new paper\nauthors: [Ada Lovelace]\n---\n\nAn abstract.\n")
        if edit == "a new record":
            records.pop(0)
        else:
            set_field(record, "upvotes", "100000")  # alone, an edit a preview shows
    shown = preview_edits([record_file(path) for path in records], content, LAYOUTS, out, CONFIG, carried.archive)
    assert shown == {} and snapshot(out) == before


def watcher_of(tmp_path: Path, content: Path, poll: bool = True):
    from generator.serve import SiteWatcher

    args = argparse.Namespace(content=content, output=tmp_path / "out", layouts=LAYOUTS, config=tmp_path / "site.yaml",
                              node_modules=ROOT / "node_modules", cache=tmp_path / "cache", poll=poll)
    return SiteWatcher(args, CONFIG.base_url)


@pytest.mark.parametrize("failure", ["a record the build refuses", "a full disk"])
def test_serve_puts_back_what_it_showed_when_the_build_after_it_fails(tmp_path, capsys, monkeypatch, failure):
    """An edit shown at once, then a build that fails: the previous site is served, whole."""
    from generator import serve

    content = tmp_path / "content"
    shutil.copytree(SAMPLE, content)
    watcher = watcher_of(tmp_path, content)
    watcher.snapshot()
    assert watcher.rebuild(first=True) and watcher.build_id == 1
    before = snapshot(tmp_path / "out")
    good, other = sorted((content / "2025/11/18").iterdir())[2:4]
    set_field(good, "title", "A retitled paper")
    edited = {os.fspath(good)}
    if failure == "a full disk":
        def no_room(*args, **kwargs):
            raise OSError(28, "No space left on device", "out/index.html")
        monkeypatch.setattr(serve, "build", no_room)
    else:
        arxiv = next(line for line in good.read_text().splitlines() if line.startswith("arxiv:"))
        set_field(other, "arxiv", arxiv.partition(": ")[2])  # the same paper twice: the build stops
        assert watcher.preview({os.fspath(good), os.fspath(other)}) == {}  # read with the edit: not in place
        edited.add(os.fspath(other))
        monkeypatch.setattr(watcher, "preview", lambda paths: serve.SiteWatcher.preview(watcher, {os.fspath(good)}))

    watcher.changed(edited)
    said = capsys.readouterr()
    assert "Edit shown (" in said.out and f"papers/{good.stem}/index.html" in said.out
    assert "The previous build is still served." in said.err and "Traceback" not in said.err
    assert snapshot(tmp_path / "out") == before and watcher.build_id == 3  # shown, then put back: each a reload


def test_serve_previews_only_records_still_there_under_content(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(SAMPLE, content)
    watcher = watcher_of(tmp_path, content)
    watcher.snapshot()
    assert watcher.rebuild(first=True)
    record = sorted((content / "2025/11/18").iterdir())[3]
    set_field(record, "upvotes", "100000")
    (content / "2025/11/19").mkdir()
    moved = record.rename(content / "2025/11/19" / record.name)
    assert watcher.preview({os.fspath(record), os.fspath(moved)}) == {}  # as the system tells a move
    moved.rename(record)
    assert watcher.preview({os.fspath(record), os.fspath(LAYOUTS / "base.html")}) == {}
    assert watcher.preview({os.fspath(record), os.fspath(content / "2025/11/18/4913")}) != {}  # an editor's probe


def test_the_watcher_names_what_the_system_tells_as_the_listing_does(tmp_path, monkeypatch):
    from generator.serve import watched_path

    (tmp_path / "content/2025/11/18").mkdir(parents=True)
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path)
    roots = [Path("sub/../content"), Path("layouts")]
    told = os.path.realpath(tmp_path) + "/content/2025/11/18/"
    assert watched_path(told + "2511.00001.md", roots) == "sub/../content/2025/11/18/2511.00001.md"
    assert watched_path(told + "2511.00001.md~", roots) is None  # an editor's backup
    assert watched_path(told + ".2511.00001.md.swp", roots) is None
    assert watched_path(os.path.realpath(tmp_path) + "/contents/x.md", roots) is None  # beside, not under
    assert watched_path(os.path.realpath(tmp_path) + "/layouts/base.html", roots) == "layouts/base.html"


@pytest.mark.parametrize("told", ["by the system", "by listing, watchfiles missing"])
def test_serve_sees_edits_after_content_is_made_again(tmp_path, monkeypatch, capsys, told):
    import sys
    import threading
    import time

    if told != "by the system":
        monkeypatch.setitem(sys.modules, "watchfiles", None)  # import fails: serve lists the files instead
    content = tmp_path / "content"
    shutil.copytree(SAMPLE, content)
    watcher = watcher_of(tmp_path, content, poll=False)
    first_look = watcher.snapshot()
    assert watcher.rebuild(first=True)
    stop = threading.Event()
    thread = threading.Thread(target=watcher.watch, args=(stop, first_look), daemon=True)
    thread.start()
    try:
        time.sleep(1.5)  # the watch has begun
        shutil.rmtree(content)  # as a checkout of another branch may
        shutil.copytree(SAMPLE, content)
        record = sorted((content / "2025/11/18").iterdir())[3]
        for attempt in range(2):  # once made again, then edited under the new watch
            time.sleep(1.5)
            set_field(record, "title", f"Retitled {attempt}")
            deadline = time.monotonic() + 30
            page = tmp_path / "out/papers" / record.stem / "index.html"
            while f"Retitled {attempt}" not in page.read_text():
                assert time.monotonic() < deadline, capsys.readouterr()
                time.sleep(0.1)
    finally:
        stop.set()
        thread.join(timeout=30)
    said = capsys.readouterr().err
    assert ("cannot be told of changes" in said) == (told != "by the system")
