"""The officer's computer is probably Windows: ``build`` and an outbox ``send`` as there.

The child process has no Unix-only module (``fcntl``, ``termios``, ``pwd``…), no
``os.fchmod`` (absent from Windows' Python 3.11), an event loop without signal
handlers (as Windows' is) and a console in code page 850. ``msvcrt``, which only
exists on Windows, is stood in for by byte-range locks, the semantics
``msvcrt.locking`` has there.
"""

from __future__ import annotations

import mailbox
import os
import subprocess
import sys
from pathlib import Path

from issuefolder import SLUG, make_folder, write_files

AS_ON_WINDOWS = '''
import asyncio, fcntl as _fcntl, os, sys, types

for name in ("fcntl", "termios", "tty", "pty", "pwd", "grp", "resource", "syslog", "posix_ipc"):
    sys.modules[name] = None  # "import fcntl" now fails, as on Windows
del os.fchmod

msvcrt = types.ModuleType("msvcrt")
msvcrt.LK_UNLCK, msvcrt.LK_NBLCK = 0, 2

def locking(fd, mode, nbytes):
    _fcntl.lockf(fd, _fcntl.LOCK_EX | _fcntl.LOCK_NB if mode == msvcrt.LK_NBLCK else _fcntl.LOCK_UN, nbytes)

msvcrt.locking = locking
sys.modules["msvcrt"] = msvcrt

def no_signal_handlers(self, sig, callback, *args):
    raise NotImplementedError  # what Windows' ProactorEventLoop does

asyncio.unix_events._UnixSelectorEventLoop.add_signal_handler = no_signal_handlers

from inserecho.cli.main import main
main(sys.argv[1:])
'''


def as_on_windows(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", AS_ON_WINDOWS, *args], cwd=cwd, capture_output=True, timeout=120, check=False,
        env={**os.environ, "PYTHONIOENCODING": "cp850"}, encoding="cp850",
    )


def test_build_and_an_outbox_send_work_without_unix_only_modules(tmp_path):
    root = make_folder(tmp_path / "lettre")
    write_files(root, {"subscribers.yaml": "- email: marie@example.org\n- email: paul@example.org\n"})

    build = as_on_windows(root, "build", SLUG)
    assert build.returncode == 0, build.stderr
    assert (root / "build" / SLUG / "email.html").exists()

    send = as_on_windows(root, "send", SLUG, "--yes")
    assert send.returncode == 0, send.stderr
    assert "Traceback" not in send.stderr and "Erreur interne" not in send.stderr
    assert "Type d'envoi : RÉPÉTITION" in send.stdout
    assert "Numéro : Inser'Echo" in send.stdout  # the typographic apostrophe, in its plain form
    assert len(mailbox.Maildir(root / "outbox", create=False)) == 2
    assert (root / "journal.sqlite3.lock").exists()  # the Windows lock was the one taken
