"""The Maildir outbox: each message becomes one file in ``new/``, the default that needs no server."""

from __future__ import annotations

import mailbox
import os
from pathlib import Path

from inserecho.problems import describe_os_error
from inserecho.send.transport.replies import FatalRelayError, OutgoingMessage, Reply


class MaildirOutbox:
    """Writes each message into a Maildir, on the standard library's :class:`mailbox.Maildir`.

    A file appears in ``new/`` only complete: it is written in ``tmp/``, then renamed (and
    removed from ``tmp/`` if the write fails). Like a delivery agent, ``Return-Path`` and
    ``Delivered-To`` are prepended so the envelope stays visible; line endings are LF, as
    mail clients expect in a Maildir.
    """

    def __init__(self, directory: Path | str):
        self.directory = Path(directory)
        try:
            for sub in ("tmp", "new", "cur"):
                (self.directory / sub).mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise FatalRelayError(
                f"impossible de créer le dossier d'envoi {self.directory} : {describe_os_error(error)}"
            ) from None
        self._maildir = mailbox.Maildir(self.directory, factory=None, create=False)

    def describe(self) -> str:
        return f"dossier {self.directory}"

    async def send(self, message: OutgoingMessage) -> Reply:
        envelope = f"Return-Path: <{message.sender}>\nDelivered-To: {message.recipient}\n"
        content = envelope.encode("utf-8") + message.data.replace(b"\r\n", b"\n")
        try:
            name = self._maildir.add(content)
        except OSError as error:
            self._remove_partial()
            raise FatalRelayError(
                f"impossible d'écrire dans le dossier d'envoi {self.directory} : {describe_os_error(error)}"
            ) from None
        return Reply(250, f"écrit dans new/{name}")

    def _remove_partial(self) -> None:
        """Remove what a failed write left in ``tmp/``.

        ``Maildir.add`` removes its temporary file when writing fails, but not when the
        final flush does (a full disk). Temporary names carry the writer's process id.
        """
        mark = f"P{os.getpid()}Q"
        for leftover in (self.directory / "tmp").glob(f"*{mark}*"):
            leftover.unlink(missing_ok=True)

    async def close(self) -> None:
        """Nothing to release."""

    async def __aenter__(self) -> MaildirOutbox:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
