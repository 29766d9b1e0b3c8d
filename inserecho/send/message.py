"""Per-recipient email bytes from one rendered issue, by filling slots (no re-render).

The HTML and text parts are quoted-printable encoded once, line by line: lines without
a per-recipient slot are encoded ahead of time, and only the few lines holding the
greeting or the unsubscribe link are encoded again for each recipient. Quoted-printable
encodes each line on its own, so the pieces join into exactly what encoding the whole
part would give. A send composes tens of thousands of messages, so the work per
recipient is kept to string replacement, a few short encodings and one join.
"""

from __future__ import annotations

import binascii
import hashlib
import re
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from email import base64mime, quoprimime
from email.header import Header
from email.utils import formataddr, formatdate, parseaddr
from typing import Protocol

from inserecho.content.addresses import address_key
from inserecho.content.textfile import control_character
from inserecho.problems import InvalidValue
from inserecho.render import slots
from inserecho.render.renderer import RenderedIssue
from inserecho.send.dkim import DkimSigner
from inserecho.send.tokens import TokenSigner
from inserecho.send.transport.replies import OutgoingMessage
from inserecho.send.verp import Verp
from inserecho.settings import Settings

TEST_PREFIX = "[Test] "
_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"  # what str.splitlines() breaks on
_MARKERS = (slots.GREETING, slots.UNSUBSCRIBE_URL)
# The bytes quoted-printable header encoding writes as themselves (space becomes "_").
_QP_HEADER_SAFE = b" -!*+/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


class Recipient(Protocol):
    @property
    def email(self) -> str: ...
    @property
    def name(self) -> str | None: ...
    @property
    def first_name(self) -> str | None: ...


class HeaderError(InvalidValue):
    """A header value would break the message (line break, bad address).

    ``header`` names the header, which tells the caller where the value came from.
    """

    def __init__(self, message: str, header: str):
        super().__init__(message)
        self.header = header


_FILL = {True: slots.fill_html, False: slots.fill_text}  # a slot line of the HTML part, or of the text part


@dataclass(frozen=True)
class _SlotLine:
    """A line holding a per-recipient marker, filled and encoded for each message."""

    template: str
    html: bool


def _prepare(template: str, html: bool) -> list[bytes | _SlotLine]:
    """One body part as pre-encoded chunks and slot lines, in order."""
    pieces: list[bytes | _SlotLine] = []
    static: list[str] = []
    for line in template.splitlines(keepends=True):
        if any(marker in line for marker in _MARKERS):
            if static:
                pieces.append(_qp("".join(static)))
                static = []
            pieces.append(_SlotLine(line, html))
        else:
            static.append(line)
    if static:
        pieces.append(_qp("".join(static)))
    return pieces


class Composer:
    """Builds the bytes of one message per recipient for a campaign."""

    def __init__(
        self,
        rendered: RenderedIssue,
        settings: Settings,
        signer: TokenSigner,
        campaign: str,
        asset_base: str,
        test: bool = False,
        verp: Verp | None = None,
        dkim: DkimSigner | None = None,
    ):
        self.signer = signer
        self.verp = verp
        self.dkim = dkim
        self.test = test
        self.campaign = campaign
        sender_name, self.envelope_from = _mailbox(settings.sender, "From", "sender.from")
        self.domain = self.envelope_from.rsplit("@", 1)[1]
        subject = (TEST_PREFIX if test else "") + rendered.subject
        static = {slots.ASSETS: asset_base.rstrip("/")}
        text = _prepare(slots.fill_text(rendered.text, static), html=False)
        html = _prepare(slots.fill_html(rendered.html, static), html=True)
        self._boundary = f"=_inserecho_{secrets.token_hex(12)}"
        self._date_second, self._date_text = -1, ""
        self._id_suffix = f"{campaign_label(campaign)}@{self.domain}>"
        headers = [
            ("From", _address("From", sender_name, self.envelope_from)),
            ("Subject", _encoded("Subject", subject)),
            ("MIME-Version", "1.0"),
            ("Content-Type", f'multipart/alternative; boundary="{self._boundary}"'),
            ("List-Id", _encoded("List-Id", f"{settings.name} <{settings.list_id}>")),
        ]
        if settings.reply_to:
            reply_name, reply_address = _mailbox(settings.reply_to, "Reply-To", "sender.reply_to")
            headers.append(("Reply-To", _address("Reply-To", reply_name, reply_address)))
        if settings.unsubscribe_url:
            headers.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
        self._static_headers = "".join(f"{name}: {value}\n" for name, value in headers).encode("ascii")
        delimiter = f"--{self._boundary}\n".encode("ascii")  # the first one follows the headers' blank line
        text_head = (
            delimiter
            + b'Content-Type: text/plain; charset="utf-8"; format=flowed\n'
            + b"Content-Transfer-Encoding: quoted-printable\n\n"
        )
        html_head = (
            b"\n"
            + delimiter
            + b'Content-Type: text/html; charset="utf-8"\nContent-Transfer-Encoding: quoted-printable\n\n'
        )
        closing = f"\n--{self._boundary}--\n".encode("ascii")
        # after the headers' blank line: both parts and the closing delimiter, as
        # pre-encoded chunks and the few slot lines between them
        self._body = (text_head, *text, html_head, *html, closing)
        # the recipient's token completes each link; tokens are URL-safe (base64url and ".")
        self._unsubscribe_prefixes = []
        if settings.unsubscribe_mailto:
            self._unsubscribe_prefixes.append(f"mailto:{settings.unsubscribe_mailto}?subject=unsubscribe%20")
        if settings.unsubscribe_url:
            separator = "&" if "?" in settings.unsubscribe_url else "?"
            self._unsubscribe_prefixes.append(f"{settings.unsubscribe_url}{separator}token=")

    def check(self, recipient: Recipient) -> None:
        """Raise :class:`HeaderError` if this recipient's headers could not be written safely."""
        email, name = recipient.email, recipient.name
        if email.isprintable() and (not name or name.isprintable()):  # the usual case, in C
            return
        _check_header("To", email)
        if name:
            _check_header("To", name)

    def samples(self, recipients: Iterable[Recipient]) -> list[OutgoingMessage]:
        """The message of the first recipient of each :func:`header_shape`, for a dry run.

        Recipients of one shape differ only in the values filled in, which
        :meth:`check` has already checked for each of them; composing one of each
        shape proves that composition works without building every message's bytes.
        """
        seen: set[tuple[bool, ...]] = set()
        messages = []
        for recipient in recipients:
            shape = header_shape(recipient)
            if shape not in seen:
                seen.add(shape)
                messages.append(self.compose(recipient))
        return messages

    def compose(self, recipient: Recipient) -> OutgoingMessage:
        """One recipient's message; :func:`_address` refuses a name or address unsafe in ``To``."""
        token = self.signer.token(recipient.email)
        unsubscribe_links = [prefix + token for prefix in self._unsubscribe_prefixes]
        address, smtputf8 = wire_address(recipient.email)
        head = (
            f"To: {_address('To', recipient.name or '', address)}\n"
            f"Date: {self._date()}\nMessage-ID: {self._message_id(recipient.email)}\n"
        )
        if unsubscribe_links:
            head += f"List-Unsubscribe: {', '.join(f'<{link}>' for link in unsubscribe_links)}\n"
        values = {
            slots.GREETING: slots.greeting(recipient.first_name or recipient.name),
            slots.UNSUBSCRIBE_URL: unsubscribe_links[-1] if unsubscribe_links else "",
        }
        chunks = [
            piece if isinstance(piece, bytes) else _qp(_FILL[piece.html](piece.template, values))
            for piece in self._body
        ]
        head_bytes = head.encode("utf-8") + self._static_headers
        data = self.dkim.sign_parts(head_bytes, chunks) if self.dkim else b"".join((head_bytes, b"\n", *chunks))
        sender = self.verp.envelope(recipient.email) if self.verp else self.envelope_from
        return OutgoingMessage(sender, address, data, smtputf8)

    def _date(self) -> str:
        """The Date header, formatted once per second rather than once per message."""
        second = int(time.time())
        if second != self._date_second:
            self._date_second, self._date_text = second, formatdate(second, localtime=True)
        return self._date_text

    def _message_id(self, address: str) -> str:
        """Stable per campaign and recipient, so a message resent after a crash keeps its id
        (receiving servers may then drop the duplicate); random for test sends."""
        unique = secrets.token_hex(12) if self.test else message_id_key(self.campaign, address)
        return f"<{unique}.{self._id_suffix}"


# Our Message-IDs, as found again in a bounce or a complaint: key, campaign label, domain.
MESSAGE_ID = re.compile(r"<([0-9a-f]{24})\.([A-Za-z0-9_-]+)@([^<>\s]+)>")  # no « < »: linear on any text


def message_id_key(campaign: str, address: str) -> str:
    """The per-recipient part of the Message-ID of ``campaign`` sent to ``address``."""
    return hashlib.sha256(f"{campaign}\0{address_key(address)}".encode()).hexdigest()[:24]


def header_shape(recipient: Recipient) -> tuple[bool, ...]:
    """Which ways :meth:`Composer.compose` takes to write this recipient's ``To`` header,
    address and greeting: with or without a name, in ASCII or not, for the name, the
    address and its local part."""
    name, email = recipient.name or "", recipient.email
    return (
        bool(name),
        name.isascii(),
        email.isascii(),
        email.rpartition("@")[0].isascii(),
        bool(recipient.first_name or recipient.name),
    )


def campaign_label(campaign: str) -> str:
    """The campaign as it stands in a Message-ID (ASCII letters, digits, - and _)."""
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in campaign) or "inserecho"


def _qp(text: str) -> bytes:
    return binascii.b2a_qp(text.encode("utf-8"), istext=True)


def _check_header(name: str, value: str) -> None:
    """Refuse line breaks (header injection) and any other control character (an
    invalid header that mail software reads each in its own way); tabs are fine."""
    bad = control_character(value)
    if bad is None:
        return
    what = "un saut de ligne" if bad in _LINE_BREAKS else "un caractère invisible (caractère de contrôle)"
    raise HeaderError(
        f"la valeur {value!r} de l'en-tête {name} contient {what} : c'est interdit "
        "(risque d'injection d'en-têtes). Corrigez-la dans le fichier d'où elle vient.",
        name,
    )


def _encoded(name: str, value: str) -> str:
    _check_header(name, value)
    if value.isascii():
        return value
    return Header(value, "utf-8", header_name=name).encode(linesep="\n")


def _mailbox(value: str, header: str, setting: str) -> tuple[str, str]:
    """The display name and address of a setting such as ``Inser'Echo <lettre@exemple.org>``."""
    name, address = parseaddr(value)
    if "@" not in address:
        raise HeaderError(
            f"« {value} » ({setting} dans inserecho.yaml) n'est pas une adresse valide : écrivez "
            "« Nom <adresse@exemple.org> » ou l'adresse seule.",
            header,
        )
    return name, address


def _address(header: str, name: str, address: str) -> str:
    _check_header(header, name)
    _check_header(header, address)
    if not name:
        return address
    if not name.isascii():
        return f"{_encoded_word(name)} <{address}>"
    if address.isascii():
        return formataddr((name, address))
    # An internationalised local part travels as UTF-8 (SMTPUTF8), which formataddr refuses;
    # the display name is still quoted exactly as formataddr does it.
    display = formataddr((name, "placeholder@example.org")).rsplit(" <", 1)[0]
    return f"{display} <{address}>"


def _encoded_word(name: str) -> str:
    """A non-ASCII display name as ``formataddr(..., charset="utf-8")`` encodes it.

    The shorter of the base64 and the quoted-printable encoded word, as
    ``email.charset`` chooses, with the lengths counted in C rather than byte by byte.
    """
    data = name.encode("utf-8")
    quoted_length = len(data) + 2 * len(data.translate(None, _QP_HEADER_SAFE))
    if base64mime.header_length(data) < quoted_length:
        return base64mime.header_encode(data, "utf-8")
    return quoprimime.header_encode(data, "utf-8")


def wire_address(address: str) -> tuple[str, bool]:
    """The address as sent, and whether it needs SMTPUTF8 (a non-ASCII local part)."""
    if address.isascii():
        return address, False
    local, _, domain = address.rpartition("@")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return address, True
    return f"{local}@{domain}", not local.isascii()


