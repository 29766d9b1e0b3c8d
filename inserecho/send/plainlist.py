"""The usual shape of a subscriber list, read line by line instead of through YAML.

A list written by hand from the example, or by ``subscribers import``, is a sequence
of flat entries: ``- email: …`` then ``  name: …`` lines whose values are plain
words, quoted texts, ``[a, b]`` lists or ``{date: …, source: …}`` records. For a
hundred thousand entries the YAML event stream costs most of a dry run, so a file made
only of such lines is read here with regular expressions, giving exactly the values
and lines that the YAML reading gives. Anything else (a nested value, a colon or a
``#`` in a plain value, an escape, a tab, a second document…) raises
:class:`NotPlain`: the caller reads the file again as YAML, with its precise error
messages.

An entry laid out exactly as ``subscribers import`` writes it (:class:`UsualEntry`:
its fields in their order, one line each) is matched whole, with one expression, and
its values handed to the caller's ``build`` without building a mapping; an entry that
``build`` declines is read again line by line, with the line of each key.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inserecho.content.yamlfile import LineDict, LineList
from inserecho.problems import Problem

NULLS = {"", "~", "null", "Null", "NULL"}
"""The YAML spellings of an empty value; every other value of a list is text."""

# Printable characters that are not line breaks for YAML (C0, DEL, C1, U+2028/9, BOM…).
_OTHER = "\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029\\ufeff\\ud800-\\udfff\\ufffe\\uffff"
# Plain words take their trailing spaces possessively (*+): given back one by one to the
# spaces after them, a long run of spaces before a stray « : » would cost quadratic time.
_PLAIN = rf"[^\s\-?:,\[\]{{}}#&*!|>'\"%@`{_OTHER}][^:#{_OTHER}]*+"
_FLOW_PLAIN = rf"[^\s\-?:,\[\]{{}}#&*!|>'\"%@`{_OTHER}][^:#,\[\]{{}}{_OTHER}]*+"
_DOUBLE = rf'"[^"\\{_OTHER}]*"'
_SINGLE = rf"'(?:[^'{_OTHER}]|'')*'"
_SCALAR = rf"{_PLAIN}|{_DOUBLE}|{_SINGLE}"
_ITEM = rf"(?:{_DOUBLE}|{_SINGLE}|{_FLOW_PLAIN})"
_FLOW = rf"\[ *(?:{_ITEM} *(?:, *{_ITEM} *)*)?\]"
# a key of more than 200 characters goes to YAML, which refuses those over 1,024
_LINE = re.compile(rf"(- |  )([A-Za-z_][A-Za-z0-9_]{{0,200}}):(?: +({_SCALAR}|{_FLOW}))? *(?:\n|\Z)")
_ITEMS = re.compile(rf"(?<! ) *({_ITEM}) *(?:,|\]$)")  # never from inside a run of spaces: linear
_UNQUOTED = re.compile(r"[^\"']*\Z")
_BLANK = rf" *(?:#[^{_OTHER}]*)?"  # a blank line or a comment
_SKIPPED = re.compile(rf"{_BLANK}(?:\n|\Z)")


class NotPlain(Exception):
    """The file has another shape than the usual one: read it as YAML."""


@dataclass(frozen=True)
class UsualEntry:
    """The layout of an entry as ``subscribers import`` writes it, each line optional but
    the first: ``- TEXT: …``, then ``  TEXT: …`` lines, ``  LIST: [a, b]`` lines and a
    ``  RECORD: {KEY: …, KEY: …}`` line (its first key, then any of the others), in this order.

    ``build(values, line)`` receives the values in the same order as YAML reads them
    (text or None; a tuple of items or None for each list; a tuple of the record's
    values, or None, for the record) and returns what to yield, or None to have the
    entry read line by line instead.
    """

    texts: tuple[str, ...]
    lists: tuple[str, ...]
    record: str
    record_keys: tuple[str, ...]
    build: Callable[[tuple[Any, ...], int], Any]
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _ends: tuple[int, int] = field(init=False, repr=False, compare=False)  # where the texts, the lists end

    def __post_init__(self) -> None:
        first, *texts = self.texts
        first_key, *keys = self.record_keys
        record = rf"{first_key}: ({_ITEM})" + "".join(rf"(?:, {key}: ({_ITEM}))?" for key in keys)
        expression = "".join(
            [
                rf"- {first}:(?: +({_SCALAR}))? *\n",
                *(rf"(?:  {key}:(?: +({_SCALAR}))? *\n)?" for key in texts),
                *(rf"(?:  {key}: +({_FLOW}) *\n)?" for key in self.lists),
                rf"(?:  {self.record}: +(\{{ *{record} *\}}) *\n)?",
                rf"(?:{_BLANK}\n)*(?=- |\Z)",  # the blank and comment lines before the next entry
            ]
        )
        object.__setattr__(self, "pattern", re.compile(expression))
        object.__setattr__(self, "_ends", (len(self.texts), len(self.texts) + len(self.lists)))

    @property
    def fields(self) -> tuple[str, ...]:
        return (*self.texts, *self.lists, self.record)

    def values(self, groups: tuple[str | None, ...]) -> tuple[Any, ...]:
        """The values of a matched entry, as YAML reads them."""
        texts, lists = self._ends
        record = groups[lists]
        return (
            *map(_value, groups[:texts]),
            *map(_flow_items, groups[texts:lists]),
            None if record is None else tuple(map(_value, groups[lists + 1 :])),
        )


def plain_entries(
    text: str, path: Path, problems: list[Problem], usual: UsualEntry | None = None
) -> Iterator[tuple[Any, int]]:
    """``(entry, line)`` for each entry, as YAML reads it, one at a time; an entry in the
    ``usual`` layout is given as what ``usual.build`` makes of it.

    Raises :class:`NotPlain` at the first line of another shape, possibly after
    entries were given: the caller then starts again with YAML.
    """
    position, number, size = 0, 1, len(text)
    entries = 0
    match_usual, values, build = (usual.pattern.match, usual.values, usual.build) if usual else (None, None, None)
    while position < size:
        if match_usual is not None and (match := match_usual(text, position)) is not None:
            built = build(values(match.groups()), number)  # type: ignore[misc]
            if built is not None:
                yield built, number
                entries += 1
                end = match.end()
                number += text.count("\n", position, end)
                position = end
                continue
        entry, position, number = _entry(text, position, number, path, problems)
        if entry is None:
            break
        yield entry, entry.line
        entries += 1
    if not entries:
        raise NotPlain


def _entry(
    text: str, position: int, number: int, path: Path, problems: list[Problem]
) -> tuple[LineDict | None, int, int]:
    """The entry starting at ``position`` (after blank and comment lines), read line by
    line up to the next one; with the position and line number after it. None at the end."""
    entry: LineDict | None = None
    size = len(text)
    match_line, match_unquoted, nulls = _LINE.match, _UNQUOTED.match, NULLS  # 500,000 lines: names looked up once
    while position < size:  # matched in place
        match = match_line(text, position)
        if match is None:
            skipped = _SKIPPED.match(text, position)
            if skipped is None:
                raise NotPlain
            position = skipped.end()
            number += 1
            continue
        start, key, value = match.groups()
        if start == "- ":
            if entry is not None:
                break
            entry = LineDict.at(number)
        elif entry is None:
            raise NotPlain
        position = match.end()
        if value is not None and value[0] not in "[\"'":  # a plain word, the most common value
            value = value.rstrip(" ")
            entry.put(key, None if value in nulls else value, number, path, problems)
        elif value is not None and value[0] == "[" and match_unquoted(value):
            entry.put(key, _plain_items(value, number), number, path, problems)
        else:
            entry.put(key, _value(value, number), number, path, problems)
        number += 1
    return entry, position, number


def _plain_items(flow: str, line: int) -> LineList:
    """A ``[a, b]`` list already matched by ``_FLOW``, without quotes: split on its commas."""
    values = LineList.at(line)
    inner = flow[1:-1]
    if inner.strip(" "):
        for item in inner.split(","):
            item = item.strip(" ")
            values.add(None if item in NULLS else item, line)
    return values


@functools.lru_cache(maxsize=1024)
def _flow_items(flow: str | None) -> tuple[str | None, ...] | None:
    """The items of a ``[a, b]`` list, as a tuple: a list of 100,000 entries repeats a few."""
    return None if flow is None else tuple(_value(flow))  # type: ignore[arg-type]


def _value(text: str | None, line: int = 0) -> str | LineList | None:
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
