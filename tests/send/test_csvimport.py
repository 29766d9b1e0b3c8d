import random
from datetime import date
from pathlib import Path

import pytest

from inserecho.atomicfile import write_atomic
from inserecho.send.csvimport import import_csv, import_files, to_yaml
from inserecho.send.subscribers import Subscriber, load_subscribers


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "export.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def read(path: Path) -> tuple[list[dict], list]:
    result = import_csv(path)
    return result.entries, result.problems


def messages(problems) -> list[tuple[int | None, str, str]]:
    return [(p.line, p.severity, p.message) for p in problems]


def test_a_spreadsheet_saved_as_csv_with_semicolons_in_windows_1252(tmp_path):
    path = write(
        tmp_path,
        (
            "Prénom;Nom;Courriel;Structure;Territoires;Étiquettes\r\n"
            "Marie;Dupont;marie.dupont@example.org;Régie de quartier Exemple;Plaine Commune;adherent, direction\r\n"
            "André;Lefèvre;Andre.Lefevre@EXAMPLE.org;Les Jardins du Canal;est ensemble | Plaine Commune;adherent\r\n"
            ";;contact@recyclerie.example.org;;;\r\n"
        ),
        encoding="cp1252",
    )
    entries, problems = read(path)
    assert problems == []
    assert entries == [
        {
            "email": "marie.dupont@example.org",
            "name": "Marie Dupont",
            "first_name": "Marie",
            "organisation": "Régie de quartier Exemple",
            "territories": ["Plaine Commune"],
            "tags": ["adherent", "direction"],
        },
        {
            "email": "Andre.Lefevre@example.org",
            "name": "André Lefèvre",
            "first_name": "André",
            "organisation": "Les Jardins du Canal",
            "territories": ["Est Ensemble", "Plaine Commune"],
            "tags": ["adherent"],
        },
        {"email": "contact@recyclerie.example.org"},  # no empty fields
    ]


def test_a_mailchimp_export_with_commas_in_utf8_with_bom(tmp_path):
    path = write(
        tmp_path,
        (
            '"Email Address","First Name","Last Name","Company","Phone Number","MEMBER_RATING","TAGS"\r\n'
            '"andré.lefèvre@example.org","André","Lefèvre","Les Jardins du Canal","","2",'
            '"""adherent"",""encadrement"""\r\n'
            '"k.haddad@example.org","Karim","Haddad","","0102030405","5",""\r\n'
        ),
        encoding="utf-8-sig",
    )
    entries, problems = read(path)
    assert problems == []
    assert entries == [
        {
            "email": "andré.lefèvre@example.org",
            "name": "André Lefèvre",
            "first_name": "André",
            "organisation": "Les Jardins du Canal",
            "tags": ["adherent", "encadrement"],
        },
        {"email": "k.haddad@example.org", "name": "Karim Haddad", "first_name": "Karim"},
    ]


@pytest.mark.parametrize("header", ["Email", "E-mail", "Adresse e-mail", "ADRESSE_EMAIL", "courriel", "Email Address"])
def test_usual_names_of_the_address_column(tmp_path, header):
    path = write(tmp_path, f"{header},Name\nmarie@example.org,Marie Dupont\n")
    assert read(path) == ([{"email": "marie@example.org", "name": "Marie Dupont"}], [])


def test_bad_rows_are_skipped_and_reported_with_their_csv_line(tmp_path):
    path = write(
        tmp_path,
        (
            "Email;Nom;Territoire\n"
            "marie@example.org;Marie;Plaine Commune\n"
            "\n"
            "jean.example.org;Jean;\n"
            "MARIE@example.org;Marie bis;\n"
            ";Sans adresse;\n"
            'rose@example.org;"Rose\nsur deux lignes";Bobigny, Est Ensemble\n'
            "lea@example.org;Léa;\n"
        ),
    )
    entries, problems = read(path)
    assert [e["email"] for e in entries] == ["marie@example.org", "rose@example.org", "lea@example.org"]
    assert entries[1] == {"email": "rose@example.org", "name": "Rose sur deux lignes", "territories": ["Est Ensemble"]}
    assert messages(problems) == [
        (4, "avertissement", "adresse « jean.example.org » invalide : il manque le « @ ». Ligne ignorée."),
        (5, "avertissement", "adresse en double : déjà présente ligne 2. Ligne ignorée."),
        (6, "avertissement", "pas d'adresse électronique sur cette ligne. Ligne ignorée."),
        (
            7,
            "avertissement",
            (
                "territoire inconnu « Bobigny » (vouliez-vous dire « Est Ensemble » ? la commune "
                "de Bobigny en fait partie) ; les territoires sont « Est Ensemble », "
                "« Grand Paris Grand Est », « Paris Terres d'Envol » ou « Plaine Commune ». "
                "Territoire ignoré."
            ),
        ),
    ]


def test_no_address_column_is_one_clear_error(tmp_path):
    path = write(tmp_path, "Nom;Prénom;Téléphone\nDupont;Marie;0102030405\n")
    entries, problems = read(path)
    assert entries == []
    assert messages(problems) == [
        (
            1,
            "erreur",
            (
                "aucune colonne d'adresses électroniques trouvée "
                "(colonnes lues : « Nom », « Prénom », « Téléphone ») ; "
                "nommez-la « Email » ou « Courriel » sur la première ligne."
            ),
        )
    ]


def test_excel_separator_hint_on_the_first_line(tmp_path):
    path = write(tmp_path, "sep=,\nEmail,Tags\nmarie@example.org,adherent;direction\nbad,\n")
    entries, problems = read(path)
    assert entries == [{"email": "marie@example.org", "tags": ["adherent", "direction"]}]
    assert [p.line for p in problems] == [4]


def test_excel_unicode_text_is_utf16_with_tabs(tmp_path):
    path = write(tmp_path, "Courriel\tOrganisation\r\n用户@例子.广告\tSociété Exemple\r\n", encoding="utf-16")
    assert read(path) == ([{"email": "用户@例子.广告", "organisation": "Société Exemple"}], [])


def test_an_empty_file(tmp_path):
    entries, problems = read(write(tmp_path, "\n\n"))
    assert (entries, messages(problems)) == ([], [(None, "erreur", "le fichier est vide.")])


def test_to_yaml_writes_the_subscriber_file_format(tmp_path):
    entries = [
        {
            "tags": ["adherent", "direction"],
            "email": "marie.dupont@example.org",
            "name": "Marie Dupont",
            "territories": ["Plaine Commune", "Paris Terres d'Envol"],
            "organisation": "Régie : quartier Exemple",
        },
        {"email": "andré.lefèvre@example.org", "name": "", "tags": [], "organisation": None},
        {"email": "jean@example.org", "tags": ["2024"]},
    ]
    text = to_yaml(entries, source="export.csv")
    assert text == (
        f"# Liste des abonnés importée de « export.csv » le {date.today():%d/%m/%Y} par inserecho.\n"
        "# Un abonné par bloc « - email: … » ; champs possibles : email, name, first_name, organisation, "
        "territories, tags, consent.\n"
        "- email: marie.dupont@example.org\n"
        "  name: Marie Dupont\n"
        '  organisation: "Régie : quartier Exemple"\n'
        "  territories: [Plaine Commune, Paris Terres d'Envol]\n"
        "  tags: [adherent, direction]\n"
        "- email: andré.lefèvre@example.org\n"
        "- email: jean@example.org\n"
        '  tags: ["2024"]\n'
    )


def test_any_text_survives_the_trip_to_yaml_and_back(tmp_path):
    rng = random.Random(93)
    pieces = [
        "a",
        "é",
        "Z",
        "0",
        " ",
        ":",
        "#",
        ",",
        "[",
        "]",
        "{",
        "}",
        "'",
        '"',
        "\\",
        "-",
        "@",
        ".",
        "’",
        "&",
        "*",
        "!",
        "|",
        ">",
        "%",
        "`",
        "?",
        "\t",
        "\n",
        "\x85",
        "\u2028",
        "\x7f",
        "\ufeff",
        "\ufffe",
        "yes",
        "No",
        "null",
        "~",
        "2024",
        "1e3",
        "12:30",
        "2027-01-15",
        "0x1F",
        ".inf",
        "用户",
        "🙂",
    ]
    entries, expected = [], []
    for number in range(500):
        texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 5))).strip() or "x" for _ in range(3)]
        # names and organisations go into mail headers: control characters are refused there
        texts[:2] = ["".join(c for c in t if c.isprintable()).strip() or "x" for t in texts[:2]]
        entries.append(
            {
                "email": f"p{number}@example.org",
                "name": texts[0],
                "organisation": texts[1],
                "tags": [texts[2], "adherent"],
            }
        )
        expected.append((texts[0], texts[1], tuple(dict.fromkeys([texts[2], "adherent"]))))
    target = tmp_path / "subscribers.yaml"
    target.write_text(to_yaml(entries), encoding="utf-8")
    subscribers, problems = load_subscribers(target)
    assert problems == []
    assert [(s.name, s.organisation, s.tags) for s in subscribers] == expected


def test_an_import_written_to_disk_loads_back_as_the_same_subscribers(tmp_path):
    path = write(
        tmp_path,
        (
            "Adresse e-mail;Prénom;Nom;Société;Territoire;Groupes\n"
            "marie@example.org;Marie;Dupont;\"Régie: l'exemple\";Plaine Commune;adherent|direction\n"
            "k.haddad@example.org;Karim;;;;\n"
        ),
    )
    entries, _ = read(path)
    target = tmp_path / "subscribers.yaml"
    write_atomic(target, to_yaml(entries, source=path.name), overwrite=False)
    assert load_subscribers(target) == (
        [
            Subscriber(
                "marie@example.org",
                "Marie Dupont",
                "Régie: l'exemple",
                ("Plaine Commune",),
                ("adherent", "direction"),
                3,
                "Marie",
            ),
            Subscriber("k.haddad@example.org", "Karim", None, (), (), 9, "Karim"),
        ],
        [],
    )
    with pytest.raises(FileExistsError):  # an existing list is never replaced unless asked
        write_atomic(target, to_yaml([]), overwrite=False)


def test_nothing_imported_is_still_a_valid_file(tmp_path):
    target = tmp_path / "subscribers.yaml"
    target.write_text(to_yaml([]), encoding="utf-8")
    assert load_subscribers(target) == ([], [])


def test_a_brevo_export_keeps_blacklisted_contacts_apart_and_lists_as_tags(tmp_path):
    path = write(
        tmp_path,
        (
            "EMAIL;PRENOM;NOM;EMAIL_BLACKLISTED;SMS_BLACKLISTED;LISTES\n"
            "karim@example.org;Karim;Benali;No;Yes;Adhérents, Partenaires\n"
            "lea@example.org;Léa;Martin;Yes;No;Adhérents\n"
        ),
        name="contacts-brevo.csv",
    )

    result = import_csv(path)

    assert result.entries == [
        {
            "email": "karim@example.org",
            "name": "Karim Benali",
            "first_name": "Karim",
            "tags": ["Adhérents", "Partenaires"],
        }
    ]
    [opt_out] = result.opted_out
    assert (opt_out.email, opt_out.reason) == ("lea@example.org", "unsubscribe")
    assert opt_out.detail == "contacts-brevo.csv, ligne 3, colonne « EMAIL_BLACKLISTED »"
    assert ("EMAIL_BLACKLISTED", "désinscription") in result.columns
    assert result.ignored == ["SMS_BLACKLISTED"]


def test_mailchimp_unsubscribed_and_cleaned_exports_go_to_the_suppression_list(tmp_path):
    header = '"Email Address","First Name","Last Name","UNSUB_TIME","CLEAN_TIME"\n'
    subscribed = write(
        tmp_path,
        header + '"a@example.org","Ana","","",""\n"b@example.org","Bob","","",""\n',
        name="subscribed_members_export_1a2b.csv",
    )
    unsubscribed = write(
        tmp_path,
        header + '"b@example.org","Bob","","2026-03-02 10:00:00",""\n',
        name="unsubscribed_members_export_1a2b.csv",
    )
    cleaned = write(
        tmp_path, header + '"c@example.org","","","","2026-05-01 08:00:00"\n', name="cleaned_members_export_1a2b.csv"
    )

    result = import_files([subscribed, unsubscribed, cleaned])

    assert [e["email"] for e in result.entries] == ["a@example.org"]  # Bob left in the second file
    assert [(o.email, o.reason) for o in result.opted_out] == [
        ("b@example.org", "unsubscribe"),
        ("c@example.org", "bounce"),
    ]
    assert (
        result.opted_out[0].detail
        == "unsubscribed_members_export_1a2b.csv, ligne 2, export des désinscrits, le 2026-03-02"
    )


@pytest.mark.parametrize(
    "header, value, reason",
    [
        ("Désinscrit", "oui", "unsubscribe"),
        ("Statut", "unsubscribed", "unsubscribe"),
        ("Status", "cleaned", "bounce"),
        ("Consentement", "non", "unsubscribe"),
    ],
)
def test_any_column_saying_the_contact_left_keeps_it_out(tmp_path, header, value, reason):
    path = write(tmp_path, f"Email;{header}\nin@example.org;\nout@example.org;{value}\n")

    result = import_csv(path)

    assert [e["email"] for e in result.entries] == ["in@example.org"]
    assert [(o.email, o.reason) for o in result.opted_out] == [("out@example.org", reason)]


def test_the_opt_in_date_of_an_export_becomes_the_consent_record(tmp_path):
    path = tmp_path / "mailchimp.csv"
    path.write_text(
        "Email Address,First Name,OPTIN_TIME\nmarie@example.org,Marie,2024-03-05 09:12:44\npaul@example.org,Paul,\n",
        encoding="utf-8",
    )
    result = import_csv(path)
    assert result.problems == []
    marie, paul = result.entries
    assert marie["consent"] == {"date": "2024-03-05T09:12:44", "source": "import"}
    assert "consent" not in paul
    written = tmp_path / "subscribers.yaml"
    written.write_text(to_yaml([marie, paul]), encoding="utf-8")
    loaded, problems = load_subscribers(written)
    assert problems == [] and loaded[0].consent.date == "2024-03-05T09:12:44" and loaded[1].consent is None
