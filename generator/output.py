"""Own output/: write what changed through temp files, skip what did not, prune what is gone."""

from __future__ import annotations

import os
import posixpath
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path

from generator.reuse import Kept, Ledger, Written, bytes_digest

MARKER = ".dailypapers-output"


class OutputError(Exception):
    """The output folder cannot safely be written."""


@dataclass(frozen=True)
class WriteResult:
    written: int
    unchanged: int
    removed: int
    files: dict[str, Written] = field(default_factory=dict)  # with a ledger: each file as left


def check_site_path(path: str) -> None:
    """Refuse any output path that could land outside the output folder."""
    if (not path or path.startswith("/") or "\\" in path or "\0" in path
            or posixpath.normpath(path) != path or path.split("/")[0] == ".."
            or any(part in ("", ".", "..") for part in path.split("/"))):
        raise OutputError(f"refusing to write {path!r}: it is not a plain path inside the site")


def prepare_output_dir(output_dir: Path) -> None:
    """Make sure output_dir is ours to fill: new, empty, or made by an earlier build."""
    if output_dir.exists():
        if not output_dir.is_dir():
            raise OutputError(f"{output_dir} is a file, not a folder")
        if not (output_dir / MARKER).is_file() and any(output_dir.iterdir()):
            raise OutputError(
                f"refusing to build into {output_dir}: it holds files that dailypapers did not make, "
                "and building would delete them; choose an empty or new folder"
            )
    output_dir.mkdir(parents=True, exist_ok=True)


def write_if_changed(target: Path, data: bytes, made_folders: set[Path] | None = None) -> bool:
    """Write bytes to target; return False if they were already there. A file that exists is
    replaced through a temp file and a rename, so it is never seen half written; a new file is
    written in place. `made_folders` remembers folders already made, to skip asking again."""
    try:
        status = target.stat()
    except OSError:
        status = None
    if status is not None:
        if stat.S_ISREG(status.st_mode) and status.st_size == len(data) and target.read_bytes() == data:
            return False
        if stat.S_ISDIR(status.st_mode):
            shutil.rmtree(target)
            status = None
    folder = target.parent
    if made_folders is None or folder not in made_folders:
        folder.mkdir(parents=True, exist_ok=True)
        if made_folders is not None:
            made_folders.add(folder)
    if status is None:
        target.write_bytes(data)
        return True
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, target)
    finally:
        if temporary.exists():
            temporary.unlink()
    return True


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


def write_site(files: dict[str, bytes | Kept], output_dir: Path, ledger: Ledger | None = None
               ) -> WriteResult:
    """Make output_dir hold exactly these files; untouched files keep their bytes and times. A file
    given as KEPT stays as the last build left it; with a ledger, a file whose bytes are already on
    disk is known so without reading it. With a ledger, the result records every file as left, for
    the next build's ledger."""
    for path in files:
        check_site_path(path)
    prepare_output_dir(output_dir)
    written = unchanged = 0
    made_folders: set[Path] = set()
    record: dict[str, Written] = {}
    for path in sorted(files):
        data = files[path]
        key = ledger.keys.get(path) if ledger else None
        if isinstance(data, Kept):
            known = ledger.as_left(path) if ledger else None
            if known is None:
                raise OutputError(f"{path} was to be kept as the last build left it, but it is not")
            record[path] = known
            unchanged += 1
            continue
        digest = bytes_digest(data) if ledger else b""
        if ledger and ledger.holds(path, digest):
            record[path] = ledger.before[path]._replace(key=key)
            unchanged += 1
            continue
        if write_if_changed(output_dir / path, data, made_folders):
            written += 1
        else:
            unchanged += 1
        if ledger:
            status = (output_dir / path).stat()
            record[path] = Written(key, digest, status.st_size, status.st_mtime_ns)
    (output_dir / MARKER).write_text("Built by dailypapers; this folder is replaced on every build.\n")
    removed = prune(output_dir, set(files))
    return WriteResult(written=written, unchanged=unchanged, removed=removed, files=record)
