"""Fixtures of the sending stage's tests."""

import pytest

from inserecho.send.journal import Journal


@pytest.fixture
def journal(tmp_path):
    """A fresh journal file, open for the test."""
    with Journal.open(tmp_path / "journal.sqlite3") as journal:
        yield journal
