"""The build pipeline: read records, group them, render every file, write output/."""

from __future__ import annotations

import contextlib
import gc
import itertools
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from generator import cachefile, urls
from generator.api import render_api, render_json_feed
from generator.archive import Archive, group_papers
from generator.cache import LastBuild, RecordCache, last_build, record_build
from generator.config import SiteConfig
from generator.content import RecordFile, display_path, find_record_files, read_papers
from generator.feeds import FeedBuilder, render_feeds
from generator.fingerprints import code_fingerprint, data_fingerprint, inputs_fingerprint, site_fingerprint
from generator.listing import look_at_output
from generator.output import MARKER, SiteWriter
from generator.pages import (
    PageRenderer,
    long_date,
    paper_views,
    render_pages,
    render_paper_pages,
    render_robots,
    render_sitemap,
)
from generator.parallel import Forked, WorkShare, in_second_process
from generator.problems import BuildFailed, Problem
from generator.records import Paper
from generator.reuse import Kept, Ledger, Reuse
from generator.search import render_search
from generator.searchindex import SearchIndex

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
        if self.unchanged:
            return (f"Nothing changed since the last build of {self.papers} papers on {self.days} days "
                    f"({self.files} files); checked in {self.seconds:.2f} s")
        return (f"Built {self.papers} papers on {self.days} days: {self.files} files "
                f"({self.written} written, {self.files - self.written} unchanged, {self.removed} removed) "
                f"in {self.seconds:.2f} s")


class Progress:
    """Tell a person what a long build is doing, at most once a second; quiet on short builds."""

    def __init__(self, stream: TextIO | None = sys.stderr, interval: float = 1.0):
        self.stream = stream
        self.interval = interval
        self.last = time.monotonic()

    def update(self, message: str) -> None:
        now = time.monotonic()
        if self.stream is not None and now - self.last >= self.interval:
            print(message, file=self.stream, flush=True)
            self.last = now


# Browser code from the npm registry (package.json), copied into the site at build time.
VENDORED = {"static/lunr.min.js": "lunr/lunr.min.js"}


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


def expected_file_count(archive: Archive) -> int:
    """Count the files a build makes, to show progress against."""
    # home, archive, tags index, search page, 404, sitemap, robots, 5 site feeds, api/days.json,
    # the search manifest and .nojekyll
    fixed = 15
    pages = len(archive.days) + len(archive.weeks) + len(archive.months) + len(archive.years) + len(archive.papers)
    api = len(archive.days) + len(archive.papers)
    search_days = len(archive.days)
    tags = 2 * len(archive.tags) + sum(len(tag.years) for tag in archive.tags)  # pages, feeds, year pages
    return fixed + pages + api + search_days + tags  # + search shards


@dataclass(frozen=True)
class SearchCache:
    """Where the search index is kept between builds, and the record cache its papers' terms come
    from (as counted when each record was parsed, in this build or the last)."""

    folder: Path
    code: str
    records: RecordCache


def write_search(archive: Archive, reuse: Reuse, writer: SiteWriter, cache: SearchCache | None = None,
                 then: Callable[[], Iterable] = tuple) -> Forked | None:
    """Render and write the search files in a second process where the machine allows (the pages
    render meanwhile; its result is what its writer did), then the files `then` gives (pages
    the two processes share), otherwise here. With a cache, the last build's index is brought up
    to date and kept for the next, and this process releases the records' terms once the search
    process has its own copy, if the pages may need their memory (renders_most_pages)."""
    def render(into: SiteWriter) -> SiteWriter:
        index = SearchIndex.load(cache.folder, cache.code) if cache else SearchIndex()
        for path, data in render_search(archive, cache.records.terms() if cache else {}, reuse=reuse, index=index,
                                        counted_before=cache.records.counted if cache else None):
            into.add(path, data)
        if cache:
            index.save(cache.folder)
        del index  # its memory goes to the pages `then` gives
        for path, data in then():
            into.add(path, data)
        return into

    worker = in_second_process(lambda: render(writer.for_second_process()).part())
    if worker is None:
        render(writer)
    elif cache and renders_most_pages(reuse, cache.records):
        cache.records.release()
    return worker


def renders_most_pages(reuse: Reuse, records: RecordCache) -> bool:
    """Whether this build will likely render most of the pages: there is no last build to keep
    files of, its templates or settings were others, or many records changed. Only then is the
    memory the records hold worth handing back to the pages (releasing them takes time, and a
    build that renders a few pages has no need of their memory)."""
    ledger = reuse.ledger
    return ledger is None or not ledger.same_site or len(records.renewed) * 20 > len(records.now)


def write_rendered_site(archive: Archive, renderer: PageRenderer, writer: SiteWriter, progress: Progress,
                        reuse: Reuse | None = None, search_cache: SearchCache | None = None) -> None:
    """Render every file of the site and hand it to the writer as it comes; a file that `reuse`
    finds made from the same ingredients by the last build is handed over as KEPT instead."""
    config = renderer.config
    views = paper_views(archive)
    feeds = FeedBuilder(archive, config, renderer.fragment, views)
    site_feed = feeds.site_feed(urls.JSON_FEED)  # one set of items for RSS, Atom and JSON Feed
    reuse = reuse or Reuse()
    # The paper pages are shared: the search process takes its turn at them once the search files
    # are done, so the two processes end together (pages only, after a template change).
    paper_pages = WorkShare(list(archive.papers))
    search = write_search(archive, reuse, writer, search_cache,
                          then=lambda: render_paper_pages(paper_pages, archive, views, renderer, reuse))
    try:
        produced: Iterable[tuple[str, bytes | Kept]] = itertools.chain(
            render_pages(archive, views, renderer, reuse, paper_pages),
            render_feeds(feeds, site_feed, long_date),
            [(urls.JSON_FEED, render_json_feed(site_feed, config))],
            render_api(archive, views, config, reuse),
            [reuse.data_file(urls.SITEMAP, ("sitemap", reuse.papers(tuple(archive.papers.values()))),
                             render_sitemap, archive, config),
             ("robots.txt", render_robots(config)),
             (".nojekyll", b"")],
        )
        total = expected_file_count(archive)
        for done, (path, data) in enumerate(produced, start=1):
            writer.add(path, data)
            progress.update(f"  rendered {done}/{total} files")
    except BaseException:
        if search is not None:
            search.stop()  # before what it wrote or staged is discarded, so that it writes no more
        raise
    if search is not None:
        progress.update("  waiting for the search index")
        writer.adopt(search.result())


def load_papers(content_dir: Path, progress: Progress | None = None, cache: RecordCache | None = None,
                paths: list[RecordFile] | None = None) -> list[Paper]:
    """Read and validate every record, or raise BuildFailed with all the problems at once."""
    def report(done: int, total: int) -> None:
        if progress:
            progress.update(f"  read {done}/{total} records")

    papers, problems = read_papers(content_dir, on_progress=report, cache=cache, paths=paths)
    if cache:
        cache.save()
    if problems:
        raise BuildFailed(problems)
    return papers


def make_site(papers: list[Paper], output_dir: Path, layouts_dir: Path, config: SiteConfig, progress: Progress,
              vendor_dir: Path, cache: RecordCache | None, ledger: Ledger | None, started: float) -> BuildSummary:
    """Render the site of these papers into output_dir, reusing what the ledger says is still there."""
    archive = group_papers(papers)
    renderer = PageRenderer(layouts_dir, config)
    reuse = Reuse(ledger, cache.digests() if cache else {},
                  lambda paper: [tag.name for tag in archive.tags_of_paper[paper.slug]])
    static = read_static_files(layouts_dir, vendor_dir)  # a missing file stops the build before output/
    writer = SiteWriter.open(output_dir, ledger)
    try:
        write_rendered_site(archive, renderer, writer, progress, reuse,
                            SearchCache(cache.folder, cache.code, cache) if cache else None)
        for path, data in static.items():
            writer.add(path, data)
        result = writer.finish()
    except BaseException:
        writer.discard()
        raise
    if ledger:
        ledger.save(result.files)
    return BuildSummary(
        papers=len(papers),
        days=len(archive.days),
        files=len(writer.paths),
        written=result.written,
        removed=result.removed,
        seconds=time.perf_counter() - started,
    )


def build(
    content_dir: Path,
    output_dir: Path,
    layouts_dir: Path,
    config: SiteConfig,
    progress: Progress | None = None,
    vendor_dir: Path | None = None,
    cache_dir: Path | None = None,
) -> BuildSummary:
    """Build the whole site; on any problem raise before output/ is touched. With a cache folder,
    a build whose inputs are all as the last successful build left them does nothing, and
    records unchanged since the last build are not parsed again."""
    vendor_dir = vendor_dir or layouts_dir.parent / "node_modules"
    progress = progress or Progress(stream=None)
    started = time.perf_counter()
    refuse_linked_layouts(layouts_dir, vendor_dir)
    with kept_from_the_collector() as keep:
        inputs = keep(look_at_inputs(content_dir, output_dir, layouts_dir, vendor_dir, config, cache_dir))
        if inputs and inputs.as_last_built(output_dir):
            return BuildSummary.nothing_changed(inputs.last, time.perf_counter() - started)
        cache = keep(RecordCache(inputs.folder, inputs.code) if inputs else None)
        papers = keep(load_papers(content_dir, progress, cache, inputs.record_files if inputs else None))
        summary = make_site(papers, output_dir, layouts_dir, config, progress, vendor_dir, cache,
                            inputs.ledger if inputs else None, started)
        if inputs:
            record_build(inputs.folder, LastBuild(inputs.fingerprint, summary.papers, summary.days, summary.files))
    return summary


@contextlib.contextmanager
def kept_from_the_collector() -> Iterator[Callable[[Any], Any]]:
    """Give `keep`, which freezes (gc.freeze) what has been read so far and returns its argument:
    the caches and the papers live as long as the build, so the cycle collector need not walk
    their millions of objects each time the pages' short-lived ones set it off. Unfrozen at the end."""
    def keep(value: Any) -> Any:
        gc.freeze()
        return value

    try:
        yield keep
    finally:
        gc.unfreeze()


@dataclass(frozen=True)
class CachedInputs:
    """What a build with a cache knows before it reads a record: the fingerprint of its inputs, the
    listing of content/, and what the last build left (its facts, and the ledger of output/)."""

    folder: Path
    code: str
    record_files: list[RecordFile]
    fingerprint: str
    last: LastBuild | None
    ledger: Ledger

    def as_last_built(self, output_dir: Path) -> bool:
        """Whether the inputs are the last build's, and output/ holds exactly what it left."""
        return (self.last is not None and self.last.fingerprint == self.fingerprint
                and (output_dir / MARKER).is_file() and self.ledger.output_as_left(MARKER))


def look_at_inputs(content_dir: Path, output_dir: Path, layouts_dir: Path, vendor_dir: Path, config: SiteConfig,
                   cache_dir: Path | None) -> CachedInputs | None:
    """Fingerprint what the build is made of and load the last build's ledger (None without a cache);
    output/ is listed meanwhile, in other processes."""
    if not cache_dir:
        return None
    cachefile.usable_folder(cache_dir)
    on_disk = look_at_output(output_dir)
    code = code_fingerprint()
    record_files = find_record_files(content_dir) if content_dir.is_dir() and not content_dir.is_symlink() else []
    vendored = [vendor_dir / source for source in VENDORED.values() if (vendor_dir / source).is_file()]
    site = site_fingerprint(layouts_dir, vendored, repr(config), output_dir, code)
    ledger = Ledger.load(cache_dir, site, on_disk, data_fingerprint(repr(config), output_dir, code))
    return CachedInputs(cache_dir, code, record_files, inputs_fingerprint(record_files, site), last_build(cache_dir),
                        ledger)
