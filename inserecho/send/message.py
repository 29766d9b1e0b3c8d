"""Per-recipient email bytes from one rendered issue, by filling slots (no re-render).

The HTML and text parts are quoted-printable encoded once, line by line: lines without
a per-recipient slot are encoded ahead of time, and only the few lines holding the
greeting or the unsubscribe link are encoded again for each recipient. Quoted-printable
encodes each line on its own, so the pieces join into exactly what encoding the whole
part would give.
"""

from __future__ import annotations

import binascii
import hashlib
import secrets
import time
from dataclasses import dataclass
from email.header import Header
from email.utils import formataddr, formatdate, parseaddr
from typing import Protocol

from inserecho.content.addresses import address_key
from inserecho.content.textfile import control_character
from inserecho.problems import InvalidValue
from inserecho.render import slots
from inserecho.render.renderer import RenderedIssue
from inserecho.send.tokens import TokenSigner
from inserecho.send.transport.replies import OutgoingMessage
from inserecho.settings import Settings

TEST_PREFIX = "[Test] "
_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"  # what str.splitlines() breaks on


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


@dataclass(frozen=True)
class _Part:
    """One body part: pre-encoded chunks (bytes) and slot lines (str) in order."""

    pieces: tuple[bytes | str, ...]
    html: bool

    @classmethod
    def prepare(cls, template: str, html: bool, markers: tuple[str, ...]) -> _Part:
        pieces: list[bytes | str] = []
        static: list[str] = []
        for line in template.splitlines(keepends=True):
            if any(marker in line for marker in markers):
                if static:
                    pieces.append(_qp("".join(static)))
                    static = []
                pieces.append(line)
            else:
                static.append(line)
        if static:
            pieces.append(_qp("".join(static)))
        return cls(tuple(pieces), html)

    def encode(self, values: dict[str, str]) -> list[bytes]:
        fill = slots.fill_html if self.html else slots.fill_text
        return [p if isinstance(p, bytes) else _qp(fill(p, values)) for p in self.pieces]


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
    ):
        self.signer = signer
        self.test = test
        self.campaign = campaign
        sender_name, self.envelope_from = _mailbox(settings.sender, "From", "sender.from")
        self.domain = self.envelope_from.rsplit("@", 1)[1]
        subject = (TEST_PREFIX if test else "") + rendered.subject
        static = {slots.ASSETS: asset_base.rstrip("/")}
        markers = (slots.GREETING, slots.UNSUBSCRIBE_URL)
        self._text = _Part.prepare(slots.fill_text(rendered.text, static), html=False, markers=markers)
        self._html = _Part.prepare(slots.fill_html(rendered.html, static), html=True, markers=markers)
        self._boundary = f"=_inserecho_{secrets.token_hex(12)}"
        self._date_second, self._date_text = -1, ""
        self._id_suffix = f"{_ascii_label(campaign)}@{self.domain}>"
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
        delimiter = f"\n--{self._boundary}\n".encode("ascii")
        self._text_head = (
            delimiter
            + b'Content-Type: text/plain; charset="utf-8"; format=flowed\nContent-Transfer-Encoding: '
              b'quoted-printable\n\n'
        )
        self._html_head = (
            delimiter + b'Content-Type: text/html; charset="utf-8"\nContent-Transfer-Encoding: quoted-printable\n\n'
        )
        self._closing = f"\n--{self._boundary}--\n".encode("ascii")
        # the recipient's token completes each link; tokens are URL-safe (base64url and ".")
        self._unsubscribe_prefixes = []
        if settings.unsubscribe_mailto:
            self._unsubscribe_prefixes.append(f"mailto:{settings.unsubscribe_mailto}?subject=unsubscribe%20")
        if settings.unsubscribe_url:
            separator = "&" if "?" in settings.unsubscribe_url else "?"
            self._unsubscribe_prefixes.append(f"{settings.unsubscribe_url}{separator}token=")

    def check(self, recipient: Recipient) -> None:
        """Raise :class:`HeaderError` if this recipient's headers could not be written safely."""
        _check_header("To", recipient.email)
        if recipient.name:
            _check_header("To", recipient.name)

    def compose(self, recipient: Recipient) -> OutgoingMessage:
        """One recipient's message; :func:`_address` refuses a name or address unsafe in ``To``."""
        token = self.signer.token(recipient.email)
        unsubscribe_links = [prefix + token for prefix in self._unsubscribe_prefixes]
        address, smtputf8 = _wire_address(recipient.email)
        headers = [
            ("To", _address("To", recipient.name or "", address)),
            ("Date", self._date()),
            ("Message-ID", self._message_id(recipient.email)),
        ]
        if unsubscribe_links:
            headers.append(("List-Unsubscribe", ", ".join(f"<{link}>" for link in unsubscribe_links)))
        values = {
            slots.GREETING: slots.greeting(recipient.first_name or recipient.name),
            slots.UNSUBSCRIBE_URL: unsubscribe_links[-1] if unsubscribe_links else "",
        }
        chunks = [
            "".join(f"{name}: {value}\n" for name, value in headers).encode("utf-8"),
            self._static_headers,
            self._text_head, *self._text.encode(values),
            self._html_head, *self._html.encode(values),
            self._closing,
        ]
        return OutgoingMessage(self.envelope_from, address, b"".join(chunks), smtputf8)

    def _date(self) -> str:
        """The Date header, formatted once per second rather than once per message."""
        second = int(time.time())
        if second != self._date_second:
            self._date_second, self._date_text = second, formatdate(second, localtime=True)
        return self._date_text

    def _message_id(self, address: str) -> str:
        """Stable per campaign and recipient, so a message resent after a crash keeps its id
        (receiving servers may then drop the duplicate); random for test sends."""
        if self.test:
            unique = secrets.token_hex(12)
        else:
            unique = hashlib.sha256(f"{self.campaign}\0{address_key(address)}".encode()).hexdigest()[:24]
        return f"<{unique}.{self._id_suffix}"


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
    if address.isascii():
        return formataddr((name, address), charset="utf-8") if name else address
    if not name:
        return address
    # An internationalised local part travels as UTF-8 (SMTPUTF8), which formataddr refuses;
    # the display name is still quoted or encoded exactly as formataddr does it.
    display = formataddr((name, "placeholder@example.org"), charset="utf-8").rsplit(" <", 1)[0]
    return f"{display} <{address}>"


def _wire_address(address: str) -> tuple[str, bool]:
    """The address as sent, and whether it needs SMTPUTF8 (a non-ASCII local part)."""
    if address.isascii():
        return address, False
    local, _, domain = address.rpartition("@")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return address, True
    return f"{local}@{domain}", not local.isascii()


def _ascii_label(text: str) -> str:
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in text) or "inserecho"
