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


def hold(folder) -> subprocess.Popen:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_LOCK, str(folder)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline() == "pris\n"
    return holder


def test_a_second_run_is_refused_while_the_first_holds_the_lock(tmp_path):
    holder = hold(tmp_path)
    with (
        pytest.raises(AlreadyRunning, match="un autre envoi est déjà en cours depuis ce dossier"),
        exclusive_run(tmp_path),
    ):
        pass
    holder.communicate("")  # the holder leaves its block: released
    with exclusive_run(tmp_path):
        pass


def test_the_lock_of_a_killed_process_is_released(tmp_path):
    holder = hold(tmp_path)
    holder.kill()  # SIGKILL: no chance to clean up
    holder.wait()
    with exclusive_run(tmp_path):
        pass


def test_no_file_in_the_folder_carries_the_lock(tmp_path):
    holder = hold(tmp_path)
    for leftover in tmp_path.iterdir():
        leftover.unlink()
    with pytest.raises(AlreadyRunning), exclusive_run(tmp_path):
        pass
    holder.kill()
    holder.wait()
