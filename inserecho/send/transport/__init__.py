"""Transports: where composed messages go. A pool of persistent SMTP connections to the
relay (``pool``), or a Maildir outbox on disk (``outbox``); both take an outgoing message
and give a reply classified in ``replies``."""

from inserecho.send.transport.outbox import MaildirOutbox
from inserecho.send.transport.pool import SmtpTransport
from inserecho.send.transport.relay import RelayConfig
from inserecho.send.transport.replies import Transport

__all__ = ["MaildirOutbox", "RelayConfig", "SmtpTransport", "Transport"]
