"""PIPELINING against a real aiosmtpd server, with and without the extension advertised."""

import asyncio

import pytest
from test_pool import message, plain, run

from inserecho.send.delivery import DeliveryOptions, deliver
from inserecho.send.journal import Journal
from inserecho.send.transport.pool import (
    PermanentFailure,
    SmtpTransport,
    TemporaryFailure,
)
from inserecho.send.transport.relay import RelayConfig


def one_write(handler) -> list[bytes]:
    """The chunks the server read that hold a MAIL command."""
    return [chunk for chunk in handler.chunks if b"MAIL FROM:" in chunk]


def test_envelope_and_data_go_in_one_write(smtp_server):
    async def main():
        async with plain(smtp_server) as transport:
            for n in range(3):
                await transport.send(message(f"abonne{n}@example.org"))

    run(main())
    groups = one_write(smtp_server.handler)
    assert len(groups) == 3
    assert all(b"RCPT TO:" in group and group.endswith(b"DATA\r\n") for group in groups)
    assert [m.rcpt for m in smtp_server.handler.received] == [f"abonne{n}@example.org" for n in range(3)]


def test_without_pipelining_one_command_per_write(smtp_server):
    smtp_server.handler.pipelining = False

    async def main():
        async with plain(smtp_server) as transport:
            await transport.send(message())

    run(main())
    (mail,) = one_write(smtp_server.handler)
    assert b"RCPT" not in mail and b"DATA" not in mail
    assert len(smtp_server.handler.received) == 1


@pytest.mark.parametrize("pipelining", [True, False])
def test_refused_recipient_sends_no_data_and_resets(smtp_server, pipelining):
    handler = smtp_server.handler
    handler.pipelining = pipelining
    handler.script("marie@example.org", "rcpt:550 5.1.1 Utilisateur inconnu")

    async def main():
        async with plain(smtp_server) as transport:
            with pytest.raises(PermanentFailure) as failure:
                await transport.send(message())
            await transport.send(message("paul@example.org"))  # the same connection, reset
            return failure.value

    failure = run(main())
    assert failure.hard_bounce and str(failure.reply) == "550 5.1.1 Utilisateur inconnu"
    assert handler.resets == 1
    assert [m.rcpt for m in handler.received] == ["paul@example.org"]
    assert handler.replies.count("354 End data with <CR><LF>.<CR><LF>") == 1  # only paul's content went
    assert not [reply for reply in handler.replies if reply.startswith("500")]  # no content read as commands
    assert handler.commands.count("EHLO") == 1


@pytest.mark.parametrize("pipelining", [True, False])
def test_refused_sender_inside_the_group(smtp_server, pipelining):
    smtp_server.handler.pipelining = pipelining
    smtp_server.handler.sender_reply = "451 4.3.0 Réessayez plus tard"

    async def main():
        async with plain(smtp_server) as transport:
            await transport.send(message())

    with pytest.raises(TemporaryFailure, match="451 4.3.0"):
        run(main())
    assert smtp_server.handler.received == []
    assert smtp_server.handler.resets == 1


@pytest.mark.parametrize("pipelining", [True, False])
def test_a_refusal_followed_by_a_close_keeps_its_meaning(smtp_server, pipelining):
    """A relay saying 421 and hanging up inside the group: the 421 counts, not the cut."""
    smtp_server.handler.pipelining = pipelining
    smtp_server.handler.script("marie@example.org", "close:421 4.7.0 Trop de connexions, revenez plus tard")

    async def main():
        async with plain(smtp_server) as transport:
            with pytest.raises(TemporaryFailure) as failure:
                await transport.send(message())
            await transport.send(message("paul@example.org"))
            return failure.value

    failure = run(main())
    assert failure.throttled
    assert str(failure.reply) == "421 4.7.0 Trop de connexions, revenez plus tard"
    assert [m.rcpt for m in smtp_server.handler.received] == ["paul@example.org"]


@pytest.mark.parametrize("pipelining", [True, False])
def test_connection_dropped_after_the_data(smtp_server, pipelining):
    smtp_server.handler.pipelining = pipelining
    smtp_server.handler.script("marie@example.org", "drop")

    async def main():
        async with plain(smtp_server) as transport:
            with pytest.raises(TemporaryFailure, match="connexion coupée"):
                await transport.send(message())
            await transport.send(message("paul@example.org"))  # on a new connection

    run(main())
    assert smtp_server.handler.dropped == ["marie@example.org"]
    assert [m.rcpt for m in smtp_server.handler.received] == ["paul@example.org"]
    assert smtp_server.handler.commands.count("EHLO") == 2


def test_no_reply_in_time_is_temporary(smtp_server):
    smtp_server.handler.delay = 2
    config = RelayConfig.from_url(smtp_server.url, environ={}, timeout=0.3)

    async def main():
        async with SmtpTransport(config) as transport:
            await transport.send(message())

    with pytest.raises(TemporaryFailure, match="pas de réponse du serveur en 0.3 s"):
        run(main())


def test_journal_marks_sent_only_after_the_final_reply(smtp_server, tmp_path):
    """A connection cut after the pipelined content: the relay never said 250, so not sent."""
    smtp_server.handler.script("marie@example.org", "drop")
    recipients = [message("marie@example.org"), message("paul@example.org")]

    with Journal.open(tmp_path / "journal.sqlite3") as journal:
        report = asyncio.run(_deliver_messages(smtp_server, journal, recipients))
        states = journal.states("essai")
        assert states["marie@example.org"] == "failed_temporary"
        assert states["paul@example.org"] == "sent"
    assert report.sent == 1 and report.failed_temporary == 1
    assert smtp_server.handler.dropped == ["marie@example.org"]


async def _deliver_messages(server, journal, messages):
    by_address = {m.recipient: m for m in messages}

    class Recipient:
        def __init__(self, email):
            self.email = email

    async with plain(server) as transport:
        return await deliver(
            "essai", [Recipient(address) for address in by_address], lambda r: by_address[r.email],
            transport, journal, DeliveryOptions(connections=1, max_attempts=1, backoff_base=0),
        )
