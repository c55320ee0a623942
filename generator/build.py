"""Build the site: look at its inputs, do nothing if they are the last build's, else run the pipeline."""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import msgspec

from generator import cachefile, urls
from generator.config import SiteConfig
from generator.parallel import in_second_process
from generator.problems import BuildFailed, Problem
from generator.read.fingerprints import code_fingerprint, data_fingerprint, inputs_fingerprint, site_fingerprint
from generator.read.last_build import LastBuild, last_build, record_build
from generator.read.listing import RecordFile, display_path, listed_records
from generator.write.ledger import Ledger
from generator.write.listing import look_at_output
from generator.write.writer import MARKER, marker_status

if TYPE_CHECKING:
    from generator.read.cache import RecordCache
    from generator.site.archive import Archive

STATIC_DIR = "static"


@dataclass(frozen=True)
class BuildSummary:
    papers: int
    days: int
    files: int
    written: int
    removed: int
    seconds: float
    unchanged: bool = False  # nothing changed since the last build, so nothing was done

    @classmethod
    def nothing_changed(cls, last: LastBuild, seconds: float) -> BuildSummary:
        return cls(papers=last.papers, days=last.days, files=last.files, written=0, removed=0, seconds=seconds,
                   unchanged=True)

    def __str__(self) -> str:
        what = f"{counted(self.papers, 'paper')} on {counted(self.days, 'day')}"
        if self.unchanged:
            return (f"Nothing changed since the last build of {what} ({self.files} files); "
                    f"checked in {self.seconds:.2f} s")
        return (f"Built {what}: {self.files} files "
                f"({self.written} written, {self.files - self.written} unchanged, {self.removed} removed) "
                f"in {self.seconds:.2f} s")


def counted(number: int, thing: str) -> str:
    return f"{number} {thing}" + ("" if number == 1 else "s")


class Progress:
    """Tell a person what a long build is doing, at most once a second; quiet on short builds."""

    def __init__(self, stream: TextIO | None = sys.stderr, interval: float = 1.0):
        self.stream = stream
        self.interval = interval
        self.last = time.monotonic()

    def update(self, message: str, *values: object) -> None:
        """Print the message (formatted with `values`, only when it is printed: it is asked for
        each of a site's files) if the last was printed long enough ago."""
        if self.stream is None:
            return
        now = time.monotonic()
        if now - self.last >= self.interval:
            print(message.format(*values) if values else message, file=self.stream, flush=True)
            self.last = now


# Browser code from the npm registry (package.json), copied into the site at build time.
VENDORED = {urls.LUNR_SCRIPT: "lunr/lunr.min.js"}


def refuse_linked_layouts(layouts_dir: Path, vendor_dir: Path) -> None:
    """Raise BuildFailed if layouts/ or the vendored code holds a link or a file that is not plain:
    a link would publish, or render, any file of the machine that builds (a checkout's .git/config
    holds its token)."""
    found = []
    for folder, folders, files in os.walk(layouts_dir):  # os.walk never goes into a linked folder
        for name in sorted(folders + files):
            path = os.path.join(folder, name)
            if not (os.path.isdir(path) or os.path.isfile(path)) or os.path.islink(path):
                found.append(path)
    if os.path.islink(layouts_dir):
        found.append(os.fspath(layouts_dir))
    for source in VENDORED.values():
        steps = Path(source).parts
        found += [os.fspath(vendor_dir.joinpath(*steps[:depth])) for depth in range(len(steps) + 1)
                  if os.path.islink(vendor_dir.joinpath(*steps[:depth]))]
    if found:
        raise BuildFailed([Problem(display_path(path), 1, "file", "is a symbolic link or not a plain file; layouts "
                                   "and node_modules/ must hold plain files (copy the file in instead)")
                           for path in found])


def read_static_files(layouts_dir: Path, vendor_dir: Path) -> dict[str, bytes]:
    """Read the assets under layouts/static/ and the vendored browser code as files of the site."""
    static_dir = layouts_dir / STATIC_DIR
    files = {
        f"{STATIC_DIR}/{path.relative_to(static_dir).as_posix()}": path.read_bytes()
        for path in sorted(static_dir.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    }
    missing = [vendor_dir / source for source in VENDORED.values() if not (vendor_dir / source).is_file()]
    if missing:
        raise BuildFailed([Problem(path.as_posix(), 0, "search", "is missing; run `npm ci` to install "
                                   "lunr.js from package.json (`make install` does)") for path in missing])
    files.update({target: (vendor_dir / source).read_bytes() for target, source in VENDORED.items()})
    return files


def build(
    content_dir: Path,
    output_dir: Path,
    layouts_dir: Path,
    config: SiteConfig,
    progress: Progress | None = None,
    vendor_dir: Path | None = None,
    cache_dir: Path | None = None,
    verify: bool = False,
    hold: list | None = None,
    carried: Carried | None = None,
    record_files: list[RecordFile] | None = None,
) -> BuildSummary:
    """Build the whole site; on any problem raise before output/ is touched. With a cache folder,
    a build whose inputs are all as the last successful build left them does nothing (trusting
    output/ unless asked to `verify` it, which repairs what was edited or deleted by hand), and
    records unchanged since the last build are not parsed again. What the build reads is put in
    `hold` if given, for a process that ends at once to leave to the system rather than free. A
    process that builds again and again (serve) gives what it `carried` from its last build, and
    the listing of content/ it has just made (`record_files`), so that neither is made again."""
    vendor_dir = vendor_dir or layouts_dir.parent / "node_modules"
    progress = progress or Progress(stream=None)
    started = time.perf_counter()
    refuse_linked_layouts(layouts_dir, vendor_dir)
    with kept_from_the_collector(hold) as keep:
        inputs = keep(look_at_inputs(content_dir, output_dir, layouts_dir, vendor_dir, config, cache_dir, verify,
                                     record_files))
        if inputs and inputs.as_last_built(output_dir):
            if not inputs.trusted:  # every file checked: trusted from now on, under the marker as it is now
                record_build(inputs.folder, msgspec.structs.replace(inputs.last, marker=marker_status(output_dir)))
            if carried is not None and carried.archive is None:  # serve's first build: its first edit is shown at once
                from generator.pipeline import carry_archive

                carry_archive(content_dir, inputs, carried, keep)
            return BuildSummary.nothing_changed(inputs.last, time.perf_counter() - started)
        # The pipeline's modules (Jinja, Markdown, lunr...) load only once there is work to do.
        from generator.pipeline import make_site

        return make_site(content_dir, output_dir, layouts_dir, vendor_dir, config, progress, inputs, carried,
                         keep, started)


# The cycle collector's thresholds during a build (Python's are 700, 10, 10): the pages make few cycles.
BUILD_COLLECTOR_THRESHOLDS = (50_000, 20, 100)


@contextlib.contextmanager
def kept_from_the_collector(hold: list | None = None) -> Iterator[Callable[[Any], Any]]:
    """Give `keep`, which freezes (gc.freeze) what has been read so far and returns its argument
    (put in `hold` too, if given, and let go of there if the build fails): the caches and the
    papers live as long as the build, so the cycle collector need not walk their millions of
    objects each time the pages' short-lived ones set it off. It also runs a hundred times less
    often while the build lasts: the papers' views, made as pages need them and kept, were walked
    again at each of its runs. Undone at the end."""
    def keep(value: Any) -> Any:
        gc.freeze()
        if hold is not None:
            hold.append(value)
        return value

    thresholds = gc.get_threshold()
    gc.set_threshold(*(BUILD_COLLECTOR_THRESHOLDS if thresholds[0] else thresholds))  # (0: the collector is off)
    try:
        yield keep
    except BaseException:
        if hold is not None:
            hold.clear()  # a failed build lets go of what it started (the listing of output/ beside it): it stops
        raise
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


@dataclass
class Carried:
    """What a process that builds again and again keeps from one build for the next: the record
    cache as the build left it (and saved it), so that the next build need not read it back, and
    the archive of the last build that succeeded, which output/ shows (serve previews edits on it)."""

    records: RecordCache | None = None
    archive: Archive | None = None


def carry(carried: Carried | None, records: RecordCache | None) -> None:
    if carried is not None:
        carried.records = records


@dataclass(frozen=True)
class CachedInputs:
    """What a build with a cache knows before it reads a record: the fingerprint of its inputs, the
    listing of content/, and what the last build left (its facts, and the ledger of output/)."""

    folder: Path
    code: str
    record_files: list[RecordFile]
    fingerprint: str
    last: LastBuild | None
    ledger: Ledger | None  # None when nothing changed and output/ is trusted
    trusted: bool = False  # the inputs are the last build's, and output/ is taken to hold what it left

    def as_last_built(self, output_dir: Path) -> bool:
        """Whether the inputs are the last build's, and output/ holds what it left: trusted, as make
        trusts its targets, or (verifying) every file checked against the ledger."""
        if self.trusted:
            return True
        return (self.last is not None and self.last.fingerprint == self.fingerprint
                and (output_dir / MARKER).is_file() and self.ledger.output_as_left(MARKER))


def look_at_inputs(content_dir: Path, output_dir: Path, layouts_dir: Path, vendor_dir: Path, config: SiteConfig,
                   cache_dir: Path | None, verify: bool = False, record_files: list[RecordFile] | None = None
                   ) -> CachedInputs | None:
    """Fingerprint what the build is made of (None without a cache), and load the last build's
    ledger. Unless asked to `verify` it, output/ is trusted to hold what the ledger says while its
    marker is the last build's (and the ledger could be read); otherwise it is listed, in other
    processes."""
    if not cache_dir:
        return None
    cachefile.usable_folder(cache_dir)
    code = code_fingerprint()
    if record_files is None:
        record_files = listed_records(content_dir)
    vendored = {source: vendor_dir / source for source in VENDORED.values() if (vendor_dir / source).is_file()}
    site = site_fingerprint(layouts_dir, vendored, repr(config), output_dir, code)
    fingerprint, last = inputs_fingerprint(record_files, site), last_build(cache_dir)
    trusted = (not verify and last is not None and last.marker is not None
               and marker_status(output_dir) == last.marker)
    if trusted and last.fingerprint == fingerprint:
        return CachedInputs(cache_dir, code, record_files, fingerprint, last, None, trusted=True)
    data = data_fingerprint(repr(config), output_dir, code)
    ledger = Ledger.load(cache_dir, site, None, data) if trusted else None
    if ledger is None or not ledger.trusted:  # output/ not trusted, or the ledger that would say what it holds lost
        ledger = Ledger.load(cache_dir, site, look_at_output(output_dir, beside=in_second_process), data)
    return CachedInputs(cache_dir, code, record_files, fingerprint, last, ledger)
