"""Cache files hold data only, are believed only when this user wrote them, and are never written
through a link: a cache a pull request commits can neither run code nor change the site."""

from __future__ import annotations

import os
import pickle
import stat
from typing import Any

import msgspec
import pytest
from test_cache import cached_build, clean_build

from generator import cachefile
from generator.read.cache import RecordCache, RecordPart

from conftest import snapshot


@pytest.fixture
def another_user(tmp_path, monkeypatch):
    """Switch to another user's key (as a cache made on another machine was stamped with)."""
    def switch(name: str) -> None:
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / name))
        cachefile.this_users_stamp.cache_clear()

    yield switch
    cachefile.this_users_stamp.cache_clear()


class RunsCode:
    """Unpickling this runs code: it makes the file it names."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_a_cache_that_would_run_code_is_never_run(tmp_path, content_copy):
    cache = tmp_path / "cache"
    cached_build(content_copy, tmp_path / "out", cache)
    ran = tmp_path / "code-ran"
    hostile = pickle.dumps(RunsCode(ran))
    names = [path.name for path in cache.iterdir()]
    names += ["records.pickle", "outputs.pickle", "search.pickle", "last-build.json",
              *(f"records-{part:02d}.pickle" for part in range(32))]
    for name in names:
        (cache / name).write_bytes(hostile)
    summary = cached_build(content_copy, tmp_path / "out", cache)
    assert not ran.exists()
    assert not summary.unchanged and summary.papers == 57
    assert snapshot(tmp_path / "out") == clean_build(content_copy, tmp_path / "clean")


def test_a_cache_stamped_by_someone_else_is_not_believed(tmp_path, content_copy, another_user):
    """A pull request commits a cache made on its author's machine, saying a paper's abstract is a
    script: this user's build parses the record again and the site is the clean one."""
    another_user("attacker")
    cache = tmp_path / "cache"
    cached_build(content_copy, tmp_path / "out", cache)
    for path in cache.glob("records-*.cache"):
        part = cachefile.load(path, RecordPart)
        for _, entry in part.records:
            paper = entry.result[0]
            if paper is not None:
                entry.result = (msgspec.structs.replace(paper, abstract_html="<script>alert(1)</script>"),
                                *entry.result[1:])
        assert cachefile.save(path, part)
    forged = RecordCache(cache)
    assert len(forged.before) == 57  # to its maker, the forged cache is a whole cache

    another_user("maintainer")
    assert RecordCache(cache).before == {} and cachefile.load(cache / "outputs.cache", Any) is None
    summary = cached_build(content_copy, tmp_path / "fresh", cache)
    assert not summary.unchanged and summary.papers == 57
    site = snapshot(tmp_path / "fresh")
    assert not any(b"<script>alert(1)" in data for data in site.values())
    assert site == clean_build(content_copy, tmp_path / "clean")
    assert len(RecordCache(cache).before) == 57  # now this user's own


def test_the_key_is_made_once_outside_the_project_for_this_user_only(tmp_path, another_user):
    another_user("home-cache")
    stamp = cachefile.this_users_stamp()
    key = tmp_path / "home-cache" / "dailypapers" / "cache-key"
    assert stamp and len(key.read_bytes()) == cachefile.KEY_BYTES
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert key.read_bytes() not in stamp  # files carry a stamp made from the key, not the key
    cachefile.this_users_stamp.cache_clear()
    assert cachefile.this_users_stamp() == stamp  # the same key, read again


def test_without_a_key_nothing_is_cached_or_believed(tmp_path, another_user, content_copy):
    (tmp_path / "blocked").write_text("a file where the key's folder would be")
    another_user("blocked")
    assert cachefile.this_users_stamp() is None
    assert not cachefile.save(tmp_path / "value.cache", [1, 2])
    assert not (tmp_path / "value.cache").exists()
    summary = cached_build(content_copy, tmp_path / "out", tmp_path / "cache")
    assert summary.papers == 57 and list((tmp_path / "cache").iterdir()) == []


@pytest.mark.parametrize("damage", [b"", b"dailypapers cache 1\n", None], ids=["empty", "header only", "cut"])
def test_a_damaged_cache_file_reads_as_nothing(tmp_path, damage):
    path = tmp_path / "value.cache"
    assert cachefile.save(path, {"a": [1, 2, 3]})
    assert cachefile.load(path, dict[str, list[int]]) == {"a": [1, 2, 3]}
    assert cachefile.load(path, dict[str, list[str]]) is None  # another kind of value
    path.write_bytes(path.read_bytes()[:-3] if damage is None else damage)
    assert cachefile.load(path, dict[str, list[int]]) is None


def test_a_frame_claiming_to_be_huge_is_not_read(tmp_path):
    path = tmp_path / "value.cache"
    assert cachefile.save(path, [1])
    data = path.read_bytes()
    header = len(cachefile.MAGIC) + len(cachefile.this_users_stamp())
    path.write_bytes(data[:header] + cachefile.FRAME.pack(2**62) + data[header + cachefile.FRAME.size:])
    assert cachefile.load(path, list[int]) is None


def test_a_fifo_in_the_cache_is_neither_read_nor_written_through(tmp_path, content_copy):
    cache = tmp_path / "cache"
    cache.mkdir()
    os.mkfifo(cache / "records-00.cache")
    os.mkfifo(cache / "last-build.cache")
    summary = cached_build(content_copy, tmp_path / "out", cache)  # would block forever opening a FIFO
    assert summary.papers == 57
    assert stat.S_ISREG((cache / "last-build.cache").lstat().st_mode)


def test_cache_writes_never_follow_a_link(tmp_path, content_copy):
    """Links planted at every name the cache is written under, and at the temporary names it used
    to be written through, are replaced; the files they point to stay as they were."""
    cache = tmp_path / "project" / "cache"
    cache.mkdir(parents=True)
    victims = tmp_path / "victims"
    victims.mkdir()
    names = ["last-build.cache", "outputs.cache", "search.cache", *(f"records-{part:02d}.cache" for part in range(32))]
    for number, name in enumerate(names):
        victim = victims / f"victim-{number}.txt"
        victim.write_text("precious")
        (cache / name).symlink_to(victim)
        (cache / f"{name}.tmp").symlink_to(victims / f"dangling-{number}.txt")
        (cache / name.replace(".cache", ".json.tmp")).symlink_to(victim)
    cached_build(content_copy, tmp_path / "out", cache)
    assert all(path.read_text() == "precious" for path in victims.iterdir())
    assert sorted(path.name for path in victims.iterdir()) == sorted(f"victim-{n}.txt" for n in range(len(names)))
    written = [name for name in names if (cache / name).exists() or (cache / name).is_symlink()]
    assert written and all(stat.S_ISREG((cache / name).lstat().st_mode) for name in written)
    again = cached_build(content_copy, tmp_path / "out", cache)
    assert again.unchanged  # and the cache the build wrote is its own, believed the next time


def test_a_cache_folder_that_is_a_link_is_refused(tmp_path, content_copy):
    from conftest import LAYOUTS, ROOT, run_cli

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / ".dailypapers-cache").symlink_to(elsewhere)
    result = run_cli("build", "--content", str(content_copy), "--output", str(tmp_path / "out"),
                     "--layouts", str(LAYOUTS), "--node-modules", str(ROOT / "node_modules"), cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "cache folder .dailypapers-cache: it is a symbolic link" in result.stderr
    assert list(elsewhere.iterdir()) == [] and not (tmp_path / "out").exists()


def test_two_builds_making_the_key_at_once_share_one_whole_key(tmp_path, another_user):
    import threading

    another_user("racing")
    stamps: list[bytes | None] = []

    def make() -> None:
        cachefile.this_users_stamp.cache_clear()
        stamps.append(cachefile.this_users_stamp.__wrapped__())

    threads = [threading.Thread(target=make) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(stamps)) == 1 and stamps[0] is not None
    folder = tmp_path / "racing" / "dailypapers"
    assert [path.name for path in folder.iterdir()] == ["cache-key"]  # no temporary key left behind
