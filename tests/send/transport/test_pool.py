import asyncio
import email
import email.policy
import random
import socket
from email.message import EmailMessage

import pytest

from inserecho.send.transport.pool import SmtpTransport, wire_size
from inserecho.send.transport.relay import RelayConfig
from inserecho.send.transport.replies import (
    FatalRelayError,
    OutgoingMessage,
    PermanentFailure,
    Reply,
    TemporaryFailure,
)

SENDER = "lettre@inser-eco93.example.org"


def message(to="marie@example.org") -> OutgoingMessage:
    built = EmailMessage()
    built["From"] = f"Inser'Echo <{SENDER}>"
    built["To"] = to
    built["Subject"] = "Inser'Echo n° 42"
    built.set_content("Bonjour Marie,\nla lettre est arrivée.\n", cte="8bit")
    utf8 = not to.isascii()
    data = built.as_bytes(policy=email.policy.SMTPUTF8 if utf8 else email.policy.SMTP)
    return OutgoingMessage(SENDER, to, data, smtputf8=utf8)


def parse(data: bytes):
    return email.message_from_bytes(data, policy=email.policy.default)


def plain(server, **options) -> SmtpTransport:
    return SmtpTransport(RelayConfig.from_url(server.url, environ={}), **options)


def tls(server, scheme, password=None, **config):
    port = server.starttls_port if scheme == "smtp" else server.smtps_port
    environ = {"INSERECHO_SMTP_PASSWORD": password or server.password}
    config.setdefault("cafile", str(server.cafile))
    return SmtpTransport(
        RelayConfig.from_url(f"{scheme}://{server.username}@localhost:{port}", environ=environ, **config)
    )


def run(coroutine):
    return asyncio.run(coroutine)


def test_sends_many_messages_over_one_connection(smtp_server):
    async def main():
        async with plain(smtp_server) as transport:
            return [await transport.send(message(f"abonne{n}@example.org")) for n in range(5)]

    replies = run(main())
    assert replies[0] == Reply(250, "2.0.0 Ok: queued as 1")
    received = smtp_server.handler.received
    assert [m.rcpt for m in received] == [f"abonne{n}@example.org" for n in range(5)]
    assert smtp_server.handler.commands.count("EHLO") == 1  # one connection, reused
    parsed = parse(received[0].data)
    assert parsed["Subject"] == "Inser'Echo n° 42"
    assert parsed.get_content().replace("\r\n", "\n") == "Bonjour Marie,\nla lettre est arrivée.\n"
    assert "BODY=8BITMIME" in received[0].mail_options


def test_idle_connection_checked_with_noop_before_reuse(smtp_server):
    async def main():
        async with plain(smtp_server, idle_check=0) as transport:
            await transport.send(message())
            await transport.send(message("paul@example.org"))

    run(main())
    assert smtp_server.handler.commands == ["EHLO", "MAIL", "NOOP", "MAIL"]


def test_pool_of_connections_in_parallel(smtp_server):
    smtp_server.handler.delay = 0.05

    async def main():
        async with plain(smtp_server, size=4) as transport:
            await asyncio.gather(*(transport.send(message(f"a{n}@example.org")) for n in range(12)))

    run(main())
    assert len(smtp_server.handler.received) == 12
    assert smtp_server.handler.commands.count("EHLO") == 4


def test_connection_renewed_after_messages_per_connection(smtp_server):
    async def main():
        async with plain(smtp_server, messages_per_connection=2) as transport:
            for n in range(5):
                await transport.send(message(f"a{n}@example.org"))

    run(main())
    assert smtp_server.handler.commands.count("EHLO") == 3


def test_smtputf8_address(smtp_server):
    async def main():
        async with plain(smtp_server) as transport:
            await transport.send(message("élodie@exemple.fr"))

    run(main())
    (received,) = smtp_server.handler.received
    assert received.rcpt == "élodie@exemple.fr"
    assert "SMTPUTF8" in received.mail_options


def test_size_is_announced_to_a_server_that_offers_it(smtp_server):
    sent = message()

    async def main():
        async with plain(smtp_server) as transport:
            await transport.send(sent)

    run(main())
    (received,) = smtp_server.handler.received
    assert f"SIZE={wire_size(sent.data)}" in received.mail_options


@pytest.mark.parametrize(
    "step, error, throttled",
    [
        ("450 4.2.1 Boîte occupée, réessayez", TemporaryFailure, False),
        # greylisting concerns one recipient; a 451 about the pace concerns everyone
        ("rcpt:451 4.7.1 Greylisted, please try again later", TemporaryFailure, False),
        ("451 4.7.0 Too many messages, slow down", TemporaryFailure, True),
        ("rcpt:421 4.7.0 Ralentissez", TemporaryFailure, True),
        ("rcpt:454 4.7.1 Limite atteinte", TemporaryFailure, True),
        ("drop", TemporaryFailure, False),
    ],
)
def test_temporary_failures(smtp_server, step, error, throttled):
    smtp_server.handler.script("marie@example.org", step)

    async def main():
        async with plain(smtp_server) as transport:
            with pytest.raises(error) as failure:
                await transport.send(message())
            assert failure.value.throttled is throttled
            assert await transport.send(message())  # the same transport recovers, reconnecting if needed
            return failure.value

    failure = run(main())
    assert str(failure.reply)
    assert smtp_server.handler.recipients()["marie@example.org"] == 1


@pytest.mark.parametrize(
    "step, hard",
    [("rcpt:550 5.1.1 Utilisateur inconnu", True), ("rcpt:550 Mailbox does not exist", True),
     ("552 5.2.2 Boîte pleine", False), ("554 5.7.1 Message refusé comme spam", False),
     ("rcpt:550 5.7.1 Relais refusé", False)],
)
def test_permanent_failures(smtp_server, step, hard):
    smtp_server.handler.script("marie@example.org", step)

    async def main():
        async with plain(smtp_server) as transport:
            with pytest.raises(PermanentFailure) as failure:
                await transport.send(message())
            await transport.send(message("paul@example.org"))  # the connection is still usable
            return failure.value

    failure = run(main())
    assert failure.hard_bounce is hard
    assert str(failure.reply) == step.removeprefix("rcpt:")
    assert smtp_server.handler.commands.count("EHLO") == 1


def test_refused_sender_is_fatal(smtp_server):
    smtp_server.handler.sender_reply = "553 5.7.1 Expéditeur non autorisé pour ce compte"

    async def main():
        async with plain(smtp_server) as transport:
            await transport.send(message())

    with pytest.raises(FatalRelayError, match="refuse l'adresse d'expédition lettre@inser-eco93.example.org"):
        run(main())


@pytest.mark.parametrize("scheme", ["smtp", "smtps"])
def test_tls_and_auth(tls_server, scheme):
    async def main():
        async with tls(tls_server, scheme) as transport:
            await transport.send(message())
            await transport.send(message("paul@example.org"))

    run(main())
    assert [m.rcpt for m in tls_server.handler.received] == ["marie@example.org", "paul@example.org"]
    assert tls_server.handler.commands.count("AUTH") == 1


@pytest.mark.parametrize("scheme", ["smtp", "smtps"])
def test_wrong_password_is_fatal_and_never_shown(tls_server, scheme):
    wrong = "Mauvais-Mot-De-Passe-42"

    async def main():
        async with tls(tls_server, scheme, password=wrong, timeout=5) as transport:
            with pytest.raises(FatalRelayError) as first:
                await transport.send(message())
            with pytest.raises(FatalRelayError) as second:  # remembered: no new attempt
                await transport.send(message("paul@example.org"))
            return first.value, second.value

    first, second = run(main())
    assert first is second
    text = str(first)
    assert "refuse l'identification" in text and "INSERECHO_SMTP_PASSWORD" in text
    assert "Refusé : lettre / ***" in text  # the server echoed the password; it was masked
    assert wrong not in text and wrong not in repr(first)
    assert "MAIL" not in tls_server.handler.commands
    assert tls_server.handler.commands.count("EHLO") <= 2  # one connection (EHLO before and after TLS)


def test_unknown_certificate_authority_is_fatal(tls_server):
    async def main():
        async with tls(tls_server, "smtps", cafile=None) as transport:
            await transport.send(message())

    with pytest.raises(FatalRelayError, match="connexion chiffrée impossible.*CERTIFICATE_VERIFY_FAILED"):
        run(main())
    assert tls_server.handler.received == []


def test_insecure_accepts_unverified_certificate(tls_server):
    async def main():
        async with tls(tls_server, "smtps", cafile=None, insecure=True) as transport:
            await transport.send(message())

    run(main())
    assert len(tls_server.handler.received) == 1


def test_no_clear_text_to_a_remote_host(smtp_server, relay_name):
    config = RelayConfig.from_url(
        f"smtp://lettre@{relay_name}:{smtp_server.port}", environ={"INSERECHO_SMTP_PASSWORD": "Zq9xK7w"}
    )
    assert config.requires_tls

    async def main():
        async with SmtpTransport(config) as transport:
            await transport.send(message())

    with pytest.raises(FatalRelayError) as error:
        run(main())
    assert "--insecure" in str(error.value) and "STARTTLS" in str(error.value)
    assert "Zq9xK7w" not in str(error.value)
    assert smtp_server.handler.commands == ["EHLO"]  # neither AUTH nor MAIL went out


def test_insecure_allows_clear_text_to_a_remote_host(smtp_server, relay_name):
    config = RelayConfig.from_url(f"smtp://{relay_name}:{smtp_server.port}", environ={}, insecure=True)

    async def main():
        async with SmtpTransport(config) as transport:
            await transport.send(message())

    run(main())
    assert len(smtp_server.handler.received) == 1


def test_unreachable_relay_is_fatal_after_retries():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = RelayConfig.from_url(f"smtp://127.0.0.1:{port}", environ={})

    async def main():
        async with SmtpTransport(config, connect_attempts=3, connect_retry_delay=0.01) as transport:
            await transport.send(message())

    with pytest.raises(FatalRelayError, match="impossible de joindre le serveur smtp://127.0.0.1"):
        run(main())


def test_missing_password_is_fatal(tls_server):
    config = RelayConfig.from_url(
        f"smtps://lettre@localhost:{tls_server.smtps_port}", environ={}, cafile=str(tls_server.cafile)
    )

    async def main():
        async with SmtpTransport(config) as transport:
            await transport.send(message())

    with pytest.raises(FatalRelayError, match="mot de passe manquant.*INSERECHO_SMTP_PASSWORD"):
        run(main())


def test_the_size_announced_is_the_size_sent():
    from aiosmtplib.protocol import normalize_message_line_endings

    rng = random.Random(93)
    samples = [b"", b"x", b"a\nb", b"a\r\nb\r\n", b"a\rb\r", b"\r\n\r", b"a\n\r\nb\r\r\n"]
    samples += [bytes(rng.choice(b"ab\r\n.") for _ in range(rng.randint(0, 30))) for _ in range(2000)]
    for data in samples:
        assert wire_size(data) == len(normalize_message_line_endings(data)), data


def test_connections_open_one_by_one(smtp_server):
    """A fresh pool opens one connection; the next only once a message got through."""
    smtp_server.handler.delay = 0.05

    async def main():
        async with plain(smtp_server, size=4) as transport:
            await asyncio.gather(*(transport.send(message(f"a{n}@example.org")) for n in range(2)))
            first = smtp_server.handler.commands.count("EHLO")
            await asyncio.gather(*(transport.send(message(f"b{n}@example.org")) for n in range(12)))
            return first

    assert run(main()) == 1
    assert len(smtp_server.handler.received) == 14
    assert smtp_server.handler.most_connections == 4


def test_relay_refusing_more_connections_lowers_the_pool(smtp_server):
    handler = smtp_server.handler
    handler.delay = 0.05
    handler.greeting, handler.greeting_after = "421 4.7.0 Too many connections from your IP", 2

    async def main():
        async with plain(smtp_server, size=5, connect_retry_delay=0.01) as transport:
            await asyncio.gather(*(transport.send(message(f"a{n}@example.org")) for n in range(12)))
            return transport.connections

    assert run(main()) == 2
    assert len(handler.received) == 12  # no message failed
    assert handler.most_connections == 2


def test_refused_first_connection_is_a_throttling_failure(smtp_server):
    smtp_server.handler.greeting = "421 4.7.0 Too many connections from your IP"

    async def main():
        async with plain(smtp_server, size=4, connect_attempts=2, connect_retry_delay=0.01) as transport:
            await transport.send(message())

    with pytest.raises(TemporaryFailure) as failure:
        run(main())
    assert failure.value.throttled
    assert smtp_server.handler.received == []
