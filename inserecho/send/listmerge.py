"""Merge imported contacts into an existing subscriber list (``subscribers import --merge``).

The existing file keeps its order; a known address takes the import's name, first name
and organisation when the import has one, and gains its territories and tags; a new
address is added at the end. Nothing is removed: people who left are kept off by the
suppression list, not by editing the file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from inserecho.content.addresses import address_key
from inserecho.send.subscribers import CONSENT_FIELDS, SUBSCRIBER_FIELDS, USUAL_LAYOUT, Subscriber

_LISTS = USUAL_LAYOUT.lists


@dataclass(frozen=True)
class Merged:
    entries: list[dict]
    added: int
    changed: int
    unchanged: int
    """Entries of the existing list the import left as they were (absent from it, or identical)."""


def subscriber_entry(subscriber: Subscriber) -> dict:
    """The entry of ``subscriber`` as the import writes entries: only the fields it has."""
    entry = {name: getattr(subscriber, name) for name in SUBSCRIBER_FIELDS}
    if subscriber.consent is not None:  # a record, written as the import writes its own
        entry["consent"] = {name: getattr(subscriber.consent, name) for name in CONSENT_FIELDS}
    return {name: list(value) if name in _LISTS else value for name, value in entry.items() if value}


def merge_entries(existing: Iterable[Subscriber], imported: Iterable[dict]) -> Merged:
    entries = [subscriber_entry(s) for s in existing]
    index = {address_key(e["email"]): position for position, e in enumerate(entries)}
    added = 0
    changed: set[int] = set()
    for entry in imported:
        position = index.get(address_key(entry["email"]))
        if position is None:
            index[address_key(entry["email"])] = len(entries)
            entries.append(entry)
            added += 1
            continue
        before = entries[position]
        after = {**before, **{k: v for k, v in entry.items() if k not in _LISTS and k != "email"}}
        for name in _LISTS:
            values = list(dict.fromkeys([*before.get(name, ()), *entry.get(name, ())]))
            if values:
                after[name] = values
        if after != before:
            entries[position] = after
            changed.add(position)
    return Merged(entries, added, len(changed), len(entries) - added - len(changed))
