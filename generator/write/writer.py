"""Own output/: write what changed through temp files, skip what did not, prune what is gone."""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from generator.files import create_file, replacing
from generator.problems import OutputError
from generator.write.ledger import Ledger, Written, bytes_digest, packed, unpacked
from generator.write.reuse import Kept

MARKER = ".dailypapers-output"


@dataclass(frozen=True)
class WriteResult:
    written: int
    unchanged: int
    removed: int
    files_in_site: int = 0
    files: dict[str, Written] = field(default_factory=dict)  # with a ledger: each file as left
    marker: tuple[int, int] | None = None  # the marker as this build wrote it (marker_status)


# A path of plain names (letters, digits, "-", "_" and dots, never first) is inside the site:
# the common case, answered by one match rather than the checks below (a site has several files a paper).
PLAIN_PATH = re.compile(r"(?:[A-Za-z0-9_-][A-Za-z0-9._-]*/)*[A-Za-z0-9_-][A-Za-z0-9._-]*")


def check_site_path(path: str) -> None:
    """Refuse any output path that could land outside the output folder."""
    if PLAIN_PATH.fullmatch(path):
        return
    if (not path or path.startswith("/") or "\\" in path or "\0" in path
            or posixpath.normpath(path) != path or path.split("/")[0] == ".."
            or any(part in ("", ".", "..") for part in path.split("/"))):
        raise OutputError(f"refusing to write {path!r}: it is not a plain path inside the site")


def prepare_output_dir(output_dir: Path) -> None:
    """Make sure output_dir is ours to fill: new, empty, or made by an earlier build (and a real
    folder: a link would send the site, and its pruning, elsewhere)."""
    if output_dir.is_symlink():
        raise OutputError(f"refusing to build into {output_dir}: it is a symbolic link; remove it or choose "
                          "another folder")
    if output_dir.exists():
        if not output_dir.is_dir():
            raise OutputError(f"{output_dir} is a file, not a folder")
        if not (output_dir / MARKER).is_file() and any(output_dir.iterdir()):
            raise OutputError(
                f"refusing to build into {output_dir}: it holds files that dailypapers did not make, "
                "and building would delete them; choose an empty or new folder"
            )
    output_dir.mkdir(parents=True, exist_ok=True)


MARKER_TEXT = b"Built by dailypapers; this folder is replaced on every build.\n"


def marker_status(output_dir: Path) -> tuple[int, int] | None:
    """The marker file's inode and modification time, or None if it is not a plain file."""
    try:
        status = (output_dir / MARKER).lstat()
    except OSError:
        return None
    return (status.st_ino, status.st_mtime_ns) if stat.S_ISREG(status.st_mode) else None


def make_folder(folder: Path | str, root: Path | str, made: set[str], fresh: bool = False) -> None:
    """Make a folder inside root, and each folder on the way, as real folders: a symbolic link
    (or a file) found where a folder belongs is removed first, so that nothing is ever written
    through it to somewhere outside root. `made` remembers folders already made (by name: a Path
    hashes slowly). In a `fresh` site, where most folders are new, each is made before it is
    looked at (one call, not two)."""
    folder, root = os.fspath(folder), os.fspath(root)
    if folder in made or folder == root:
        return
    parent = os.path.dirname(folder)
    if parent != folder:  # (the top of the file system has no parent)
        make_folder(parent, root, made, fresh)
    if fresh:
        try:
            os.mkdir(folder)
        except FileExistsError:
            make_real_folder(folder)
    else:
        make_real_folder(folder)
    made.add(folder)


def make_real_folder(folder: str) -> None:
    """Make sure a folder is there and real: whatever else is in its place (a link, a file) goes."""
    try:
        status = os.lstat(folder)
    except FileNotFoundError:
        status = None
    if status is not None and not stat.S_ISDIR(status.st_mode):
        os.unlink(folder)  # a link or a file: never ours to follow
        status = None
    if status is None:
        try:
            os.mkdir(folder)
        except FileExistsError:  # made meanwhile by this build's other process: a real folder, or no good
            if not stat.S_ISDIR(os.lstat(folder).st_mode):
                raise


def write_if_changed(target: Path | str, data: bytes, root: Path | str, made_folders: set[str],
                     fresh: bool = False) -> os.stat_result | None:
    """Write bytes to target inside root; return the file's status once written, or None if the
    bytes were already there. A file that exists is replaced through a temp file and a rename, so
    it is never seen half written; a new file is written in place; a symbolic link is replaced,
    never written through. In a `fresh` site the file is first taken to be new."""
    target = os.fspath(target)
    make_folder(os.path.dirname(target), root, made_folders, fresh)  # first: the file is then looked at in a real one
    if fresh:
        try:
            return create_file(target, data)
        except FileExistsError:
            pass
    try:
        status = os.lstat(target)
    except OSError:
        status = None
    if status is not None:
        if stat.S_ISREG(status.st_mode) and status.st_size == len(data) and Path(target).read_bytes() == data:
            return None
        if stat.S_ISDIR(status.st_mode):
            shutil.rmtree(target)
            status = None
        elif stat.S_ISLNK(status.st_mode):
            os.unlink(target)
            status = None
    if status is None:
        return create_file(target, data)
    with replacing(Path(target)) as file:
        file.write(data)
    return os.stat(target)


def prune_known(output_dir: Path, keep: set[str], found: Iterable[str],
                real_folder: Callable[[Path], bool]) -> int:
    """Remove the files found in output/ (as a scan at the start of the build listed them, or as
    the ledger of a trusted output/ says) that the new site does not have, and the folders they
    leave empty; return how many files. A file in a folder that is a link now is never reached
    through it (a trusted ledger was not listed, so a folder may have been replaced since)."""
    gone = sorted(path for path in found
                  if path != MARKER and path not in keep and not path.startswith(STAGING + "/"))
    folders: set[str] = set()
    for path in gone:
        target = output_dir / path
        if real_folder(target.parent):
            try:
                target.unlink()
            except (FileNotFoundError, IsADirectoryError):  # a link found in a folder's place is a folder now
                pass
        folders.update(parent for parent in parents(path))
    for folder in sorted(folders, key=lambda name: -name.count("/")):  # deepest first
        if real_folder((output_dir / folder).parent):
            try:
                (output_dir / folder).rmdir()
            except OSError:
                pass  # not empty, or a link
    return len(gone)


def parents(path: str) -> Iterator[str]:
    """The folders a site path is in, innermost first: `a/b/c.html` gives `a/b`, `a`."""
    while "/" in path:
        path = path.rpartition("/")[0]
        yield path


def prune(output_dir: Path, keep: set[str]) -> int:
    """Remove files and empty folders that the new site no longer has; return how many files."""
    removed = 0
    for root, dirs, files in os.walk(output_dir, topdown=False):
        root_path = Path(root)
        for name in files:
            relative = (root_path / name).relative_to(output_dir).as_posix()
            if relative != MARKER and relative not in keep:
                (root_path / name).unlink()
                removed += 1
        for name in dirs:
            folder = root_path / name
            if folder.is_symlink():
                folder.unlink()
            elif not any(folder.iterdir()):
                folder.rmdir()
    return removed


STAGING = ".dailypapers-staging"  # inside output/, so that moving a file into place is a rename
# Bytes of changed files held in memory before they go to the staging folder: a template change
# rewrites every page, and a larger budget took a large site's peak past its memory target.
MEMORY_BUDGET = 64 * 2**20


class SiteWriter:
    """Take the site's files one by one as they are rendered, and make output/ hold exactly them.

    Into a folder with no files yet, each file is written at once: there is nothing to lose.
    Otherwise nothing in output/ changes until `finish`: changed files wait in memory (up to
    `memory_budget` bytes, then in a staging folder inside output/), so a build that fails midway
    leaves the previous site whole. A file given as KEPT stays as the last build left it; with a
    ledger, a file whose bytes are already on disk is known so without reading it."""

    def __init__(self, output_dir: Path, ledger: Ledger | None, direct: bool, memory_budget: int | None = None):
        self.output_dir = output_dir
        self.ledger = ledger
        self.staging = output_dir / STAGING
        self.direct = direct
        self.memory_budget = MEMORY_BUDGET if memory_budget is None else memory_budget
        self.waiting: dict[str, bytes] = {}  # changed files not yet in output/, in memory
        self.waiting_bytes = 0
        self.staged: dict[str, str] = {}  # changed files not yet in output/: their names in the staging folder
        # Staged files are named by writer and number: the folder stays flat, and the two processes' writers share it.
        self.stage_names = "a"
        self.root = os.fspath(output_dir)
        self.made_folders: set[str] = set()
        self.checked_folders: dict[Path, bool] = {}
        self.paths: set[str] = set()
        self.folders: set[str] = set()  # the folders the files in `paths` are in
        self.record: dict[str, Written] = {}
        self.written = self.unchanged = 0
        self.found = "site"  # what output_dir held before: no folder, only the marker, nothing, or a site

    @classmethod
    def open(cls, output_dir: Path, ledger: Ledger | None = None) -> SiteWriter:
        """Make sure output_dir is ours to fill, and start writing the site into it."""
        if ledger:
            ledger.on_disk()  # output/ is listed before anything in it changes
        existed, had_marker = output_dir.is_dir(), (output_dir / MARKER).is_file()
        prepare_output_dir(output_dir)
        if (output_dir / STAGING).is_symlink():
            (output_dir / STAGING).unlink()
        elif (output_dir / STAGING).exists():
            shutil.rmtree(output_dir / STAGING)  # left by a build that was stopped
        direct = not any(path.name != MARKER for path in output_dir.iterdir())
        if direct and ledger:
            ledger.nothing_on_disk()
        marker = output_dir / MARKER
        if marker.is_symlink():
            marker.unlink()
        # Made anew before any file changes: a build stopped before `finish` made it again leaves
        # a marker no build recorded, so the next one trusts nothing it finds in output/.
        with replacing(marker) as file:
            file.write(MARKER_TEXT)
        writer = cls(output_dir, ledger, direct)
        writer.found = "none" if not existed else "marker" if had_marker and direct else "empty" if direct else "site"
        return writer

    def for_second_process(self) -> SiteWriter:
        """A writer for a forked process: it writes into the same folder, or stages every changed
        file (its memory is not this process's), and `part` then tells this writer what it did."""
        writer = SiteWriter(self.output_dir, self.ledger, self.direct, memory_budget=0)
        writer.stage_names = "b"
        return writer

    def add(self, path: str, data: bytes | Kept) -> None:
        check_site_path(path)
        if path in self.paths or path in self.folders:
            raise OutputError(f"two files of the site would be written to {path}")
        for folder in parents(path):
            if folder in self.folders:
                break
            if folder in self.paths:
                raise OutputError(f"{path} would be written inside {folder}, a file of the site")
            self.folders.add(folder)
        self.paths.add(path)
        ledger = self.ledger
        known = ledger.as_left(path) if ledger else None
        if isinstance(data, Kept):
            if known is None:
                raise OutputError(f"{path} was to be kept as the last build left it, but it is not")
            self.record[path] = known
            self.unchanged += 1
            return
        digest = bytes_digest(data) if ledger else b""
        key = ledger.keys.get(path) if ledger else None
        if known is not None and known.digest == digest:
            self.record[path] = known._replace(key=key)
            self.unchanged += 1
            return
        if self.direct:
            self.put(os.path.join(self.root, path), data, digest, key, path)
            return
        target = self.output_dir / path
        # A file the ledger knows as left, with other bytes, need not be read to be compared.
        if known is None and self.real_folder(target.parent) and same_bytes(target, data):
            self.note(target, digest, key, path)
            self.unchanged += 1
        elif self.waiting_bytes + len(data) <= self.memory_budget:
            self.waiting[path] = data
            self.waiting_bytes += len(data)
            self.record[path] = Written(key, digest, 0, 0)  # size and time once written
        else:
            self.stage(path, data, digest, key)

    def stage(self, path: str, data: bytes, digest: bytes, key: str | None) -> None:
        """Write a changed file into the staging folder, noting its size and time (a rename keeps both)."""
        name = self.staged[path] = f"{self.stage_names}{len(self.staged)}"
        make_folder(self.staging, self.output_dir, self.made_folders)
        status = create_file(os.path.join(self.staging, name), data)
        self.record[path] = Written(key, digest, status.st_size, status.st_mtime_ns)

    def real_folder(self, folder: Path) -> bool:
        """Whether a folder of output/ and every folder it is in are real folders, not links."""
        if folder == self.output_dir:
            return True
        if folder not in self.checked_folders:
            self.checked_folders[folder] = self.real_folder(folder.parent) and not folder.is_symlink()
        return self.checked_folders[folder]

    def put(self, target: str, data: bytes, digest: bytes, key: str | None, path: str) -> None:
        status = write_if_changed(target, data, self.root, self.made_folders, fresh=self.direct)
        self.written += 1
        self.note(target, digest, key, path, status)

    def note(self, target: Path | str, digest: bytes, key: str | None, path: str,
             status: os.stat_result | None = None) -> None:
        if self.ledger:
            status = status or os.stat(target)
            self.record[path] = Written(key, digest, status.st_size, status.st_mtime_ns)

    def part(self) -> dict:
        """What this writer did, for the writer of the process that forked it (see adopt)."""
        self.stage_waiting()
        return {"paths": self.paths, "record": packed(self.record), "written": self.written,
                "unchanged": self.unchanged, "staged": self.staged}

    def stage_waiting(self) -> None:
        """Move the changed files waiting in memory to the staging folder."""
        for path in list(self.waiting):
            self.stage(path, self.waiting.pop(path), self.record[path].digest, self.record[path].key)
        self.waiting_bytes = 0

    def adopt(self, part: dict) -> None:
        """Take over what a writer in a forked process did (it wrote or staged its own files)."""
        clash = self.paths & part["paths"]
        if clash:
            raise OutputError(f"two files of the site would be written to {min(clash)}")
        self.paths |= part["paths"]
        self.record.update(unpacked(part["record"]))
        self.written += part["written"]
        self.unchanged += part["unchanged"]
        self.staged.update(part["staged"])

    def finish(self) -> WriteResult:
        """Move every changed file into place and remove what the site no longer has."""
        for path, data in sorted(self.waiting.items()):
            self.put(os.path.join(self.root, path), data, self.record[path].digest, self.record[path].key, path)
        root, staging, ready = os.fspath(self.output_dir), os.fspath(self.staging), {""}
        for path in sorted(self.staged):
            target, folder = os.path.join(root, path), path.rpartition("/")[0]
            if folder not in ready:  # named as text: a Path for each of a site's files took seconds
                make_folder(os.path.join(root, folder), root, self.made_folders)
                ready.add(folder)
            staged = os.path.join(staging, self.staged[path])
            try:
                os.replace(staged, target)  # replaces a link itself, never what it points to
            except IsADirectoryError:  # a folder where the file goes (a real one: a link is no folder here)
                shutil.rmtree(target)
                os.replace(staged, target)
            self.written += 1
        self.waiting.clear()
        self.remove_staging()
        if self.ledger:  # it looked at every file of output/ when the build began
            removed = prune_known(self.output_dir, self.paths, self.ledger.on_disk(), self.real_folder)
        else:
            removed = prune(self.output_dir, self.paths)
        with replacing(self.output_dir / MARKER) as file:  # anew: a later build can tell no other wrote here since
            file.write(MARKER_TEXT)
        return WriteResult(written=self.written, unchanged=self.unchanged, removed=removed,
                           files_in_site=len(self.paths), files=self.record if self.ledger else {},
                           marker=marker_status(self.output_dir))

    def discard(self) -> None:
        """Forget what was not moved into place, and what was written into a folder that had no
        site yet: after a failure, output/ is as it was."""
        self.remove_staging()
        if self.found == "none":
            shutil.rmtree(self.output_dir, ignore_errors=True)
        elif self.found in ("marker", "empty"):
            for entry in os.scandir(self.output_dir):
                if entry.name == MARKER and self.found == "marker":
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path)
                else:
                    os.unlink(entry.path)

    def remove_staging(self) -> None:
        if self.staging.is_symlink():
            self.staging.unlink()
        elif self.staging.exists():
            shutil.rmtree(self.staging)


def same_bytes(target: Path, data: bytes) -> bool:
    try:
        status = target.lstat()  # a link is never the same as a file
    except OSError:
        return False
    return stat.S_ISREG(status.st_mode) and status.st_size == len(data) and target.read_bytes() == data
