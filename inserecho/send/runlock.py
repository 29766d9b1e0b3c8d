"""One ``send`` at a time per newsletter folder: two runs of a campaign would mail twice.

The lock must hold for the whole run even if someone deletes files in the folder, so
nothing deletable carries it. On Linux and macOS the folder itself is locked (``flock``
on the directory); on Windows a lock file is locked with ``msvcrt``, and Windows
refuses to delete a file that a process holds open. Either way the operating system
releases the lock when the process ends, even after ``kill -9``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from inserecho.problems import UsageProblem

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]
try:
    import msvcrt
except ImportError:  # Linux, macOS
    msvcrt = None  # type: ignore[assignment]

WINDOWS_LOCK_FILE = "journal.sqlite3.lock"


class AlreadyRunning(UsageProblem):
    """Another process holds the lock: the command cannot run now (exit code 2)."""

    def __init__(self) -> None:
        super().__init__(
            "un autre envoi est déjà en cours depuis ce dossier : attendez qu'il se termine "
            "(ou arrêtez-le avec Ctrl-C) avant d'en lancer un autre."
        )


@contextmanager
def exclusive_run(folder: Path) -> Iterator[None]:
    """Hold the newsletter folder's send lock, or raise :class:`AlreadyRunning`."""
    if fcntl is not None:
        fd = os.open(folder, os.O_RDONLY)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise AlreadyRunning() from None
            yield
        finally:
            os.close(fd)
    elif msvcrt is not None:
        fd = os.open(folder / WINDOWS_LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            except OSError:
                raise AlreadyRunning() from None
            try:
                yield
            finally:
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        finally:
            os.close(fd)
    else:
        raise RuntimeError("no file locking on this system (neither fcntl nor msvcrt)")
