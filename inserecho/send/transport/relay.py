"""Where to send: the SMTP relay, parsed from ``smtp://user@host:port`` or ``smtps://…``.

The password never lives in the settings file: it comes from the URL (discouraged)
or from ``INSERECHO_SMTP_PASSWORD``. It is kept out of ``repr``, ``str``,
``describe()`` and every error message.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import unquote, urlsplit

from inserecho.french.suggest import did_you_mean
from inserecho.problems import UsageProblem

PASSWORD_VARIABLE = "INSERECHO_SMTP_PASSWORD"
DEFAULT_PORTS = {"smtp": 25, "smtps": 465}
DEFAULT_TIMEOUT = 60.0

_EXPECTED = "forme attendue : smtp://identifiant@serveur:587 ou smtps://identifiant@serveur:465"

Scheme = Literal["smtp", "smtps"]


@dataclass(frozen=True)
class RelayConfig:
    """How to reach the relay and under which security policy.

    ``smtps`` is implicit TLS; ``smtp`` upgrades with STARTTLS when the server offers
    it. To a host that is not loopback, mail and credentials never travel in clear
    text unless ``insecure`` is set (which also disables certificate checks, like
    ``curl --insecure``). ``cafile`` adds a certificate authority to trust (a relay
    with a private CA; the tests' own CA).
    """

    scheme: Scheme
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
    ) -> RelayConfig:
        """Parse ``url``; the password is the URL's, else ``INSERECHO_SMTP_PASSWORD``.

        Raises :class:`UsageProblem` with a French message (never containing the password).
        """
        environ = os.environ if environ is None else environ
        text = url.strip()
        if "://" not in text:
            raise UsageProblem(f"adresse du serveur SMTP incomplète ({_EXPECTED})")
        scheme_text = text.split("://", 1)[0].lower()
        if scheme_text not in DEFAULT_PORTS:
            raise UsageProblem(
                f"protocole « {scheme_text} » inconnu pour le serveur SMTP"
                f"{did_you_mean(scheme_text, DEFAULT_PORTS)} ({_EXPECTED})"
            )
        try:
            parts = urlsplit(text)
        except ValueError:
            raise UsageProblem(f"adresse du serveur SMTP illisible ({_EXPECTED})") from None
        rest = f"{parts.path}?{parts.query}#{parts.fragment}"
        if "@" in rest:
            # A "/", "?" or "#" inside the credentials cut the URL short: say so without
            # quoting anything, since the fragments may be pieces of the password.
            raise UsageProblem(
                "l'identifiant ou le mot de passe de l'adresse du serveur SMTP contient "
                "un caractère spécial (/ ? #) : encodez-le (%2F, %3F, %23) ou, mieux, "
                f"donnez le mot de passe par la variable {PASSWORD_VARIABLE}"
            )
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise UsageProblem(
                "l'adresse du serveur SMTP ne doit contenir ni chemin ni paramètres "
                f"après le port ({_EXPECTED})"
            )
        host = parts.hostname
        if not host:
            raise UsageProblem(f"nom du serveur SMTP manquant ({_EXPECTED})")
        port = _port(parts.netloc.rpartition("@")[2], scheme_text)
        username = unquote(parts.username) if parts.username else None
        password = unquote(parts.password) if parts.password else None
        if password and not username:
            raise UsageProblem(f"mot de passe sans identifiant dans l'adresse du serveur SMTP ({_EXPECTED})")
        if password is None:
            password = environ.get(PASSWORD_VARIABLE) or None
        return cls(
            scheme=scheme_text,  # type: ignore[arg-type]
            host=host,
            port=port,
            username=username,
            password=password,
            insecure=insecure,
            timeout=timeout,
            cafile=cafile,
        )

    @property
    def implicit_tls(self) -> bool:
        return self.scheme == "smtps"

    @property
    def is_loopback(self) -> bool:
        """True for ``localhost``, 127.0.0.0/8 and ::1: traffic that never leaves the machine."""
        name = self.host.rstrip(".").lower()
        if name == "localhost":
            return True
        try:
            return ipaddress.ip_address(name).is_loopback
        except ValueError:
            return False

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


def _port(hostport: str, scheme: str) -> int:
    """The port after the host (IPv6 in brackets allowed), or the scheme's default."""
    _, bracket, after = hostport.rpartition("]")
    tail = after if bracket else hostport
    if ":" not in tail:
        return DEFAULT_PORTS[scheme]
    text = tail.rsplit(":", 1)[1]
    if not text:
        return DEFAULT_PORTS[scheme]
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise UsageProblem(
            f"port « {text} » invalide pour le serveur SMTP : un nombre entre 1 et 65535 "
            f"est attendu, par exemple 587 ({_EXPECTED})"
        )
    return int(text)
