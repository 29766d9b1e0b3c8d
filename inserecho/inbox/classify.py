"""What a message of the association's mailbox is: a bounce, a complaint, an unsubscribe
request, an auto-reply, or something for a human to read.

- DSN (RFC 3464, ``message/delivery-status``, read with the standard library's
  ``email``): ``Action: failed`` with a 5.x.x status about the recipient (the address
  or the mailbox does not exist, the domain does not route) is a hard bounce; a 4.x.x
  status, ``Action: delayed`` or a 5.x.x refusal that says nothing of the address
  (a full mailbox, a spam filter) is a soft bounce, never a hard one. Bounces in the
  formats of MTAs that send no DSN (old Postfix, Exim, Exchange, Gmail…) are read by
  flufl.bounce; its permanent failures count as hard only if the text shows no 4.x.x
  status alone.
- ARF (RFC 5965) ``Feedback-Type: abuse``: a complaint.
- A valid unsubscribe token in the subject or the body, or a plain request
  (« désinscription », « unsubscribe ») from an address on the list: an unsubscribe.
- RFC 3834 ``Auto-Submitted``, ``X-Autoreply``, out-of-office subjects: auto-replies.
- Anything else, including a bounce that cannot be tied to one of our recipients:
  for a human.

Who a bounce or a complaint is about is decided with :class:`Keys`: the VERP tag of
the envelope sender, our stable per-recipient Message-ID, the unsubscribe token of
the returned headers, and last the ``Final-Recipient`` or the address flufl.bounce
found, if it is on the list. A bounce of another newsletter (another ``List-Id``) or
of a message that is not ours changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_string
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parseaddr
from html import unescape
from typing import Protocol

from flufl.bounce import all_failures

from inserecho.content.addresses import address_key
from inserecho.send.journal import MailKind
from inserecho.send.transport.replies import Reply, is_hard_bounce
from inserecho.web.notices import NOTICE_HEADER, Notice


class Keys(Protocol):
    """What ties a message to one of our recipients (see :mod:`inserecho.inbox.apply`)."""

    list_id: str
    unsubscribe_address: str | None

    def verp_tags(self, text: str) -> Iterator[str]:
        """Addresses behind the VERP envelope senders found in ``text``."""

    def message_ids(self, text: str) -> Iterator[tuple[str, str]]:
        """(campaign, address) behind our Message-IDs found in ``text``."""

    def token_address(self, token: str) -> str | None: ...

    def is_listed(self, address: str) -> bool: ...

    def notice(self, text: str) -> Notice | None:
        """The web side's notice in ``text``, if signed with our secret and intact."""


@dataclass(frozen=True)
class Verdict:
    """What to do with one message; ``detail`` is French, for the summary."""

    kind: MailKind
    address: str | None = None
    campaign: str | None = None
    detail: str = ""
    notice: Notice | None = None


@dataclass(frozen=True)
class _Failure:
    address: str | None
    hard: bool
    status: str


_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_UNKNOWN_USER = re.compile(
    r"unknown|no such|does not exist|doesn't exist|not exist|invalid (recipient|mailbox|address)"
    r"|not found|inconnu|n'existe pas|introuvable|user not|mailbox unavailable",
    re.IGNORECASE,
)
_BOUNCE_SENDERS = {"mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon"}
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|undelivered|delivery (status|failure|failed|notification)|returned mail|mail delivery failed"
    r"|failure notice|non remis|non distribu|échec de (la )?(remise|distribution)|rapport de non-remise",
    re.IGNORECASE,
)
_AUTO_SUBJECT = re.compile(
    r"out of (the )?office|absen(ce|t)|automatic reply|auto(matic)?[- ]?(reply|response)|réponse automatique"
    r"|en congés?|vacances|on vacation|away from",
    re.IGNORECASE,
)
_UNSUBSCRIBE_WORDS = re.compile(
    r"d[ée]sinscri|d[ée]sabonn|unsubscribe|ne plus recevoir|retirez[- ]moi|supprimez[- ]moi|\bstop\b",
    re.IGNORECASE,
)
_TOKEN_IN_URL = re.compile(r"token=([A-Za-z0-9_.~%-]+)")
# no « < » inside the id: each one would make the search run to the end of the line again
_LIST_ID = re.compile(rb"^List-Id:[^\n]*?<([^<>\s]+)>", re.IGNORECASE | re.MULTILINE)
_QUOTE_START = re.compile(
    r"^(>|-{2,}\s*(original|message d'origine)|le .{5,80} a écrit|on .{5,80} wrote)", re.IGNORECASE
)
_TAG = re.compile(r"<[^>]*>")
_PLAIN_REQUEST_LIMIT = 600  # characters of the reader's own text: a request, not a letter


def classify(message: Message, raw: bytes, keys: Keys) -> Verdict:
    """The verdict for one message (``message`` parsed from ``raw`` with compat32)."""
    if header_text(message, NOTICE_HEADER):
        return _notice(message, keys)
    report = _report_type(message)
    if report == "feedback-report":
        return _complaint(message, raw, keys)
    if report == "delivery-status" or _delivery_status_parts(message) or _looks_like_bounce(message):
        return _bounce(message, raw, keys)
    unsubscribe = _unsubscribe(message, keys, plain=False)
    if unsubscribe:
        return unsubscribe
    if _is_auto_reply(message):
        return Verdict("auto_reply", detail=_subject(message))
    return _unsubscribe(message, keys, plain=True) or Verdict("human", detail=_subject(message))


def _notice(message: Message, keys: Keys) -> Verdict:
    notice = keys.notice(_text_of(message, limit=20_000))
    if notice is None:  # forged, altered, or signed with another secret
        return Verdict("human", detail=f"avis du site non reconnu (signature invalide) : {_subject(message)}")
    email = address_key(notice.email)
    if notice.kind == "unsubscribe":
        return Verdict("unsubscribe", email, None, "désinscription en un clic", notice)
    return Verdict("signup", email, None, "inscription confirmée par le lien", notice)


# --- bounces -------------------------------------------------------------------


def _bounce(message: Message, raw: bytes, keys: Keys) -> Verdict:
    failures = list(_dsn_failures(message)) or list(_flufl_failures(message))
    if not failures:
        if _delivery_status_parts(message):  # "delivered", "relayed": a success notice
            return Verdict("auto_reply", detail="avis de remise")
        return Verdict("human", detail=f"rapport de non-remise illisible : {_subject(message)}")
    hard = any(f.hard for f in failures)
    kind: MailKind = "hard_bounce" if hard else "soft_bounce"
    status = next((f.status for f in failures if f.hard == hard and f.status), "")
    what = (
        "adresse inexistante"
        if hard
        else "refus qui ne met pas l'adresse en cause"
        if status.startswith("5")
        else "échec temporaire"
    )
    detail = f"{what}{f' ({status})' if status else ''}"
    ours = _our_recipient(message, raw, keys)
    if ours is not None:
        campaign, address = ours
        return Verdict(kind, address, campaign, detail)
    if _other_list(raw, keys) or _returned_message_id(message):
        return Verdict("human", detail=f"rapport de non-remise d'un autre envoi : {_subject(message)}")
    listed = [address_key(f.address) for f in failures if f.address and keys.is_listed(f.address)]
    if listed:
        return Verdict(kind, listed[0], None, detail)
    named = next((f.address for f in failures if f.address), "adresse non indiquée")
    return Verdict("human", detail=f"rapport de non-remise pour {named}, qui n'est pas dans la liste")


def _dsn_failures(message: Message) -> Iterator[_Failure]:
    for part in _delivery_status_parts(message):
        for block in _status_blocks(part):
            action = header_text(block, "Action").lower()
            diagnostic = header_text(block, "Diagnostic-Code")
            code = _status_code(header_text(block, "Status"), diagnostic)
            if action not in ("failed", "delayed") and not (code.startswith(("4", "5")) and not action):
                continue
            recipient = _dsn_address(header_text(block, "Final-Recipient") or header_text(block, "Original-Recipient"))
            hard = action == "failed" and code.startswith("5") and _about_the_address(code, diagnostic)
            yield _Failure(recipient, hard, code)


def _status_code(status: str, diagnostic: str) -> str:
    """The DSN's status, or the remote server's own when the status is missing or vague (5.0.0)."""
    given = _STATUS.search(status)
    told = _STATUS.search(diagnostic)
    if given is None:
        return told.group(0) if told else ""
    if told and given.group(0).endswith(".0.0") and told.group(1) == given.group(1):
        return told.group(0)
    return given.group(0)


def _about_the_address(status: str, diagnostic: str) -> bool:
    """A 5.x.x that says the address, the mailbox or the domain does not exist."""
    if status in ("5.4.4", "5.1.10"):  # no route to the domain; null MX
        return True
    text = diagnostic.partition(";")[2] or diagnostic
    if is_hard_bounce(Reply(550, f"{status} {text}")):
        return True
    # "5.0.0" (or no detail) with "User unknown" in the remote server's words
    return status.endswith(".0.0") and bool(_UNKNOWN_USER.search(text))


def _flufl_failures(message: Message) -> Iterator[_Failure]:
    temporary, permanent = all_failures(message)
    statuses = {m.group(0) for m in _STATUS.finditer(_text_of(message, limit=20_000))}
    only_temporary = bool(statuses) and all(s.startswith("4") for s in statuses)
    for address in permanent:
        yield _Failure(address.decode("utf-8", "replace"), not only_temporary, "")
    for address in temporary:
        yield _Failure(address.decode("utf-8", "replace"), False, "")


def _delivery_status_parts(message: Message) -> list[Message]:
    return [p for p in message.walk() if p.get_content_type() == "message/delivery-status"]


def _status_blocks(part: Message) -> list[Message]:
    blocks = _parsed(part)
    if blocks:
        return blocks
    # Declared message/delivery-status but left as text by the parser: read the blocks ourselves.
    chunks = re.split(r"\r?\n\s*\r?\n", _decoded(part))
    return [message_from_string(chunk) for chunk in chunks if chunk.strip()]


def _parsed(part: Message) -> list[Message]:
    """The messages (or header blocks) a ``message/*`` part holds, as the parser read them."""
    payload = part.get_payload()
    return [p for p in payload if isinstance(p, Message)] if isinstance(payload, list) else []


def _decoded(part: Message, limit: int | None = None) -> str:
    """A leaf part's content, transfer-decoded, as text."""
    data = part.get_payload(decode=True)
    raw = data if isinstance(data, bytes) else b""
    return raw[:limit].decode(part.get_content_charset() or "utf-8", "replace")


def _dsn_address(field: str | None) -> str | None:
    if not field:
        return None
    value = field.partition(";")[2].strip() if ";" in field else field.strip()
    return value.strip("<>") or None


def _looks_like_bounce(message: Message) -> bool:
    sender = parseaddr(header_text(message, "From"))[1].partition("@")[0].lower()
    return (
        sender in _BOUNCE_SENDERS
        or bool(header_text(message, "X-Failed-Recipients"))
        or (header_text(message, "Return-Path") == "<>" and bool(_BOUNCE_SUBJECT.search(_subject(message))))
    )


# --- complaints ----------------------------------------------------------------


def _complaint(message: Message, raw: bytes, keys: Keys) -> Verdict:
    report = next((p for p in message.walk() if p.get_content_type() == "message/feedback-report"), None)
    fields = _fields(report) if report is not None else {}
    feedback = fields.get("feedback-type", "").strip().lower()
    if feedback != "abuse":
        return Verdict("human", detail=f"rapport de plainte « {feedback or '?'} » : {_subject(message)}")
    ours = _our_recipient(message, raw, keys)
    if ours is not None:
        campaign, address = ours
        return Verdict("complaint", address, campaign, "signalé comme indésirable")
    if _other_list(raw, keys):
        return Verdict("human", detail=f"plainte pour un autre envoi : {_subject(message)}")
    for name in ("original-rcpt-to", "removal-recipient"):
        named = _dsn_address(fields.get(name))
        if named and keys.is_listed(named):
            return Verdict("complaint", address_key(named), None, "signalé comme indésirable")
    return Verdict("human", detail=f"plainte sans destinataire reconnu : {_subject(message)}")


def _fields(part: Message) -> dict[str, str]:
    blocks = _parsed(part)
    if blocks:  # parsed as a message: its headers are the fields
        return {k.lower(): str(v) for block in blocks for k, v in block.items()}
    fields: dict[str, str] = {}
    for line in _decoded(part).splitlines():
        name, colon, value = line.partition(":")
        if colon and name.strip() and not name.startswith((" ", "\t")):
            fields.setdefault(name.strip().lower(), value.strip())
    return fields


# --- tying a report to a recipient -----------------------------------------------


def _our_recipient(message: Message, raw: bytes, keys: Keys) -> tuple[str | None, str] | None:
    """(campaign or None, address) of the recipient this bounce or complaint is about."""
    text = raw.decode("utf-8", "replace")
    by_id = next(keys.message_ids(text), None)
    by_verp = next(keys.verp_tags(text), None)
    if by_verp is not None:  # the envelope names the recipient even after a forward
        campaign = by_id[0] if by_id and by_id[1] == by_verp else None
        return campaign, by_verp
    if by_id is not None:
        return by_id
    for token in _TOKEN_IN_URL.findall(text):
        address = keys.token_address(token)
        if address is not None:
            return None, address_key(address)
    return None


def _other_list(raw: bytes, keys: Keys) -> bool:
    """The returned message (in the body, not the report's own headers) has another List-Id."""
    body = re.split(rb"\r?\n\r?\n", raw, maxsplit=1)[-1]
    ids = {m.decode("ascii", "replace").casefold() for m in _LIST_ID.findall(body)}
    return bool(ids) and keys.list_id.casefold() not in ids


def _returned_message_id(message: Message) -> bool:
    """The report returns the headers of a message, with a Message-ID (not one of ours)."""
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/rfc822" and any(header_text(p, "Message-ID") for p in _parsed(part)[:1]):
            return True
        if kind == "text/rfc822-headers" and re.search(r"^Message-ID:", _decoded(part), re.IGNORECASE | re.MULTILINE):
            return True
    return False


# --- unsubscribe requests and auto-replies ------------------------------------------


def _unsubscribe(message: Message, keys: Keys, *, plain: bool) -> Verdict | None:
    subject = _subject(message)
    own_text = _own_text(message)
    if not plain:
        # A token in the body counts only in a mail to the unsubscribe address: a reply
        # to the newsletter may quote its footer, and its unsubscribe link, as it stands.
        candidates = subject.split()
        unsubscribe = (keys.unsubscribe_address or "").casefold()
        if unsubscribe and unsubscribe in (a.casefold() for a in _recipients_of(message)):
            candidates += [*_TOKEN_IN_URL.findall(own_text), *own_text.split()[:50]]
        for candidate in candidates:
            address = keys.token_address(candidate.strip("<>.,;:()[]\"'"))
            if address is not None:
                return Verdict("unsubscribe", address_key(address), None, "demande par courriel (lien signé)")
        return None
    sender = parseaddr(header_text(message, "From"))[1]
    if not sender or not keys.is_listed(sender):
        return None
    if _UNSUBSCRIBE_WORDS.search(subject) or (
        len(own_text) <= _PLAIN_REQUEST_LIMIT and _UNSUBSCRIBE_WORDS.search(own_text)
    ):
        return Verdict("unsubscribe", address_key(sender), None, "demande par courriel")
    return None


def _is_auto_reply(message: Message) -> bool:
    auto = (header_text(message, "Auto-Submitted") or "no").lower()
    precedence = header_text(message, "Precedence").lower()
    return (
        auto != "no"
        or any(header_text(message, h) for h in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"))
        or precedence in ("auto_reply", "junk")
        or bool(_AUTO_SUBJECT.search(_subject(message)))
    )


def _subject(message: Message) -> str:
    return header_text(message, "Subject")


def header_text(message: Message, name: str) -> str:
    """A header decoded (RFC 2047, or raw UTF-8 as RFC 6532 allows) on one line."""
    return _decoded_header(message.get(name, ""))


def _decoded_header(header: object) -> str:
    try:
        # compat32 marks raw 8-bit bytes as "unknown-8bit": read them as UTF-8
        parts = [(text, "utf-8" if charset == "unknown-8bit" else charset) for text, charset in decode_header(header)]  # type: ignore[arg-type]
        value = str(make_header(parts))
    except (UnicodeError, LookupError, ValueError, TypeError):
        value = str(header)
    return " ".join(value.split())


def _own_text(message: Message) -> str:
    """The sender's own words: the first text part, without what it quotes."""
    lines = []
    for line in _text_of(message, limit=20_000).splitlines():
        if _QUOTE_START.match(line.strip()):
            break
        lines.append(line)
    return " ".join(" ".join(lines).split())


def _text_of(message: Message, limit: int) -> str:
    """The first text/plain part (or text/html without its tags), decoded."""
    html = None
    for part in message.walk():
        kind = part.get_content_type()
        if kind in ("text/plain", "text/html") and not part.get_filename():
            text = _decoded(part, limit)
            if kind == "text/plain":
                return text
            html = html or unescape(_without_tags(text))
    return html or ""


def _without_tags(html: str) -> str:
    """``html`` with its tags blanked. Only up to the last « > »: a « < » after it closes no
    tag, and a run of them would each have the search scan to the end of the text."""
    end = html.rfind(">") + 1
    return _TAG.sub(" ", html[:end]) + html[end:]


def _recipients_of(message: Message) -> list[str]:
    """The addresses a message was sent to (To, Cc, Delivered-To)."""
    values = [_decoded_header(v) for h in ("To", "Cc", "Delivered-To", "X-Original-To") for v in message.get_all(h, [])]
    return [a for _, a in getaddresses(values) if a]


def _report_type(message: Message) -> str | None:
    if message.get_content_type() != "multipart/report":
        return None
    value = message.get_param("report-type")
    return value.lower() if isinstance(value, str) and value else None
