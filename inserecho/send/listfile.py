"""Edits of ``subscribers.yaml`` that keep the officer's file as written: comments, order
and layout stay, only the entry concerned is added or removed (text-level edits, a
backup beside the file, then an atomic replacement)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from inserecho.atomicfile import write_atomic
from inserecho.content.yamlfile import parse_events
from inserecho.send.csvimport import entry_lines
from inserecho.send.subscribers import address_key

BACKUP_SUFFIX = ".bak"


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + BACKUP_SUFFIX)


def add_subscriber(path: Path, entry: dict, comment: str) -> bool:
    """Append ``entry`` (with a ``# comment`` above it); False if the address is already there."""
    text = path.read_text(encoding="utf-8-sig") if path.exists() else ""
    if _entry_spans(text, entry["email"]):
        return False
    lines = text.splitlines()
    if [line for line in lines if line.strip() and not line.lstrip().startswith("#")] == ["[]"]:
        lines = [line for line in lines if line.strip() != "[]"]  # an empty list written by an import
    if not lines:
        lines = [f"# Liste des abonné·e·s, commencée le {date.today():%d/%m/%Y} par inserecho."]
    block = ["", f"# {comment}", *entry_lines(entry)]
    _write(path, "\n".join(lines + block) + "\n")
    return True


def remove_subscriber(path: Path, email: str) -> bool:
    """Remove the entries of ``email`` and the comment lines right above them; False if absent."""
    text = path.read_text(encoding="utf-8-sig")
    spans = _entry_spans(text, email)
    if not spans:
        return False
    lines = text.splitlines(keepends=True)
    drop: set[int] = set()
    for start, end in spans:
        # the entry ends where the next begins: leave it the blank and comment lines above it
        while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
            end -= 1
        while start > 0 and lines[start - 1].lstrip().startswith("#"):  # the comment that describes the person
            start -= 1
        drop.update(range(start, end))
    _write(path, "".join(line for index, line in enumerate(lines) if index not in drop))
    return True


def _entry_spans(text: str, email: str) -> list[tuple[int, int]]:
    """(first line, line after the last) of each top-level entry for ``email``, 0-based."""
    wanted = address_key(email)
    spans: list[tuple[int, int]] = []
    depth = children = 0
    start: int | None = None
    mapping = is_email_key = found = False
    for event in parse_events(text):
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            if depth == 2:
                children += 1  # a list or mapping as the value of a field
            depth += 1
            if depth == 2:
                start, children, found = _line(event.start_mark), 0, False
                mapping = isinstance(event, yaml.MappingStartEvent)
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1
            if depth == 1 and start is not None:
                if found:
                    spans.append((start, _line(event.end_mark) + (1 if getattr(event.end_mark, 'column', 0) else 0)))
                start = None
        elif isinstance(event, yaml.ScalarEvent):
            if depth == 1 and address_key(event.value.strip()) == wanted:  # a bare address as an entry
                spans.append((_line(event.start_mark), _line(event.end_mark) + 1))
            elif depth == 2 and mapping:
                if children % 2 == 0:
                    is_email_key = event.value == "email"
                elif is_email_key and address_key(event.value.strip()) == wanted:
                    found = True
                children += 1
    return spans


def _line(mark: Any) -> int:
    return mark.line if mark is not None else 0


def _write(path: Path, text: str) -> None:
    if path.exists():
        shutil.copy2(path, backup_path(path))
    write_atomic(path, text)
