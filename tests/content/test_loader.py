"""Loading an issue folder into a validated Issue, with every problem found in one pass."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from inserecho.content.loader import load_issue, unique_anchors
from inserecho.content.model import Issue, Link
from inserecho.problems import ContentError
from inserecho.settings import load_settings
from issuefolder import ISSUE, ITEMS, SLUG, make_folder, run_cli


def load(root: Path) -> Issue:
    return load_issue(root / "issues" / SLUG, load_settings(root))


def problems(root: Path) -> list[str]:
    with pytest.raises(ContentError) as raised:
        load(root)
    return [p.format(root) for p in raised.value.problems]


def job(title: str, deadline: str | None = None, order: int | None = None) -> str:
    lines = ["---", "section: jobs", f"title: {title}", "employer: Régie", "location: Bondy", "contract: CDDI"]
    lines += [f"deadline: {deadline}"] if deadline else []
    lines += [f"order: {order}"] if order is not None else []
    return "\n".join([*lines, "---", "Texte."])


def news(title: str, day: str | None = None, order: int | None = None) -> str:
    lines = ["---", "section: news", f"title: {title}"]
    lines += [f"date: {day}"] if day else []
    lines += [f"order: {order}"] if order is not None else []
    return "\n".join([*lines, "---", "Texte."])


def test_a_valid_issue_with_one_item_per_section(tmp_path):
    issue = load(make_folder(tmp_path))

    assert issue.slug == SLUG
    assert (issue.meta.number, issue.meta.date) == (43, date(2027, 1, 7))
    assert issue.meta.subject == "Inser'Echo n° 43 : les vœux du réseau"
    assert issue.meta.editorial == "Bonne année à toutes et à tous !"
    assert [s.spec.key for s in issue.sections] == ["news", "procurement", "funding", "jobs"]
    assert issue.warnings == ()
    [offer] = issue.sections[3].items
    assert offer.title == "Agent·e de tri en recyclerie"
    assert offer.anchor == "article-offre"
    assert offer.deadline == date(2027, 1, 15)
    assert offer.fields["apply"] == Link("mailto:contact@recyclerie.example.org", "contact@recyclerie.example.org")
    assert offer.fields["contract"] == "CDDI"
    assert offer.body == "Ni diplôme ni expérience exigés."
    [market] = issue.sections[1].items
    assert market.territories == ("Grand Paris Grand Est",)
    assert market.fields["reserved"] is True


def test_sections_follow_the_settings_order_and_empty_ones_are_left_out(tmp_path):
    root = make_folder(tmp_path, {"offre.md": ITEMS["offre.md"], "voeux.md": ITEMS["voeux.md"]})
    (root / "inserecho.yaml").write_text(
        "sections:\n  - key: jobs\n  - key: news\n  - key: funding\n", encoding="utf-8"
    )

    assert [s.spec.key for s in load(root).sections] == ["jobs", "news"]


def test_offers_sort_by_order_then_soonest_deadline_then_title(tmp_path):
    issue = load(
        make_folder(
            tmp_path,
            {
                "a.md": job("Sans date limite"),
                "b.md": job("Février", "2027-02-01"),
                "c.md": job("Janvier B", "2027-01-20"),
                "d.md": job("Janvier A", "2027-01-20"),
                "e.md": job("Mise en avant", "2027-03-01", order=1),
                "f.md": job("Mise en avant avant tout", "2027-03-01", order=0),
            },
        )
    )

    assert [i.title for i in issue.items] == [
        "Mise en avant avant tout",
        "Mise en avant",
        "Janvier A",
        "Janvier B",
        "Février",
        "Sans date limite",
    ]


def test_news_sort_by_order_then_most_recent_first(tmp_path):
    issue = load(
        make_folder(
            tmp_path,
            {
                "a.md": news("Sans date"),
                "b.md": news("Novembre", "2026-11-20"),
                "c.md": news("Décembre", "2026-12-02"),
                "d.md": news("À la une", "2026-10-01", order=1),
            },
        )
    )

    assert [i.title for i in issue.items] == ["À la une", "Décembre", "Novembre", "Sans date"]


def test_windows_line_endings_and_byte_order_marks_are_accepted(tmp_path):
    def windows(text: str) -> bytes:
        return ("\ufeff" + text).replace("\n", "\r\n").encode("utf-8")

    root = make_folder(
        tmp_path,
        {"voeux.md": windows("---\nsection: news\ntitle: Vœux\n---\nPremier paragraphe.\n\nSecond.\n")},
        issue=windows("number: 43\ndate: 2027-01-07\nsubject: Vœux\npreheader: Les vœux du réseau.\n"),
    )

    issue = load(root)

    assert issue.items[0].title == "Vœux"
    assert issue.items[0].body == "Premier paragraphe.\n\nSecond."


def test_line_numbers_stay_right_with_windows_line_endings(tmp_path):
    text = "---\r\nsection: news\r\ntitle: Vœux\r\ndate: 2027-02-30\r\n---\r\nTexte.\r\n"
    root = make_folder(tmp_path, {"voeux.md": text.encode("utf-8")})

    assert problems(root) == [
        "issues/2027-01/voeux.md:4: « 2027-02-30 » n'est pas une date valide pour « date » : "
        "écrivez-la AAAA-MM-JJ, par exemple 2027-01-15.",
    ]


def test_the_editorial_may_live_in_its_own_file(tmp_path):
    root = make_folder(
        tmp_path,
        {"_edito.md": "Chères adhérentes, chers adhérents,\n\nBonne année !\n", **ITEMS},
        issue="number: 43\ndate: 2027-01-07\nsubject: Vœux\npreheader: Les vœux.\n",
    )

    assert load(root).meta.editorial == "Chères adhérentes, chers adhérents,\n\nBonne année !"


def test_the_editorial_in_both_places_is_an_error(tmp_path):
    root = make_folder(tmp_path, {"_edito.md": "Bonne année !\n", **ITEMS})

    assert problems(root) == [
        "issues/2027-01/issue.yaml:5: l'éditorial est à la fois dans issue.yaml et dans _edito.md : gardez-en un seul.",
    ]


def test_drafts_and_other_files_are_not_items(tmp_path):
    root = make_folder(
        tmp_path,
        {
            **ITEMS,
            "_brouillon.md": "pas encore prêt",
            ".notes.md": "notes",
            "liens.txt": "https://example.org",
            "images/ag.png": b"\x89PNG\r\n\x1a\n",
        },
    )

    assert len(load(root).items) == 4


def test_warnings_travel_with_the_issue(tmp_path):
    root = make_folder(
        tmp_path,
        {"voeux.md": "---\nsection: news\ntitle: Vœux\nlink: http://example.org/voeux\n---\n"},
        issue="number: 43\ndate: 2027-01-07\nsubject: Vœux\n",
    )

    assert [p.format(root) for p in load(root).warnings] == [
        "issues/2027-01/issue.yaml:1: avertissement : pas de phrase d'aperçu (« preheader ») : "
        "les messageries afficheront le début du courriel à la place.",
        "issues/2027-01/voeux.md:4: avertissement : le lien « http://example.org/voeux » n'est pas sécurisé "
        "(http://) ; préférez https:// si le site le permet.",
        "issues/2027-01/voeux.md:6: avertissement : l'article n'a pas de texte sous l'en-tête.",
    ]


def test_a_preheader_longer_than_inboxes_show(tmp_path):
    root = make_folder(
        tmp_path, issue=ISSUE.replace("preheader: \"Un marché", "preheader: \"" + "très " * 25 + "Un marché")
    )

    [warning] = load(root).warnings
    assert warning.line == 4
    assert "la phrase d'aperçu dépasse 110 caractères" in warning.message


def test_every_problem_of_every_file_in_reading_order(tmp_path):
    root = make_folder(
        tmp_path,
        {
            "b-offre.md": "---\nsection: jobs\ntitle: Poste\nemployer: Régie\ncontrat: CDDI\n---\nTexte.\n",
            "a-voeux.md": "---\nsection: news\ntitle: Vœux\nterritory: Plaine Comune\ndate: demain\n---\nTexte.\n",
        },
        issue="number: quarante-trois\ndate: 2027-01-07\nsubject: Vœux\npreheader: Les vœux.\n",
    )

    assert [p.split(": ", 1)[0] for p in problems(root)] == [
        "issues/2027-01/issue.yaml:1",
        "issues/2027-01/a-voeux.md:4",
        "issues/2027-01/a-voeux.md:5",
        "issues/2027-01/b-offre.md:2",
        "issues/2027-01/b-offre.md:2",
        "issues/2027-01/b-offre.md:5",
    ]


def test_a_section_missing_from_the_settings_list(tmp_path):
    root = make_folder(tmp_path, {"voeux.md": ITEMS["voeux.md"], "offre.md": ITEMS["offre.md"]})
    (root / "inserecho.yaml").write_text("sections:\n  - key: news\n", encoding="utf-8")

    assert problems(root) == [
        "issues/2027-01/offre.md:2: la rubrique « jobs » n'est pas dans la liste « sections » de inserecho.yaml ; "
        "ajoutez-la ou changez de rubrique.",
    ]


def test_an_empty_front_matter_asks_for_the_section(tmp_path):
    root = make_folder(tmp_path, {"voeux.md": "---\n---\nTexte.\n"})

    assert problems(root) == [
        "issues/2027-01/voeux.md:2: champ « section » manquant : indiquez la rubrique (news, events, procurement, "
        "funding, jobs).",
    ]


def test_images_used_by_the_issue(tmp_path):
    root = make_folder(
        tmp_path,
        {
            "voeux.md": "---\nsection: news\ntitle: Vœux\nimage: images/voeux.png\nimage_alt: Une carte de "
            "vœux\n---\nTexte.\n",
            "images/voeux.png": b"\x89PNG\r\n\x1a\n",
            "images/inutile.png": b"\x89PNG\r\n\x1a\n",
        },
    )

    assert load(root).images == (Path("images/voeux.png"),)


def test_a_subject_on_several_lines_is_refused_with_its_line(tmp_path):
    issue = 'number: 43\ndate: 2027-01-07\nsubject: "Inser\'Echo\\nBcc: tous@example.org"\npreheader: "Bonne année"\n'
    root = make_folder(tmp_path, issue=issue)
    run = run_cli(root, "check", SLUG)
    assert run.code == 1
    assert f"issues/{SLUG}/issue.yaml:3: « subject » doit tenir sur une seule ligne" in run.err


def test_anchors_fold_accents_and_never_collide():
    names = ["Marché été.md", "marche-ete.md", "marche-ete-2.md", "日本.md", "本.md"]

    assert unique_anchors([Path(n) for n in names]) == [
        "article-marche-ete",
        "article-marche-ete-2",
        "article-marche-ete-2-2",
        "article",
        "article-2",
    ]


EVENT = """\
---
section: events
title: Rencontre
date: 2027-01-20
{line}
---
Texte.
"""

_HOSTILE_VALUES = [
    ("events", "time: -5", "heure valide"),
    ("funding", "amount: .inf", "montant"),
    ("funding", "amount: .nan", "montant"),
    ("news", 'image: "images/a\\0.png"', "image"),
    ("events", 'place: "a\\0b"', "une seule ligne"),
    ("events", 'place: "a\\u2028b"', "une seule ligne"),
]


@pytest.mark.parametrize(("section", "line", "phrase"), _HOSTILE_VALUES)
def test_a_hostile_field_value_is_a_message_at_its_line(tmp_path, section, line, phrase):
    text = EVENT.replace("section: events", f"section: {section}").replace("{line}", line)
    if section == "funding":
        text = text.replace("date: 2027-01-20", "funder: Fondation").replace(
            "---\nTexte", "deadline: 2027-02-15\n---\nTexte"
        )
    root = make_folder(tmp_path, {"item.md": text})

    run = run_cli(root, "check", SLUG)

    assert run.code == 1, run.output
    assert f"issues/{SLUG}/item.md:5: " in run.err and phrase in run.err, run.err


@pytest.mark.parametrize("title", ['"a\\0b"', '"a\\u2028b"'])
def test_a_control_character_in_a_title_is_refused_before_it_reaches_the_feed(tmp_path, title):
    root = make_folder(tmp_path, {"item.md": news(title)})

    run = run_cli(root, "check", SLUG)

    assert run.code == 1, run.output
    assert f"issues/{SLUG}/item.md:3: " in run.err and "une seule ligne" in run.err


def test_an_issue_number_must_be_positive(tmp_path):
    root = make_folder(tmp_path, issue=ISSUE.replace("number: 43", "number: -1"))

    run = run_cli(root, "check", SLUG)

    assert run.code == 1, run.output
    assert f"issues/{SLUG}/issue.yaml:1: " in run.err and "positif" in run.err


def test_a_title_far_longer_than_any_real_one_is_refused(tmp_path):
    root = make_folder(tmp_path, {"item.md": news("x" * 20_000)})

    run = run_cli(root, "check", SLUG)

    assert run.code == 1, run.output
    assert f"issues/{SLUG}/item.md:3: " in run.err and "1 000 caractères" in run.err


@pytest.mark.parametrize(
    ("body", "phrase"),
    [
        ("[" * 5_000, "crochets"),
        ("<br>" * 6_000, "balises"),
        ("<div>" * 30_000, "caractères"),
        ("Un texte. " * 6_000, "caractères"),
    ],
)
def test_a_body_too_large_or_complex_for_the_markdown_parser_is_refused_first(tmp_path, body, phrase):
    root = make_folder(tmp_path, {"item.md": news("Titre").replace("Texte.", "Début.\n\n" + body)})

    run = run_cli(root, "check", SLUG)

    assert run.code == 1, run.output
    assert f"issues/{SLUG}/item.md:" in run.err and phrase in run.err
    line = "5" if phrase == "caractères" else "7"
    assert f"issues/{SLUG}/item.md:{line}: " in run.err, run.err


def test_a_raw_nul_in_front_matter_is_reported_on_its_line_in_french(tmp_path):
    root = make_folder(tmp_path, {"item.md": "---\nsection: news\ntitle: a\0b\n---\nTexte.\n"})

    run = run_cli(root, "check", SLUG)

    assert run.code == 1, run.output
    assert f"issues/{SLUG}/item.md:3: " in run.err and "U+0000" in run.err and "position" not in run.err


def test_yaml_nested_too_deep_is_said_in_french(tmp_path):
    root = make_folder(tmp_path, {"item.md": "---\nsection: news\ntitle: " + "[" * 2_000 + "\n---\nTexte.\n"})

    run = run_cli(root, "check", SLUG)

    assert run.code == 1, run.output
    assert f"issues/{SLUG}/item.md:" in run.err and "exceeded" not in run.err and "imbriqu" in run.err


def test_a_date_written_as_a_list_is_echoed_as_written(tmp_path):
    root = make_folder(tmp_path, {"item.md": news("Titre", "[2026-12-03]")})

    run = run_cli(root, "check", SLUG)

    assert run.code == 1, run.output
    assert f"issues/{SLUG}/item.md:4: " in run.err and "datetime" not in run.err and "crochets" in run.err
