import asyncio
import email
import email.policy
import os
import resource
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage

import pytest

from inserecho.send.transport.outbox import MaildirOutbox
from inserecho.send.transport.replies import FatalRelayError, OutgoingMessage

SENDER = "lettre@inser-eco93.example.org"


def message(to: str, body: str = "Bonjour,\r\nla lettre est arrivée.\r\n") -> OutgoingMessage:
    built = EmailMessage()
    built["From"] = f"Inser'Echo <{SENDER}>"
    built["To"] = to
    built["Subject"] = "Inser'Echo n° 42"
    built.set_content(body, cte="8bit")
    return OutgoingMessage(SENDER, to, built.as_bytes(policy=email.policy.SMTP))


def send_all(outbox: MaildirOutbox, *messages: OutgoingMessage):
    async def main():
        async with outbox:
            return [await outbox.send(m) for m in messages]

    return asyncio.run(main())


def test_maildir_outbox(tmp_path):
    outbox_dir = tmp_path / "boite"

    replies = send_all(MaildirOutbox(outbox_dir), *(message(f"a{n}@example.org") for n in range(3)))
    assert all(reply.code == 250 for reply in replies)
    assert sorted(os.listdir(outbox_dir)) == ["cur", "new", "tmp"]
    assert os.listdir(outbox_dir / "tmp") == []
    files = sorted((outbox_dir / "new").iterdir())
    assert len({f.name for f in files}) == 3
    parsed = [email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files]
    assert sorted(p["Delivered-To"] for p in parsed) == ["a0@example.org", "a1@example.org", "a2@example.org"]
    assert parsed[0]["Return-Path"] == f"<{SENDER}>"
    assert parsed[0]["Subject"] == "Inser'Echo n° 42"
    assert b"\r\n" not in files[0].read_bytes()


@contextmanager
def file_size_limit(size: int) -> Iterator[None]:
    """Writes beyond ``size`` bytes fail with EFBIG, as on a full disk.

    Lifted before the block ends: the limit is the whole process's, and the test
    runner's own output may be a file larger than ``size``.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)


def test_a_message_that_cannot_be_written_whole_leaves_no_file(tmp_path):
    outbox_dir = tmp_path / "boite"
    outbox = MaildirOutbox(outbox_dir)
    with file_size_limit(4096), pytest.raises(FatalRelayError, match="dépasse la taille permise") as failure:
        send_all(outbox, message("a@example.org"), message("b@example.org", ("x" * 78 + "\r\n") * 100))
    assert str(outbox_dir) in str(failure.value)
    assert len(os.listdir(outbox_dir / "new")) == 1  # the first, whole
    assert os.listdir(outbox_dir / "tmp") == []


def test_an_outbox_that_cannot_be_created_says_why_in_french(tmp_path):
    (tmp_path / "fichier").write_text("pas un dossier")
    with pytest.raises(FatalRelayError, match="n'est pas un dossier") as failure:
        MaildirOutbox(tmp_path / "fichier" / "boite")
    assert "fichier" in str(failure.value)
