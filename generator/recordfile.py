"""Write record files: the text of a record, a skeleton for `new`, imported papers, records from seed JSON."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from generator.files import create_file, replacing
from generator.read.listing import RECORD_SUFFIXES
from generator.read.records import arxiv_problem, slug_for_arxiv


class RecordFileError(Exception):
    """A record file cannot be written as asked."""


class PartlyWritten(RecordFileError):
    """Writing a batch of records failed after some of them were written."""


def format_record(fields: dict[str, Any], abstract: str) -> str:
    """Return the text of a Markdown record: YAML front matter, then the abstract."""
    front = yaml.safe_dump(fields, sort_keys=False, allow_unicode=True, width=10**6,
                           default_flow_style=False)
    return f"---\n{front}---\n\n{abstract.strip()}\n"


def record_path(content_dir: Path, day: dt.date, slug: str) -> Path:
    """Return where the record of a paper featured on `day` lives (years in four digits, as the
    build reads them: the year 1 is 0001)."""
    return content_dir / f"{day.year:04d}" / f"{day.month:02d}" / f"{day.day:02d}" / f"{slug}.md"


def put_record(content_dir: Path, path: Path, text: str) -> None:
    """Write a record file under content_dir as the build writes output/: its day folders made as
    real folders, and never through a link (a planted link, dangling or not, is refused)."""
    try:
        put_record_file(content_dir, path, text)
    except OSError as error:  # a file where a day folder belongs, a folder that cannot be written
        raise RecordFileError(f"cannot write {path.as_posix()}: {error.strerror or error}") from None


def put_record_file(content_dir: Path, path: Path, text: str) -> None:
    if content_dir.is_symlink():
        raise RecordFileError(f"{content_dir.as_posix()} is a symbolic link; records are written only into real "
                              "folders")
    folder = content_dir
    for part in path.relative_to(content_dir).parts[:-1]:
        folder = folder / part
        if folder.is_symlink():
            raise RecordFileError(f"{folder.as_posix()} is a symbolic link; records are written only into real folders")
        if not folder.is_dir():
            folder.mkdir(parents=folder == content_dir / part)
    if path.is_symlink():
        raise RecordFileError(f"{path.as_posix()} is a symbolic link; it is not written through")
    if not path.exists():
        create_file(path, text.encode("utf-8"))
        return
    if not path.is_file():
        raise RecordFileError(f"{path.as_posix()} is not a plain file")
    with replacing(path) as file:
        file.write(text.encode("utf-8"))


def existing_record(content_dir: Path, slug: str) -> Path | None:
    """Find a record with this slug on any day, to refuse recording a paper twice."""
    for suffix in RECORD_SUFFIXES:
        for path in sorted(content_dir.glob(f"*/*/*/{slug}{suffix}")):
            return path
    return None



def recorded_papers(content_dir: Path) -> dict[str, Path]:
    """Every record of the archive by its slug (the arXiv id without version, for an arXiv paper)."""
    if not content_dir.is_dir():
        return {}
    found: dict[str, Path] = {}
    for path in sorted(content_dir.glob("*/*/*/*")):
        if path.suffix in RECORD_SUFFIXES:
            found.setdefault(path.stem.lower(), path)
    return found


def folder_problem(content_dir: Path, path: Path) -> str | None:
    """Why a record could not be written at `path`, seen before anything is written."""
    if content_dir.is_symlink():
        return f"{content_dir.as_posix()} is a symbolic link; records are written only into real folders"
    folder = content_dir
    for part in path.relative_to(content_dir).parts[:-1]:
        folder = folder / part
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            return f"{folder.as_posix()} is not a real folder; records are written only into real folders"
    if path.is_symlink() or path.exists():
        return f"{path.as_posix()} already exists"
    return None


def write_papers(content_dir: Path, papers: list) -> tuple[list[Path], list[str]]:
    """Write a record for each imported paper not yet in the archive (under any version), every
    one checked before any is written; return (the records written, why each other was skipped).
    Raise RecordFileError, having written nothing, when a record's place cannot be written (and
    saying how many were written when writing itself fails)."""
    recorded = recorded_papers(content_dir) if not content_dir.is_symlink() else {}
    planned: list[tuple[Path, str]] = []
    skipped: list[str] = []
    for paper in papers:
        slug = slug_for_arxiv(paper.arxiv)
        if slug in recorded:
            where = "is already recorded in" if recorded[slug] not in dict(planned) else "comes twice; it goes in"
            skipped.append(f"{paper.arxiv}: arXiv {paper.arxiv} {where} {recorded[slug].as_posix()}")
            continue
        path = record_path(content_dir, paper.day, slug)
        text = format_record(paper.fields, paper.abstract)
        problems = record_text_problems(text, path, content_dir)
        if problems:
            skipped.append(f"{paper.arxiv}: the record would not be valid: " + "; ".join(problems))
            continue
        recorded[slug] = path
        planned.append((path, text))
    unwritable = next((problem for path, _ in planned if (problem := folder_problem(content_dir, path))), None)
    if unwritable:
        raise RecordFileError(unwritable)
    for count, (path, text) in enumerate(planned):
        try:
            put_record(content_dir, path, text)
        except RecordFileError as error:  # the disk, not the records: seen fine a moment ago
            raise PartlyWritten(f"{error}, after {count} of the {len(planned)} new records were written") from None
    return [path for path, _ in planned], skipped


SKELETON = """---
title: ""           # the paper's title, as on arXiv
authors:            # every author, one per line, in the paper's order
  - ""
arxiv: "{arxiv}"
published:          # the date of the first arXiv version, YYYY-MM-DD
upvotes: 0
tags: []            # short topics, such as [cs.LG, diffusion]
links: {{}}           # for example  links: {{code: https://github.com/..., project: https://...}}
submitted_by:       # your GitHub handle
---

"""


def record_text_problems(text: str, path: Path, content_dir: Path) -> list[str]:
    """Check a record's text as the build would read it from `path`; return its problems."""
    from generator.read.content import read_record  # here: a build that has nothing to do need not load it

    _, problems = read_record(path, content_dir, text.encode("utf-8"), path.as_posix())
    return [str(problem) for problem in problems]


def write_record(content_dir: Path, day: dt.date, arxiv_id: str, fields: dict[str, Any], abstract: str) -> Path:
    """Write a complete record for an arXiv paper; refuse one already recorded or one that is invalid."""
    slug = slug_for_arxiv(arxiv_id)
    found = existing_record(content_dir, slug)
    if found:
        raise RecordFileError(f"arXiv {arxiv_id} is already recorded in {found.as_posix()}")
    path = record_path(content_dir, day, slug)
    text = format_record(fields, abstract)
    problems = record_text_problems(text, path, content_dir)
    if problems:
        raise RecordFileError("the record would not be valid: " + "; ".join(problems))
    put_record(content_dir, path, text)
    return path


def write_skeleton(content_dir: Path, arxiv_id: str, day: dt.date) -> Path:
    """Write an empty record for an arXiv paper featured on `day`; refuse ids already recorded."""
    problem = arxiv_problem(arxiv_id)
    if problem:
        raise RecordFileError(problem)
    slug = slug_for_arxiv(arxiv_id)
    found = existing_record(content_dir, slug)
    if found:
        raise RecordFileError(f"arXiv {arxiv_id} is already recorded in {found.as_posix()}")
    path = record_path(content_dir, day, slug)
    put_record(content_dir, path, SKELETON.format(arxiv=arxiv_id))
    return path


def seed_record(entry: dict[str, Any]) -> tuple[dt.date, str, str]:
    """Turn one entry of seed-papers.json into (featured day, slug, record text)."""
    published = dt.date.fromisoformat(entry["published"])
    fields: dict[str, Any] = {
        "title": " ".join(entry["title"].split()),
        "authors": list(entry["authors"]),
        "arxiv": entry["arxiv_id"],
        "published": published,
        "upvotes": int(entry.get("upvotes") or 0),
    }
    if entry.get("primary_category"):
        fields["tags"] = [entry["primary_category"]]
    if entry.get("organization"):
        fields["organization"] = entry["organization"]
    links = {kind: entry[key] for kind, key in (("code", "code_url"), ("project", "project_url"))
             if entry.get(key)}
    if links:
        fields["links"] = links
    return published, slug_for_arxiv(entry["arxiv_id"]), format_record(fields, entry["abstract"])


def write_seed(content_dir: Path, entries: Any, day: dt.date | None = None) -> tuple[int, int, list[str]]:
    """Write one record per seed entry, featured on `day` (or, without one, on its published
    date), each checked as `import` checks what it writes; return (written, unchanged, why each
    entry left out was left out)."""
    if not isinstance(entries, list):
        return 0, 0, ["the file holds no list of papers"]
    written = unchanged = 0
    skipped: list[str] = []
    for position, entry in enumerate(entries, start=1):
        try:
            published, slug, text = seed_record(entry)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            skipped.append(f"entry {position}: not a paper of seed-papers.json's shape ({type(error).__name__}: "
                           f"{str(error)[:200]})")
            continue
        problem = arxiv_problem(str(entry.get("arxiv_id")))
        if problem:
            skipped.append(f"entry {position}: {problem}")
            continue
        path = record_path(content_dir, day or published, slug)
        problems = record_text_problems(text, path, content_dir)
        if problems:
            skipped.append(f"entry {position}: the record would not be valid: " + "; ".join(problems))
            continue
        if path.is_file() and not path.is_symlink() and path.read_text(encoding="utf-8") == text:
            unchanged += 1
            continue
        try:
            put_record(content_dir, path, text)
        except RecordFileError as error:
            skipped.append(f"entry {position}: {error}")
            continue
        written += 1
    return written, unchanged, skipped
