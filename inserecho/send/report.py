"""The CSV report of a campaign: one line per recipient, for a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from inserecho.atomicfile import write_atomic
from inserecho.send.journal import Journal, State

COLUMNS = ("adresse", "état", "tentatives", "réponse du serveur", "date (UTC)")
STATE_LABELS: dict[State, str] = {
    "pending": "en attente",
    "sent": "envoyé",
    "failed_temporary": "échec temporaire",
    "failed_permanent": "échec définitif",
    "suppressed": "désinscrit",
}
# What `inserecho inbox` read about a campaign, by kind of message (addresses counted once).
MAILBOX_LABELS = {
    "hard_bounce": "adresses inexistantes",
    "soft_bounce": "échecs temporaires",
    "complaint": "plaintes",
    "unsubscribe": "désinscriptions par courriel",
}


def write_delivery_report(journal: Journal, campaign: str, path: Path, *, rehearsal: bool = False) -> None:
    write_spreadsheet(path, COLUMNS, (
        (record.email, STATE_LABELS[record.state], record.attempts, record.reply or "", record.time or "")
        for record in journal.deliveries(campaign, rehearsal=rehearsal)
    ))


def write_spreadsheet(path: Path, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """A CSV with ``;`` separators and a BOM, as French spreadsheets expect, written atomically."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([_cell(value) if isinstance(value, str) else value for value in row] for row in rows)
    write_atomic(path, "\ufeff" + buffer.getvalue())


def _cell(text: str) -> str:
    """Text a spreadsheet will not run as a formula (an address or a reply may start with ``=``)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
