"""List the record files under content/, as they are on disk, and name them as a person types them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

RECORD_SUFFIXES = (".md", ".yaml", ".yml")


class RecordFile(NamedTuple):
    """A file under content/ as the listing found it, with its own (lstat) size, time and kind:
    the one look at the file a build takes before deciding whether to read it."""

    path: str
    size: int
    mtime_ns: int
    mode: int


def is_editor_backup(name: str) -> bool:
    """An editor's backup, autosave or swap file (x.md~, #x.md#, x.md.swp), which no one means as a record."""
    return name.endswith("~") or (name.startswith("#") and name.endswith("#")) or name.endswith((".swp", ".swo"))


def find_record_files(content_dir: Path) -> list[RecordFile]:
    """List every file and symbolic link under content_dir, skipping hidden ones and editors'
    backups, in a stable order (by folder names, then file name)."""
    found: list[RecordFile] = []

    def scan(folder: str) -> None:
        try:
            with os.scandir(folder) as listing:
                entries = sorted((entry.name, entry) for entry in listing)  # so the whole is in order
        except OSError:
            return
        for name, entry in entries:
            if name.startswith(".") or is_editor_backup(name):
                continue
            if entry.is_dir(follow_symlinks=False):
                scan(entry.path)
                continue
            try:
                status = entry.stat(follow_symlinks=False)
            except OSError:
                continue  # gone since the folder was listed
            found.append(RecordFile(entry.path, status.st_size, status.st_mtime_ns, status.st_mode))

    scan(os.fspath(content_dir))
    return found


def listed_records(content_dir: Path) -> list[RecordFile]:
    """find_record_files of a real folder; none for a missing folder or a link (read_papers says why)."""
    return find_record_files(content_dir) if content_dir.is_dir() and not content_dir.is_symlink() else []


CWD = "\0"  # where display_path's map keeps the project root's real path (no folder's name has a NUL)


def display_path(path: Path | str, resolved: dict[str, str] | None = None) -> str:
    """Name a file the way a person at the project root would type it: its folder's real path from
    the root, then its own name (a link is named as itself, never as what it points to, so that a
    message lands on the file a person has to fix). `resolved` remembers folders already resolved,
    for naming many files of the same folders."""
    resolved = {} if resolved is None else resolved
    folder, name = os.path.split(os.fspath(path))
    shown = resolved.get(folder)
    if shown is None:  # the folder as shown, with its final "/" ("" at the project root)
        root = resolved.get(CWD)
        if root is None:  # resolved once for all the files named with the same map
            root = resolved[CWD] = os.path.join(os.path.realpath(os.getcwd()), "")
        real = os.path.join(os.path.realpath(folder or "."), "")
        outside = os.path.join(Path(folder).as_posix(), "") if folder else ""  # named as given
        shown = resolved[folder] = real[len(root):].replace(os.sep, "/") if real.startswith(root) else outside
    return shown + name


def listed_names(content_dir: Path, records: list[RecordFile]) -> list[str]:
    """display_path of each of these records as find_record_files listed them in content_dir, in one
    pass: the listing never goes into a link, so each folder is named from content_dir's own name."""
    resolved: dict[str, str] = {}
    top = os.fspath(content_dir)
    shown_top = display_path(os.path.join(top, ""), resolved)  # the content folder's own name, with its "/"
    inside = os.path.join(top, "")
    names = []
    for record in records:
        path = record.path
        cut = path.rfind(os.sep) + 1
        folder, name = path[:cut].rstrip(os.sep) or path[:cut], path[cut:]  # as os.path.split gives them
        shown = resolved.get(folder)
        if shown is None:
            shown = resolved[folder] = (shown_top + folder[len(inside):].replace(os.sep, "/") + "/"
                                        if folder.startswith(inside) else display_path(path)[:-len(name)])
        names.append(shown + name)
    return names
