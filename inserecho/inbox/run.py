"""One pass over the mailbox: the messages not yet processed are read, classified and
applied, then moved into the processed folder; replies for a human stay in the inbox."""

from __future__ import annotations

import hashlib
from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass, field
from email import message_from_bytes
from itertools import islice
from pathlib import Path

from inserecho.inbox.apply import Applied, JournalKeys, apply
from inserecho.inbox.classify import classify, header_text
from inserecho.inbox.imap import Fetched, Mailbox
from inserecho.send.journal import Journal, MailKind

_COMMIT_EVERY = 200


@dataclass
class InboxReport:
    messages: int = 0  # in the inbox
    already: int = 0  # processed by an earlier pass
    counts: Counter[str] = field(default_factory=Counter)  # this pass, by kind
    applied: list[Applied] = field(default_factory=list)
    for_human: list[tuple[str, str]] = field(default_factory=list)  # (sender, why)
    moved: int = 0


def read_inbox(
    mailbox: Mailbox,
    journal: Journal,
    keys: JournalKeys,
    folder: str,
    subscribers: Path,
    dry_run: bool = False,
) -> InboxReport:
    """Process what is new in the inbox; with ``dry_run``, say what would happen and change nothing.

    Confirmed sign-ups are added to ``subscribers``. The journal is written before anything
    is moved: a pass cut short leaves its messages in the inbox, and the next pass files
    them without applying them twice.
    """
    report = InboxReport()
    ids = mailbox.message_ids()
    report.messages = len(ids)
    known = journal.processed(mid for mid in ids.values() if mid)
    # processed by a pass that stopped before moving them: moved now
    to_move = [uid for uid, mid in ids.items() if mid in known and known[mid] != "human"]
    report.already = sum(1 for mid in ids.values() if mid in known)
    seen: dict[str, MailKind] = {}
    fetched = mailbox.fetch(uid for uid, mid in ids.items() if mid not in known)
    # A real pass commits every few hundred messages (a send may be writing to the
    # journal too); a dry run makes every change in one transaction, then rolls it back.
    with journal.transaction(commit=False) if dry_run else nullcontext():
        while chunk := list(islice(fetched, _COMMIT_EVERY)):
            with nullcontext() if dry_run else journal.transaction():
                for item in chunk:
                    if _process(item, journal, keys, seen, report, None if dry_run else subscribers) != "human":
                        to_move.append(item.uid)
        if not dry_run:
            journal.record_mailbox_read(len(seen))
    if not dry_run:
        mailbox.move(to_move, folder)
        report.moved = len(to_move)
    return report


def _process(
    item: Fetched,
    journal: Journal,
    keys: JournalKeys,
    seen: dict[str, MailKind],
    report: InboxReport,
    subscribers: Path | None,
) -> MailKind:
    """Classify and apply one message; its kind (that of its first copy if seen before)."""
    message = message_from_bytes(item.data)
    key = header_text(message, "Message-ID") or "sans-id:" + hashlib.sha256(item.data).hexdigest()[:32]
    earlier = seen.get(key) or journal.processed([key]).get(key)
    if earlier is not None:  # the same message twice in the inbox: filed like the first
        report.already += 1
        return earlier
    verdict = classify(message, item.data, keys)
    report.applied.append(apply(journal, key, verdict, subscribers))
    seen[key] = verdict.kind
    report.counts[verdict.kind] += 1
    if verdict.kind == "human":
        report.for_human.append((header_text(message, "From"), verdict.detail))
    return verdict.kind
