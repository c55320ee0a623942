"""Parse the record files under content/ (as listing.py finds them) into Papers, collecting every problem."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
import yaml

from generator.files import read_plain_file
from generator.parallel import Beside, here_only
from generator.problems import Problem
from generator.read.cache import CachePart, Parsed, RecordCache
from generator.read.frontmatter import (
    NUMBER_FIELDS,
    SCALAR_TAGS,
    TEXT_FIELDS,
    TEXT_LIST_FIELDS,
    TEXT_MAP_FIELDS,
    number_as_typed,
    read_plain_fields,
    text_as_typed,
)
from generator.read.listing import RECORD_SUFFIXES, RecordFile, display_path, find_record_files, listed_names
from generator.read.markup import render_abstract
from generator.read.records import (
    MAX_RECORD_BYTES,
    SLUG,
    Paper,
    is_windows_device_name,
    make_paper,
    strip_arxiv_versions,
)

FENCE = re.compile(r"---[ \t]*")
MAX_NESTING = 10  # lists and mappings inside each other: a record's deepest is a list of links
TOO_DEEP = f"nests lists or mappings more than {MAX_NESTING} deep; write plain values and lists of them"
YEAR, TWO_DIGITS = re.compile(r"[0-9]{4}"), re.compile(r"[0-9]{2}")  # ASCII digits only, as folders are typed


# Archives at least this large are read by two processes at once, where the machine allows.
PARALLEL_FROM = 2000


def read_papers(
    content_dir: Path,
    on_progress: Callable[[int, int], None] | None = None,
    changed: frozenset[str] = frozenset(),
    cache: RecordCache | None = None,
    paths: list[RecordFile] | None = None,
    beside: Beside = here_only,
) -> tuple[list[Paper], list[Problem]]:
    """Read every record under content_dir (or the given files, found there by find_record_files);
    return the valid Papers and all problems found. With a cache, records whose files are
    unchanged since the last build are not parsed again. A large archive is read half `beside`
    (in a second process, where the pipeline gives one)."""
    if content_dir.is_symlink():  # every file of the folder it points to would be read, and named
        message = "is a symbolic link; records live in a real folder"
        return [], [Problem(display_path(content_dir), 0, "content", message)]
    if not content_dir.is_dir():
        message = ("folder not found; run dailypapers from the project's folder (the one holding content/ and "
                   "site.yaml), or give the records' folder with --content")
        return [], [Problem(display_path(content_dir), 0, "content", message)]
    if paths is None:
        paths = find_record_files(content_dir)
    names = listed_names(content_dir, paths)
    # What the cache holds as the files are now, first: the rest, the change, is read after.
    results: list[Parsed | None] = [None] * len(paths)
    if cache is not None:
        context = str(content_dir)
        results = [cache.unchanged(path, (shown, context)) for path, shown in zip(paths, names, strict=True)]
    stale = [place for place, result in enumerate(results) if result is None]
    half = len(stale) // 2
    worker = (beside(read_batch, [paths[place] for place in stale[half:]], content_dir, cache)
              if len(stale) >= PARALLEL_FROM else None)
    mine = stale[:half] if worker else stale
    kept = len(paths) - len(stale)
    for done, place in enumerate(mine, start=1):
        if on_progress:
            on_progress(kept + done * len(stale) // len(mine), len(paths))
        results[place] = read_one(paths[place], content_dir, cache, names[place])
    if worker:
        batch = worker.result()
        theirs, cached = READ_BATCH.decode(batch) if isinstance(batch, bytes) else batch
        if cache is not None:
            cache.adopt(cached, theirs)
        for place, result in zip(stale[half:], theirs, strict=True):
            results[place] = result
    papers = [paper for paper, _ in results if paper is not None]
    problems = [problem for _, found in results for problem in found]
    problems.extend(find_duplicates(papers, changed))
    return papers, problems


def read_one(record: RecordFile, content_dir: Path, cache: RecordCache | None, shown: str
             ) -> tuple[Paper | None, list[Problem]]:
    """Read one record, named as `shown`; with a cache, from the cache when the file is unchanged."""
    if cache is None:
        return read_record(Path(record.path), content_dir, shown=shown)
    return cache.read(record, (shown, str(content_dir)),
                      lambda data: read_record(Path(record.path), content_dir, data, shown))


# What a second process sends back of the records it read: msgspec's MessagePack, a few times
# quicker both ways than pickling a hundred thousand Papers.
ReadBatch = tuple[list[tuple[Paper | None, list[Problem]]], CachePart | None]
READ_BATCH = msgspec.msgpack.Decoder(ReadBatch)


def read_batch(paths: list[RecordFile], content_dir: Path, cache: RecordCache | None) -> bytes | ReadBatch:
    """What read_one gives for each of these records, and what the cache learnt of them, encoded
    (or as they are, for pickling, where a name holds bytes that are no text)."""
    results = [read_one(path, content_dir, cache, shown)
               for path, shown in zip(paths, listed_names(content_dir, paths), strict=True)]
    learnt = cache.fresh_part({path.path: place for place, path in enumerate(paths)}) if cache is not None else None
    try:
        return msgspec.msgpack.encode((results, learnt))
    except (UnicodeEncodeError, OverflowError):
        return results, learnt


def read_record(path: Path, content_dir: Path, data: bytes | None = None, shown: str | None = None
                ) -> tuple[Paper | None, list[Problem]]:
    """Parse one record file (whose bytes and display name may be given) into a Paper, or say
    everything that is wrong with it."""
    shown = shown or display_path(path)
    if path.is_symlink():
        # A link could pull in any file of the machine that builds the site.
        return None, [Problem(shown, 1, "file", "is a symbolic link; records must be plain files")]
    place, problems = day_and_slug(path.relative_to(content_dir), shown)
    if place is None:  # not a record where it is: said once, and not read as one
        return None, problems
    if data is None:
        data = read_plain_file(path, MAX_RECORD_BYTES + 1)
    if data is None:
        message = "is not a plain file (a FIFO, a device or a folder named like a record); records must be plain files"
        return None, problems + [Problem(shown, 1, "file", message)]
    if len(data) > MAX_RECORD_BYTES:
        message = "is larger than 512 KiB; a record must be under 512 KiB"
        return None, problems + [Problem(shown, 1, "file", message)]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        message = f"is not UTF-8 text (byte 0x{data[error.start]:02x}); save the file as UTF-8"
        return None, problems + [Problem(shown, line, "file", message)]
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # files saved on Windows read the same
    parsed = parse_record_text(text, shown, is_markdown=path.suffix == ".md")
    if isinstance(parsed, Problem):
        return None, problems + [parsed]
    fields, lines, first_line = parsed
    day, slug = place
    paper, found = make_paper(fields, path=shown, slug=slug, day=day, lines=lines, first_line=first_line)
    if paper is None:
        return None, problems + found
    return msgspec.structs.replace(paper, abstract_html=render_abstract(paper.abstract)), problems


def day_and_slug(relative: Path, shown: str) -> tuple[tuple[dt.date, str] | None, list[Problem]]:
    """Take a record's featured day from its folder and its slug from its name."""
    parts = relative.parts
    if relative.suffix not in RECORD_SUFFIXES:
        message = ("is not a record (records are .md, .yaml or .yml files in content/YYYY/MM/DD/); move it out of "
                   "content/ or delete it")
        return None, [Problem(shown, 1, "file", message)]
    if len(parts) != 4 or not (YEAR.fullmatch(parts[0]) and TWO_DIGITS.fullmatch(parts[1])
                               and TWO_DIGITS.fullmatch(parts[2])):
        message = "is not in a day folder; move it to content/YYYY/MM/DD/ for the day it is featured"
        return None, [Problem(shown, 1, "day", message)]
    try:
        day = dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        day_text = "-".join(parts[:3])
        message = f"{day_text} is not a real date; move the file to the folder of a day that exists"
        return None, [Problem(shown, 1, "day", message)]
    slug = relative.stem
    if is_windows_device_name(slug):
        message = f"{relative.name!r} is a name Windows reserves for a device; the repository would not check out there"
        return None, [Problem(shown, 1, "file", message)]
    if not SLUG.fullmatch(slug):
        message = (
            f"{relative.name!r} is not a valid name; use the arXiv id (like 2305.02993.md) or "
            "lowercase letters, digits, '.' and '-'"
        )
        return None, [Problem(shown, 1, "file", message)]
    return (day, slug), []


ParsedRecord = tuple[dict[str, Any], dict[str, int], int]


def parse_record_text(text: str, shown: str, *, is_markdown: bool) -> ParsedRecord | Problem:
    """Split a record into raw fields, the line of each field and the line of its start."""
    if not text.strip():
        return Problem(shown, 1, "file", "is empty; a record needs at least title, authors and abstract")
    if not is_markdown:
        return parse_yaml_fields(text, shown, line_offset=0)
    lines = text.splitlines(keepends=True)
    if not FENCE.fullmatch(lines[0].rstrip("\r\n")):
        message = "the file must start with a line holding only '---', then the fields, then '---'"
        return Problem(shown, 1, "front matter", message)
    closing = next((i for i in range(1, len(lines)) if FENCE.fullmatch(lines[i].rstrip("\r\n"))), None)
    if closing is None:
        message = "no closing '---' line; end the fields with a line holding only '---'"
        return Problem(shown, 1, "front matter", message)
    parsed = parse_yaml_fields("".join(lines[1:closing]), shown, line_offset=1)
    if isinstance(parsed, Problem):
        return parsed
    fields, field_lines, _ = parsed
    if "abstract" in fields:
        message = "in a .md record the abstract goes below the closing '---', not in the front matter"
        return Problem(shown, field_lines["abstract"], "abstract", message)
    body_start = closing + 1
    while body_start < len(lines) and not lines[body_start].strip():
        body_start += 1
    fields["abstract"] = "".join(lines[closing + 1:])
    field_lines["abstract"] = min(body_start + 1, len(lines))
    return fields, field_lines, 1


# libyaml's loader, when PyYAML was built with it, reads records many times faster. It reads the
# records that are fine; any other is read again by PyYAML's own loader, whose messages we report.
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml_fields(text: str, shown: str, *, line_offset: int) -> ParsedRecord | Problem:
    """Parse YAML fields with the line each one is on; reject what YAML would silently lose."""
    plain = read_plain_fields(text, line_offset)
    if plain is not None:
        return plain
    if FAST_LOADER is not yaml.SafeLoader:
        try:
            fast = read_yaml_fields(text, shown, line_offset, FAST_LOADER)
            if not isinstance(fast, Problem):
                return fast
        except yaml.YAMLError:
            pass  # read it again below, for PyYAML's own words on what is wrong
    try:
        return read_yaml_fields(text, shown, line_offset, yaml.SafeLoader)
    except RecursionError:  # PyYAML's own composer recurses once per level, before anything can check
        return Problem(shown, line_offset + 1, "front matter", TOO_DEEP)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = (mark.line + line_offset + 1) if mark else line_offset + 1
        if mark and mark.line >= text.count("\n"):
            # Something left open is only noticed at the end: point at where it opened, or at
            # the last line that says anything, not at the closing fence.
            last_written = len(text.rstrip().splitlines())
            opened = error.context_mark.line + 1 if error.context_mark else last_written
            line = min(opened, last_written) + line_offset
        what = error.problem or error.context or "cannot be read"
        hint = ("indent with spaces, not tabs" if "\\t" in what or "\t" in what
                else "check quotes and indentation (a ':' in text needs quotes)")
        message = f"is not valid YAML: {what}; {hint}"
        return Problem(shown, line, "front matter", message)
    except yaml.YAMLError as error:
        return Problem(shown, line_offset + 1, "front matter", f"is not valid YAML: {error}")


def read_yaml_fields(text: str, shown: str, line_offset: int, loader_class) -> ParsedRecord | Problem:
    """Read the fields with the line each one is on; raise yaml.YAMLError if it is not YAML."""
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Problem(shown, line_offset + 1, "front matter", "holds no fields")
        if not isinstance(node, yaml.MappingNode):
            message = "must be `field: value` lines, not a single value or a list"
            return Problem(shown, node.start_mark.line + line_offset + 1, "front matter", message)
        problem = find_unsafe_node(node, shown, line_offset)
        if problem:
            return problem
        field_lines: dict[str, int] = {}
        fields: dict[str, Any] = {}
        for key_node, value_node in node.value:
            name, line = str(key_node.value), key_node.start_mark.line + line_offset + 1
            if name in field_lines:
                message = f"appears twice (first on line {field_lines[name]}); keep one"
                return Problem(shown, line, name, message)
            field_lines[name] = line
            # A plain scalar's style is None to PyYAML and "" to libyaml.
            if name in TEXT_FIELDS and isinstance(value_node, yaml.ScalarNode) and not value_node.style:
                # Keep what was typed: `arxiv: 2305.02990` is an id, not the number 2305.0299.
                fields[name] = text_as_typed(value_node.value, True)
                continue
            if isinstance(value_node, yaml.SequenceNode):
                for position, item in enumerate(value_node.value, start=1):
                    field_lines[f"{name}[{position}]"] = item.start_mark.line + line_offset + 1
            elif isinstance(value_node, yaml.MappingNode):
                for item_key, _ in value_node.value:
                    field_lines[f"{name}.{item_key.value}"] = item_key.start_mark.line + line_offset + 1
            if name in TEXT_LIST_FIELDS and isinstance(value_node, yaml.SequenceNode):
                fields[name] = [plain_text(item, loader) for item in value_node.value]
                continue
            if name in TEXT_MAP_FIELDS and isinstance(value_node, yaml.MappingNode):
                fields[name] = {str(key.value): plain_text(item, loader) for key, item in value_node.value}
                continue
            if name in NUMBER_FIELDS and isinstance(value_node, yaml.ScalarNode) and not value_node.style:
                fields[name] = number_as_typed(value_node.value, True)
                continue
            try:
                fields[name] = loader.construct_object(value_node, deep=True)
            except ValueError as error:  # for example a date such as 2024-02-30 that does not exist
                return Problem(shown, line, name, f"has a value that cannot be read: {error}")
    finally:
        loader.dispose()
    return fields, field_lines, line_offset + 1


def plain_text(node: yaml.Node, loader) -> Any:
    """A plain scalar as typed (None for an empty or null one); anything else as YAML reads it."""
    if isinstance(node, yaml.ScalarNode) and not node.style:
        return text_as_typed(node.value, True)
    return loader.construct_object(node, deep=True)


PLAIN_TAGS = SCALAR_TAGS | {"tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"}


def find_unsafe_node(root: yaml.Node, shown: str, line_offset: int) -> Problem | None:
    """Refuse YAML aliases, tags and keys that are not plain names: each hides what a record says,
    and tags and aliases are how YAML builds objects or multiplies itself. Refuse values nested
    past any a record needs, too: reading them would recurse past Python's stack."""
    seen: set[int] = set()
    stack = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_NESTING:
            line = node.start_mark.line + line_offset + 1
            return Problem(shown, line, "front matter", TOO_DEEP)
        if id(node) in seen:
            line = node.start_mark.line + line_offset + 1
            message = "uses YAML anchors and aliases (&name, *name); write each value out"
            return Problem(shown, line, "front matter", message)
        seen.add(id(node))
        if node.tag not in PLAIN_TAGS:
            line = node.start_mark.line + line_offset + 1
            message = f"uses the YAML tag {node.tag!r}; write plain text, numbers, dates and lists"
            return Problem(shown, line, "front matter", message)
        children: list[yaml.Node] = []
        if isinstance(node, yaml.MappingNode):
            keys: dict[str, int] = {}
            for key, value in node.value:
                line = key.start_mark.line + line_offset + 1
                if not isinstance(key, yaml.ScalarNode):
                    return Problem(shown, line, "front matter", "keys must be plain field names")
                if key.value in keys and node is not root:  # the fields themselves: read_yaml_fields says
                    message = f"{key.value!r} appears twice (first on line {keys[key.value]}); keep one"
                    return Problem(shown, line, "front matter", message)
                keys.setdefault(key.value, line)
                children.append(value)
        elif isinstance(node, yaml.SequenceNode):
            children.extend(node.value)
        # Visited in document order, so that an alias is the second sighting.
        stack.extend((child, depth + 1) for child in reversed(children))
    return None


def find_duplicates(papers: list[Paper], changed: frozenset[str] = frozenset()) -> list[Problem]:
    """Report papers recorded twice: the same arXiv id (any version) or the same file name.
    The problem goes on the newer-looking file: a changed one, else the later by path."""
    arxiv_ids = strip_arxiv_versions([paper.arxiv for paper in papers if paper.arxiv])
    if len(set(arxiv_ids)) == len(arxiv_ids) and len({paper.slug for paper in papers}) == len(papers):
        return []  # the usual case, known without sorting every paper
    problems = []
    by_arxiv: dict[str, list[Paper]] = defaultdict(list)
    by_slug: dict[str, list[Paper]] = defaultdict(list)
    for paper in sorted(papers, key=lambda p: (p.source in changed, p.source)):
        if paper.arxiv:
            by_arxiv[paper.arxiv_base].append(paper)
        by_slug[paper.slug].append(paper)
    for arxiv_id, group in by_arxiv.items():
        first = group[0]
        for other in group[1:]:
            message = f"arXiv {arxiv_id} is also recorded in {first.source}; keep one of the two files"
            problems.append(Problem(other.source, other.line, "arxiv", message))
    for slug, group in by_slug.items():
        if group[0].arxiv_base and all(p.arxiv_base == group[0].arxiv_base for p in group):
            continue  # already reported above, by arXiv id
        for other in group[1:]:
            message = f"the name {slug!r} is also used by {group[0].source}; each paper needs its own name"
            problems.append(Problem(other.source, 1, "file", message))
    return problems
