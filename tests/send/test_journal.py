import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from inserecho.problems import ContentError
from inserecho.send import journal as journal_module
from inserecho.send.journal import SCHEMA_VERSION, Journal

ROOT = Path(__file__).resolve().parents[2]


def test_new_journal_is_versioned_and_in_wal_mode(tmp_path):
    path = tmp_path / "journal.sqlite3"
    Journal.open(path).close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_register_then_record_states(journal):
    journal.register("2026-12", ["Marie@Example.org", "paul@example.org", "lea@example.org", "zoe@example.org"])
    assert journal.to_send("2026-12") == {"marie@example.org", "paul@example.org", "lea@example.org", "zoe@example.org"}

    journal.mark_sent("2026-12", "MARIE@example.org", "250 2.0.0 Ok: queued as 1")
    journal.mark_failed("2026-12", "paul@example.org", "451 4.3.0 Réessayez", permanent=False, attempts=5)
    journal.mark_failed("2026-12", "lea@example.org", "550 5.1.1 Inconnu", permanent=True)

    assert journal.counts("2026-12") == {
        "pending": 1,
        "sent": 1,
        "failed_temporary": 1,
        "failed_permanent": 1,
        "suppressed": 0,
    }
    assert journal.states("2026-12").get("marie@example.org") == "sent"
    assert journal.to_send("2026-12") == {"zoe@example.org"}
    assert journal.to_send("2026-12", retry_failed=True) == {"paul@example.org"}

    temporary, permanent = journal.failures("2026-12")
    assert (temporary.email, temporary.state, temporary.attempts, temporary.reply) == (
        "paul@example.org",
        "failed_temporary",
        5,
        "451 4.3.0 Réessayez",
    )
    assert (permanent.email, permanent.state, permanent.reply) == (
        "lea@example.org",
        "failed_permanent",
        "550 5.1.1 Inconnu",
    )
    assert temporary.time

    every = list(journal.deliveries("2026-12"))
    assert [(d.email, d.state) for d in every] == [
        ("lea@example.org", "failed_permanent"),
        ("marie@example.org", "sent"),
        ("paul@example.org", "failed_temporary"),
        ("zoe@example.org", "pending"),
    ]
    assert every[1].reply == "250 2.0.0 Ok: queued as 1" and every[3].time is None


def test_registering_again_keeps_states_and_adds_newcomers(journal):
    journal.register("2026-12", ["a@example.org", "b@example.org"])
    journal.mark_sent("2026-12", "a@example.org", "250 ok")
    journal.register("2026-12", ["a@example.org", "b@example.org", "c@example.org"])
    assert journal.to_send("2026-12") == {"b@example.org", "c@example.org"}
    assert journal.counts("2026-12")["sent"] == 1


def test_campaigns_are_separate(journal):
    journal.register("2026-11", ["a@example.org"])
    journal.register("2026-12", ["a@example.org"])
    journal.mark_sent("2026-11", "a@example.org", "250 ok")
    assert journal.to_send("2026-12") == {"a@example.org"}
    assert journal.campaigns() == ["2026-11", "2026-12"]


def test_retry_after_temporary_failure_accumulates_attempts(journal):
    journal.register("c", ["a@example.org"])
    journal.mark_failed("c", "a@example.org", "421 plus tard", permanent=False, attempts=5)
    journal.mark_sent("c", "a@example.org", "250 ok", attempts=2)
    assert journal.failures("c") == []
    row = journal._db.execute("SELECT attempts, reply FROM deliveries").fetchone()
    assert row == (7, "250 ok")


def test_suppression_list(journal):
    journal.suppress("Marie@Example.org", "unsubscribe", "courriel du 3 décembre")
    journal.suppress("marie@example.org", "bounce")  # already there: first reason kept
    assert journal.is_suppressed("MARIE@example.org")
    assert journal.suppressed_count() == 1
    (entry,) = journal.suppressions()
    assert (entry.email, entry.reason, entry.source) == ("marie@example.org", "unsubscribe", "courriel du 3 décembre")
    assert journal.unsuppress("marie@EXAMPLE.org")
    assert not journal.unsuppress("marie@example.org")
    assert not journal.is_suppressed("marie@example.org")
    with pytest.raises(ValueError):
        journal.suppress("x@example.org", "dislike")


def test_suppressed_addresses_are_registered_as_such_and_come_back_when_lifted(journal):
    journal.suppress("b@example.org", "manual")
    journal.register("c", ["a@example.org", "b@example.org"])
    assert journal.states("c").get("b@example.org") == "suppressed"
    assert journal.to_send("c") == {"a@example.org"}

    journal.suppress("a@example.org", "unsubscribe")  # between two runs
    journal.unsuppress("b@example.org")
    journal.register("c", ["a@example.org", "b@example.org"])
    assert journal.states("c").get("a@example.org") == "suppressed"
    assert journal.to_send("c") == {"b@example.org"}


def test_hundred_thousand_recipients(journal):
    emails = (f"abonne{n}@example.org" for n in range(100_000))  # a generator: streamed
    journal.register("big", emails)
    assert journal.counts("big")["pending"] == 100_000
    assert len(journal.to_send("big")) == 100_000


def test_not_a_database_is_a_french_error(tmp_path):
    path = tmp_path / "journal.sqlite3"
    path.write_text("ceci n'est pas une base\n" * 100)
    with pytest.raises(ContentError) as error:
        Journal.open(path)
    (problem,) = error.value.problems
    assert problem.path == path
    assert "n'est pas un journal d'envoi lisible (ce n'est pas une base SQLite)" in problem.message
    assert "database" not in problem.message  # SQLite's own English words stay out


def test_other_sqlite_database_is_refused(tmp_path):
    path = tmp_path / "other.sqlite3"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(ContentError, match="pas un journal d'envoi d'inserecho"):
        Journal.open(path)


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "journal.sqlite3"
    Journal.open(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(ContentError, match="version plus récente"):
        Journal.open(path)


def test_unopenable_path_is_a_french_error(tmp_path):
    with pytest.raises(ContentError, match="impossible d'ouvrir le journal") as error:
        Journal.open(tmp_path / "no-such-folder" / "journal.sqlite3")
    assert "il n'existe pas" in error.value.message
    assert "unable" not in error.value.message


def test_mark_sent_survives_kill_9(tmp_path):
    """The record is on disk the moment mark_sent returns, even if the process dies right after."""
    path = tmp_path / "journal.sqlite3"
    script = textwrap.dedent(
        f"""
        import os, signal
        from inserecho.send.journal import Journal
        journal = Journal.open({str(path)!r})
        journal.register("c", ["a@example.org", "b@example.org"])
        journal.mark_sent("c", "a@example.org", "250 ok")
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT)
    assert done.returncode == -9
    with Journal.open(path) as journal:
        assert journal.states("c").get("a@example.org") == "sent"
        assert journal.to_send("c") == {"b@example.org"}


def test_recent_sends_span_every_campaign_newest_first(journal):
    journal.register("2026-11", ["a@example.org"])
    journal.register("2026-12", ["b@example.org", "c@example.org"])
    journal.mark_sent("2026-11", "a@example.org", "250 Ok")
    journal.mark_sent("2026-12", "b@example.org", "250 Ok")
    journal.mark_failed("2026-12", "c@example.org", "451 Plus tard", permanent=False)
    sends = journal.recent_sends(10)
    assert len(sends) == 2  # the failure is not a send
    assert sends == sorted(sends, reverse=True)
    assert all(s.tzinfo is not None for s in sends)
    assert len(journal.recent_sends(1)) == 1


def test_a_rehearsal_is_kept_apart_from_the_real_send(journal):
    journal.register("2026-12", ["a@example.org", "b@example.org"], rehearsal=True)
    journal.mark_sent("2026-12", "a@example.org", "écrit dans new/1", rehearsal=True)
    assert journal.counts("2026-12", rehearsal=True)["sent"] == 1
    assert journal.to_send("2026-12") == set()  # the real send has not begun
    journal.register("2026-12", ["a@example.org", "b@example.org"])
    assert journal.to_send("2026-12") == {"a@example.org", "b@example.org"}
    assert journal.recent_sends(10) == []  # a rehearsal never reached a relay
    journal.forget_rehearsal("2026-12")
    assert sum(journal.counts("2026-12", rehearsal=True).values()) == 0
    assert sum(journal.counts("2026-12").values()) == 2


def test_a_first_version_journal_is_upgraded_and_its_sends_stay_real(tmp_path):
    path = tmp_path / "journal.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(journal_module._MIGRATIONS[0] + "PRAGMA user_version = 1;")
    db.execute("INSERT INTO campaigns VALUES ('2026-11', '2026-11-03T09:00:00+00:00')")
    db.execute(
        "INSERT INTO deliveries VALUES ('2026-11', 'a@example.org', 'sent', 1, '250 Ok', '2026-11-03T09:00:01+00:00')"
    )
    db.commit()
    db.close()
    with Journal.open(path) as journal:
        assert journal.states("2026-11").get("a@example.org") == "sent"
        assert journal.states("2026-11", rehearsal=True).get("a@example.org") is None
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_an_empty_file_is_not_taken_for_a_new_journal(tmp_path):
    path = tmp_path / "journal.sqlite3"
    path.write_bytes(b"")
    with pytest.raises(ContentError) as error:
        Journal.open(path)
    (problem,) = error.value.problems
    assert problem.path == path and "vide (0 octet)" in problem.message
    assert path.read_bytes() == b""  # left as it was


@pytest.mark.parametrize(
    "deleted", [("journal.sqlite3",), ("journal.sqlite3", "journal.sqlite3-wal", "journal.sqlite3-shm")]
)
def test_a_journal_deleted_while_open_is_restored_with_everything_it_knew(tmp_path, deleted):
    path = tmp_path / "journal.sqlite3"
    with Journal.open(path) as journal:
        journal.register("2026-12", ["a@example.org", "b@example.org"])
        journal.mark_sent("2026-12", "a@example.org", "250 Ok")
        assert not journal.restore_if_lost()
        for name in deleted:
            (tmp_path / name).unlink()
        assert journal.restore_if_lost()
        journal.mark_sent("2026-12", "b@example.org", "250 Ok")  # written to the restored file
        assert not journal.restore_if_lost()
    with Journal.open(path) as reopened:
        assert reopened.counts("2026-12")["sent"] == 2


def test_a_file_put_in_place_of_the_journal_is_kept_aside(tmp_path):
    path = tmp_path / "journal.sqlite3"
    with Journal.open(path) as journal:
        journal.register("2026-12", ["a@example.org"])
        stranger = tmp_path / "autre.sqlite3"
        stranger.write_bytes(b"autre chose")
        stranger.replace(path)
        assert journal.restore_if_lost()
    (kept,) = tmp_path.glob("journal.sqlite3.remplacé-*")
    assert kept.read_bytes() == b"autre chose"
    with Journal.open(path) as reopened:
        assert reopened.to_send("2026-12") == {"a@example.org"}


def test_a_version_1_journal_is_upgraded_and_keeps_its_suppressions(tmp_path):
    path = tmp_path / "journal.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(
        _VERSION_1 + "PRAGMA user_version = 1;"
        "INSERT INTO suppressions VALUES ('a@example.org', 'bounce', '550', '2026-11-01T10:00:00+00:00');"
    )
    db.close()
    with Journal.open(path) as journal:
        (entry,) = journal.suppressions()
        assert (entry.email, entry.reason, entry.time) == ("a@example.org", "bounce", "2026-11-01T10:00:00+00:00")
        journal.suppress("b@example.org", "complaint", "plainte (2026-12)")  # refused by the version 1 table
        assert journal.suppression("b@example.org").reason == "complaint"
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_mailbox_messages_are_remembered_once_with_their_campaign(journal):
    assert journal.record_message("<dsn-1@mx>", "soft_bounce", "Zoe@example.org", "2026-11")
    assert not journal.record_message("<dsn-1@mx>", "soft_bounce", "zoe@example.org", "2026-11")
    journal.record_message("<dsn-2@mx>", "soft_bounce", "zoe@example.org", "2026-12")
    journal.record_message("<arf-1@fbl>", "complaint", "paul@example.org", "2026-12")
    journal.record_message("<reply@x>", "human")
    assert journal.processed(["<dsn-1@mx>", "<reply@x>", "<new@x>"]) == {
        "<dsn-1@mx>": "soft_bounce",
        "<reply@x>": "human",
    }
    assert journal.soft_bounce_campaigns("zoe@example.org") == {"2026-11", "2026-12"}
    assert journal.mailbox_counts("2026-12") == {"soft_bounce": 1, "complaint": 1}


def test_the_last_send_and_the_last_reading_of_the_mailbox(journal):
    assert journal.last_send() is None and journal.last_mailbox_read() is None
    journal.register("c", ["a@example.org"])
    journal.mark_sent("c", "a@example.org", "250 ok")
    assert journal.last_campaign_sent_to("A@example.org") == "c"
    journal.record_mailbox_read(3)
    assert journal.last_mailbox_read() >= journal.last_send()


def test_a_transaction_not_committed_leaves_nothing(journal):
    with journal.transaction(commit=False):
        journal.suppress("a@example.org", "unsubscribe")
    assert not journal.is_suppressed("a@example.org")


_VERSION_1 = """
CREATE TABLE campaigns (name TEXT PRIMARY KEY, created TEXT NOT NULL);
CREATE TABLE deliveries (
    campaign TEXT NOT NULL REFERENCES campaigns(name), address TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN
        ('pending', 'sent', 'failed_temporary', 'failed_permanent', 'suppressed')),
    attempts INTEGER NOT NULL DEFAULT 0, reply TEXT, updated TEXT, PRIMARY KEY (campaign, address)
) WITHOUT ROWID;
CREATE TABLE suppressions (
    address TEXT PRIMARY KEY,
    reason TEXT NOT NULL CHECK (reason IN ('unsubscribe', 'bounce', 'manual')),
    source TEXT, created TEXT NOT NULL
) WITHOUT ROWID;
"""
