"""The newsletter folder's settings file, ``inserecho.yaml``."""

from __future__ import annotations

import textwrap
from importlib import resources
from pathlib import Path

import pytest

from inserecho.content.sections import BUILTIN_SECTIONS
from inserecho.problems import ContentError
from inserecho.settings import Settings, load_settings
from issuefolder import SETTINGS, SLUG, make_folder, run_cli


def settings_from(tmp_path: Path, text: str | bytes) -> Settings:
    data = text if isinstance(text, bytes) else textwrap.dedent(text).encode("utf-8")
    (tmp_path / "inserecho.yaml").write_bytes(data)
    return load_settings(tmp_path)


def problems_in(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(ContentError) as raised:
        settings_from(tmp_path, text)
    return [p.format(tmp_path) for p in raised.value.problems]


def test_without_a_settings_file_the_defaults_apply(tmp_path):
    settings = load_settings(tmp_path)

    assert settings == Settings(root=tmp_path)
    assert [s.key for s in settings.sections] == ["news", "events", "procurement", "funding", "jobs"]
    assert settings.build_dir == tmp_path / "build"
    assert settings.issues_dir == tmp_path / "issues"


@pytest.mark.parametrize("sender", ["Inser'Echo <Lettre@Inser-Eco93.FR>", "Lettre@Inser-Eco93.FR"])
def test_the_sender_address_and_domain_are_read_once_for_all(sender):
    settings = Settings(root=Path("."), sender=sender)
    assert settings.sender_address == "Lettre@Inser-Eco93.FR"
    assert settings.sender_domain == "inser-eco93.fr"


def test_the_packaged_settings_file_reads_back(tmp_path):
    packaged = resources.files("inserecho") / "resources" / "folder" / "inserecho.yaml"

    settings = settings_from(tmp_path, packaged.read_bytes())

    assert settings.name == "Inser'Echo"
    assert settings.sender == "Inser'Echo <lettre@inser-eco93.example.org>"
    assert settings.reply_to == "contact@inser-eco93.example.org"
    assert settings.archive_url == "https://inser-eco93.example.org/inserecho/"
    assert settings.unsubscribe_mailto == "desinscription@inser-eco93.example.org"
    assert settings.unsubscribe_url is None  # no one-click page that nothing serves
    assert (settings.smtp_url, settings.smtp_connections, settings.smtp_rate, settings.smtp_max_attempts) == (
        None,
        4,
        "300/heure",
        None,
    )
    assert (settings.smtp_timeout, settings.smtp_retry_for, settings.test_recipients) == (60, 1800, ())


def test_sections_can_be_reordered_relabelled_or_left_out(tmp_path):
    settings = settings_from(
        tmp_path,
        """\
        sections:
          - key: jobs
            label: "Emploi & formation"
          - news
        """,
    )

    assert [(s.key, s.label) for s in settings.sections] == [
        ("jobs", "Emploi & formation"),
        ("news", "Actualités du réseau"),
    ]
    assert settings.section("jobs").fields == BUILTIN_SECTIONS["jobs"].fields
    assert settings.section("funding") is None


def test_windows_line_endings_and_a_byte_order_mark_are_fine(tmp_path):
    settings = settings_from(tmp_path, "\ufeffnewsletter:\r\n  name: \"Inser'Echo\"\r\n".encode("utf-8"))

    assert settings.name == "Inser'Echo"


def test_optional_settings_may_be_left_empty(tmp_path):
    settings = settings_from(
        tmp_path,
        """\
        newsletter:
          tagline:
        unsubscribe:
          mailto: desinscription@inser-eco93.example.org
          url:
        """,
    )

    assert (settings.tagline, settings.unsubscribe_url) == ("", None)


def test_an_unknown_setting_suggests_the_closest_name(tmp_path):
    assert problems_in(
        tmp_path,
        """\
        newsletter:
          nmae: "Inser'Echo"
        smpt:
          url: smtp://127.0.0.1:1025
        """,
    ) == [
        "inserecho.yaml:2: réglage inconnu « newsletter.nmae » (vouliez-vous dire « name » ?).",
        "inserecho.yaml:3: réglage inconnu « smpt » (vouliez-vous dire « smtp » ?).",
    ]


def test_an_unknown_setting_without_a_close_name_lists_the_possible_ones(tmp_path):
    assert problems_in(tmp_path, "sender:\n  expediteur: lettre@example.org\n") == [
        "inserecho.yaml:2: réglage inconnu « sender.expediteur » ; "
        "les réglages possibles ici sont from, reply_to, verp.",
    ]


def test_values_of_the_wrong_type(tmp_path):
    assert problems_in(
        tmp_path,
        """\
        newsletter:
          name: [Inser, Echo]
          publisher: yes
        smtp:
          connections: quatre
          max_attempts: 0
        """,
    ) == [
        "inserecho.yaml:2: « newsletter.name » doit être une valeur simple, pas une liste.",
        "inserecho.yaml:3: « newsletter.publisher » doit être un texte : mettez la valeur entre guillemets.",
        "inserecho.yaml:5: « smtp.connections » doit être un nombre entier positif (1, 2, 3…).",
        "inserecho.yaml:6: « smtp.max_attempts » doit être un nombre entier positif (1, 2, 3…).",
    ]


def test_the_retry_budget_is_a_duration_in_words(tmp_path):
    assert settings_from(tmp_path, 'smtp:\n  retry_for: "2 heures"\n').smtp_retry_for == 7200
    assert settings_from(tmp_path, 'smtp:\n  retry_for: "1,5 seconde"\n').smtp_retry_for == 1.5
    (problem,) = problems_in(tmp_path, "smtp:\n  retry_for: 30\n")
    assert problem.startswith("inserecho.yaml:2: « smtp.retry_for » doit être une durée") and "30 minutes" in problem


def test_test_recipients_are_a_list_or_a_comma_separated_text(tmp_path):
    listed = settings_from(tmp_path, "test_recipients: [moi@exemple.fr, collegue@exemple.fr]\n")
    assert listed.test_recipients == ("moi@exemple.fr", "collegue@exemple.fr")
    written = settings_from(tmp_path, 'test_recipients: "moi@exemple.fr, collegue@exemple.fr"\n')
    assert written.test_recipients == listed.test_recipients
    (problem,) = problems_in(tmp_path, "test_recipients:\n  moi: oui\n")
    assert problem.startswith("inserecho.yaml:1: « test_recipients » doit être une liste d'adresses")


def test_a_required_setting_left_empty(tmp_path):
    assert problems_in(tmp_path, "sender:\n  from:\n") == [
        "inserecho.yaml:2: « sender.from » est vide : indiquez une valeur ou supprimez la ligne.",
    ]


def test_a_group_written_as_a_single_value(tmp_path):
    assert problems_in(tmp_path, "newsletter: Inser'Echo\n") == [
        "inserecho.yaml:1: « newsletter » doit contenir des réglages indentés en dessous.",
    ]


def test_mistakes_in_the_section_list(tmp_path):
    found = problems_in(
        tmp_path,
        """\
        sections:
          - key: news
          - key: job
          - key: news
          - label: "Financements"
          - key: funding
            lable: "Financements"
        """,
    )

    assert [p.split(": ", 1)[0] for p in found] == [
        "inserecho.yaml:3",
        "inserecho.yaml:4",
        "inserecho.yaml:5",
        "inserecho.yaml:7",
    ]
    assert "rubrique inconnue « job » (vouliez-vous dire « jobs » ?)" in found[0]
    assert "listée deux fois" in found[1]
    assert "rubrique sans « key »" in found[2]
    assert "« lable » dans une rubrique (vouliez-vous dire « label » ?)" in found[3]


PORTRAIT = """\
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


def test_a_declared_section_with_typed_fields(tmp_path):
    settings = settings_from(tmp_path, PORTRAIT)

    portrait = settings.section("portrait")
    assert [s.key for s in settings.sections] == ["portrait", "events"]
    assert portrait.label == "Portrait d'une SIAE"
    assert [(f.name, f.kind, f.required) for f in portrait.fields[3:]] == [
        ("structure", "text", True),
        ("territory", "territory", False),
        ("link", "url", False),
    ]
    assert portrait.required == ("section", "title", "structure")
    assert (portrait.sort.field, portrait.sort.descending, portrait.archive) == ("title", False, None)


def test_a_declared_section_overrides_a_built_in_one(tmp_path):
    settings = settings_from(
        tmp_path,
        """\
        sections:
          - key: jobs
            label: "Emploi"
            cta: "Postuler"
            sort: -deadline
            fields:
              hours: {label: "Horaires"}
              salary: amount
              image: {type: image, label: "Logo"}
        """,
    )

    jobs = settings.section("jobs")
    assert (jobs.label, jobs.cta, jobs.sort.descending, jobs.archive) == ("Emploi", "Postuler", True, "offers")
    assert jobs.field("hours").label == "Horaires"
    assert jobs.field("hours").kind == "text"
    assert jobs.field("employer") == BUILTIN_SECTIONS["jobs"].field("employer")
    assert (jobs.field("salary").kind, jobs.field("salary").label) == ("amount", "Salary")
    assert jobs.field("image_alt").kind == "text"


def test_mistakes_in_a_section_declaration(tmp_path):
    found = problems_in(
        tmp_path,
        """\
        sections:
          - key: portrait
            label: "Portrait"
            sort: titel
            archiv: calls
            fields:
              structure: {type: txt, label: "Structure"}
              lieu: {type: text, requird: true}
              title: text
              site: {label: "Site"}
              "Nom complet": text
              ouverte: {type: bool, required: oui}
          - key: agenda
            label: "Nos rendez-vous"
            archive: agenda
          - key: Portrait Bis
            label: "Autre"
          - key: salons
            archive: salon
            label: "Salons"
        """,
    )

    lines = [p.split(": ", 1)[0].removeprefix("inserecho.yaml:") for p in found]
    assert lines == ["4", "5", "7", "8", "9", "10", "11", "12", "13", "16", "19"]
    assert "« sort: titel »" in found[0] and "(vouliez-vous dire « title » ?)" in found[0]
    assert "« archiv » dans une rubrique (vouliez-vous dire « archive » ?)" in found[1]
    assert "type de champ inconnu « txt » (vouliez-vous dire « text » ?)" in found[2]
    assert "« requird » pour le champ « lieu » (vouliez-vous dire « required » ?)" in found[3]
    assert "« title » existe déjà dans toutes les rubriques" in found[4]
    assert "« site » n'a pas de type" in found[5]
    assert "« Nom complet » ne convient pas comme nom de champ" in found[6]
    assert "« required » du champ « ouverte » doit valoir true" in found[7]
    assert "besoin d'un champ « date »" in found[8]
    assert "« Portrait Bis » ne convient pas comme clé" in found[9]
    assert "page d'archive inconnue « salon »" in found[10]


def test_a_field_type_written_in_french_gets_the_english_name(tmp_path):
    [problem] = problems_in(
        tmp_path, "sections:\n  - key: portrait\n    label: Portrait\n    fields:\n      lieu: texte\n"
    )

    assert problem.startswith("inserecho.yaml:5: type de champ inconnu « texte » (vouliez-vous dire « text » ?)")


def test_a_new_section_needs_a_label(tmp_path):
    [problem] = problems_in(tmp_path, "sections:\n  - key: portrait\n    fields:\n      structure: text\n")

    assert problem.startswith("inserecho.yaml:2: la nouvelle rubrique « portrait » n'a pas d'intitulé")


def test_the_built_in_sections_are_data_in_the_package():
    assert list(BUILTIN_SECTIONS) == ["news", "events", "procurement", "funding", "jobs"]
    events = BUILTIN_SECTIONS["events"]
    assert (events.label, events.sort.field, events.sort.descending, events.archive, events.cta) == (
        "Agenda",
        "date",
        False,
        "agenda",
        "S'inscrire",
    )
    assert [f.name for f in events.fields[3:]] == [
        "date",
        "time",
        "end_date",
        "place",
        "territory",
        "registration",
        "deadline",
    ]
    assert events.required == ("section", "title", "date")
    assert {s.key for s in BUILTIN_SECTIONS.values() if s.archive == "calls"} == {"procurement", "funding"}


def test_yaml_that_does_not_parse(tmp_path):
    [problem] = problems_in(tmp_path, "newsletter:\n  tagline: La lettre : SIAE\n")

    assert problem.startswith("inserecho.yaml:2: YAML illisible : un « : » est mal placé")


def test_a_file_that_is_not_utf8(tmp_path):
    with pytest.raises(ContentError) as raised:
        settings_from(tmp_path, "newsletter:\n  name: Lettre de l'\xe9t\xe9\n".encode("latin-1"))

    [problem] = raised.value.problems
    assert problem.format(tmp_path).startswith("inserecho.yaml:2: le fichier n'est pas encodé en UTF-8.")


def test_a_password_in_the_smtp_url_is_refused(tmp_path):
    (tmp_path / "inserecho.yaml").write_text(
        'smtp:\n  url: "smtps://lettre:s3cret@relais.example.org"\n', encoding="utf-8"
    )
    with pytest.raises(ContentError) as error:
        load_settings(tmp_path)
    (problem,) = error.value.problems
    assert problem.line == 2
    assert "INSERECHO_SMTP_PASSWORD" in problem.message
    assert "s3cret" not in problem.message


def test_mailbox_and_verp_settings(tmp_path):
    (tmp_path / "inserecho.yaml").write_text(
        'sender:\n  verp: non\nimap:\n  url: "imaps://lettre@imap.example.org"\n  folder: "Lettre/Traités"\n',
        encoding="utf-8",
    )
    settings = load_settings(tmp_path)
    assert (settings.verp, settings.imap_url, settings.imap_folder) == (
        False,
        "imaps://lettre@imap.example.org",
        "Lettre/Traités",
    )
    assert load_settings(tmp_path.parent / "absent").verp is True


def test_no_password_in_the_mailbox_url(tmp_path):
    assert problems_in(tmp_path, 'imap:\n  url: "imaps://lettre:secret@imap.example.org"\n') == [
        "inserecho.yaml:2: ne mettez jamais de mot de passe dans inserecho.yaml : retirez-le de l'adresse "
        "(imaps://utilisateur@serveur…) et donnez-le par la variable INSERECHO_IMAP_PASSWORD.",
    ]


def test_dkim_needs_its_three_settings_and_the_consent_wording_has_a_version(tmp_path):
    assert problems_in(tmp_path, 'dkim:\n  domain: "inser-eco93.example.org"\n') == [
        "inserecho.yaml:1: « dkim » demande « domain », « selector » et « private_key » (le fichier de la clé privée).",
    ]
    (tmp_path / "inserecho.yaml").write_text(
        'signup:\n  consent: "J\'accepte."\n  consent_version: 2\n', encoding="utf-8"
    )
    settings = load_settings(tmp_path)
    assert (settings.consent_text, settings.consent_version) == ("J'accepte.", "2")


_UNSAFE = [
    (
        'archive_url: "https://inser-eco93.example.org/inserecho/"',
        'archive_url: "javascript:alert(1)//"',
        10,
        "https://",
    ),
    ('url: "https://inser-eco93.example.org/desinscription"', 'url: "javascript:alert(1)"', 13, "https://"),
    (
        'url: "https://inser-eco93.example.org/desinscription"',
        'url: "http://inser-eco93.example.org/d"',
        13,
        "https://",
    ),
    ('mailto: "desinscription@inser-eco93.example.org"', 'mailto: "x@y.fr?bcc=z@evil.example"', 12, "adresse"),
    ('website: "https://inser-eco93.example.org"', 'website: "javascript:alert(1)"', 6, "http"),
    (
        'from: "Inser\'Echo <lettre@inser-eco93.fr>"',
        'from: "Evil\\r\\nBcc: x@evil.example <a@b.fr>"',
        9,
        "une seule ligne",
    ),
    ('from: "Inser\'Echo <lettre@inser-eco93.fr>"', 'from: "lettre@a.fr, autre@evil.example"', 9, "une seule adresse"),
]


@pytest.mark.parametrize(("line", "written", "number", "phrase"), _UNSAFE)
def test_an_unsafe_address_in_the_settings_is_refused_at_its_line(tmp_path, line, written, number, phrase):
    root = make_folder(tmp_path, settings=SETTINGS.replace(line, written))

    run = run_cli(root, "check", SLUG)

    assert run.code == 1, run.output
    [message] = [m for m in run.err.splitlines() if m.startswith("inserecho.yaml:")]
    assert message.startswith(f"inserecho.yaml:{number}: ") and phrase in message, message


def test_an_http_website_and_a_reply_to_address_are_fine(tmp_path):
    settings = settings_from(
        tmp_path,
        """\
        newsletter:
          website: "http://inser-eco93.example.org"
        sender:
          from: "Inser'Echo <lettre@inser-eco93.fr>"
          reply_to: "contact@inser-eco93.fr"
        """,
    )
    assert (settings.website, settings.reply_to) == ("http://inser-eco93.example.org", "contact@inser-eco93.fr")


@pytest.mark.parametrize("list_id", ["inserecho inser-eco93", "<inserecho.fr>", "inserecho"])
def test_a_list_id_that_cannot_be_a_header_is_refused_when_the_settings_are_read(tmp_path, list_id):
    written = 'list_id: "inserecho.inser-eco93.example.org"'
    root = make_folder(tmp_path, settings=SETTINGS.replace(written, f'list_id: "{list_id}"'))

    run = run_cli(root, "check", SLUG)

    assert run.code == 1, run.output
    assert "inserecho.yaml:7: " in run.err and f"« {list_id} »" in run.err and "'" + list_id not in run.err
