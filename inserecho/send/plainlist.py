"""The usual shape of a subscriber list, read line by line instead of through YAML.

A list written by hand from the example, or by ``subscribers import``, is a sequence
of flat entries: ``- email: …`` then ``  name: …`` lines whose values are plain
words, quoted texts or ``[a, b]`` lists. For a hundred thousand entries the YAML
event stream costs most of a dry run, so a file made only of such lines is read here
with one regular expression per line, giving exactly the values and lines that the
YAML reading gives. Anything else (a nested value, a colon or a ``#`` in a plain
value, an escape, a tab, a second document…) raises :class:`NotPlain`: the caller
reads the file again as YAML, with its precise error messages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from inserecho.content.yamlfile import LineDict, LineList
from inserecho.problems import Problem

NULLS = {"", "~", "null", "Null", "NULL"}
"""The YAML spellings of an empty value; every other value of a list is text."""

# Printable characters that are not line breaks for YAML (C0, DEL, C1, U+2028/9, BOM…).
_OTHER = "\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029\\ufeff\\ud800-\\udfff\\ufffe\\uffff"
_PLAIN = rf"[^\s\-?:,\[\]{{}}#&*!|>'\"%@`{_OTHER}][^:#{_OTHER}]*"
_FLOW_PLAIN = rf"[^\s\-?:,\[\]{{}}#&*!|>'\"%@`{_OTHER}][^:#,\[\]{{}}{_OTHER}]*"
_DOUBLE = rf'"[^"\\{_OTHER}]*"'
_SINGLE = rf"'(?:[^'{_OTHER}]|'')*'"
_ITEM = rf"(?:{_DOUBLE}|{_SINGLE}|{_FLOW_PLAIN})"
_FLOW = rf"\[ *(?:{_ITEM} *(?:, *{_ITEM} *)*)?\]"
_LINE = re.compile(rf"(- |  )([A-Za-z_][A-Za-z0-9_]*):(?: +({_PLAIN}|{_DOUBLE}|{_SINGLE}|{_FLOW}))? *(?:\n|\Z)")
_ITEMS = re.compile(rf" *({_ITEM}) *(?:,|\]$)")
_UNQUOTED = re.compile(r"[^\"']*\Z")
_SKIPPED = re.compile(rf" *(?:#[^{_OTHER}]*)?(?:\n|\Z)")  # blank lines, comments


class NotPlain(Exception):
    """The file has another shape than the usual one: read it as YAML."""


def plain_entries(text: str, path: Path, problems: list[Problem]) -> Iterator[tuple[LineDict, int]]:
    """``(entry, line)`` for each entry, as YAML reads it, one at a time.

    Raises :class:`NotPlain` at the first line of another shape, possibly after
    entries were given: the caller then starts again with YAML.
    """
    entry: LineDict | None = None
    position, number, size = 0, 0, len(text)
    match_line, match_unquoted, nulls = _LINE.match, _UNQUOTED.match, NULLS  # 500,000 lines: names looked up once
    while position < size:  # matched in place
        number += 1
        match = match_line(text, position)
        if match is None:
            skipped = _SKIPPED.match(text, position)
            if skipped is None:
                raise NotPlain
            position = skipped.end()
            continue
        position = match.end()
        start, key, value = match.groups()
        if start == "- ":
            if entry is not None:
                yield entry, entry.line
            entry = LineDict.at(number)
        elif entry is None:
            raise NotPlain
        if value is not None and value[0] not in "[\"'":  # a plain word, the most common value
            value = value.rstrip(" ")
            entry.put(key, None if value in nulls else value, number, path, problems)
        elif value is not None and value[0] == "[" and match_unquoted(value):
            entry.put(key, _plain_items(value, number), number, path, problems)
        else:
            entry.put(key, _value(value, number), number, path, problems)
    if entry is None:
        raise NotPlain
    yield entry, entry.line


def _plain_items(flow: str, line: int) -> LineList:
    """A ``[a, b]`` list already matched by ``_FLOW``, without quotes: split on its commas."""
    values = LineList.at(line)
    inner = flow[1:-1]
    if inner.strip(" "):
        for item in inner.split(","):
            item = item.strip(" ")
            values.add(None if item in NULLS else item, line)
    return values


def _value(text: str | None, line: int) -> str | LineList | None:
    if text is None:
        return None
    first = text[0]
    if first == "[":
        values = LineList.at(line)
        for item in _ITEMS.findall(text[1:]):
            values.add(_value(item, line), line)
        return values
    if first == '"':
        return text[1:-1]
    if first == "'":
        return text[1:-1].replace("''", "'")
    value = text.rstrip(" ")
    return None if value in NULLS else value
