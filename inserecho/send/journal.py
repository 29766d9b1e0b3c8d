"""The sending journal: who got which campaign, who failed and why, who must never be mailed.

One SQLite file in the newsletter folder. Each recipient of a campaign is in exactly
one state: ``pending`` (registered, not yet delivered), ``sent`` (the relay accepted
it), ``failed_temporary`` (gave up for this run; ``--retry-failed`` tries again),
``failed_permanent`` (refused with a 5xx; not retried) or ``suppressed`` (on the
suppression list). Addresses are compared by their :func:`address_key`.

A rehearsal (messages written to an outbox folder instead of the relay) is recorded
apart from the real send of the same campaign (``rehearsal=True``): it never counts as
having served anyone, and each rehearsal starts afresh.

The schema is versioned (``PRAGMA user_version``): ``_MIGRATIONS[n]`` takes a journal
from version n to n + 1, so a new table is one more entry at the end.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any, Literal

from inserecho.content.addresses import address_key
from inserecho.problems import ContentError, Problem, describe_os_error

State = Literal["pending", "sent", "failed_temporary", "failed_permanent", "suppressed"]
STATES: tuple[State, ...] = ("pending", "sent", "failed_temporary", "failed_permanent", "suppressed")
Reason = Literal["unsubscribe", "bounce", "complaint", "manual", "import"]
REASONS: tuple[Reason, ...] = ("unsubscribe", "bounce", "complaint", "manual", "import")
# What `inserecho inbox` made of a message of the mailbox (see inserecho.inbox.classify).
MailKind = Literal[
    "hard_bounce",
    "soft_bounce",
    "complaint",
    "unsubscribe",
    "signup",
    "auto_reply",
    "human",
    "ignored",
]

_CHUNK = 5000
_DELIVERY_COLUMNS = "address, state, attempts, reply, updated"

_MIGRATIONS: tuple[str, ...] = (
    # 0 -> 1: the first journal
    """
    CREATE TABLE campaigns (
        name TEXT PRIMARY KEY,
        created TEXT NOT NULL
    );
    CREATE TABLE deliveries (
        campaign TEXT NOT NULL REFERENCES campaigns(name),
        address TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN
            ('pending', 'sent', 'failed_temporary', 'failed_permanent', 'suppressed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        reply TEXT,
        updated TEXT,
        PRIMARY KEY (campaign, address)
    ) WITHOUT ROWID;
    CREATE TABLE suppressions (
        address TEXT PRIMARY KEY,
        reason TEXT NOT NULL CHECK (reason IN ('unsubscribe', 'bounce', 'manual')),
        source TEXT,
        created TEXT NOT NULL
    ) WITHOUT ROWID;
    """,
    # 1 -> 2: rehearsals kept apart from the real send (rows of version 1 are real sends)
    """
    CREATE TABLE deliveries_2 (
        campaign TEXT NOT NULL REFERENCES campaigns(name),
        kind TEXT NOT NULL DEFAULT 'real' CHECK (kind IN ('real', 'rehearsal')),
        address TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN
            ('pending', 'sent', 'failed_temporary', 'failed_permanent', 'suppressed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        reply TEXT,
        updated TEXT,
        PRIMARY KEY (campaign, kind, address)
    ) WITHOUT ROWID;
    INSERT INTO deliveries_2 (campaign, address, state, attempts, reply, updated)
        SELECT campaign, address, state, attempts, reply, updated FROM deliveries;
    DROP TABLE deliveries;
    ALTER TABLE deliveries_2 RENAME TO deliveries;
    """,
    # 2 -> 3: the mailbox loop. Suppression reasons are checked in Python (REASONS) rather
    # than by a CHECK constraint, so that a new reason needs no table rebuild; every message
    # read in the mailbox is remembered by its Message-ID, with what it was and whom it
    # concerned; each reading of the mailbox.
    """
    CREATE TABLE suppressions_v2 (
        address TEXT PRIMARY KEY,
        reason TEXT NOT NULL,
        source TEXT,
        created TEXT NOT NULL
    ) WITHOUT ROWID;
    INSERT INTO suppressions_v2 SELECT address, reason, source, created FROM suppressions;
    DROP TABLE suppressions;
    ALTER TABLE suppressions_v2 RENAME TO suppressions;
    CREATE TABLE mailbox_messages (
        message_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        address TEXT,
        campaign TEXT,
        detail TEXT,
        processed TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX mailbox_messages_by_address ON mailbox_messages (address, kind);
    CREATE INDEX mailbox_messages_by_campaign ON mailbox_messages (campaign, kind);
    CREATE TABLE mailbox_reads (
        time TEXT NOT NULL,
        messages INTEGER NOT NULL
    );
    """,
)
SCHEMA_VERSION = len(_MIGRATIONS)


@dataclass(frozen=True)
class Delivery:
    """One recipient's record for a campaign (``time`` is ISO 8601 UTC)."""

    email: str
    state: State
    attempts: int
    reply: str | None
    time: str | None


@dataclass(frozen=True)
class Suppression:
    email: str
    reason: Reason
    source: str | None
    time: str


class Journal:
    """Open with ``Journal.open(path)``; use as a context manager."""

    def __init__(self, connection: sqlite3.Connection, path: Path):
        self._db = connection
        self.path = path
        self._identity = _identity(path)

    @classmethod
    def open(cls, path: Path | str) -> Journal:
        """Open (creating if needed) the journal at ``path``.

        A file that is not a journal (an empty file included: a journal emptied by
        mistake must not pass for a new one) raises ``ContentError`` with a French message.
        """
        path = Path(path)
        try:
            empty = path.stat().st_size == 0
        except OSError:
            empty = False
        if empty:
            raise _problem(
                path,
                "ce fichier est vide (0 octet) alors qu'un journal d'envoi est attendu : il a sans "
                "doute été vidé par erreur, et le prendre pour un journal neuf ferait renvoyer la "
                "lettre à tout le monde. Remettez-le depuis une sauvegarde ; si aucun envoi n'a "
                "jamais été fait depuis ce dossier, supprimez-le",
            )
        try:
            # isolation_level=None: autocommit, every statement outside an explicit
            # BEGIN is its own committed transaction.
            db = sqlite3.connect(path, isolation_level=None, factory=_Connection)
            db.path = path
        except sqlite3.Error:
            refusal = OSError(errno.ENOENT if not path.parent.is_dir() else errno.EACCES, "", str(path))
            raise _problem(path, f"impossible d'ouvrir le journal d'envoi : {describe_os_error(refusal)}") from None
        try:
            db.execute("PRAGMA busy_timeout = 5000")
            # Durability: in WAL mode a commit appends the transaction to the -wal file
            # with write(2) before returning; synchronous=NORMAL only skips the fsync,
            # which matters for a power cut or an OS crash, not for a killed process:
            # the data is already in the operating system's page cache and reaches the
            # disk without us. So once mark_sent() returns, even `kill -9` cannot lose
            # the record, and at most the messages in flight are sent twice.
            mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("PRAGMA foreign_keys = ON")
            _migrate(db, path)
            if mode.lower() != "wal":
                raise _problem(path, f"le journal d'envoi ne peut pas passer en mode WAL (mode {mode})")
        except sqlite3.DatabaseError as error:
            db.close()
            raise _problem(path, _unreadable(error)) from None
        except (ContentError, OSError):
            db.close()
            raise
        return cls(db, path)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def restore_if_lost(self) -> bool:
        """Put the journal back at its path if the file there is no longer this one.

        A journal deleted (or replaced) while a send runs would otherwise go on being
        written to a file nobody can open again, and the next run would mail everyone.
        SQLite's backup copies what this connection holds back to the path (a file
        found there instead is kept aside, renamed); writes then go to the restored
        file. True when it restored.
        """
        if _identity(self.path) == self._identity:
            return False
        # SQLite no longer writes to a file that left its path, but still reads it (and
        # its write-ahead log, through the descriptors it holds): copy it beside the
        # path, let go of it, clear its -wal and -shm names, then move the copy in.
        copy = self.path.with_name(f".{self.path.name}.restauration")
        target = sqlite3.connect(copy)
        try:
            self._db.backup(target)
        finally:
            target.close()
        self._db.close()
        for leftover in ("-wal", "-shm"):
            self.path.with_name(self.path.name + leftover).unlink(missing_ok=True)
        if self.path.exists():
            stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
            os.replace(self.path, self.path.with_name(f"{self.path.name}.remplacé-{stamp}"))
        os.replace(copy, self.path)
        restored = Journal.open(self.path)
        self._db, self._identity = restored._db, restored._identity
        return True

    # Campaign recipients (``rehearsal=True``: the outbox rehearsal's, apart from the real send)

    def register(self, campaign: str, emails: Iterable[str], *, rehearsal: bool = False) -> None:
        """Add the recipients not yet known as ``pending`` (in chunks: any size is fine).

        Addresses on the suppression list become ``suppressed``; ``pending`` or
        ``failed_temporary`` ones taken off the list become ``pending`` again.
        """
        now, kind = _now(), _kind(rehearsal)
        self._db.execute("INSERT OR IGNORE INTO campaigns VALUES (?, ?)", (campaign, now))
        keys = (address_key(e) for e in emails)
        while chunk := list(islice(keys, _CHUNK)):
            with self.transaction():
                self._db.executemany(
                    "INSERT OR IGNORE INTO deliveries (campaign, kind, address) VALUES (?, ?, ?)",
                    ((campaign, kind, key) for key in chunk),
                )
        with self.transaction():
            self._db.execute(
                "UPDATE deliveries SET state = 'suppressed', updated = ? WHERE campaign = ? AND kind = ?"
                " AND state IN ('pending', 'failed_temporary')"
                " AND address IN (SELECT address FROM suppressions)",
                (now, campaign, kind),
            )
            self._db.execute(
                "UPDATE deliveries SET state = 'pending', updated = ? WHERE campaign = ? AND kind = ?"
                " AND state = 'suppressed' AND address NOT IN (SELECT address FROM suppressions)",
                (now, campaign, kind),
            )

    def forget_rehearsal(self, campaign: str) -> None:
        """Drop the campaign's previous rehearsal: each one starts afresh."""
        self._db.execute("DELETE FROM deliveries WHERE campaign = ? AND kind = 'rehearsal'", (campaign,))

    def to_send(self, campaign: str, retry_failed: bool = False, *, rehearsal: bool = False) -> set[str]:
        """Normalized addresses to send: ``pending`` ones, or only ``failed_temporary`` ones when retrying."""
        rows = self._db.execute(
            "SELECT address FROM deliveries WHERE campaign = ? AND kind = ? AND state = ?"
            " AND address NOT IN (SELECT address FROM suppressions)",
            (campaign, _kind(rehearsal), "failed_temporary" if retry_failed else "pending"),
        )
        return {row[0] for row in rows}

    def recent_sends(self, count: int) -> list[datetime]:
        """When the last ``count`` messages were accepted by a relay, all campaigns together (UTC).

        A relay's quota counts every message, so a run resumed within the hour must
        remember what the previous one already sent (rehearsals never reached a relay).
        """
        rows = self._db.execute(
            "SELECT updated FROM deliveries WHERE state = 'sent' AND kind = 'real' ORDER BY updated DESC LIMIT ?",
            (count,),
        )
        return [datetime.fromisoformat(row[0]) for row in rows]

    def states(self, campaign: str, *, rehearsal: bool = False) -> dict[str, State]:
        """Every recipient's state in the campaign, by address key."""
        return dict(
            self._db.execute(
                "SELECT address, state FROM deliveries WHERE campaign = ? AND kind = ?", (campaign, _kind(rehearsal))
            )
        )

    def mark_sent(self, campaign: str, email: str, reply: str, *, attempts: int = 1, rehearsal: bool = False) -> None:
        """Record that the relay accepted the message; committed before returning."""
        self._set(campaign, rehearsal, email, "sent", reply, attempts)

    def mark_failed(
        self, campaign: str, email: str, reply: str, *, permanent: bool, attempts: int = 1, rehearsal: bool = False
    ) -> None:
        """Record a failure after ``attempts`` tries (added to earlier runs' count)."""
        state: State = "failed_permanent" if permanent else "failed_temporary"
        self._set(campaign, rehearsal, email, state, reply, attempts)

    def mark_suppressed(self, campaign: str, email: str, *, rehearsal: bool = False) -> None:
        self._set(campaign, rehearsal, email, "suppressed", None, attempts=0)

    def counts(self, campaign: str, *, rehearsal: bool = False) -> dict[State, int]:
        """Number of recipients in each state (every state present, possibly 0)."""
        counts = dict.fromkeys(STATES, 0)
        rows = self._db.execute(
            "SELECT state, count(*) FROM deliveries WHERE campaign = ? AND kind = ? GROUP BY state",
            (campaign, _kind(rehearsal)),
        )
        counts.update(dict(rows.fetchall()))
        return counts

    def last_update(self, campaign: str, *, rehearsal: bool = False) -> str | None:
        """When the campaign's real send (or rehearsal) last recorded anything (ISO 8601 UTC)."""
        row = self._db.execute(
            "SELECT max(updated) FROM deliveries WHERE campaign = ? AND kind = ?", (campaign, _kind(rehearsal))
        ).fetchone()
        return row[0]

    def failures(self, campaign: str, *, rehearsal: bool = False) -> list[Delivery]:
        """Recipients who failed, temporary ones first, each with the relay's last reply."""
        rows = self._db.execute(
            f"SELECT {_DELIVERY_COLUMNS} FROM deliveries"
            " WHERE campaign = ? AND kind = ? AND state IN ('failed_temporary', 'failed_permanent')"
            " ORDER BY state DESC, address",
            (campaign, _kind(rehearsal)),
        )
        return [Delivery(*row) for row in rows]

    def deliveries(self, campaign: str, *, rehearsal: bool = False) -> Iterator[Delivery]:
        """Every recipient of the campaign, by address (streamed: fine for 100 000)."""
        rows = self._db.execute(
            f"SELECT {_DELIVERY_COLUMNS} FROM deliveries WHERE campaign = ? AND kind = ? ORDER BY address",
            (campaign, _kind(rehearsal)),
        )
        yield from (Delivery(*row) for row in rows)

    def campaigns(self) -> list[str]:
        """Campaign names, oldest first."""
        return [row[0] for row in self._db.execute("SELECT name FROM campaigns ORDER BY created, name")]

    # Suppression list

    def suppress(self, email: str, reason: Reason, source: str | None = None) -> bool:
        """Put ``email`` on the suppression list; False if it was already there (its first
        reason is kept)."""
        if reason not in REASONS:
            raise ValueError(f"unknown suppression reason {reason!r}")
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO suppressions VALUES (?, ?, ?, ?)",
            (address_key(email), reason, source, _now()),
        )
        return cursor.rowcount > 0

    def unsuppress(self, email: str) -> bool:
        """Take ``email`` off the list; False if it was not on it."""
        cursor = self._db.execute("DELETE FROM suppressions WHERE address = ?", (address_key(email),))
        return cursor.rowcount > 0

    def is_suppressed(self, email: str) -> bool:
        row = self._db.execute("SELECT 1 FROM suppressions WHERE address = ?", (address_key(email),)).fetchone()
        return row is not None

    def suppressed_addresses(self) -> set[str]:
        """The whole suppression list (address keys), for checks over a whole list."""
        return {row[0] for row in self._db.execute("SELECT address FROM suppressions")}

    def suppressed_count(self) -> int:
        return self._db.execute("SELECT count(*) FROM suppressions").fetchone()[0]

    def suppressions(self) -> Iterator[Suppression]:
        yield from (
            Suppression(*row)
            for row in self._db.execute("SELECT address, reason, source, created FROM suppressions ORDER BY address")
        )

    def suppression(self, email: str) -> Suppression | None:
        """Why and since when ``email`` is on the list, if it is."""
        row = self._db.execute(
            "SELECT address, reason, source, created FROM suppressions WHERE address = ?", (address_key(email),)
        ).fetchone()
        return Suppression(*row) if row else None

    def forget(self, email: str) -> None:
        """Erase what the journal knows of ``email`` (RGPD art. 17) but the suppression
        entry that keeps it from ever being mailed again: its reason and date stay,
        its details go; an address not on the list is put there."""
        key = address_key(email)
        with self.transaction():
            self._db.execute("DELETE FROM deliveries WHERE address = ?", (key,))
            self._db.execute("UPDATE mailbox_messages SET address = NULL, detail = NULL WHERE address = ?", (key,))
            self._db.execute("UPDATE suppressions SET source = NULL WHERE address = ?", (key,))
            self._db.execute("INSERT OR IGNORE INTO suppressions VALUES (?, 'manual', NULL, ?)", (key, _now()))

    # Recipients, for matching what comes back

    def known_addresses(self) -> set[str]:
        """Every address a campaign was ever registered for (normalized)."""
        return {row[0] for row in self._db.execute("SELECT DISTINCT address FROM deliveries WHERE kind = 'real'")}

    def campaign_addresses(self, campaign: str) -> list[str]:
        return [
            row[0]
            for row in self._db.execute(
                "SELECT address FROM deliveries WHERE campaign = ? AND kind = 'real'", (campaign,)
            )
        ]

    def last_campaign_sent_to(self, email: str) -> str | None:
        """The campaign that last reached ``email``: where a bounce naming no campaign belongs."""
        row = self._db.execute(
            "SELECT campaign FROM deliveries WHERE address = ? AND kind = 'real' AND state = 'sent'"
            " ORDER BY updated DESC LIMIT 1",
            (address_key(email),),
        ).fetchone()
        return row[0] if row else None

    def last_send(self) -> datetime | None:
        """When the relay last accepted a message of any campaign (UTC)."""
        (value,) = self._db.execute(
            "SELECT max(updated) FROM deliveries WHERE kind = 'real' AND state = 'sent'"
        ).fetchone()
        return datetime.fromisoformat(value) if value else None

    # The mailbox loop

    def processed(self, message_ids: Iterable[str]) -> dict[str, MailKind]:
        """Those of ``message_ids`` already read in an earlier pass over the mailbox, with their kind."""
        found: dict[str, MailKind] = {}
        ids = iter(message_ids)
        while chunk := list(islice(ids, 500)):
            marks = ", ".join("?" * len(chunk))
            found.update(
                self._db.execute(
                    f"SELECT message_id, kind FROM mailbox_messages WHERE message_id IN ({marks})", chunk
                ).fetchall()
            )
        return found

    def record_message(
        self,
        message_id: str,
        kind: MailKind,
        email: str | None = None,
        campaign: str | None = None,
        detail: str | None = None,
    ) -> bool:
        """Remember a message of the mailbox; False if it was already recorded."""
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO mailbox_messages VALUES (?, ?, ?, ?, ?, ?)",
            (message_id, kind, address_key(email) if email else None, campaign, detail, _now()),
        )
        return cursor.rowcount > 0

    def soft_bounce_campaigns(self, email: str) -> set[str]:
        """The campaigns in which ``email`` soft-bounced."""
        rows = self._db.execute(
            "SELECT DISTINCT campaign FROM mailbox_messages WHERE address = ? AND kind = 'soft_bounce'"
            " AND campaign IS NOT NULL",
            (address_key(email),),
        )
        return {row[0] for row in rows}

    def mailbox_counts(self, campaign: str) -> dict[str, int]:
        """Distinct addresses per kind of answer (bounces, complaints…) to ``campaign``."""
        rows = self._db.execute(
            "SELECT kind, count(DISTINCT address) FROM mailbox_messages WHERE campaign = ? GROUP BY kind",
            (campaign,),
        )
        return dict(rows.fetchall())

    def record_mailbox_read(self, messages: int) -> None:
        self._db.execute("INSERT INTO mailbox_reads VALUES (?, ?)", (_now(), messages))

    def last_mailbox_read(self) -> datetime | None:
        (value,) = self._db.execute("SELECT max(time) FROM mailbox_reads").fetchone()
        return datetime.fromisoformat(value) if value else None

    @contextmanager
    def transaction(self, commit: bool = True) -> Iterator[None]:
        """Group writes: all or none. ``commit=False`` rolls them back (a dry run)."""
        self._db.execute("BEGIN")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT" if commit else "ROLLBACK")

    # Internals

    def _set(self, campaign: str, rehearsal: bool, email: str, state: State, reply: str | None, attempts: int) -> None:
        self._db.execute(
            "INSERT INTO deliveries (campaign, kind, address, state, attempts, reply, updated)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (campaign, kind, address) DO UPDATE SET"
            " state = excluded.state, attempts = attempts + excluded.attempts,"
            " reply = coalesce(excluded.reply, reply), updated = excluded.updated",
            (campaign, _kind(rehearsal), address_key(email), state, attempts, reply, _now()),
        )


# SQLite's primary result codes for a file the system will not let it write or read
_SYSTEM_REFUSALS = {
    sqlite3.SQLITE_PERM: errno.EPERM,
    sqlite3.SQLITE_READONLY: errno.EACCES,
    sqlite3.SQLITE_IOERR: errno.EIO,
    sqlite3.SQLITE_FULL: errno.ENOSPC,
    sqlite3.SQLITE_CANTOPEN: errno.EACCES,
}


class _Connection(sqlite3.Connection):
    """Raises the system's refusals (a read-only file or folder, a full disk) as the
    :class:`OSError` they are, naming the journal, so they are reported as such."""

    path: Path

    def execute(self, *args: Any) -> sqlite3.Cursor:
        with self._refusals():
            return super().execute(*args)

    def executemany(self, *args: Any) -> sqlite3.Cursor:
        with self._refusals():
            return super().executemany(*args)

    def executescript(self, *args: Any) -> sqlite3.Cursor:
        with self._refusals():
            return super().executescript(*args)

    @contextmanager
    def _refusals(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.OperationalError as error:
            code = _SYSTEM_REFUSALS.get(error.sqlite_errorcode & 0xFF)
            if code is None:
                raise
            raise OSError(code, error.sqlite_errorname, str(self.path)) from error


def _migrate(db: sqlite3.Connection, path: Path) -> None:
    """Bring the journal to :data:`SCHEMA_VERSION` (a new file: every step from 0)."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise _problem(
            path,
            "ce journal d'envoi a été créé par une version plus récente d'inserecho : mettez inserecho à jour",
        )
    if version == 0 and db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
        raise _problem(path, "ce fichier SQLite n'est pas un journal d'envoi d'inserecho")
    if version < SCHEMA_VERSION:
        steps = " ".join(_MIGRATIONS[version:])
        db.executescript(f"BEGIN; {steps} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")


def _identity(path: Path) -> tuple[int, int] | None:
    """Which file is at ``path`` (device and inode), or None if there is none."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return status.st_dev, status.st_ino


def _kind(rehearsal: bool) -> str:
    return "rehearsal" if rehearsal else "real"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _unreadable(error: sqlite3.DatabaseError) -> str:
    """Why SQLite could not read the journal, in French (SQLite words it in English)."""
    code = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return (
            "le journal d'envoi est verrouillé par un autre programme (un autre envoi, une "
            "sauvegarde en cours ?) : attendez qu'il ait fini, puis relancez la même commande"
        )
    what = "il est abîmé" if code == sqlite3.SQLITE_CORRUPT else "ce n'est pas une base SQLite"
    return (
        f"ce fichier n'est pas un journal d'envoi lisible ({what}) : "
        "s'il est abîmé, renommez-le pour en créer un nouveau"
    )


def _problem(path: Path, message: str) -> ContentError:
    return ContentError([Problem(path, None, message)])
