"""What every transport takes and gives: the outgoing message, the server's reply, and the
classified failures.

``Transport.send()`` returns a :class:`Reply` or raises one of:

- :class:`TemporaryFailure`: 4xx reply, time-out, dropped connection; worth retrying later.
  ``throttled`` when the relay says "too much, slow down" to everyone (421, 454, or a
  451/452 that speaks of pace); ``greylisted`` when the refusal is greylisting, which
  refuses every new sender-recipient pair for a while.
- :class:`PermanentFailure`: 5xx for this recipient; ``hard_bounce`` when the address
  itself does not exist (enhanced code 5.1.x or 5.2.1, or "user unknown").
- :class:`FatalRelayError`: a problem for every message (credentials refused, no TLS
  where it is required, relay unreachable, sender refused, outbox not writable). Its
  message is French and never contains the password.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from inserecho.problems import UserError

# 421 and 454 hold back everyone; 451 and 452 also answer for one recipient
# (greylisting, a full mailbox), so only those that speak of pace or volume do.
_SESSION_THROTTLING_CODES = frozenset({421, 454})
THROTTLING_CODES = _SESSION_THROTTLING_CODES | {451, 452}
_GREYLISTING = re.compile(r"grey ?list|gray ?list|try again later|réessayez plus tard", re.IGNORECASE)
_PACE = re.compile(r"rate|too many|throttl|limit|quota|slow down|trop de|débit|ralenti", re.IGNORECASE)

_SENDER_STATUSES = frozenset({7, 8})
_ENHANCED = re.compile(r"^\s*([245])\.(\d{1,3})\.(\d{1,3})\b")
_UNKNOWN_USER = re.compile(
    r"unknown|no such|does not exist|doesn't exist|not exist|invalid (recipient|mailbox|address)"
    r"|not found|inconnu|n'existe pas|introuvable",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class OutgoingMessage:
    """One message for one recipient: envelope plus the full RFC 5322 bytes (LF or CRLF)."""

    sender: str
    recipient: str
    data: bytes
    smtputf8: bool = False


@dataclass(frozen=True)
class Reply:
    """What the server answered; ``code`` is None when there was no answer (cut, time-out)."""

    code: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.code} {self.message}" if self.code else self.message

    @property
    def enhanced(self) -> tuple[int, int, int] | None:
        """The RFC 3463 enhanced status code (``5.1.1`` → ``(5, 1, 1)``), if any."""
        match = _ENHANCED.match(self.message)
        return (int(match[1]), int(match[2]), int(match[3])) if match else None


class SendError(Exception):
    """A message not accepted for one recipient."""

    def __init__(self, reply: Reply):
        super().__init__(str(reply))
        self.reply = reply


class TemporaryFailure(SendError):
    @property
    def throttled(self) -> bool:
        code = self.reply.code
        return code in _SESSION_THROTTLING_CODES or (
            code in THROTTLING_CODES and bool(_PACE.search(self.reply.message))
        )

    @property
    def greylisted(self) -> bool:
        """A refusal meant to be retried later by design (greylisting: 4.7.1, "greylist", "try again later")."""
        return self.reply.code is not None and (
            self.reply.enhanced == (4, 7, 1) or bool(_GREYLISTING.search(self.reply.message))
        )


class PermanentFailure(SendError):
    @property
    def hard_bounce(self) -> bool:
        return is_hard_bounce(self.reply)


class FatalRelayError(UserError):
    """Nothing can be sent through this transport; the message is French."""


def is_hard_bounce(reply: Reply) -> bool:
    """The address does not exist (as opposed to a full mailbox or a policy refusal)."""
    if reply.code is None or reply.code < 500:
        return False
    enhanced = reply.enhanced
    if enhanced is not None:  # x.1.7 and x.1.8 speak of the sender's address (RFC 3463)
        return enhanced[0] == 5 and (
            (enhanced[1] == 1 and enhanced[2] not in _SENDER_STATUSES) or enhanced[1:] == (2, 1)
        )
    return reply.code in (550, 551, 553) and bool(_UNKNOWN_USER.search(reply.message))


class Transport(Protocol):
    """What ``deliver`` needs; also an async context manager that closes on exit."""

    async def send(self, message: OutgoingMessage) -> Reply: ...

    async def close(self) -> None: ...

    def describe(self) -> str: ...

    async def __aenter__(self) -> Transport: ...

    async def __aexit__(self, *exc: object) -> None: ...


def failure_for(reply: Reply) -> SendError:
    """The failure a refusal stands for: permanent for a 5xx, temporary otherwise."""
    if reply.code is not None and reply.code >= 500:
        return PermanentFailure(reply)
    return TemporaryFailure(reply)
