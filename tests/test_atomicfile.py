import errno
import os

import pytest

from inserecho.atomicfile import write_atomic


def test_text_is_written_as_utf8_and_bytes_as_they_are(tmp_path):
    write_atomic(tmp_path / "a.yaml", "- email: andré@example.org\n")
    write_atomic(tmp_path / "b.bin", b"\x00\xff")
    assert (tmp_path / "a.yaml").read_bytes() == "- email: andré@example.org\n".encode()
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\xff"


def test_an_existing_file_is_replaced_and_no_temporary_file_stays(tmp_path):
    path = tmp_path / "subscribers.yaml"
    path.write_text("ancien\n", encoding="utf-8")
    write_atomic(path, "nouveau\n")
    assert path.read_text(encoding="utf-8") == "nouveau\n"
    assert os.listdir(tmp_path) == ["subscribers.yaml"]


def test_missing_folders_are_created(tmp_path):
    path = tmp_path / "build" / "2026-12" / "lettre.html"
    write_atomic(path, "<html></html>")
    assert path.read_text(encoding="utf-8") == "<html></html>"


def test_overwrite_false_refuses_an_existing_file_and_leaves_it_alone(tmp_path):
    path = tmp_path / "subscribers.yaml"
    write_atomic(path, "premier\n", overwrite=False)  # a new file is fine
    with pytest.raises(FileExistsError):
        write_atomic(path, "second\n", overwrite=False)
    assert path.read_text(encoding="utf-8") == "premier\n"
    assert os.listdir(tmp_path) == ["subscribers.yaml"]


def test_a_failed_write_keeps_the_old_content(tmp_path, monkeypatch):
    path = tmp_path / "subscribers.yaml"
    path.write_text("ancien\n", encoding="utf-8")

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError):
        write_atomic(path, "nouveau\n")
    assert path.read_text(encoding="utf-8") == "ancien\n"
    assert os.listdir(tmp_path) == ["subscribers.yaml"]


def test_a_mode_can_be_asked_for_a_new_file(tmp_path):
    write_atomic(tmp_path / ".secret", "s\n", overwrite=False, mode=0o600)
    assert (tmp_path / ".secret").stat().st_mode & 0o777 == 0o600


def test_a_full_disk_names_the_file_asked_for_and_leaves_nothing(tmp_path, monkeypatch):
    def disk_full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", disk_full)  # a full disk cannot be made without privileges
    with pytest.raises(OSError) as raised:
        write_atomic(tmp_path / "lettre.html", "<html></html>", overwrite=False)
    assert (raised.value.errno, raised.value.filename) == (errno.ENOSPC, str(tmp_path / "lettre.html"))
    assert os.listdir(tmp_path) == []


def test_creating_a_file_another_writer_made_meanwhile_keeps_theirs(tmp_path, monkeypatch):
    path = tmp_path / ".secret"
    real_link = os.link

    def other_writer_first(source, target):
        path.write_text("le leur\n")
        real_link(source, target)

    monkeypatch.setattr(os, "link", other_writer_first)
    with pytest.raises(FileExistsError):
        write_atomic(path, "le mien\n", overwrite=False)
    assert path.read_text() == "le leur\n"
    assert os.listdir(tmp_path) == [".secret"]
