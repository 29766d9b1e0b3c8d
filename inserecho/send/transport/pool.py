"""The SMTP transport: hands each message to the relay over a pool of persistent connections.

Replies and failures are classified as :mod:`inserecho.send.transport.replies` describes.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
import ssl
import time

import aiosmtplib

from inserecho.send.transport.pipelining import pipelined_transaction
from inserecho.send.transport.relay import PASSWORD_VARIABLE, RelayConfig
from inserecho.send.transport.replies import (
    THROTTLING_CODES,
    FatalRelayError,
    OutgoingMessage,
    PermanentFailure,
    Reply,
    SendError,
    TemporaryFailure,
    failure_for,
)
from inserecho.send.verp import MARK as VERP_MARK
from inserecho.serverurl import client_tls_context


class _Slot:
    """One connection of the pool (None until first used, or after it was dropped)."""

    def __init__(self) -> None:
        self.smtp: aiosmtplib.SMTP | None = None
        self.messages = 0
        self.last_used = 0.0

    def discard(self) -> None:
        if self.smtp is not None:
            self.smtp.close()
        self.smtp = None

    async def quit(self) -> None:
        if self.smtp is not None and self.smtp.is_connected:
            try:
                await self.smtp.quit(timeout=5)
            except (aiosmtplib.SMTPException, OSError):
                pass
        self.discard()


class _Retry(Exception):
    """A connection attempt worth repeating; carries what to raise if it keeps failing."""

    def __init__(self, final: Exception):
        self.final = final


class _Crowded(Exception):
    """A new connection refused while others of the pool are open: the relay's limit."""


class SmtpTransport:
    """A pool of at most ``size`` persistent connections to the relay, opened gradually.

    The pool starts with one connection and gains one more after each transaction
    the relay answered (a message accepted, or refused for its recipient), up to
    ``size`` (the slow start of mail servers): a wrong password
    is tried once, not ``size`` times, and a relay is never hit by ``size``
    connections at once. Never more than ``size`` are open together, renewals
    included. When the relay refuses a new connection while others are open (a 421
    "too many connections" at the greeting, typically), the pool keeps the ones it
    has and stops there for the run (``connections`` tells how many): the message
    waits for a free connection instead of failing.

    Each connection carries many messages, pipelined when the relay offers
    PIPELINING; it is checked with NOOP after ``idle_check`` seconds of silence,
    renewed after ``messages_per_connection`` messages, and reopened when the server
    dropped it. Opening is retried ``connect_attempts`` times.
    """

    def __init__(
        self,
        config: RelayConfig,
        size: int = 1,
        *,
        connect_attempts: int = 3,
        connect_retry_delay: float = 1.0,
        idle_check: float = 30.0,
        messages_per_connection: int = 100,
    ):
        if size < 1:
            raise ValueError("size must be at least 1")
        self.config = config
        self._connect_attempts = connect_attempts
        self._connect_retry_delay = connect_retry_delay
        self._idle_check = idle_check
        self._messages_per_connection = messages_per_connection
        self._tls = _tls_context(config)
        self._size = size
        self._slots = [_Slot()]
        self._idle: asyncio.Queue[_Slot] = asyncio.Queue()
        self._idle.put_nowait(self._slots[0])
        self._fatal: FatalRelayError | None = None
        self._local_hostname: str | None = None

    def describe(self) -> str:
        return self.config.describe()

    @property
    def connections(self) -> int:
        """The most connections the pool will open: ``size``, or fewer if the relay refused more."""
        return self._size

    async def __aenter__(self) -> SmtpTransport:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def send(self, message: OutgoingMessage) -> Reply:
        while True:
            slot = await self._idle.get()
            try:
                if self._fatal is not None:
                    raise self._fatal
                reply = await self._send_on(slot, message)
            except _Crowded:
                self._retire(slot)
                continue  # on a connection that is already open
            except BaseException as error:
                self._idle.put_nowait(slot)
                if isinstance(error, FatalRelayError):
                    self._fatal = error
                elif isinstance(error, PermanentFailure):  # refused for its recipient: the session works
                    self._grow()
                raise
            self._idle.put_nowait(slot)
            self._grow()
            return reply

    async def close(self) -> None:
        """Say QUIT on every open connection."""
        await asyncio.gather(*(slot.quit() for slot in self._slots))

    def _grow(self) -> None:
        """One more connection, up to ``size``, now that one has carried a transaction."""
        if len(self._slots) < self._size:
            self._slots.append(_Slot())
            self._idle.put_nowait(self._slots[-1])

    def _retire(self, slot: _Slot) -> None:
        """Give up a connection the relay would not open: the pool stays at the others."""
        slot.discard()
        self._slots.remove(slot)
        self._size = len(self._slots)

    async def _send_on(self, slot: _Slot, message: OutgoingMessage) -> Reply:
        smtp = await self._ready(slot)
        options = ["SMTPUTF8"] if message.smtputf8 else []
        if not message.data.isascii() and smtp.supports_extension("8bitmime"):
            options.append("BODY=8BITMIME")
        try:
            text = await _transaction(smtp, message, options)
        except aiosmtplib.SMTPSenderRefused as error:
            reply = Reply(error.code, error.message)
            if reply.code and reply.code < 500:
                raise TemporaryFailure(reply) from None
            verp = (
                " ; s'il refuse les adresses de retour personnalisées (« +b- »), mettez « verp: non » sous « sender »"
                if VERP_MARK in message.sender
                else ""
            )
            raise FatalRelayError(
                f"le serveur {self.describe()} refuse l'adresse d'expédition {message.sender} "
                f"({reply}) : vérifiez « sender » dans inserecho.yaml ; un relais n'accepte "
                f"souvent que l'adresse du compte utilisé{verp}"
            ) from None
        except aiosmtplib.SMTPResponseException as error:
            raise failure_for(Reply(error.code, error.message)) from None
        except aiosmtplib.SMTPNotSupported:
            raise PermanentFailure(
                Reply(None, "le serveur n'accepte pas les adresses internationalisées (SMTPUTF8)")
            ) from None
        except aiosmtplib.SMTPTimeoutError:
            slot.discard()
            raise TemporaryFailure(Reply(None, f"pas de réponse du serveur en {self.config.timeout:g} s")) from None
        except (aiosmtplib.SMTPServerDisconnected, OSError):
            slot.discard()
            raise TemporaryFailure(Reply(None, "connexion coupée par le serveur")) from None
        except ValueError as error:  # an address aiosmtplib cannot put in an envelope
            raise PermanentFailure(Reply(None, f"adresse impossible à envoyer ({error})")) from None
        except BaseException:  # cancelled mid-transaction: the connection state is unknown
            slot.discard()
            raise
        slot.messages += 1
        slot.last_used = time.monotonic()
        return Reply(250, text)

    async def _ready(self, slot: _Slot) -> aiosmtplib.SMTP:
        """The slot's connection, checked, renewed or opened as needed."""
        if slot.smtp is not None and (not slot.smtp.is_connected or slot.messages >= self._messages_per_connection):
            await slot.quit()
        if slot.smtp is not None and time.monotonic() - slot.last_used > self._idle_check:
            try:
                await slot.smtp.noop()
            except (aiosmtplib.SMTPException, OSError):
                slot.discard()
        if slot.smtp is None:
            slot.smtp = await self._open(slot)
            slot.messages = 0
            slot.last_used = time.monotonic()
        return slot.smtp

    async def _open(self, slot: _Slot) -> aiosmtplib.SMTP:
        """A new connection for ``slot``; :class:`_Crowded` if refused while others are open."""
        if self._local_hostname is None:
            self._local_hostname = await asyncio.to_thread(socket.getfqdn)
        for attempt in itertools.count(1):
            try:
                return await self._handshake()
            except _Retry as retry:
                if any(
                    other is not slot and other.smtp is not None and other.smtp.is_connected for other in self._slots
                ):
                    raise _Crowded from None
                if attempt >= self._connect_attempts:
                    raise retry.final from None
            await asyncio.sleep(self._connect_retry_delay * 2 ** (attempt - 1))
        raise AssertionError("unreachable")

    async def _handshake(self) -> aiosmtplib.SMTP:
        """Connect, greet, secure, log in; errors translated to this module's."""
        config = self.config
        smtp = aiosmtplib.SMTP(
            hostname=config.host,
            port=config.port,
            use_tls=config.implicit_tls,
            start_tls=False,
            tls_context=self._tls,
            timeout=config.timeout,
            local_hostname=self._local_hostname,
        )
        try:
            await smtp.connect()
            await smtp.ehlo()
            if not config.implicit_tls:
                if smtp.supports_extension("starttls"):
                    await smtp.starttls()
                    await smtp.ehlo()
                elif config.requires_tls:
                    raise FatalRelayError(
                        f"le serveur {config.describe()} ne propose pas de chiffrement (STARTTLS) : "
                        "inserecho refuse d'y envoyer identifiants et messages en clair. Utilisez "
                        "smtps:// ou le port 587 si le relais les propose ; sinon, si ce réseau "
                        "est sûr, ajoutez --insecure"
                    )
            if config.username:
                if not config.password:
                    raise FatalRelayError(
                        f"mot de passe manquant pour {config.describe()} : définissez la "
                        f"variable d'environnement {PASSWORD_VARIABLE}"
                    )
                await smtp.login(config.username, config.password)
        except BaseException as error:
            smtp.close()
            if isinstance(error, Exception) and not isinstance(error, FatalRelayError):
                raise self._scrub(self._translate_handshake(error)) from None
            raise
        return smtp

    def _scrub(self, error: Exception) -> Exception:
        """The same error without the password, should a server have echoed it back."""
        secret = self.config.password
        if not secret or secret not in str(error) + str(getattr(error, "final", "")):
            return error
        if isinstance(error, _Retry):
            return _Retry(self._scrub(error.final))
        if isinstance(error, SendError):
            return type(error)(Reply(error.reply.code, error.reply.message.replace(secret, "***")))
        return FatalRelayError(str(error).replace(secret, "***"))

    def _translate_handshake(self, error: Exception) -> Exception:
        where = self.config.describe()
        if isinstance(error, (ssl.SSLError, ssl.CertificateError)) or isinstance(
            error.__cause__, (ssl.SSLError, ssl.CertificateError)
        ):
            detail = getattr(error, "reason", None) or getattr(error.__cause__, "reason", None) or "erreur TLS"
            return FatalRelayError(
                f"connexion chiffrée impossible avec {where} ({detail}) : vérifiez le nom du "
                "serveur et le port (465 pour smtps://, 587 ou 25 pour smtp://)"
            )
        if isinstance(error, aiosmtplib.SMTPAuthenticationError):
            if error.code in THROTTLING_CODES:
                return _Retry(TemporaryFailure(Reply(error.code, error.message)))
            return FatalRelayError(
                f"le serveur {where} refuse l'identification ({error.code} {error.message}) : "
                f"vérifiez l'identifiant dans l'adresse du serveur et le mot de passe "
                f"({PASSWORD_VARIABLE})"
            )
        if isinstance(error, aiosmtplib.SMTPConnectResponseError):  # greeting other than 220
            reply = Reply(error.code, error.message)
            if error.code < 500:
                return _Retry(TemporaryFailure(reply))
            return FatalRelayError(f"le serveur {where} refuse la connexion ({reply})")
        if isinstance(error, aiosmtplib.SMTPConnectError):  # refused, unreachable, unknown host
            return _Retry(
                FatalRelayError(
                    f"impossible de joindre le serveur {where} ({_connect_reason(error)}) : vérifiez "
                    "l'adresse du serveur, le port et la connexion à Internet"
                )
            )
        if isinstance(error, (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError, OSError)):
            return _Retry(FatalRelayError(f"le serveur {where} coupe la connexion dès l'ouverture ({error})"))
        if isinstance(error, aiosmtplib.SMTPResponseException):
            reply = Reply(error.code, error.message)
            if error.code < 500:
                return _Retry(TemporaryFailure(reply))
            return FatalRelayError(f"le serveur {where} refuse la session ({reply})")
        if isinstance(error, aiosmtplib.SMTPException) and "AUTH" in error.message:
            return FatalRelayError(
                f"le serveur {where} ne propose pas d'identification : retirez l'identifiant "
                "de l'adresse du serveur, ou vérifiez le port (587 pour la soumission)"
            )
        return FatalRelayError(f"échec de la connexion à {where} ({error})")


async def _transaction(smtp: aiosmtplib.SMTP, message: OutgoingMessage, options: list[str]) -> str:
    """MAIL, RCPT, DATA for one recipient; RSET after a refusal. The server's final reply text.

    What ``SMTP.sendmail`` does, minus the pass it makes over the whole message only to
    count its size (:func:`wire_size` counts it without copying 40 KB per message), and
    pipelined when the relay offers it.
    """
    if message.smtputf8 and not smtp.supports_extension("smtputf8"):
        raise aiosmtplib.SMTPNotSupported("SMTPUTF8 is not supported by this server")
    if smtp.supports_extension("size"):
        options = [f"SIZE={wire_size(message.data)}", *options]
    encoding = "utf-8" if message.smtputf8 else "ascii"
    try:
        if smtp.supports_extension("pipelining"):
            response = await pipelined_transaction(
                smtp, message.sender, message.recipient, message.data, options, encoding, smtp.timeout
            )
        else:
            await smtp.mail(message.sender, options=options, encoding=encoding)
            await smtp.rcpt(message.recipient, encoding=encoding)
            response = await smtp.data(message.data)
    except aiosmtplib.SMTPResponseException:
        try:
            await smtp.rset()
        except (ConnectionError, aiosmtplib.SMTPResponseException):
            pass  # the refusal is what matters, not a failed reset
        raise
    return response.message


def wire_size(data: bytes) -> int:
    """The message's size as RFC 1870 counts it: every line ending sent as CRLF."""
    crlf = data.count(b"\r\n")
    size = len(data) + (data.count(b"\n") - crlf) + (data.count(b"\r") - crlf)
    return size if data.endswith((b"\n", b"\r")) else size + 2


def _connect_reason(error: aiosmtplib.SMTPConnectError) -> str:
    """Why the connection failed, in French (aiosmtplib words it in English)."""
    cause = error.__cause__
    if isinstance(cause, socket.gaierror):
        return "nom de serveur inconnu"
    if isinstance(cause, ConnectionRefusedError) or "Connect call failed" in error.message:
        return "connexion refusée : aucun serveur n'écoute à ce port"
    if isinstance(cause, (TimeoutError, asyncio.TimeoutError)) or "timed out" in error.message.lower():
        return "le serveur ne répond pas"
    if isinstance(cause, OSError) and cause.strerror:
        return f"erreur réseau : {cause.strerror}"
    return "erreur réseau"


def _tls_context(config: RelayConfig) -> ssl.SSLContext:
    try:
        return client_tls_context(config)
    except (OSError, ssl.SSLError) as error:
        raise FatalRelayError(f"certificat d'autorité {config.cafile} illisible ({error})") from None
