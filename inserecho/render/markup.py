"""The officer's sanitised HTML made ready for the email, and that HTML as readable plain text."""

from __future__ import annotations

import re
import textwrap
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

from inserecho.french.typography import typeset_html

WIDTH = 72
SOFT_BREAK = "\ue000"
"""Ends a line the wrap made (not the author): :func:`to_flowed` turns it into the trailing
space of a ``format=flowed`` soft line break."""
_ASCII_SPACES = re.compile(r"[ \t\n\r\f\v]+")
_BREAK = "\x1e"  # a <br> outside <pre>, kept through whitespace folding


_IMAGE_SOURCE = re.compile(r'(<img\b(?:\s+[\w:-]+(?:="[^"]*")?)*?\s+src=")')


def typeset_body(html: str, asset_prefix: str = "") -> str:
    """The officer's sanitised HTML with French typography (not in code or URLs).

    ``asset_prefix`` goes before each image address, as for the ``image`` field: the
    loader left them relative to the issue folder, in nh3's double-quoted attributes.
    """
    if asset_prefix:
        html = _IMAGE_SOURCE.sub(lambda m: m[1] + asset_prefix, html)
    return typeset_html(html)


def image_source(image: Path, asset_prefix: str = "") -> str:
    """The address of one of the issue's images, under ``asset_prefix``."""
    return asset_prefix + quote(image.as_posix())


def html_to_text(html: str, width: int = WIDTH) -> str:
    """Plain text that reads well on its own: paragraphs, ``-`` lists, links as full URLs."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    return parser.result(width)


class _TextParser(HTMLParser):
    _BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "pre", "table", "tr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str, bool]] = []  # (prefix, text, first item of a list)
        self.list_starts = False
        self.current: list[str] = []
        self.prefix = ""
        self.lists: list[list[int | None]] = []  # stack of [counter or None]
        self.links: list[str | None] = []
        self.link_text_start: list[int] = []
        self.pre = 0
        self.quote = 0

    def _flush(self) -> None:
        text = "".join(self.current)
        if self.pre:
            text = text.strip("\n")
        else:
            text = _ASCII_SPACES.sub(" ", text)  # keep no-break spaces
            text = text.replace(f" {_BREAK}", _BREAK).replace(f"{_BREAK} ", _BREAK).strip(" " + _BREAK)
        if text:
            self.blocks.append(
                (("> " * self.quote) + self.prefix, text if not self.pre else "\x00" + text, self.list_starts)
            )
            self.list_starts = False
            # The bullet waits for the item's first text (in a loose list it is in a <p>);
            # the item's next paragraphs line up under that text.
            self.prefix = " " * len(self.prefix) if self.lists else ""
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in self._BLOCKS or tag == "li":
            self._flush()
        if tag in ("ul", "ol"):
            self.list_starts = self.list_starts or not self.lists
            self.lists.append([0 if tag == "ol" else None])
        elif tag == "li":
            indent = "  " * (len(self.lists) - 1)
            counter = self.lists[-1][0] if self.lists else None
            if counter is not None:
                self.lists[-1][0] = counter + 1
                self.prefix = f"{indent}{counter + 1}. "
            else:
                self.prefix = f"{indent}- "
        elif tag == "br":
            self.current.append("\n" if self.pre else _BREAK)
        elif tag == "a":
            self.links.append(attributes.get("href"))
            self.link_text_start.append(len("".join(self.current)))
        elif tag == "img" and attributes.get("alt"):
            self.current.append(f"[{attributes['alt']}]")
        elif tag == "pre":
            self.pre += 1
        elif tag == "blockquote":
            self.quote += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.links:
            href = self.links.pop()
            start = self.link_text_start.pop()
            label = "".join(self.current)[start:].strip()
            if href:
                target = href[len("mailto:"):] if href.startswith("mailto:") else href
                if label.rstrip("/") != target.rstrip("/"):
                    self.current.append(f" ({target})")
        elif tag in ("ul", "ol") and self.lists:
            self._flush()
            self.lists.pop()
            self.prefix = ""
        elif tag == "pre":
            self._flush()
            self.pre -= 1
        elif tag == "blockquote":
            self._flush()
            self.quote -= 1
        elif tag in self._BLOCKS or tag == "li":
            self._flush()
            if tag == "li":
                self.prefix = ""

    def handle_data(self, data: str) -> None:
        self.current.append(data)

    def result(self, width: int) -> str:
        self._flush()
        out: list[str] = []
        previous_was_item = False
        for prefix, text, list_starts in self.blocks:
            is_item = prefix.rstrip().endswith(("-", ".")) and prefix.strip() != ">"
            if out and not (is_item and previous_was_item and not list_starts):
                out.append("")
            if text.startswith("\x00"):
                out.extend(prefix + line for line in text[1:].split("\n"))
            else:
                # A list item hangs under its bullet with hard breaks (a flowed reader would
                # join the indentation into the text); paragraphs and quotes flow.
                indent = " " * len(prefix) if is_item else prefix
                for number, line in enumerate(text.split(_BREAK)):
                    out.extend(wrap(line, width, indent if number else prefix, indent, soft=not is_item))
            previous_was_item = is_item
        return "\n".join(out)


def wrap(text: str, width: int = WIDTH, first: str = "", rest: str = "", soft: bool = True) -> list[str]:
    """``text`` wrapped at ``width``; with ``soft``, each line but the last ends in :data:`SOFT_BREAK`."""
    lines = textwrap.wrap(
        text, width=width, initial_indent=first, subsequent_indent=rest, break_long_words=False, break_on_hyphens=False,
    )
    return [line + SOFT_BREAK for line in lines[:-1]] + lines[-1:] if soft else lines


def to_flowed(text: str) -> str:
    """The plain-text part as ``format=flowed`` (RFC 3676), so that phones rewrap it.

    A line the wrap made ends in one space (a soft break); every other line ends without
    one; lines starting with a space or ``From `` are space-stuffed.
    """
    out = []
    for line in text.split("\n"):
        soft = line.endswith(SOFT_BREAK)
        line = line.replace(SOFT_BREAK, "").rstrip()
        if line.startswith((" ", "From ")):
            line = " " + line
        out.append(line + " " if soft and line else line)
    return "\n".join(out)
