"""Write a file so that readers see the old content or the new one, never half of it."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: str | bytes, *, overwrite: bool = True) -> None:
    """Write ``data`` to a temporary file beside ``path``, flush it to disk, then rename it.

    With ``overwrite=False``, an existing ``path`` raises :class:`FileExistsError`
    and is left as it was.
    """
    if not overwrite and path.exists():
        raise FileExistsError(errno.EEXIST, "file exists", str(path))
    payload = data.encode("utf-8") if isinstance(data, str) else data
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes the file owner-only; give it the mode a plain open() would,
        # or keep the replaced file's, so a built page stays readable by a web server.
        os.chmod(temporary, _existing_mode(path))  # by name: Windows has no fchmod
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _existing_mode(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
