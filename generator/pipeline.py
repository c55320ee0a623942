"""The stages of a build with work to do: read the records, group them, render and write every file."""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2

from generator.build import BuildSummary, CachedInputs, Carried, Progress, carry, read_static_files
from generator.config import CONFIG_FILE, SiteConfig
from generator.parallel import WorkShare, in_second_process
from generator.problems import BuildFailed, Problem
from generator.read.cache import RecordCache
from generator.read.content import read_papers
from generator.read.last_build import LastBuild, record_build
from generator.read.listing import RecordFile
from generator.read.records import Paper
from generator.site import outputs
from generator.site.archive import group_papers
from generator.site.outputs import Output, OutputGroup, SearchCache, Sources, render_file
from generator.site.pages import PageRenderer, Site, template_problem
from generator.write.ledger import Ledger
from generator.write.reuse import Reuse
from generator.write.writer import SiteWriter, WriteResult


def make_site(content_dir: Path, output_dir: Path, layouts_dir: Path, vendor_dir: Path, config: SiteConfig,
              progress: Progress, inputs: CachedInputs | None, carried: Carried | None,
              keep: Callable[[Any], Any], started: float) -> BuildSummary:
    """Read every record, group them and write the site (build's work once its inputs changed)."""
    cache = keep(RecordCache.following(carried.records if carried else None, inputs.folder, inputs.code)
                 if inputs else None)
    try:
        papers = keep(load_papers(content_dir, progress, cache, inputs.record_files if inputs else None))
    except BuildFailed:
        carry(carried, cache)  # saved as it is now: a record with a problem is news, not a failure to read
        raise
    except BaseException:
        carry(carried, None)  # not saved: the next build reads the cache back from its files
        raise
    carry(carried, cache)
    archive = keep(group_papers(papers))
    static = read_static_files(layouts_dir, vendor_dir)  # a missing file stops the build before output/
    if config.image and config.image.startswith("static/") and config.image not in static:
        raise BuildFailed([Problem(CONFIG_FILE, 1, "image", f"names {config.image}, which layouts/static/ does "
                                   "not hold; put the picture there or give its https:// address")])
    sources = Sources(archive, config, static, SearchCache(cache.folder, cache.code, cache) if cache else None)
    try:
        result = write_site(sources, output_dir, layouts_dir, cache, inputs.ledger if inputs else None, progress)
    except jinja2.TemplateError as error:
        raise BuildFailed([template_problem(error, layouts_dir)]) from None
    summary = BuildSummary(papers=len(papers), days=len(archive.days), files=result.files_in_site,
                           written=result.written, removed=result.removed,
                           seconds=time.perf_counter() - started)
    if inputs:
        record_build(inputs.folder, LastBuild(inputs.fingerprint, summary.papers, summary.days, summary.files,
                                              result.marker))
    if carried is not None:
        carried.archive = archive
    return summary


def carry_archive(content_dir: Path, inputs: CachedInputs, carried: Carried, keep: Callable[[Any], Any]) -> None:
    """Give a process that builds again and again (serve) the archive output/ shows when its build
    found nothing to do, read through the record cache, so that an edit can be shown before the
    next build: a serve started on a site built before has one from its first build on."""
    cache = keep(RecordCache.following(carried.records, inputs.folder, inputs.code))
    try:
        papers = keep(load_papers(content_dir, None, cache, inputs.record_files))
    except BuildFailed:
        return  # (not after a build that succeeded with these inputs: the next build says what is wrong)
    carry(carried, cache)
    carried.archive = keep(group_papers(papers))


def render_site(sources: Sources, site: Site, reuse: Reuse, writer: SiteWriter, progress: Progress) -> None:
    """Render every file of the table of outputs and hand it to the writer as it comes (a file the
    last build made from the same value as KEPT). The search index is made in a second process
    where the machine allows; that process then takes its share of the paper pages, so that the
    two end together."""
    table = outputs.OUTPUTS
    # Each process works out the values it renders after the fork: the second starts at once.
    shares = {output: WorkShare(functools.partial(sources.values, output)) for output in table
              if isinstance(output, Output) and output.shared}
    groups = [group for group in table if isinstance(group, OutputGroup)]
    records = sources.search.records if sources.search else None

    def beside(into: SiteWriter) -> dict:
        for group in groups:
            for path, data in group.files(sources, reuse):
                into.add(path, data)
        for output, share in shares.items():
            for value in share:
                into.add(*render_file(output, value, site, reuse))
        return into.part()

    second = in_second_process(beside, writer.for_second_process())
    if second is not None and records and renders_most_pages(reuse, records):
        records.release()  # the second process has its own copy of the terms; the pages may need the memory
    values = {output: sources.values(output) for output in table if isinstance(output, Output)}
    total, done = sum(map(len, values.values())), 0
    try:
        for output in sorted(table, key=lambda output: output in shares):  # the shared kinds last, beside the other
            if isinstance(output, OutputGroup):
                if second is None:
                    for path, data in output.files(sources, reuse):
                        writer.add(path, data)
                continue
            for value in shares.get(output, values[output]):  # a shared kind: its values by turns
                writer.add(*render_file(output, value, site, reuse))
                done += 1
                progress.update("  rendered {}/{} files", done, total)
    except BaseException:
        if second is not None:
            second.stop()  # before what it wrote or staged is discarded, so that it writes no more
        raise
    if second is not None:
        progress.update("  waiting for the search index")
        writer.adopt(second.result())


def renders_most_pages(reuse: Reuse, records: RecordCache) -> bool:
    """Whether this build will likely render most of the pages: there is no last build to keep
    files of, its templates or settings were others, or many records changed. Only then is the
    memory the records hold worth handing back to the pages (releasing them takes time, and a
    build that renders a few pages has no need of their memory)."""
    ledger = reuse.ledger
    return ledger is None or not ledger.same_site or len(records.renewed) * 20 > len(records.now)


def load_papers(content_dir: Path, progress: Progress | None = None, cache: RecordCache | None = None,
                paths: list[RecordFile] | None = None) -> list[Paper]:
    """Read and validate every record, or raise BuildFailed with all the problems at once."""
    def report(done: int, total: int) -> None:
        if progress:
            progress.update("  read {}/{} records", done, total)

    papers, problems = read_papers(content_dir, on_progress=report, cache=cache, paths=paths,
                                   beside=in_second_process)
    if cache:
        cache.save()
    if problems:
        raise BuildFailed(problems)
    return papers


def write_site(sources: Sources, output_dir: Path, layouts_dir: Path, cache: RecordCache | None,
               ledger: Ledger | None, progress: Progress) -> WriteResult:
    """Render the site into output_dir, reusing what the ledger says is still there; on failure
    output/ is left as it was."""
    archive = sources.archive
    site = Site(archive, PageRenderer(layouts_dir, sources.config))
    reuse = Reuse(ledger, cache.digests() if cache else {}, archive.tag_names)
    writer = SiteWriter.open(output_dir, ledger)
    try:
        render_site(sources, site, reuse, writer, progress)
        result = writer.finish()
    except BaseException:
        writer.discard()
        raise
    if ledger and not ledger.save(result.files):
        # The last ledger may still be there, of other files: the next build must not trust it.
        result = dataclasses.replace(result, marker=None)
    return result
