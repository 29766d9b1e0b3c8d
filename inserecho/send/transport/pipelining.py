"""SMTP PIPELINING (RFC 2920): MAIL, RCPT and DATA in one write, their replies read together.

Against a relay 20 ms away, the plain dialogue costs four round trips per message
(MAIL, RCPT, DATA, end of data); pipelined, it costs two: the envelope and DATA,
then the content once the relay said 354.

aiosmtplib reads one reply per command it wrote, and drops whatever arrives while
no command of its own is waiting. So for the length of one group a small protocol
of this module takes the connection's incoming bytes, collects the replies, and
hands the connection back. Each reply is then checked in order and raises what
aiosmtplib's ``mail``, ``rcpt`` and ``data`` raise, so that the pool classifies a
refusal inside a group exactly as one in the plain dialogue. The caller owns the
connection for the whole transaction (the pool gives each connection to one
sender at a time).
"""

from __future__ import annotations

import asyncio

import aiosmtplib
from aiosmtplib.email import quote_address
from aiosmtplib.protocol import (
    COMMAND_INJECTION_REGEX,
    PERIOD_REGEX,
    normalize_message_line_endings,
)
from aiosmtplib.response import SMTPResponse

_MAX_REPLIES_SIZE = 64 * 1024
_ACCEPTED_RECIPIENT = (250, 251)


async def pipelined_transaction(
    smtp: aiosmtplib.SMTP,
    sender: str,
    recipient: str,
    data: bytes,
    options: list[str],
    encoding: str,
    timeout: float | None,
) -> SMTPResponse:
    """MAIL, RCPT and DATA in one write; the content only after a 354. The final reply.

    Raises ``SMTPSenderRefused``, ``SMTPRecipientRefused`` or ``SMTPDataError`` for the
    first refusal of the group (the caller resets the transaction), after ending with
    an empty content a DATA that a relay accepted despite the refusal (RFC 2920, 3.1);
    ``SMTPServerDisconnected`` or ``SMTPReadTimeoutError`` when the replies do not come.
    """
    mail = _command(b"MAIL FROM:", sender, options, encoding)
    rcpt = _command(b"RCPT TO:", recipient, [], encoding)
    replies = await _exchange(smtp, mail + rcpt + b"DATA\r\n", 3, timeout)
    refusal: aiosmtplib.SMTPResponseException | None = None
    mail_reply, rcpt_reply, data_reply = replies + [None] * (3 - len(replies))
    if mail_reply is not None and mail_reply.code != 250:
        refusal = aiosmtplib.SMTPSenderRefused(mail_reply.code, mail_reply.message, sender)
    elif rcpt_reply is not None and rcpt_reply.code not in _ACCEPTED_RECIPIENT:
        refusal = aiosmtplib.SMTPRecipientRefused(rcpt_reply.code, rcpt_reply.message, recipient)
    elif data_reply is not None and data_reply.code != 354:
        refusal = aiosmtplib.SMTPDataError(data_reply.code, data_reply.message)
    if refusal is not None:
        if data_reply is not None and data_reply.code == 354:  # DATA taken with no recipient: send nothing
            await _exchange(smtp, b".\r\n", 1, timeout)
        raise refusal
    if data_reply is None:  # cut before all replies came, none of them a refusal
        raise aiosmtplib.SMTPServerDisconnected("Connection lost")
    content = PERIOD_REGEX.sub(b"..", normalize_message_line_endings(data)) + b".\r\n"
    (final,) = await _exchange(smtp, content, 1, timeout)
    if final.code != 250:
        raise aiosmtplib.SMTPDataError(final.code, final.message)
    return final


async def _exchange(smtp: aiosmtplib.SMTP, payload: bytes, count: int, timeout: float | None) -> list[SMTPResponse]:
    """Write ``payload`` at once and read ``count`` replies.

    If the connection is cut after some of them (a relay answers 421 and closes), those
    are returned, so that the refusal is what the caller sees; if before any, it raises.
    """
    protocol = smtp.protocol
    transport = protocol.transport if protocol is not None else None
    if protocol is None or not isinstance(transport, asyncio.Transport) or transport.is_closing():
        raise aiosmtplib.SMTPServerDisconnected("Connection lost")
    reader = _Replies(protocol, count)
    transport.set_protocol(reader)
    try:
        transport.write(payload)
        return await asyncio.wait_for(reader.done, timeout)
    except TimeoutError:
        raise aiosmtplib.SMTPReadTimeoutError("Timed out waiting for server response") from None
    finally:
        transport.set_protocol(protocol)


def _command(verb: bytes, address: str, options: list[str], encoding: str) -> bytes:
    words = [verb + quote_address(address).encode(encoding), *(option.encode("ascii") for option in options)]
    if any(COMMAND_INJECTION_REGEX.search(word) for word in words):
        raise ValueError("Command arg contains a prohibited control character")
    return b" ".join(words) + b"\r\n"


class _Replies(asyncio.Protocol):
    """Takes the connection's incoming bytes until ``count`` replies have come.

    Losing the connection fails the wait and is passed on to aiosmtplib's protocol,
    which then knows the connection is gone; so is the sending side's flow control.
    """

    def __init__(self, owner: asyncio.BaseProtocol, count: int):
        self._owner = owner
        self._count = count
        self._buffer = bytearray()
        self._replies: list[SMTPResponse] = []
        self.done: asyncio.Future[list[SMTPResponse]] = asyncio.get_running_loop().create_future()

    def data_received(self, data: bytes) -> None:
        if self.done.done():
            return
        self._buffer += data
        while len(self._replies) < self._count and (reply := self._next_reply()) is not None:
            self._replies.append(reply)
        if len(self._replies) == self._count:
            self.done.set_result(self._replies)
        elif len(self._buffer) > _MAX_REPLIES_SIZE:
            self._fail(aiosmtplib.SMTPResponseException(-1, "Response too long"))

    def eof_received(self) -> bool | None:
        self._fail(aiosmtplib.SMTPServerDisconnected("Unexpected EOF received"))
        return False  # close the connection

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail(aiosmtplib.SMTPServerDisconnected("Connection lost"))
        self._owner.connection_lost(exc)

    def pause_writing(self) -> None:
        self._owner.pause_writing()

    def resume_writing(self) -> None:
        self._owner.resume_writing()

    def _fail(self, error: Exception) -> None:
        if self.done.done():
            return
        if self._replies:
            self.done.set_result(self._replies)
        else:
            self.done.set_exception(error)

    def _next_reply(self) -> SMTPResponse | None:
        """Take one complete reply (all its ``250-`` lines) off the buffer, if there is one."""
        lines: list[bytes] = []
        offset = 0
        while (end := self._buffer.find(b"\n", offset)) != -1:
            line = bytes(self._buffer[offset:end + 1])
            offset = end + 1
            lines.append(line[4:].strip(b" \t\r\n"))
            if line[3:4] != b"-":
                del self._buffer[:offset]
                try:
                    code = int(line[:3])
                except ValueError:
                    code = -1  # not a reply: classified with the unexpected codes
                return SMTPResponse(code, b"\n".join(lines).decode("utf-8", "surrogateescape"))
        return None
