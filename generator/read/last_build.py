"""What the last successful build was made of and made, kept in the cache folder."""

from __future__ import annotations

from pathlib import Path

import msgspec

from generator import cachefile


class LastBuild(msgspec.Struct, frozen=True):
    """What the last successful build was made of, and what it made."""

    fingerprint: str
    papers: int
    days: int
    files: int
    # The marker file as the build left output/ (its inode and time): every build writes it anew,
    # so another build into the same folder since (one without this cache, with other settings) is seen.
    marker: tuple[int, int] | None = None


LAST_BUILD_FILE = "last-build.cache"


def last_build(folder: Path) -> LastBuild | None:
    """What the last successful build recorded, if anything readable."""
    return cachefile.load(folder / LAST_BUILD_FILE, LastBuild)


def record_build(folder: Path, facts: LastBuild) -> None:
    cachefile.save(folder / LAST_BUILD_FILE, facts)
