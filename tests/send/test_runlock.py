import subprocess
import sys

import pytest

from inserecho.send.runlock import AlreadyRunning, exclusive_run

HOLD_THE_LOCK = """
import pathlib, sys
from inserecho.send.runlock import exclusive_run
with exclusive_run(pathlib.Path(sys.argv[1])):
    print("pris", flush=True)
    sys.stdin.read()
"""


def test_a_second_run_is_refused_while_the_first_holds_the_lock(tmp_path):
    lock = tmp_path / "journal.sqlite3.lock"
    with exclusive_run(lock), pytest.raises(AlreadyRunning, match="un autre envoi est déjà en cours depuis ce dossier"):
        with exclusive_run(lock):
            pass
    with exclusive_run(lock):  # released on exit
        pass


def test_the_lock_of_a_killed_process_is_released(tmp_path):
    lock = tmp_path / "journal.sqlite3.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_LOCK, str(lock)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline() == "pris\n"
    with pytest.raises(AlreadyRunning), exclusive_run(lock):
        pass
    holder.kill()  # SIGKILL: no chance to clean up
    holder.wait()
    with exclusive_run(lock):
        pass
