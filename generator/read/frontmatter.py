"""The kinds of fields a record's front matter holds and their values as typed; and the plain front
matter most records have, read without YAML's loader: `field: value` lines, lists of plain or
single-quoted text, and a links mapping, read into exactly what the YAML reader (content.py) makes
of them. Anything else (other fields, other quoting, comments, folded lines, unusual characters)
is left to YAML, which also says what is wrong with a record."""

from __future__ import annotations

import re
from typing import Any

import yaml

# Fields whose plain YAML values are kept as typed text, never read as numbers, dates or booleans.
TEXT_FIELDS = frozenset({"title", "arxiv", "organization", "submitted_by", "published"})
# Lists and mappings of text: their plain items are kept as typed too (`- No`, `- On`, `- 1.10`
# are names and tags, not a boolean or a number), and each item's line is kept, under
# `field[n]` (from 1) or `field.key`, so that a problem is reported where it is.
TEXT_LIST_FIELDS = frozenset({"authors", "tags"})
TEXT_MAP_FIELDS = frozenset({"links"})
# Fields whose plain values are whole numbers as a person writes them: `010` is ten, not YAML 1.1's
# octal eight, and `1:30` is no number at all (YAML 1.1 reads ninety).
NUMBER_FIELDS = frozenset({"upvotes"})
DECIMAL = re.compile(r"-?[0-9]+")
MAX_NUMBER_DIGITS = 18
NULLS = frozenset({"", "~", "null", "Null", "NULL"})
KNOWN_FIELDS = TEXT_FIELDS | TEXT_LIST_FIELDS | TEXT_MAP_FIELDS | NUMBER_FIELDS
ONE_LINE_FIELDS = TEXT_FIELDS | NUMBER_FIELDS  # a value on the field's own line

# A top-level field: its name at the start of the line, then nothing or a space and its value.
FIELD_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):(?: +(.*))?")
ITEM_LINE = re.compile(r"( *)- +(.*)")  # an item of a list
ENTRY_LINE = re.compile(r"( +)([A-Za-z_][A-Za-z0-9_-]*): +(.*)")  # an entry of the links mapping
SINGLE_QUOTED = re.compile(r"'((?:[^']|'')*)' *")
# Characters YAML reads as something other than text (line breaks of its own, a byte order mark,
# tabs, control characters): a record holding any is read by YAML.
UNUSUAL = re.compile("[^\n\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]|[\u2028\u2029]")
# A first character that makes a value other than plain text (indicators, quotes, an empty value).
NOT_PLAIN_START = frozenset("-?:,[]{}#&*!|>'\"%@` ")
SCALAR_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in
                        ("str", "int", "float", "bool", "null", "timestamp"))
# First characters of the plain values YAML resolves to a tag a record may not use (`=`, `<<`).
OTHER_TAG_STARTS = frozenset(start for start, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
                             if start and any(tag not in SCALAR_TAGS for tag, _ in resolvers))
RESOLVER = yaml.resolver.Resolver()


def typed(value: str) -> tuple[str, bool] | None:
    """A value on one line as YAML reads it: (its text, whether it is plain rather than quoted), or
    None where YAML would read more into it than text."""
    quoted = SINGLE_QUOTED.fullmatch(value)
    if quoted:
        return quoted.group(1).replace("''", "'"), False
    value = value.rstrip(" ")
    if (not value or value[0] in NOT_PLAIN_START or value[-1] == ":" or ": " in value or " #" in value
            or (value[0] in OTHER_TAG_STARTS
                and RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) not in SCALAR_TAGS)):
        return None
    return value, True


def text_as_typed(text: str, plain: bool) -> str | None:
    """A text field's value of one line: as typed, None for an empty or null plain one."""
    return None if plain and text in NULLS else text


def number_as_typed(text: str, plain: bool) -> int | str | None:
    """A number field's value of one line: a plain whole number read as one, anything else as typed."""
    if not plain:
        return text
    # Python reads no integer of more than 4,300 digits: a longer one stays text, for the checker.
    number = DECIMAL.fullmatch(text) and len(text) <= MAX_NUMBER_DIGITS
    return None if text in NULLS else int(text) if number else text


def read_plain_fields(text: str, line_offset: int) -> tuple[dict[str, Any], dict[str, int], int] | None:
    """(fields, the line of each field and item, the first line) as the YAML reader gives them, or
    None when the front matter is not of the plain kind read here."""
    if UNUSUAL.search(text):
        return None
    fields: dict[str, Any] = {}
    field_lines: dict[str, int] = {}
    open_name = None  # a field given no value on its line: a list or the links may follow
    indent = None  # of the open field's items or entries
    for number, line in enumerate(text.split("\n"), start=line_offset + 1):
        if not line.strip(" "):
            continue
        found = FIELD_LINE.fullmatch(line)
        if found:
            name, value = found.groups()
            if name in fields:
                return None  # YAML's reader says which line repeats it
            field_lines[name] = number
            open_name = indent = None
            if value is None or not value.strip(" "):
                if name not in KNOWN_FIELDS:
                    return None
                fields[name] = None
                open_name = name
                continue
            read = typed(value)
            if read is None or name not in ONE_LINE_FIELDS:
                return None
            fields[name] = text_as_typed(*read) if name in TEXT_FIELDS else number_as_typed(*read)
            continue
        if open_name in TEXT_LIST_FIELDS and (item := ITEM_LINE.fullmatch(line)):
            spaces, value = item.groups()
            read = typed(value)
            if read is None or (indent is not None and spaces != indent):
                return None
            indent = spaces
            items = fields[open_name] = fields[open_name] or []
            items.append(text_as_typed(*read))
            field_lines[f"{open_name}[{len(items)}]"] = number
            continue
        if open_name in TEXT_MAP_FIELDS and (entry := ENTRY_LINE.fullmatch(line)):
            spaces, key, value = entry.groups()
            read = typed(value)
            entries = fields[open_name] = fields[open_name] or {}
            if read is None or (indent is not None and spaces != indent) or key in entries:
                return None
            indent = spaces
            entries[key] = text_as_typed(*read)
            field_lines[f"{open_name}.{key}"] = number
            continue
        return None
    if not fields:
        return None
    return fields, field_lines, line_offset + 1
