"""Decide which files of the site can stay as the last build left them: keys hashed from the
value each file is made from, and KEPT, which a render hands over instead of bytes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import operator
import os
from collections.abc import Callable, Iterable
from typing import Any

from generator.read.records import Paper
from generator.write.ledger import Ledger


class Kept:
    """Stands for a file's bytes when the file the last build wrote stays as it is."""

    def __repr__(self) -> str:
        return "KEPT"


KEPT = Kept()


def key_of(plain: object) -> str:
    """Hash plain data (strings, numbers, dates, and tuples of them) by its repr."""
    return hashlib.blake2b(repr(plain).encode(), digest_size=16).hexdigest()


# Values a key spells as they are: their repr says all there is to them.
PLAIN = frozenset({str, bytes, int, float, bool, type(None), dt.date, dt.datetime})
ONLY_PAPERS = {Paper}  # the kinds in a list of papers (a day's, a tag's year's)


# A dataclass spelt in fewer characters than this, of plain values (a link) or of keys already
# worked out (a day), is its own key, as a plain value is: hashing it would take longer than
# hashing the text it is part of.
SPELT_OUT = 160

# Each dataclass's fields, fetched at C speed (an attrgetter of one field gives a value, not a tuple).
FIELDS: dict[type, Callable[[Any], tuple] | None] = {}


def dataclass_fields(kind: type) -> Callable[[Any], tuple] | None:
    """What gives a dataclass's field values as a tuple, worked out once per class (asked for every
    file's value); None for a class that is not one."""
    fields = FIELDS.get(kind, ())
    if fields == ():
        fields = FIELDS[kind] = field_getter(kind) if dataclasses.is_dataclass(kind) else None
    return fields


def field_getter(kind: type) -> Callable[[Any], tuple]:
    names = tuple(field.name for field in dataclasses.fields(kind))
    if len(names) > 1:
        return operator.attrgetter(*names)
    return lambda value: tuple(getattr(value, name) for name in names)


class Reuse:
    """Keep the last build's copy of a file when the value it is made from hashes as it did then
    (and its templates, settings and code are the same, and the file is on disk as left); render
    it otherwise. Without a ledger (no cache), every file is rendered."""

    def __init__(self, ledger: Ledger | None = None, record_digests: dict[str, str] | None = None,
                 tag_names: Callable[[tuple[str, ...]], Iterable[str]] | None = None):
        self.ledger = ledger
        self.record_digests = record_digests or {}
        self.tag_names = tag_names or (lambda tags: ())  # the names a paper's list of tags shows with
        self.tokens: dict[str, str] = {}  # by source: a paper shows on many pages
        self.shown_names: dict[tuple[str, ...], str] = {}  # by list of tags: an archive repeats a few
        self.hashed: dict[int, tuple[object, str]] = {}  # by id, kept alive with it: a day shows on five files

    def paper(self, paper: Paper) -> str:
        """What one paper brings to a file: its record file's name and bytes' hash (from which the
        whole Paper is read) and, where they are not its own, the names its tags show with (a tag's
        name can come from another paper). Spelt out, not hashed: the digest is a hash already."""
        token = self.tokens.get(paper.source)
        if token is None:
            # A paper whose record's bytes are unknown is keyed so that no file of it is ever kept.
            digest = self.record_digests.get(paper.source) or f"unknown {os.urandom(16).hex()}"
            shown = self.shown_names.get(paper.tags)
            if shown is None:
                names = tuple(self.tag_names(paper.tags))
                shown = self.shown_names[paper.tags] = "" if names == paper.tags else repr(names)
            token = self.tokens[paper.source] = f"P{paper.source!r}{digest}{shown}"
        return token

    def key(self, value: object) -> str:
        """Hash a value a file is made from, all of it: papers by their tokens, tuples, lists,
        sets, dicts and dataclasses by what they hold. Any other kind of value is refused, since
        its repr might leave out what a render reads."""
        kind = type(value)
        if kind in PLAIN:
            return repr(value)
        if kind is Paper:
            return self.paper(value)
        known = self.hashed.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        # Each kind is spelt with its own mark, so that no two kinds of value spell alike.
        fields = None
        if (kind is tuple or kind is list) and all(map(PLAIN.__contains__, map(type, value))):
            text = "T" + repr(value)  # a column of plain values (the sitemap's paths): spelt at C speed
        elif kind is tuple or kind is list:
            # Papers (a day's, a tag's year's) by their tokens straight away: spelt as `key` spells each.
            papers = set(map(type, value)) == ONLY_PAPERS
            text = ("T(" if kind is tuple else "L(") + ",".join(map(self.paper if papers else self.key, value)) + ")"
        elif kind is frozenset or kind is set:
            text = "S{" + ",".join(sorted(map(self.key, value))) + "}"
        elif kind is dict:
            text = "D{" + ",".join(f"{self.key(name)}:{self.key(item)}" for name, item in value.items()) + "}"
        elif (fields := dataclass_fields(kind)) is not None:
            values = fields(value)
            if all(map(PLAIN.__contains__, map(type, values))):  # such as a link: spelt at C speed
                text = f"C{kind.__module__}.{kind.__qualname__}" + repr(values)
                if len(text) <= SPELT_OUT:
                    return text
            else:
                text = f"{kind.__module__}.{kind.__qualname__}(" + ",".join(map(self.key, values)) + ")"
                if len(text) <= SPELT_OUT:  # of parts already keyed (a paper's place on its day): no hash
                    return self.remember(value, text, value.__dataclass_params__.frozen)
        else:
            raise TypeError(f"a file cannot be keyed by a {kind.__qualname__}: make it of tuples, dataclasses "
                            "and plain values")
        return self.remember(value, key_of(text), kind is frozenset or (kind is tuple and len(value) > 4) or (
            kind is not tuple and fields is not None and value.__dataclass_params__.frozen))

    def remember(self, value: object, key: str, worth_it: bool) -> str:
        """A value's key, kept by the value's id if `worth_it`."""
        if worth_it:
            # Only what is not changed once made (values are never mutated), and is worth remembering.
            self.hashed[id(value)] = (value, key)
        return key

    def render_file(self, path: str, value: object, render: Callable[..., bytes], *context: Any, kind: str = "",
                    templated: bool = True, key: str | None = None) -> tuple[str, bytes | Kept]:
        """(path, render(value, *context)), or (path, KEPT) when the file the last build made of this
        kind from a value that hashes the same (and, if `templated`, with the same templates) stays.
        What the render reads from `context` must be named by the value (the templates and settings
        are named by the ledger's fingerprints). A `key` given is the value's, spelt by its kind."""
        if self.ledger is not None and self.ledger.keep(
                path, f"{kind}:{self.key(value) if key is None else key}", templated):
            return path, KEPT
        return path, render(value, *context)
