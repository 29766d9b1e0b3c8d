"""Sections as data, end to end: a section declared in ``inserecho.yaml`` and the built-in
agenda, from the officer's files to the email, its text part and the web archive."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from inserecho.content.loader import sort_items
from inserecho.content.model import Item
from inserecho.content.sections import SortOrder
from issuefolder import SETTINGS, SLUG, make_folder, run_cli

TODAY = date.today()  # the archive command lists what is still to come on the day it runs


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


DECLARED = SETTINGS.rstrip(" ") + """\
    sections:
      - key: portrait
        label: "Portrait d'une SIAE"
        sort: title
        fields:
          structure: {type: text, required: true, label: "Structure"}
          territory: {type: territory, label: "Territoire"}
          link: {type: url, label: "Découvrir la structure"}
      - events
    """

PORTRAIT = """\
    ---
    section: portrait
    title: Les Jardins du Canal
    structure: ACI Les Jardins du Canal
    territory: Est Ensemble
    link: https://jardins-du-canal.example.org
    ---
    Un chantier d'insertion en maraîchage biologique.
    """


def event(title: str, when: str, **extra: str) -> str:
    lines = "".join(f"{key}: {value}\n" for key, value in extra.items())
    return f"---\nsection: events\ntitle: {title}\ndate: {when}\n{lines}---\nAu programme : des rencontres.\n"


def issue(offset: int, number: int) -> str:
    return (f'number: {number}\ndate: {day(offset)}\nsubject: "Inser\'Echo n° {number}"\n'
            'preheader: "Le portrait du mois et l\'agenda."\n')


def folder(tmp_path: Path) -> Path:
    root = make_folder(tmp_path, {
        "portrait.md": PORTRAIT,
        "forum.md": event("Forum de l'emploi inclusif", day(30), time="14:00", place='"Bourse du travail, Saint-Denis"',
                          registration="https://inser-eco93.example.org/forum"),
        "salon.md": event("Salon des achats responsables", day(20), time="9h30", end_date=day(21)),
    }, issue=issue(-20, 43), settings=DECLARED)
    make_folder(
        root,
        {"passe.md": event("Petit-déjeuner déjà passé", day(-5))},
        issue=issue(-40, 42),
        settings=None,
        slug="ancien",
    )
    return root


def test_a_declared_section_goes_from_the_settings_to_the_email_and_its_text(tmp_path):
    root = folder(tmp_path)

    assert run_cli(root, "check", "--strict", SLUG).code == 0
    run = run_cli(root, "build", SLUG)

    assert run.code == 0, run.output
    html = (root / "build" / SLUG / "email.html").read_text(encoding="utf-8")
    text = (root / "build" / SLUG / "email.txt").read_text(encoding="utf-8")
    assert "Portrait d’une SIAE" in html and "PORTRAIT D’UNE SIAE" in text
    assert "ACI Les Jardins du Canal" in html and "Structure\u00a0: ACI Les Jardins du Canal" in text
    assert 'href="https://jardins-du-canal.example.org"' in html
    assert "Découvrir la structure\u00a0: https://jardins-du-canal.example.org" in text
    assert html.index("Portrait d’une SIAE") < html.index("Agenda")  # the order of the settings list


def test_an_event_shows_its_date_time_and_place_and_events_go_by_date(tmp_path):
    root = folder(tmp_path)

    assert run_cli(root, "build", SLUG).code == 0

    text = (root / "build" / SLUG / "email.txt").read_text(encoding="utf-8")
    assert text.index("Salon des achats responsables") < text.index("Forum de l’emploi inclusif")
    assert "Heure\u00a0: 14\u00a0h\n" in text and "Heure\u00a0: 9\u00a0h\u00a030\n" in text
    assert "Jusqu’au\u00a0: " in text
    assert "Lieu\u00a0: Bourse du travail, Saint-Denis" in text
    assert "S’inscrire\u00a0: https://inser-eco93.example.org/forum" in text


def test_the_archive_agenda_lists_the_events_still_to_come(tmp_path):
    root = folder(tmp_path)

    run = run_cli(root, "archive", "--out", "site")

    assert run.code == 0, run.output
    assert "2 événement(s) à venir" in run.out
    agenda = (root / "site" / "agenda.html").read_text(encoding="utf-8")
    assert agenda.index("Salon des achats responsables") < agenda.index("Forum de l’emploi inclusif")
    assert "Petit-déjeuner déjà passé" not in agenda
    assert f'data-expires="{day(21)}"' in agenda  # a two-day event stays listed until its last day
    assert "Les Jardins du Canal" in (root / "site" / SLUG / "index.html").read_text(encoding="utf-8")
    assert 'href="agenda.html"' in (root / "site" / "index.html").read_text(encoding="utf-8")


def test_a_mistake_in_a_declaration_names_the_settings_line(tmp_path):
    root = make_folder(
        tmp_path,
        {"portrait.md": PORTRAIT},
        settings=DECLARED.replace("{type: text, required", "{type: texte, required"),
    )

    run = run_cli(root, "check", SLUG)

    assert run.code == 1
    assert "inserecho.yaml:19: type de champ inconnu « texte » (vouliez-vous dire « text » ?)" in run.err


def test_an_event_that_ends_before_it_starts(tmp_path):
    root = make_folder(tmp_path, {"salon.md": event("Salon", "2027-02-10", end_date="2027-02-09")})

    run = run_cli(root, "check", SLUG)

    assert run.code == 1
    assert f"issues/{SLUG}/salon.md:5: « end_date »" in run.err


def test_an_event_already_over_on_the_issue_date(tmp_path):
    root = make_folder(
        tmp_path, {"salon.md": event("Salon", "2027-01-05", end_date="2027-01-06")}
    )  # issue of 2027-01-07

    run = run_cli(root, "check", SLUG)

    assert run.code == 1
    assert f"issues/{SLUG}/salon.md:5: l'événement est déjà passé" in run.err


def item(title: str, order: int | None = None, **fields) -> Item:
    return Item(Path(f"{title}.md"), title, "news", title, fields, "", order)


def test_sorting_puts_order_first_then_the_sort_field_then_the_title():
    items = [
        item("b", when=date(2027, 1, 2)), item("sans date"), item("a", when=date(2027, 1, 2)),
        item("c", when=date(2027, 1, 9)), item("en tête", order=1),
    ]

    assert [i.title for i in sort_items(items, SortOrder("when"))] == ["en tête", "a", "b", "c", "sans date"]
    assert [i.title for i in sort_items(items, SortOrder("when", descending=True))] == [
        "en tête",
        "c",
        "a",
        "b",
        "sans date",
    ]
    assert [i.title for i in sort_items(items, SortOrder("title", descending=True))] == [
        "en tête",
        "sans date",
        "c",
        "b",
        "a",
    ]
