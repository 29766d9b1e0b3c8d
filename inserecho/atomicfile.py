"""Write a file so that readers see the old content or the new one, never half of it."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: str | bytes, *, overwrite: bool = True, mode: int | None = None) -> None:
    """Write ``data`` to a temporary file beside ``path``, flush it to disk, then rename it.

    With ``overwrite=False``, an existing ``path`` raises :class:`FileExistsError` and
    is left as it was (even when two processes race to create it). ``mode`` defaults
    to the replaced file's, or to what a plain ``open()`` would give. A failure (a
    read-only folder, a full disk) raises :class:`OSError` naming ``path``, and leaves
    neither a partial ``path`` nor a temporary file behind.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if not overwrite and path.exists():
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as error:
        raise _about(error, path) from None
    try:
        # mkstemp makes the file owner-only; give it the mode a plain open() would,
        # or keep the replaced file's, so a built page stays readable by a web server.
        os.chmod(temporary, _existing_mode(path) if mode is None else mode)  # by name: Windows has no fchmod
        _write_all(fd, payload)
        os.fsync(fd)
        os.close(fd)
        fd = -1
        if overwrite:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)  # fails if another writer created path meanwhile
            os.unlink(temporary)
    except BaseException as error:
        if fd >= 0:
            os.close(fd)
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise _about(error, path) from None
        raise


def _write_all(fd: int, payload: bytes) -> None:
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view):]


def _about(error: OSError, path: Path) -> OSError:
    """The same error, about the file the caller asked for rather than a temporary one."""
    return type(error)(error.errno, error.strerror or "", str(path))


def _existing_mode(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
