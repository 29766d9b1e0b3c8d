"""Where to send: the SMTP relay, parsed from ``smtp://user@host:port`` or ``smtps://…``.

The password comes from the URL (discouraged) or from ``INSERECHO_SMTP_PASSWORD``; the
URL and security rules are those of :mod:`inserecho.serverurl`, shared with the mailbox.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from inserecho.serverurl import Protocol, SecuredServer, parse_server_url

PASSWORD_VARIABLE = "INSERECHO_SMTP_PASSWORD"
DEFAULT_TIMEOUT = 60.0
SMTP = Protocol(
    service="SMTP",
    ports={"smtp": 25, "smtps": 465},
    tls_scheme="smtps",
    password_variable=PASSWORD_VARIABLE,
    expected="forme attendue : smtp://identifiant@serveur:587 ou smtps://identifiant@serveur:465",
    example_port=587,
)

Scheme = Literal["smtp", "smtps"]


@dataclass(frozen=True)
class RelayConfig(SecuredServer):
    """How to reach the relay and under which security policy.

    ``smtps`` is implicit TLS; ``smtp`` upgrades with STARTTLS when the server offers
    it. To a host that is not loopback, mail and credentials never travel in clear
    text unless ``insecure`` is set (which also disables certificate checks, like
    ``curl --insecure``). ``cafile`` adds a certificate authority to trust (a relay
    with a private CA; the tests' own CA).
    """

    PROTOCOL = SMTP

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
        parsed = parse_server_url(url, SMTP, os.environ if environ is None else environ)
        return cls(
            scheme=parsed.scheme,  # type: ignore[arg-type]
            host=parsed.host,
            port=parsed.port,
            username=parsed.username,
            password=parsed.password,
            insecure=insecure,
            timeout=timeout,
            cafile=cafile,
        )
