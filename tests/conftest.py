"""Real SMTP servers (aiosmtpd) on 127.0.0.1 for the sending tests.

``smtp_server``: a plain server whose replies can be scripted per recipient and per
attempt, recording every message it accepted; it advertises PIPELINING, as real relays
do (aiosmtpd itself does not, though it reads pipelined commands). ``tls_server``: the same handler
behind STARTTLS and implicit TLS (smtps), with AUTH and a certificate made at test
time by trustme.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import MISSING, SMTP, AuthResult, LoginPassword


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt: str
    data: bytes
    mail_options: tuple[str, ...]


@dataclass
class ScriptedHandler:
    """Accepts everything unless told otherwise.

    ``script(email, *steps)``: one step per attempt for that recipient, then accept.
    A step is ``"accept"``, ``"drop"`` (cut the connection after the data, before
    replying), ``"rcpt:<reply>"`` (refuse at RCPT), ``"close:<reply>"`` (refuse at RCPT
    and close the connection at once, as a relay does after a 421) or ``"<reply>"`` (refuse at the
    end of DATA), e.g. ``"451 4.3.0 Réessayez"``, ``"rcpt:550 5.1.1 Inconnu"``.
    ``throttle(k)``: the next k transactions, whoever they are for, get a 421.
    ``delay``: seconds before answering DATA (keeps messages in flight).
    ``sender_reply``: if set, the reply to every MAIL FROM (e.g. a refused sender).
    ``pipelining``: whether EHLO advertises PIPELINING.
    ``greeting``: if set, the reply that greets every connection beyond the first
    ``greeting_after`` open at once (e.g. a 421 "too many connections").
    ``chunks`` and ``replies``: the bytes the server read (as the network gave them)
    and the replies it wrote; ``open_connections`` and ``most_connections``: how
    many clients are connected now and at most.
    """

    received: list[Received] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)
    attempts: Counter = field(default_factory=Counter)
    delay: float = 0.0
    sender_reply: str | None = None
    pipelining: bool = True
    greeting: str | None = None
    greeting_after: int = 0
    chunks: list[bytes] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    resets: int = 0
    open_connections: int = 0
    most_connections: int = 0
    _scripts: dict[str, list[str]] = field(default_factory=dict)
    _throttle: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def script(self, email: str, *steps: str) -> None:
        self._scripts[email] = list(steps)

    def throttle(self, count: int, reply: str = "421 4.7.0 Trop de messages, ralentissez") -> None:
        self._throttle = [reply] * count

    def recipients(self) -> Counter:
        """How many times each address received a message."""
        with self._lock:
            return Counter(message.rcpt for message in self.received)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        self.commands.append("EHLO")
        if self.pipelining:
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_RSET(self, server, session, envelope):
        self.resets += 1
        return MISSING

    async def handle_AUTH(self, server, session, envelope, args):
        self.commands.append("AUTH")
        return MISSING

    async def handle_NOOP(self, server, session, envelope, arg):
        self.commands.append("NOOP")
        return "250 OK"

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.commands.append("MAIL")
        if self.sender_reply:
            return self.sender_reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self._lock:
            attempt = self.attempts[address]
            self.attempts[address] += 1
            if self._throttle:
                reply = self._throttle.pop()
                self.refused.append((address, reply))
                return reply
            steps = self._scripts.get(address, [])
            step = steps[attempt] if attempt < len(steps) else "accept"
        if step.startswith("rcpt:"):
            self.refused.append((address, step[5:]))
            return step[5:]
        if step.startswith("close:"):
            self.refused.append((address, step[6:]))
            server.transport.write(step[6:].encode() + b"\r\n")
            server.transport.close()  # nothing written after this reply reaches the client
            return step[6:]
        envelope.rcpt_tos.append(address)
        envelope.step = step
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        (rcpt,) = envelope.rcpt_tos
        step = getattr(envelope, "step", "accept")
        if step == "drop":
            self.dropped.append(rcpt)
            server.transport.abort()
            return "250 personne ne lira cette réponse"
        if step != "accept":
            self.refused.append((rcpt, step))
            return step
        with self._lock:
            self.received.append(
                Received(envelope.mail_from, rcpt, envelope.original_content, tuple(envelope.mail_options))
            )
            number = len(self.received)
        return f"250 2.0.0 Ok: queued as {number}"


class _RecordingSMTP(SMTP):
    """aiosmtpd's server, keeping what it read and wrote, counting its connections,
    and greeting with the handler's ``greeting`` beyond ``greeting_after`` connections."""

    def connection_made(self, transport):
        handler = self.event_handler
        self.refused = bool(handler.greeting) and handler.open_connections >= handler.greeting_after
        if self.refused:
            transport.write(handler.greeting.encode() + b"\r\n")
            transport.close()
            return
        handler.open_connections += 1
        handler.most_connections = max(handler.most_connections, handler.open_connections)
        super().connection_made(transport)

    def connection_lost(self, error):
        if not self.refused:
            self.event_handler.open_connections -= 1
            super().connection_lost(error)

    def data_received(self, data):
        self.event_handler.chunks.append(data)
        super().data_received(data)

    async def push(self, status):
        self.event_handler.replies.append(status if isinstance(status, str) else status.decode())
        await super().push(status)


class _EphemeralController(Controller):
    """Listens on a port chosen by the system (port=0), learnt once bound."""

    def factory(self):
        return _RecordingSMTP(self.handler, **self.SMTP_kwargs)

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass
class Server:
    handler: ScriptedHandler
    port: int

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


def _start(handler: ScriptedHandler, **kwargs) -> Controller:
    controller = _EphemeralController(handler, hostname="127.0.0.1", port=0, **kwargs)
    controller.start()
    return controller


@pytest.fixture
def smtp_server():
    handler = ScriptedHandler()
    controller = _start(handler)
    yield Server(handler, controller.port)
    controller.stop()


@dataclass
class TlsServer:
    handler: ScriptedHandler
    starttls_port: int
    smtps_port: int
    cafile: Path
    username: str = "lettre"
    password: str = "s3cr3t-p@ss:w/rd"


@pytest.fixture
def tls_server(tmp_path):
    ca = trustme.CA()
    cafile = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(cafile))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost", "127.0.0.1").configure_cert(context)
    handler = ScriptedHandler()
    server = TlsServer(handler, 0, 0, cafile)

    def authenticator(smtp, session, envelope, mechanism, auth_data):
        valid = isinstance(auth_data, LoginPassword) and auth_data == (
            server.username.encode(),
            server.password.encode(),
        )
        # A careless server that echoes the password it refused: the client must hide it.
        echo = f"535 5.7.8 Refusé : {auth_data.login.decode()} / {auth_data.password.decode()}"
        return AuthResult(success=valid, handled=False, message=None if valid else echo)

    starttls = _start(
        handler, tls_context=context, require_starttls=True, authenticator=authenticator, auth_required=True
    )
    # aiosmtpd cannot tell that an smtps connection is encrypted: allow AUTH "without TLS".
    smtps = _start(handler, ssl_context=context, authenticator=authenticator, auth_require_tls=False)
    server.starttls_port, server.smtps_port = starttls.port, smtps.port
    yield server
    starttls.stop()
    smtps.stop()


@pytest.fixture
def relay_name(monkeypatch):
    """``relais.example.org``, a name that is not loopback, resolved to 127.0.0.1 (no traffic leaves)."""
    real = socket.getaddrinfo

    def fake(host, *args, **kwargs):
        return real("127.0.0.1" if host == "relais.example.org" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return "relais.example.org"


@pytest.fixture
def dovecot():
    """A Dovecot IMAP server on 127.0.0.1 (imap with STARTTLS, and imaps), one mailbox."""
    from dovecot import start_dovecot

    server = start_dovecot()
    yield server
    server.stop()
