"""The list commands through the real CLI: import with opt-outs and --merge, export,
the suppression list, and the journal commands refusing a folder that is no newsletter."""

from __future__ import annotations

import csv

import pytest

from inserecho.send.journal import Journal
from issuefolder import SLUG, make_folder, run_cli, write_files

BREVO = """\
    EMAIL;PRENOM;NOM;EMAIL_BLACKLISTED;LISTES
    karim@example.org;Karim;Benali;No;Adhérents
    lea@example.org;Léa;Martin;Yes;Adhérents
    paul@example.org;Paul;Durand;No;Partenaires
    """


def sheet(path) -> dict[str, dict[str, str]]:
    rows = csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines(), delimiter=";")
    return {row["adresse"]: row for row in rows}


def test_an_import_sends_who_left_to_the_suppression_list_and_says_what_it_read(tmp_path):
    root = make_folder(tmp_path)
    write_files(root, {"brevo.csv": BREVO})

    run = run_cli(root, "subscribers", "import", "brevo.csv")

    assert run.code == 0, run.output
    assert "« EMAIL_BLACKLISTED » (désinscription)" in run.out and "« LISTES » (étiquettes)" in run.out
    assert "2 abonné·e·s écrit·e·s dans subscribers.yaml." in run.out
    assert "1 désinscrit·e(s) et 0 adresse(s) en erreur" in run.out
    written = (root / "subscribers.yaml").read_text(encoding="utf-8")
    assert "lea@example.org" not in written
    assert "  first_name: Karim\n" in written and "  tags: [Adhérents]\n" in written
    with Journal.open(root / "journal.sqlite3") as journal:
        [left] = journal.suppressions()
    assert (left.email, left.reason) == ("lea@example.org", "unsubscribe")
    assert "brevo.csv, ligne 3" in left.source


def test_merge_reports_what_it_added_changed_and_left_alone(tmp_path):
    root = make_folder(tmp_path)
    write_files(
        root,
        {
            "subscribers.yaml": """\
            - email: karim@example.org
              name: Karim Benali
              first_name: Karim
              tags: [Adhérents]
            - email: paul@example.org
              name: Paul
            - email: rose@example.org
            """,
            "brevo.csv": BREVO,
        },
    )

    run = run_cli(root, "subscribers", "import", "brevo.csv", "--merge")

    assert run.code == 0, run.output
    assert "0 ajouté·e(s), 1 modifié·e(s), 2 laissé·e(s) tel·le·s quel·le·s ; 3 abonné·e·s en tout." in run.out
    check = run_cli(root, "subscribers", "check", "subscribers.yaml", "--only", "tag=Partenaires")
    assert "Segment (étiquette Partenaires) : 1," in check.out
    refused = run_cli(root, "subscribers", "import", "brevo.csv")
    assert refused.code == 2 and "--merge" in refused.err


def test_merge_keeps_the_consent_records_of_the_existing_list(tmp_path):
    root = make_folder(tmp_path)
    write_files(
        root,
        {
            "subscribers.yaml": """\
            - email: karim@example.org
              consent: {date: "2027-01-08", source: formulaire, version: v2}
            - email: paul@example.org
              consent: {date: "2027-01-09", source: import}
            """,
            "brevo.csv": BREVO,
        },
    )

    run = run_cli(root, "subscribers", "import", "brevo.csv", "--merge")

    assert run.code == 0, run.output
    written = (root / "subscribers.yaml").read_text(encoding="utf-8")
    assert '  consent: {date: "2027-01-08", source: formulaire, version: v2}\n' in written
    assert '  consent: {date: "2027-01-09", source: import}\n' in written


def test_export_writes_each_person_with_their_state_date_and_reason(tmp_path):
    root = make_folder(tmp_path)
    write_files(
        root, {"subscribers.yaml": "- email: karim@example.org\n  first_name: Karim\n- email: rose@example.org\n"}
    )
    assert run_cli(root, "unsubscribe", "rose@example.org").code == 0
    with Journal.open(root / "journal.sqlite3") as journal:
        journal.suppress("ancien@example.org", "bounce", "adresse inexistante")

    run = run_cli(root, "subscribers", "export", "abonnes.csv")

    assert run.code == 0, run.output
    assert "abonnes.csv : 3 lignes (actif : 1 ; désinscrit : 1 ; adresse en erreur : 1)." in run.out
    rows = sheet(root / "abonnes.csv")
    assert (rows["karim@example.org"]["état"], rows["karim@example.org"]["prénom"]) == ("actif", "Karim")
    assert (rows["rose@example.org"]["état"], rows["rose@example.org"]["raison"]) == ("désinscrit", "demande manuelle")
    assert rows["rose@example.org"]["depuis le"][:2] == "20"  # an ISO date
    assert rows["ancien@example.org"]["état"] == "adresse en erreur"


def test_unsubscribe_list_shows_the_suppression_list(tmp_path):
    root = make_folder(tmp_path)
    assert "La liste de désinscription est vide" in run_cli(root, "unsubscribe", "--list").out
    assert not (root / "journal.sqlite3").exists()  # showing it creates nothing
    run_cli(root, "unsubscribe", "rose@example.org", "ali@example.org")

    run = run_cli(root, "unsubscribe", "--list")

    assert run.code == 0, run.output
    lines = run.out.splitlines()
    assert lines[0] == "Liste de désinscription : 2 adresses"
    assert lines[1].split()[:3] == ["ali@example.org", "désinscrit", "le"]
    assert lines[1].endswith("(demande manuelle)")


@pytest.mark.parametrize(
    "command",
    [
        ["unsubscribe", "rose@example.org"],
        ["unsubscribe", "--list"],
        ["status", SLUG],
        ["subscribers", "export"],
        ["subscribers", "import", "export.csv"],
        ["send", "../lettre/issues/" + SLUG, "--outbox", "outbox", "--yes"],
    ],
)
def test_journal_commands_refuse_a_folder_that_is_no_newsletter(tmp_path, command):
    make_folder(tmp_path / "lettre")
    stray = tmp_path / "ailleurs"
    write_files(stray, {"export.csv": "Email\nrose@example.org\n", "subscribers.yaml": "- email: rose@example.org\n"})
    before = sorted(p.name for p in stray.iterdir())

    run = run_cli(stray, *command)

    assert run.code == 2
    assert "n'est pas un dossier de lettre (pas de inserecho.yaml)" in run.err
    assert sorted(p.name for p in stray.iterdir()) == before  # no stray journal, secret or list


def test_a_commune_given_as_territory_suggests_its_territory_in_the_list_and_in_only(tmp_path):
    root = make_folder(tmp_path)
    write_files(
        root,
        {
            "communes.yaml": "- email: rose@example.org\n  territories: [Saint-Denis]\n",
            "subscribers.yaml": "- email: rose@example.org\n  territories: [Plaine Commune]\n",
        },
    )

    listed = run_cli(root, "subscribers", "check", "communes.yaml")
    segment = run_cli(root, "subscribers", "check", "subscribers.yaml", "--only", "territory=Saint-Denis")

    hint = (
        "territoire inconnu « Saint-Denis » (vouliez-vous dire « Plaine Commune » ? "
        "la commune de Saint-Denis en fait partie)"
    )
    assert listed.code == 1 and f"communes.yaml:2: {hint}" in listed.err
    assert segment.code == 2 and hint in segment.err


@pytest.mark.parametrize("rows", [5_000, 8_000])
def test_an_unclosed_quote_refuses_the_import_at_its_line_instead_of_losing_the_rows_after_it(tmp_path, rows):
    root = make_folder(tmp_path)
    lines = ["email,nom"] + [f"u{n}@exemple.fr,Nom {n}" for n in range(1, rows + 1)]
    lines[10] = 'u10@exemple.fr,"Nom non fermé'
    write_files(root, {"export.csv": "\n".join(lines) + "\n"})

    run = run_cli(root, "subscribers", "import", "export.csv")

    assert run.code == 1, run.output
    assert "export.csv:11: " in run.err and "guillemet" in run.err
    assert not (root / "subscribers.yaml").exists()


def test_a_quoted_cell_that_swallows_whole_rows_is_refused(tmp_path):
    root = make_folder(tmp_path)
    write_files(
        root, {"export.csv": 'email,nom\na@exemple.fr,"Nom\nb@exemple.fr,Autre\nc@exemple.fr,Fin"\nd@exemple.fr,D\n'}
    )

    run = run_cli(root, "subscribers", "import", "export.csv")

    assert run.code == 1, run.output
    assert "export.csv:2: " in run.err and "guillemet" in run.err
