"""Transports: where composed messages go. A pool of persistent SMTP connections to the
relay, or a Maildir outbox on disk; both take bytes and give a classified reply."""

from inserecho.send.transport.pool import MaildirOutbox, SmtpTransport, Transport
from inserecho.send.transport.relay import RelayConfig

__all__ = ["MaildirOutbox", "RelayConfig", "SmtpTransport", "Transport"]
