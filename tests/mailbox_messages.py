"""What comes back to the association's mailbox after a send, built from the real-world
messages of ``tests/inbox/messages`` and the messages actually sent."""

from __future__ import annotations

import email
import hashlib
import re
from email import policy
from pathlib import Path
from urllib.parse import unquote

MESSAGES = Path(__file__).parent / "inbox" / "messages"


def fill(name: str, **values: str) -> bytes:
    """The message ``name`` with each ``@@KEY@@`` replaced by ``values[key]``."""
    raw = (MESSAGES / name).read_bytes()
    for key, value in values.items():
        raw = raw.replace(f"@@{key.upper()}@@".encode(), value.encode("utf-8", "surrogateescape"))
    return raw


def sent_headers(sent: bytes) -> str:
    """The header block of a sent message (what a DSN returns)."""
    return sent.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].decode("utf-8")


def envelope_of(sent: bytes) -> str:
    """The envelope sender a Maildir outbox recorded as Return-Path."""
    return email.message_from_bytes(sent)["Return-Path"].strip("<>")


def recipient_of(sent: bytes) -> str:
    return email.message_from_bytes(sent, policy=policy.default)["To"].addresses[0].addr_spec


def postfix_dsn(
    verp: str, recipient: str, queue_id: str, headers: str = "", *,
    action: str = "failed", status: str = "5.1.1", diagnostic: str = "550 5.1.1 User unknown",
) -> bytes:
    """Postfix's delivery status notification for ``recipient``, sent back to ``verp``."""
    return fill(
        "postfix_dsn.eml", verp=verp, recipient=recipient, action=action, status=status,
        diagnostic=diagnostic, headers=headers, queue_id=queue_id,
    )


def hard_bounce(sent: bytes) -> bytes:
    recipient = recipient_of(sent)
    return postfix_dsn(
        envelope_of(sent), recipient, _unique(sent), sent_headers(sent),
        diagnostic=f"550 5.1.1 <{recipient}>: Recipient address rejected: User unknown",
    )


def soft_bounce(sent: bytes) -> bytes:
    return postfix_dsn(
        envelope_of(sent), recipient_of(sent), _unique(sent), sent_headers(sent),
        action="delayed", status="4.2.2", diagnostic="452 4.2.2 Mailbox full",
    )


def _unique(sent: bytes) -> str:
    """Each report or reply has its own Message-ID, as real ones do."""
    return hashlib.sha256(sent).hexdigest()[:12].upper()


def complaint(sent: bytes) -> bytes:
    original = sent.replace(b"\r\n", b"\n").decode("utf-8")
    return fill(
        "arf_abuse.eml", verp=envelope_of(sent), recipient=recipient_of(sent), original=original, unique=_unique(sent)
    )


def mailto_unsubscribe(sent: bytes) -> bytes:
    """What Gmail sends when the reader clicks « Se désabonner » (the mailto of List-Unsubscribe)."""
    header = email.message_from_bytes(sent)["List-Unsubscribe"]
    mailto = next(link for link in re.findall(r"<([^>]+)>", header) if link.startswith("mailto:"))
    subject = unquote(mailto.partition("subject=")[2])
    return fill("gmail_unsubscribe.eml", recipient=recipient_of(sent), subject=subject, unique=_unique(sent))


def reply(sent: bytes) -> bytes:
    message = email.message_from_bytes(sent)
    token = message["List-Unsubscribe"].partition("token=")[2].partition(">")[0]
    return fill(
        "reader_reply.eml",
        recipient=recipient_of(sent),
        message_id=message["Message-ID"].strip("<>"),
        token=token,
        unique=_unique(sent),
    )


def out_of_office(sent: bytes) -> bytes:
    message = email.message_from_bytes(sent)
    return fill(
        "out_of_office.eml",
        recipient=recipient_of(sent),
        message_id=message["Message-ID"].strip("<>"),
        unique=_unique(sent),
    )
