"""What output/ weighs as the artifact a static host receives: a tar of its files, as tar writes it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

BLOCK = 512  # a tar archive is made of 512-byte blocks: a header per entry, then its data padded to a block
RECORD = 20 * BLOCK  # and is written in records of 20 blocks, the last one padded
NAME_FIELD = 100  # a longer path takes a GNU long-name entry of its own (a header and the name's blocks)
GITHUB_PAGES_BYTES = 1_000_000_000  # "Published GitHub Pages sites may be no larger than 1 GB"


@dataclass(frozen=True)
class Artifact:
    files: int
    bytes: int  # of the files themselves
    tar_bytes: int  # of the tar that holds them, folders and headers included


def blocks(size: int) -> int:
    return -(-size // BLOCK)


def artifact_of(folder: Path) -> Artifact:
    """Measure the tar of a folder's files and folders (links are not followed: the site has none)."""
    files = data = tar = 0
    for root, folders, names in os.walk(folder):
        for name in folders + names:
            path = os.path.join(root, name)
            relative = os.path.relpath(path, folder) + ("/" if name in folders else "")
            entry = 1 + (1 + blocks(len(relative) + 1) if len(relative) > NAME_FIELD else 0)
            if name in names:
                size = os.lstat(path).st_size
                files, data = files + 1, data + size
                entry += blocks(size)
            tar += entry * BLOCK
    tar += 2 * BLOCK  # the two empty blocks that end an archive
    return Artifact(files, data, -(-tar // RECORD) * RECORD)
