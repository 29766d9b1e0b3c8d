import csv

from inserecho.send.journal import Journal
from inserecho.send.report import COLUMNS, write_delivery_report


def test_one_line_per_recipient_for_a_french_spreadsheet(tmp_path):
    path = tmp_path / "build" / "2027-01" / "envoi-2027-01.csv"
    with Journal.open(tmp_path / "journal.sqlite3") as journal:
        journal.suppress("zoe@example.org", "unsubscribe")
        journal.register(
            "2027-01",
            ["marie@example.org", "paul@example.org", "ines@example.org", "zoe@example.org", "yves@example.org"],
        )
        journal.mark_sent("2027-01", "marie@example.org", "250 2.0.0 Ok: queued as 1")
        journal.mark_failed(
            "2027-01", "paul@example.org", "450 4.2.1 Boîte occupée ; réessayez", permanent=False, attempts=5
        )
        journal.mark_failed("2027-01", "ines@example.org", "550 5.1.1 Utilisateur inconnu", permanent=True)
        write_delivery_report(journal, "2027-01", path)

    data = path.read_bytes()
    assert data.startswith("\ufeff".encode()) and b"\r\n" in data  # Excel: BOM, CRLF
    rows = list(csv.reader(data.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert tuple(rows[0]) == COLUMNS
    by_address = {row[0]: row[1:4] for row in rows[1:]}
    assert by_address == {
        "ines@example.org": ["échec définitif", "1", "550 5.1.1 Utilisateur inconnu"],
        "marie@example.org": ["envoyé", "1", "250 2.0.0 Ok: queued as 1"],
        "paul@example.org": ["échec temporaire", "5", "450 4.2.1 Boîte occupée ; réessayez"],  # quoted, not split
        "yves@example.org": ["en attente", "0", ""],
        "zoe@example.org": ["désinscrit", "0", ""],
    }
    assert [row[0] for row in rows[1:]] == sorted(by_address)


def test_cells_that_a_spreadsheet_would_run_as_formulas_are_defused(tmp_path):
    path = tmp_path / "envoi.csv"
    with Journal.open(tmp_path / "journal.sqlite3") as journal:
        journal.register("c", ["=cmd@example.org", "ok@example.org"])
        journal.mark_failed("c", "ok@example.org", "-1 réponse étrange", permanent=True)
        write_delivery_report(journal, "c", path)
    rows = {row[0]: row for row in csv.reader(path.read_text(encoding="utf-8-sig").splitlines(), delimiter=";")}
    assert "'=cmd@example.org" in rows
    assert rows["ok@example.org"][3] == "'-1 réponse étrange"
