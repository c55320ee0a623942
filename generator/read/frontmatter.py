"""Read the plain front matter most records have without YAML's loader: `field: value` lines, lists
of plain or single-quoted text, and a links mapping, read into exactly what the YAML reader makes of
them. Anything else (other fields, other quoting, comments, folded lines, unusual characters) is
left to YAML, which also says what is wrong with a record."""

from __future__ import annotations

import functools
import re
from typing import Any

import yaml

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
PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in
                       ("str", "int", "float", "bool", "null", "timestamp"))
# First characters of the plain values YAML resolves to a tag a record may not use (`=`, `<<`).
OTHER_TAG_STARTS = frozenset(start for start, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
                             if start and any(tag not in PLAIN_TAGS for tag, _ in resolvers))
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
                and RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) not in PLAIN_TAGS)):
        return None
    return value, True


@functools.cache
def field_sets(*kinds: frozenset[str]) -> tuple[frozenset[str], frozenset[str]]:
    """Every field name of these kinds (text, lists, maps, numbers), and those whose value is on its line."""
    text_fields, _, _, number_fields = kinds
    return frozenset().union(*kinds), text_fields | number_fields


def read_plain_fields(text: str, line_offset: int, text_fields: frozenset[str], list_fields: frozenset[str],
                      map_fields: frozenset[str], number_fields: frozenset[str], as_typed, as_number
                      ) -> tuple[dict[str, Any], dict[str, int], int] | None:
    """(fields, the line of each field and item, the first line) as the YAML reader gives them, or
    None when the front matter is not of the plain kind read here. `as_typed(text, plain)` and
    `as_number(text, plain)` make a value of the text as the YAML reader does."""
    if UNUSUAL.search(text):
        return None
    known, one_line = field_sets(text_fields, list_fields, map_fields, number_fields)
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
                if name not in known:
                    return None
                fields[name] = None
                open_name = name
                continue
            read = typed(value)
            if read is None or name not in one_line:
                return None
            fields[name] = as_typed(*read) if name in text_fields else as_number(*read)
            continue
        if open_name in list_fields and (item := ITEM_LINE.fullmatch(line)):
            spaces, value = item.groups()
            read = typed(value)
            if read is None or (indent is not None and spaces != indent):
                return None
            indent = spaces
            items = fields[open_name] = fields[open_name] or []
            items.append(as_typed(*read))
            field_lines[f"{open_name}[{len(items)}]"] = number
            continue
        if open_name in map_fields and (entry := ENTRY_LINE.fullmatch(line)):
            spaces, key, value = entry.groups()
            read = typed(value)
            entries = fields[open_name] = fields[open_name] or {}
            if read is None or (indent is not None and spaces != indent) or key in entries:
                return None
            indent = spaces
            entries[key] = as_typed(*read)
            field_lines[f"{open_name}.{key}"] = number
            continue
        return None
    if not fields:
        return None
    return fields, field_lines, line_offset + 1
