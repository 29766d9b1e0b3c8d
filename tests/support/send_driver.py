"""Deliver a synthetic campaign through the journal, as ``inserecho send`` will.

Usage: ``python send_driver.py JOURNAL PORT COUNT CONNECTIONS`` (relay on 127.0.0.1:PORT).
Ctrl-C (SIGINT) stops cleanly. Exit codes: 0 complete, 2 stopped by itself,
130 interrupted. The crash-safety tests kill it at arbitrary points and run it again.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP

from inserecho.delivery import DeliveryOptions, deliver
from inserecho.journal import Journal
from inserecho.relay import RelayConfig
from inserecho.transport import OutgoingMessage, SmtpTransport

SENDER = "lettre@inser-eco93.example.org"


@dataclass(frozen=True)
class Person:
    email: str


def compose(person: Person) -> OutgoingMessage:
    message = EmailMessage()
    message["From"] = SENDER
    message["To"] = person.email
    message["Subject"] = "Inser'Echo n° 42"
    message.set_content("Bonjour,\nvoici la lettre.\n")
    return OutgoingMessage(SENDER, person.email, message.as_bytes(policy=SMTP))


async def main(journal_path: str, port: int, count: int, connections: int) -> int:
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGINT, stop.set)
    recipients = [Person(f"abonne{n:04}@example.org") for n in range(count)]
    config = RelayConfig.from_url(f"smtp://127.0.0.1:{port}", environ={})
    with Journal.open(journal_path) as journal:
        async with SmtpTransport(config, connections) as transport:
            options = DeliveryOptions(connections=connections, backoff_base=0.01, backoff_max=0.05)
            report = await deliver("2026-12", recipients, compose, transport, journal, options, stop=stop)
    print(f"{report.sent} envoyés, {report.remaining} restent")
    if report.interrupted:
        print("Envoi interrompu : relancez la même commande pour continuer.", file=sys.stderr)
        return 130
    if report.stopped_reason:
        print(f"Envoi arrêté : {report.stopped_reason}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    journal_arg, port_arg, count_arg, connections_arg = sys.argv[1:]
    sys.exit(asyncio.run(main(journal_arg, int(port_arg), int(count_arg), int(connections_arg))))
