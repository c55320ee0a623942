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
from generator.read.content import RecordFile
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
                                  "unchanged"])
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
    elif edit == "a new record":
        record = content / "2025/11/18/2511.99999.md"
        record.write_text("---\ntitle: A new paper\nauthors: [Ada Lovelace]\n---\n\nAn abstract.\n")
    shown = preview_edits([record_file(record)], content, LAYOUTS, out, CONFIG, carried.archive)
    assert shown == {} and snapshot(out) == before


def test_serve_puts_back_what_it_showed_when_the_build_after_it_fails(tmp_path, capsys):
    """An edit shown at once, beside a record the build then refuses: the previous site is served, whole."""
    from generator.serve import SiteWatcher

    content, out = tmp_path / "content", tmp_path / "out"
    shutil.copytree(SAMPLE, content)
    args = argparse.Namespace(content=content, output=out, layouts=LAYOUTS, config=tmp_path / "site.yaml",
                              node_modules=ROOT / "node_modules", cache=tmp_path / "cache", poll=True)
    watcher = SiteWatcher(args, CONFIG.base_url)
    watcher.snapshot()
    assert watcher.rebuild(first=True) and watcher.build_id == 1
    before = snapshot(out)
    good, other = sorted((content / "2025/11/18").iterdir())[2:4]
    set_field(good, "title", "A retitled paper")
    arxiv = next(line for line in good.read_text().splitlines() if line.startswith("arxiv:"))
    set_field(other, "arxiv", arxiv.partition(": ")[2])  # the same paper twice: the build stops

    watcher.changed({os.fspath(good), os.fspath(other)})
    said = capsys.readouterr()
    assert "Edit shown (" in said.out and f"papers/{good.stem}/index.html" in said.out
    assert "The previous build is still served." in said.err
    assert snapshot(out) == before and watcher.build_id == 3  # shown, then put back: each a reload
