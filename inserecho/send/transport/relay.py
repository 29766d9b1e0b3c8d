"""Where to send: the SMTP relay, parsed from ``smtp://user@host:port`` or ``smtps://…``.

The password comes from the URL (discouraged) or from ``INSERECHO_SMTP_PASSWORD``; the
URL and security rules are those of :mod:`inserecho.serverurl`, shared with the mailbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from inserecho.serverurl import Protocol, SecuredServer

PASSWORD_VARIABLE = "INSERECHO_SMTP_PASSWORD"
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
