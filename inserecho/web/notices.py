"""Signed notices: how the stateless web side tells the folder what a reader did.

A one-click unsubscribe or a confirmed sign-up becomes a mail to the association's
mailbox carrying a payload signed with the folder's secret; ``inserecho inbox`` reads
it, checks the signature and applies it. The same signing makes the sign-up
confirmation links (which expire). Payloads are JSON, base64url-encoded, with an
HMAC-SHA256 whose key is derived from the secret for one purpose only: a
confirmation link is no notice, and neither is an unsubscribe token.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any, Literal

from inserecho.content.addresses import address_key
from inserecho.send.mac import Mac
from inserecho.send.tokens import b64url, unb64url

NOTICE_HEADER = "X-Inserecho-Notice"
NOTICE_PURPOSE = "avis"  # the key of notices
LINK_PURPOSE = "inscription"  # the key of confirmation links
CONFIRMATION_DAYS = 7
_MARK = "inserecho-avis:"
_MARK_LINE = re.compile(rf"^{re.escape(_MARK)}\s*(\S+)\s*$", re.MULTILINE)
_MAC_BYTES = 16

NoticeKind = Literal["unsubscribe", "signup"]


class PayloadSigner:
    """``dumps(payload)`` / ``loads(text)`` for one purpose (``"avis"``, ``"inscription"``)."""

    def __init__(self, secret: bytes, list_id: str, purpose: str):
        self._mac_key = Mac(hmac.new(secret, f"{purpose}\0{list_id}".encode(), hashlib.sha256).digest())

    def dumps(self, payload: dict[str, Any]) -> str:
        raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
        return f"{b64url(raw)}.{b64url(self._mac(raw))}"

    def loads(self, text: str) -> dict[str, Any] | None:
        """The payload, or ``None`` if the text was not signed by us (altered, forged, truncated)."""
        body, _, mac = text.strip().partition(".")
        raw, given = unb64url(body), unb64url(mac)
        if raw is None or given is None:
            return None
        if not hmac.compare_digest(given, self._mac(raw)):
            return None
        try:
            payload = json.loads(raw)
        except (UnicodeDecodeError, ValueError):
            return None
        return payload if isinstance(payload, dict) else None

    def _mac(self, raw: bytes) -> bytes:
        return self._mac_key.digest(raw)[:_MAC_BYTES]


@dataclass(frozen=True)
class Signup:
    """What a reader filled in; ``consent_version`` names the consent wording they saw."""

    email: str
    name: str | None
    organisation: str | None
    territory: str | None
    consent_version: str


@dataclass(frozen=True)
class Notice:
    """``time``: when the reader acted (ISO 8601 with the UTC offset)."""

    kind: NoticeKind
    email: str
    time: str
    signup: Signup | None = None

    def to_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"kind": self.kind, "email": self.email, "time": self.time}
        if self.signup is not None:
            payload["signup"] = asdict(self.signup)
        return payload

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Notice | None:
        kind, email, when = payload.get("kind"), payload.get("email"), payload.get("time")
        if kind not in ("unsubscribe", "signup") or not isinstance(email, str) or not isinstance(when, str):
            return None
        signup = None
        if kind == "signup":
            signup = signup_from(payload.get("signup"))
            if signup is None:
                return None
        return cls(kind, email, when, signup)


def signup_from(value: Any) -> Signup | None:
    names = [f.name for f in fields(Signup)]
    if not isinstance(value, dict) or set(value) != set(names) or not isinstance(value.get("email"), str):
        return None
    return Signup(**{name: value[name] for name in names})


# --- confirmation links ----------------------------------------------------------


def confirmation_token(signer: PayloadSigner, signup: Signup, now: datetime) -> str:
    return signer.dumps({"signup": asdict(signup), "issued": now.isoformat(timespec="seconds")})


def read_confirmation(signer: PayloadSigner, token: str, now: datetime) -> tuple[Signup | None, bool]:
    """(the sign-up, False) for a valid link; (None, True) for one of ours that expired;
    (None, False) for anything else."""
    payload = signer.loads(token)
    if payload is None:
        return None, False
    signup = signup_from(payload.get("signup"))
    try:
        issued = datetime.fromisoformat(str(payload.get("issued")))
    except ValueError:
        return None, False
    if signup is None:
        return None, False
    if now - issued > timedelta(days=CONFIRMATION_DAYS):
        return None, True
    return signup, False


# --- notices as mail ---------------------------------------------------------------

_SUBJECTS = {"unsubscribe": "Désinscription en un clic", "signup": "Inscription confirmée"}


def notice_message(notice: Notice, signer: PayloadSigner, sender: str, mailbox: str) -> EmailMessage:
    """The mail carrying ``notice`` to the association's mailbox.

    Its Message-ID is derived from the notice, so the same request made twice (a
    reader clicking again) gives the same message, which ``inbox`` applies once.
    """
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mailbox
    message["Subject"] = f"[inserecho] {_SUBJECTS[notice.kind]} : {notice.email}"
    message["Date"] = formatdate(localtime=True)
    key = hashlib.sha256(f"{notice.kind}\0{address_key(notice.email)}\0{_dedup_part(notice)}".encode()).hexdigest()[:24]
    message["Message-ID"] = f"<avis-{key}@{sender.rpartition('@')[2].strip('>') or 'inserecho'}>"
    message[NOTICE_HEADER] = notice.kind
    message["Auto-Submitted"] = "auto-generated"
    what = "a demandé à ne plus recevoir la lettre" if notice.kind == "unsubscribe" else "a confirmé son inscription"
    message.set_content(
        f"{notice.email} {what} ({notice.time}).\n"
        "« inserecho inbox » appliquera cet avis ; ne le modifiez pas.\n\n"
        f"{_MARK} {signer.dumps(notice.to_payload())}\n"
    )
    return message


def read_notice(text: str, signer: PayloadSigner) -> Notice | None:
    """The notice in the text of a mail of the mailbox, if it is one of ours, signed and intact."""
    match = _MARK_LINE.search(text)
    if match is None:
        return None
    payload = signer.loads(match.group(1))
    return Notice.from_payload(payload) if payload is not None else None


def now_here() -> datetime:
    return datetime.now(UTC).astimezone()


def _dedup_part(notice: Notice) -> str:
    """A repeated one-click the same day, or the same confirmation posted twice, are one request."""
    if notice.signup is not None:
        return json.dumps(asdict(notice.signup), sort_keys=True)
    return notice.time[:10]
