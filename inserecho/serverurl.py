"""Mail server addresses (``smtps://user@host:465``, ``imaps://user@host:993``) and the
security rules shared by the SMTP relay and the association's IMAP mailbox.

The password never lives in the settings file: it comes from the URL (discouraged) or
from the protocol's environment variable, and is kept out of ``repr``, ``str``,
``describe()`` and every error message. Mail and credentials travel encrypted
(implicit TLS, or STARTTLS upgrading a plain connection), except to loopback or when
the officer says ``--insecure``.
"""

from __future__ import annotations

import ipaddress
import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar, Self
from urllib.parse import unquote, urlsplit

from inserecho.french.suggest import did_you_mean
from inserecho.problems import UsageProblem


@dataclass(frozen=True)
class Protocol:
    """What differs between SMTP and IMAP: names, default ports, the password variable."""

    service: str  # "SMTP", "IMAP": as the officer reads it in messages
    ports: Mapping[str, int]  # scheme -> default port
    tls_scheme: str  # the scheme that means implicit TLS
    password_variable: str
    expected: str  # "forme attendue : …", appended to every error
    example_port: int  # suggested when the port is wrong

    @property
    def server(self) -> str:
        return f"serveur {self.service}"


@dataclass(frozen=True)
class ParsedUrl:
    scheme: str
    host: str
    port: int
    username: str | None
    password: str | None


def parse_server_url(url: str, protocol: Protocol, environ: Mapping[str, str]) -> ParsedUrl:
    """Parse ``url``; the password is the URL's, else the protocol's environment variable.

    Raises :class:`~inserecho.problems.UsageProblem` with a French message (never containing the password).
    """
    server, expected = protocol.server, protocol.expected
    text = url.strip()
    if "://" not in text:
        raise UsageProblem(f"adresse du {server} incomplète ({expected})")
    scheme = text.split("://", 1)[0].lower()
    if scheme not in protocol.ports:
        raise UsageProblem(
            f"protocole « {scheme} » inconnu pour le {server}{did_you_mean(scheme, protocol.ports)} ({expected})"
        )
    try:
        parts = urlsplit(text)
    except ValueError:
        raise UsageProblem(f"adresse du {server} illisible ({expected})") from None
    rest = f"{parts.path}?{parts.query}#{parts.fragment}"
    if "@" in rest:
        # A "/", "?" or "#" inside the credentials cut the URL short: say so without
        # quoting anything, since the fragments may be pieces of the password.
        raise UsageProblem(
            f"l'identifiant ou le mot de passe de l'adresse du {server} contient "
            "un caractère spécial (/ ? #) : encodez-le (%2F, %3F, %23) ou, mieux, "
            f"donnez le mot de passe par la variable {protocol.password_variable}"
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise UsageProblem(f"l'adresse du {server} ne doit contenir ni chemin ni paramètres après le port ({expected})")
    host = parts.hostname
    if not host:
        raise UsageProblem(f"nom du {server} manquant ({expected})")
    port = _port(parts.netloc.rpartition("@")[2], scheme, protocol)
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    if password and not username:
        raise UsageProblem(f"mot de passe sans identifiant dans l'adresse du {server} ({expected})")
    if password is None:
        password = environ.get(protocol.password_variable) or None
    return ParsedUrl(scheme, host, port, username, password)


DEFAULT_TIMEOUT = 60.0
"""Seconds to wait for each of a server's answers."""


@dataclass(frozen=True)
class SecuredServer:
    """A mail server's address and the security policy for it: the fields and rules the
    SMTP relay and the IMAP mailbox share. A subclass names its :class:`Protocol`."""

    PROTOCOL: ClassVar[Protocol]

    scheme: str
    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False, compare=False)
    insecure: bool = False
    timeout: float = DEFAULT_TIMEOUT
    cafile: str | None = None

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        environ: Mapping[str, str] | None = None,
        insecure: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
        cafile: str | None = None,
    ) -> Self:
        """Parse ``url``; the password is the URL's, else the protocol's environment variable.

        Raises :class:`~inserecho.problems.UsageProblem` with a French message (never the password).
        """
        parsed = parse_server_url(url, cls.PROTOCOL, os.environ if environ is None else environ)
        return cls(
            scheme=parsed.scheme,
            host=parsed.host,
            port=parsed.port,
            username=parsed.username,
            password=parsed.password,
            insecure=insecure,
            timeout=timeout,
            cafile=cafile,
        )

    @property
    def implicit_tls(self) -> bool:
        return self.scheme == self.PROTOCOL.tls_scheme

    @property
    def is_loopback(self) -> bool:
        """True for ``localhost``, 127.0.0.0/8 and ::1: traffic that never leaves the machine."""
        return is_loopback(self.host)

    @property
    def requires_tls(self) -> bool:
        """Whether mail and credentials may only travel encrypted."""
        return not (self.insecure or self.is_loopback)

    def describe(self) -> str:
        """``smtps://user@host:465``: safe to print (no password)."""
        user = f"{self.username}@" if self.username else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{user}{host}:{self.port}"

    def __str__(self) -> str:
        return self.describe()


def client_tls_context(server: SecuredServer) -> ssl.SSLContext:
    """Certificates checked against the system's authorities (plus ``server.cafile``), unless insecure.

    Raises ``OSError`` or ``ssl.SSLError`` for an unreadable ``cafile``.
    """
    context = ssl.create_default_context(cafile=server.cafile)
    if server.insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def is_loopback(host: str) -> bool:
    name = host.rstrip(".").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _port(hostport: str, scheme: str, protocol: Protocol) -> int:
    """The port after the host (IPv6 in brackets allowed), or the scheme's default."""
    _, bracket, after = hostport.rpartition("]")
    tail = after if bracket else hostport
    if ":" not in tail:
        return protocol.ports[scheme]
    text = tail.rsplit(":", 1)[1]
    if not text:
        return protocol.ports[scheme]
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise UsageProblem(
            f"port « {text} » invalide pour le {protocol.server} : un nombre entre 1 et 65535 "
            f"est attendu, par exemple {protocol.example_port} ({protocol.expected})"
        )
    return int(text)
