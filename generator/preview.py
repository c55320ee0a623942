"""Serve's first look at an edit: the edited papers' pages and their days' pages, rendered from the
last build's archive with the edited records in it, before the whole site is built again.

An edit that keeps a paper's name, day, tags and arXiv id leaves every other paper where it was,
so its day's papers are only sorted again, as grouping sorts them: the pages rendered here are
the ones the build that follows writes. Any other edit (a new or removed record, a moved day, a
new tag, a problem) is left to that build.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from generator import urls
from generator.config import SiteConfig
from generator.files import read_plain_file, replacing
from generator.read.content import read_record
from generator.read.listing import RecordFile, listed_names
from generator.read.records import Paper
from generator.site import outputs
from generator.site.archive import Archive, day_order
from generator.site.pages import DAY_PAGE_PAPERS, PageRenderer, PaperPlace, Site, cut_into_pages
from generator.write.writer import MARKER, MARKER_TEXT, check_site_path, write_if_changed

MAX_PAGE_BYTES = 256 * 2**20  # far more than any page: a larger file is not worth keeping in memory
# The kinds of file a preview renders, from the table of outputs: their paths and renders are the build's.
PAPER, DAY = (next(output for output in outputs.OUTPUTS if output.name == name) for name in ("paper", "day"))


def edited_papers(archive: Archive, read: Iterable[Paper]) -> list[Paper]:
    """The papers read that replace one of the archive's in place: same record, name, day, tags
    and arXiv id, something else changed."""
    found = []
    for paper in read:
        old = archive.papers.get(paper.slug)
        if (old is not None and old != paper and old.source == paper.source and old.day == paper.day
                and old.tags == paper.tags and old.arxiv_base == paper.arxiv_base):
            found.append(paper)
    return found


def previewed_files(archive: Archive, edited: list[Paper]) -> list[tuple[Any, Any]]:
    """(kind, value) of each file an in-place edit changes that a preview renders: the pages of
    the edited papers, of the papers that show one of them or have other papers beside them now
    (the edit moved papers on their day), and of their days."""
    by_slug = {paper.slug: paper for paper in edited}
    dates = {paper.day for paper in edited}
    files: dict[str, tuple[Any, Any]] = {}
    for day in (day for day in archive.days if day.date in dates):
        papers = tuple(sorted((by_slug.get(paper.slug, paper) for paper in day.papers), key=day_order))
        new_day = dataclasses.replace(day, papers=papers)
        was_beside = dict(zip((paper.slug for paper in day.papers), beside(day.papers), strict=True))
        for place, (paper, near) in enumerate(zip(papers, beside(papers), strict=True)):
            if paper.slug in by_slug or near != was_beside[paper.slug] or not by_slug.keys().isdisjoint(near):
                value = PaperPlace(new_day, place)
                files[PAPER.path(value)] = (PAPER, value)
        for page in cut_into_pages(new_day, DAY_PAGE_PAPERS):
            files[DAY.path(page)] = (DAY, page)
    return [files[path] for path in sorted(files)]


def beside(papers: tuple[Paper, ...]) -> list[tuple[str | None, str | None]]:
    """The names of the papers before and after each one, as its page links them."""
    names = [None, *(paper.slug for paper in papers), None]
    return list(zip(names[:-2], names[2:], strict=True))


def with_papers(archive: Archive, edited: list[Paper]) -> Archive:
    """The archive with the edited papers in place of their old selves (what a page's views read)."""
    return dataclasses.replace(archive, papers={**archive.papers, **{paper.slug: paper for paper in edited}})


def read_edits(records: list[RecordFile], content_dir: Path) -> list[Paper] | None:
    """The papers of these record files, named as a build names them; None if any has a problem
    (the build reports it)."""
    papers = []
    for record, shown in zip(records, listed_names(content_dir, records), strict=True):
        paper, problems = read_record(Path(record.path), content_dir, shown=shown)
        if paper is None or problems:
            return None
        papers.append(paper)
    return papers


def preview_edits(records: list[RecordFile], content_dir: Path, layouts_dir: Path, output_dir: Path,
                  config: SiteConfig, archive: Archive) -> dict[str, bytes | None]:
    """Write the pages in-place edits of these records change (previewed_files) into output/, as
    the last build's settings and templates render them, if every one of them is such an edit;
    return what each file held before (None: no file), so that a build that then fails can put it
    back (restore)."""
    read = read_edits(records, content_dir)
    edited = edited_papers(archive, read) if read is not None else []
    if not edited or len(edited) != len(records):
        return {}
    site = Site(with_papers(archive, edited), PageRenderer(layouts_dir, config))
    rendered = [(urls.file_for(output.path(value)), output.render(output.path(value), value, site))
                for output, value in previewed_files(archive, edited)]
    with replacing(output_dir / MARKER) as marker:  # anew: no build trusts output/ as the last one left it
        marker.write(MARKER_TEXT)
    before: dict[str, bytes | None] = {}
    made: set[str] = set()
    try:
        for path, data in rendered:
            check_site_path(path)
            before[path] = as_it_is(output_dir, path)
            write_if_changed(output_dir / path, data, output_dir, made)
    except BaseException:
        restore(output_dir, before)
        raise
    return before


def as_it_is(output_dir: Path, path: str) -> bytes | None:
    """The bytes of a file of output/, or None if it is not a plain file in real folders (never read through a link)."""
    folder = output_dir
    for name in path.split("/")[:-1]:
        folder = folder / name
        if os.path.islink(folder):
            return None
    return read_plain_file(output_dir / path, MAX_PAGE_BYTES)


def restore(output_dir: Path, before: dict[str, bytes | None]) -> None:
    """Put back the files a preview wrote as they were before it (after a build that failed)."""
    made: set[str] = set()
    for path, data in before.items():
        if data is None:
            try:
                (output_dir / path).unlink()
            except FileNotFoundError:
                pass
        else:
            write_if_changed(output_dir / path, data, output_dir, made)
