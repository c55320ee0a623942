"""Fingerprints of what a build is made of: the generator's code, the layouts and settings, the records."""

from __future__ import annotations

import hashlib
import sys
from importlib import metadata
from pathlib import Path
from typing import Protocol

import msgspec
import yaml

VERSION = 3  # part of every fingerprint: a new one makes every cache start afresh
GENERATOR_DIR = Path(__file__).resolve().parents[1]  # the whole generator package
# Libraries whose versions change what a record reads as or what a page is: a new version starts afresh.
LIBRARIES = ("PyYAML", "Markdown", "Jinja2", "feedgen", "lunr", "msgspec")


class Listed(Protocol):
    """A file as listing.find_record_files lists it (made there; fingerprinted and cached here)."""

    path: str
    size: int
    mtime_ns: int
    mode: int


def code_fingerprint() -> str:
    """Hash the generator's own source and the versions of Python and the libraries it relies on:
    records parsed by other code may read differently."""
    versions = [sys.version, str(getattr(yaml, "__with_libyaml__", False))]
    for name in LIBRARIES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} missing")
    digest = hashlib.sha256("\n".join(versions).encode())
    for path in sorted(GENERATOR_DIR.rglob("*.py")):
        digest.update(path.relative_to(GENERATOR_DIR).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def site_fingerprint(layouts_dir: Path, vendor_files: dict[str, Path], settings: str, output_dir: Path,
                     code: str) -> str:
    """Hash what every page is made with besides the records: every layout's and vendored file's
    name and bytes (named within layouts/ and node_modules/, so that the same folders given by
    another path are the same), the settings, where the site goes and the generator's code."""
    digest = hashlib.sha256(f"{VERSION}\0{code}\0{settings}\0{output_dir.resolve()}\0".encode())
    layouts = {path.relative_to(layouts_dir).as_posix(): path for path in layouts_dir.rglob("*") if path.is_file()}
    for group in (layouts, vendor_files):
        for name, path in sorted(group.items()):
            digest.update(name.encode("utf-8", "surrogateescape") + b"\0" + path.read_bytes())
        digest.update(b"\1")  # between the two: a layout cannot pass for a vendored file
    return digest.hexdigest()


def data_fingerprint(settings: str, output_dir: Path, code: str) -> str:
    """Hash what the files made without templates (JSON, search) are made with besides the records."""
    return hashlib.sha256(f"{VERSION}\0{code}\0{settings}\0{output_dir.resolve()}\0data".encode()).hexdigest()


LISTING = msgspec.msgpack.Encoder()


def inputs_fingerprint(record_files: list[Listed], site: str) -> str:
    """Hash what a build is made of: every record file's name, size, modification time and mode
    (as the listing found them), and the site's fingerprint."""
    digest = hashlib.sha256(site.encode())
    try:  # each file as an array of its four fields, spelt at C speed
        digest.update(LISTING.encode(record_files))  # (a RecordFile is a named tuple)
    except UnicodeEncodeError:  # a name of bytes that are no text, which MessagePack cannot spell
        digest.update(b"\0" + "".join(f"{file.path}\0{file.size}\0{file.mtime_ns}\0{file.mode}\n"
                                      for file in record_files).encode("utf-8", "surrogateescape"))
    return digest.hexdigest()
