"""One ``send`` at a time per newsletter folder: two runs of a campaign would mail twice."""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


class AlreadyRunning(Exception):
    """Another process holds the lock (French message)."""


@contextmanager
def exclusive_run(lock_path: Path) -> Iterator[None]:
    """Hold an advisory lock on ``lock_path``; released by the OS even after ``kill -9``."""
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AlreadyRunning(
                "un autre envoi est déjà en cours depuis ce dossier : attendez qu'il se termine "
                "(ou arrêtez-le avec Ctrl-C) avant d'en lancer un autre."
            ) from None
        yield
    finally:
        os.close(fd)
