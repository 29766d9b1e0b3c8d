"""The subscriber list with each person's state, as a spreadsheet (``subscribers export``).

Everyone in the list file is there, marked active, unsubscribed or bouncing from the
suppression list; addresses on the suppression list that the file does not hold (people
who left before an import, for example) follow, so the sheet is the whole picture.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from inserecho.content.addresses import address_key
from inserecho.send.journal import Suppression
from inserecho.send.report import write_spreadsheet
from inserecho.send.subscribers import Subscriber

COLUMNS = ("adresse", "nom", "prénom", "structure", "territoires", "étiquettes", "état", "depuis le", "raison")
ACTIVE = "actif"
SUPPRESSION_STATES = {"bounce": "adresse en erreur"}
"""State shown for each suppression reason; any other reason reads "désinscrit"."""
UNSUBSCRIBED = "désinscrit"


def state_of(suppression: Suppression) -> str:
    return SUPPRESSION_STATES.get(suppression.reason, UNSUBSCRIBED)


def write_list_export(
    subscribers: Iterable[Subscriber], suppressions: Iterable[Suppression], path: Path
) -> dict[str, int]:
    """Write the sheet at ``path``; return how many people are in each state."""
    left = {s.email: s for s in suppressions}  # Suppression.email is already normalised
    counts: dict[str, int] = {}
    rows: list[tuple[str, ...]] = []
    for subscriber in subscribers:
        suppression = left.pop(address_key(subscriber.email), None)
        rows.append((
            subscriber.email, subscriber.name or "", subscriber.first_name or "", subscriber.organisation or "",
            ", ".join(subscriber.territories), ", ".join(subscriber.tags), *_state(suppression, counts),
        ))
    for suppression in left.values():
        rows.append((suppression.email, "", "", "", "", "", *_state(suppression, counts)))
    write_spreadsheet(path, COLUMNS, rows)
    return counts


def _state(suppression: Suppression | None, counts: dict[str, int]) -> tuple[str, str, str]:
    state = state_of(suppression) if suppression else ACTIVE
    counts[state] = counts.get(state, 0) + 1
    if suppression is None:
        return state, "", ""
    return state, suppression.time[:10], suppression.source or ""
