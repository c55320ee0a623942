"""List output/ as it is: each file's size and modification time, in other processes where there are two cores."""

from __future__ import annotations

import functools
import os
from array import array
from collections.abc import Callable
from pathlib import Path

from generator.parallel import Beside, here_only


def files_on_disk(output_dir: Path, chosen: Callable[[str], bool] = lambda name: True) -> dict[str, tuple[int, int]]:
    """Size and modification time of every plain file under output_dir (or under those of its own
    entries whose names are `chosen`), by its path inside it; anything else but a folder (a link,
    say) is listed with size and time -1."""
    found: dict[str, tuple[int, int]] = {}

    def scan(folder: str, prefix: str) -> None:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return
        for entry in entries:  # the entry's type comes with the listing; only files are asked more
            if not prefix and not chosen(entry.name):
                continue
            if entry.is_dir(follow_symlinks=False):
                scan(entry.path, f"{prefix}{entry.name}/")
            elif entry.is_file(follow_symlinks=False):
                status = entry.stat(follow_symlinks=False)
                found[prefix + entry.name] = (status.st_size, status.st_mtime_ns)
            else:  # a link or a FIFO: never as a build left it, so replaced or removed, never published
                found[prefix + entry.name] = (-1, -1)

    scan(str(output_dir), "")
    return found


SPLIT_AT = "papers"  # a folder per paper: about half the work of listing output/ at any size


def files_in_part(output_dir: Path, papers: bool) -> tuple[list[str], array, array]:
    """files_on_disk of the papers' folder, or of the rest, in a process that gives way to the
    build's own (os.nice): the listing can wait, the reading it is made beside cannot. Sent back
    as columns (paths, sizes, times): they unpickle several times faster than a tuple per file."""
    os.nice(10)
    found = files_on_disk(output_dir, lambda name: (name == SPLIT_AT) == papers)
    return (list(found), array("q", [size for size, _ in found.values()]),
            array("q", [mtime_ns for _, mtime_ns in found.values()]))


def from_listing(*parts: tuple[list[str], array, array]) -> dict[str, tuple[int, int]]:
    """files_on_disk's map, put together from the columns of files_in_part."""
    return {path: status for paths, sizes, mtimes in parts
            for path, status in zip(paths, zip(sizes, mtimes, strict=True), strict=True)}


def look_at_output(output_dir: Path, beside: Beside = here_only) -> Callable[[], dict[str, tuple[int, int]]]:
    """Start listing output/ (files_on_disk) `beside`, in two more processes where the pipeline
    gives them, one for each part, while this one reads content/ and the caches (a large site's
    listing takes seconds of one core); call what this returns for the listing, done here and
    then if there are no more processes."""
    parts = [beside(files_in_part, output_dir, papers) for papers in (True, False)]
    if None in parts:
        return functools.partial(files_on_disk, output_dir)
    return lambda: from_listing(parts[0].result(), parts[1].result())
