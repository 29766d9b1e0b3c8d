import random
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from inserecho.problems import Problem, UsageProblem
from inserecho.send.csvimport import entry_lines
from inserecho.send.plainlist import plain_entries
from inserecho.send.subscribers import (
    SUBSCRIBER_FIELDS,
    USUAL_LAYOUT,
    Subscriber,
    _checked,
    _entries,
    load_subscribers,
    select,
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "subscribers.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def messages(problems) -> list[tuple[int | None, str]]:
    return [(p.line, p.message) for p in problems]


# --- a good list ---------------------------------------------------------------


def test_a_good_list_loads_with_the_line_of_each_subscriber(tmp_path):
    path = write(tmp_path, """\
        # Abonnés de la lettre
        - email: marie.dupont@example.org
          name: Marie Dupont
          organisation: "Régie de quartier Exemple"
          territories: [Plaine Commune]
          tags: [adherent, direction]

        - email: contact@recyclerie.example.org
        - k.haddad@example.org
    """)
    subscribers, problems = load_subscribers(path)
    assert problems == []
    assert subscribers == [
        Subscriber("marie.dupont@example.org", "Marie Dupont", "Régie de quartier Exemple",
                   ("Plaine Commune",), ("adherent", "direction"), 2),
        Subscriber("contact@recyclerie.example.org", None, None, (), (), 8),
        Subscriber("k.haddad@example.org", None, None, (), (), 9),
    ]


def test_fields_are_the_documented_ones():
    assert SUBSCRIBER_FIELDS == ("email", "name", "first_name", "organisation", "territories", "tags", "consent")
    assert USUAL_LAYOUT.fields == SUBSCRIBER_FIELDS  # every field, in the order the import writes them


def test_values_are_tidied(tmp_path):
    path = write(tmp_path, """\
        - email: " Marie.Dupont@EXAMPLE.ORG "
          name: "  Marie  "
          organisation: ""
          territories: [plaine commune, "Paris Terres d’Envol", Plaine Commune]
          tags: adherent
        - email: jean@example.org
          name: 007
          tags: [2024, yes]
    """)
    subscribers, problems = load_subscribers(path)
    assert problems == []
    marie, jean = subscribers
    assert marie.email == "Marie.Dupont@example.org"  # domain lower case, local part as written
    assert marie.name == "Marie"
    assert marie.organisation is None
    assert marie.territories == ("Plaine Commune", "Paris Terres d'Envol")
    assert marie.tags == ("adherent",)  # a single tag needs no brackets
    assert jean.name == "007"  # every value is text, as written
    assert jean.tags == ("2024", "yes")


def test_bom_and_windows_line_endings(tmp_path):
    path = tmp_path / "subscribers.yaml"
    path.write_bytes(
        "\ufeff# liste\r\n- email: marie@example.org\r\n  name: Marie Dupont\r\n- email: jean@\r\n".encode("utf-8")
    )
    subscribers, problems = load_subscribers(path)
    assert [s.email for s in subscribers] == ["marie@example.org"]
    assert subscribers[0].line == 2
    assert messages(problems) == [(4, "adresse « jean@ » invalide : il n'y a rien après le « @ ».")]


def test_a_file_that_is_not_utf8_says_so(tmp_path):
    path = tmp_path / "subscribers.yaml"
    path.write_bytes("- email: andré@example.org\n".encode("cp1252"))
    subscribers, problems = load_subscribers(path)
    assert subscribers == []
    assert "n'est pas encodé en UTF-8" in problems[0].message


# --- addresses -----------------------------------------------------------------


def test_internationalised_addresses_are_accepted(tmp_path):
    path = write(tmp_path, """\
        - email: andré.lefèvre@example.org
        - email: 用户@例子.广告
        - email: info@Bücher.Example
    """)
    subscribers, problems = load_subscribers(path)
    assert problems == []
    assert [s.email for s in subscribers] == ["andré.lefèvre@example.org", "用户@例子.广告", "info@bücher.example"]


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("marie.dupont.example.org", "il manque le « @ »"),
        (
            '"marie dupont@example.org"',
            "elle contient une espace (parfois invisible, après un copier-coller) ; supprimez-la",
        ),
        ('"@example.org"', "il n'y a rien avant le « @ »"),  # unquoted, YAML itself refuses a leading @
        ("marie@example.org.", "elle se termine par un point"),
        ("marie.@example.org", "un point est collé au « @ »"),
        ("marie..dupont@example.org", "deux points se suivent"),
        ("marie@example", "le nom de domaine après le « @ » est incomplet (par exemple « exemple.org »)"),
        ("marie@example.123", "le nom de domaine ne se termine pas par une extension valide (.fr, .org, .com…)"),
        (
            "marie@serveur.local",
            "le nom de domaine est réservé (.local, .test, localhost…) et ne reçoit pas de courriels",
        ),
        ("marie@example.org;jean@example.org", "elle contient plusieurs « @ » ; mettez une seule adresse par abonné"),
        ('"Marie Dupont <marie@example.org>"', "écrivez l'adresse seule, sans nom ni chevrons « < > »"),
        ("marie(dupont)@example.org", "caractères interdits avant le « @ » : « ( », « ) »"),
        ("marie@exa_mple.org", "caractères interdits dans le nom de domaine (après le « @ ») : « _ »"),
        ("marie＠example.org", "le « @ » n'est pas le caractère habituel ; retapez-le au clavier"),
    ],
)
def test_an_invalid_address_is_explained_in_french(tmp_path, address, reason):
    path = write(tmp_path, f"""\
        - email: ok@example.org
        - name: Marie
          email: {address}
    """)
    subscribers, problems = load_subscribers(path)
    shown = address.strip('"')
    assert messages(problems) == [(3, f"adresse « {shown} » invalide : {reason}.")]
    assert [s.email for s in subscribers] == ["ok@example.org"]


def test_duplicates_are_found_whatever_the_case(tmp_path):
    path = write(tmp_path, """\
        - email: marie.dupont@example.org
        - email: jean@example.org
        - email: Marie.Dupont@EXAMPLE.org
          name: Marie (deuxième fois)
        - JEAN@example.org
    """)
    subscribers, problems = load_subscribers(path)
    assert [s.email for s in subscribers] == ["marie.dupont@example.org", "jean@example.org"]
    assert messages(problems) == [
        (3, "adresse en double : déjà présente ligne 1."),
        (5, "adresse en double : déjà présente ligne 2."),
    ]


def test_duplicates_on_one_line_are_found_too(tmp_path):
    path = write(tmp_path, "[marie@example.org, MARIE@example.org]\n")
    subscribers, problems = load_subscribers(path)
    assert len(subscribers) == 1
    assert messages(problems) == [(1, "adresse en double : déjà présente ligne 1.")]


# --- other mistakes ------------------------------------------------------------


def test_each_mistake_is_reported_on_its_line(tmp_path):
    path = write(tmp_path, """\
        - email: marie@example.org
          emial: marie.dupont@example.org
          territories: [Plaine Communes, Seine-Saint-Denis]
        - name: Sans adresse
        - email: jean@example.org
          name: [Jean, Martin]
          tags: {a: b}
        - email: [a@example.org, b@example.org]
        -
        - - liste
        - email: rose@example.org
          email: rose.bis@example.org
        - email: lea@example.org
          name: *Lea
    """)
    subscribers, problems = load_subscribers(path)
    *problems, alias = problems
    assert alias.line == 14 and "« *nom »" in alias.message
    # the line of each mistake and one phrase that says what it is
    expected = [
        (2, "vouliez-vous dire « email » ?"),
        (3, "territoire inconnu « Plaine Communes »"),
        (3, "territoire inconnu « Seine-Saint-Denis »"),
        (4, "il manque l'adresse"),
        (6, "« name » doit être un texte simple"),
        (7, "« tags » doit être une liste de textes"),
        (8, "« email » doit être une seule adresse"),
        (9, "chaque abonné doit être de la forme « - email: adresse »"),
        (10, "chaque abonné doit être de la forme « - email: adresse »"),
        (12, "le champ « email » apparaît deux fois"),
    ]
    assert len(problems) == len(expected)
    for (line, message), (expected_line, phrase) in zip(messages(problems), expected, strict=True):
        assert line == expected_line and phrase in message, (line, message)
    # An entry with a usable address stays in the list, minus what was wrong.
    assert [(s.email, s.territories, s.name) for s in subscribers] == [
        ("marie@example.org", (), None),
        ("jean@example.org", (), None),
        ("rose.bis@example.org", (), None),
        ("lea@example.org", (), None),
    ]
    assert all(p.format().startswith(f"{path}:{p.line}: ") for p in problems)


def test_the_file_must_be_a_list(tmp_path):
    path = write(tmp_path, """\
        # un seul abonné, sans tiret
        email: marie@example.org
        name: Marie
    """)
    assert load_subscribers(path) == ([], [Problem(
        path, 2,
        "le fichier doit être une liste d'abonnés : chaque abonné commence par un tiret, "
        "par exemple « - email: marie.dupont@exemple.org ».",
    )])


def test_broken_yaml_gives_one_problem_with_its_line(tmp_path):
    path = write(tmp_path, """\
        - email: marie@example.org
          organisation: "Régie de quartier
        - email: jean@example.org
          name: Jean
    """)
    subscribers, problems = load_subscribers(path)
    assert subscribers == []
    assert len(problems) == 1
    assert problems[0].message.startswith("YAML illisible")
    assert problems[0].line == 2  # where the quote opens


def test_an_empty_list_is_a_warning(tmp_path):
    path = write(tmp_path, "# personne pour l'instant\n")
    subscribers, problems = load_subscribers(path)
    assert subscribers == []
    assert [(p.message, p.severity) for p in problems] == [("la liste des abonnés est vide.", "avertissement")]


def test_a_second_document_is_reported(tmp_path):
    path = write(tmp_path, """\
        - email: marie@example.org
        ---
        - email: jean@example.org
    """)
    subscribers, problems = load_subscribers(path)
    assert [s.email for s in subscribers] == ["marie@example.org"]
    [(line, message)] = messages(problems)
    assert line == 2 and "une ligne « --- » en trop" in message


def test_a_missing_file_is_a_problem(tmp_path):
    subscribers, problems = load_subscribers(tmp_path / "subscribers.yaml")
    assert subscribers == []
    assert problems[0].message.startswith("impossible de lire le fichier")


def test_a_list_in_the_import_layout_gives_what_yaml_gives_mistakes_included(tmp_path):
    # Entries laid out as the import writes them are built without a mapping; they must
    # give the same subscribers and the same problems, on the same lines, as YAML.
    rng = random.Random(93)
    texts = ["Marie Dupont", "'Paul l''ancien'", '"Régie n° 4"', "~", "", "Zoë", '"  espacé  "', "[a, b]"]
    places = ["Plaine Commune", "'Est Ensemble'", "est ensemble", "Plaine Communes", "~", '"Paris Terres d’Envol"']
    dates = ['"2027-01-08"', '"2027-01-08T10:12:44"', '"08/01/2027"', "2027-01-08", '""']
    addresses = ["a@exemple.org", "A@Exemple.org", "b@exemple", "Postmaster@exemple.org", "andré@exemple.fr", "~"]
    path = tmp_path / "subscribers.yaml"
    for _ in range(150):
        lines = []
        for number in range(rng.randint(1, 8)):
            lines.append(f"- email: {rng.choice(addresses) if rng.random() < 0.3 else f'p{number}@exemple.org'}")
            for key in ("name", "first_name", "organisation"):
                if rng.random() < 0.5:
                    lines.append(f"  {key}: {rng.choice(texts)}".rstrip())
            for key, values in (("territories", places), ("tags", texts[:3] + ["adherent"])):
                if rng.random() < 0.6:
                    lines.append(f"  {key}: [{', '.join(rng.choice(values) for _ in range(rng.randrange(3)))}]")
            if rng.random() < 0.4:
                version = rng.choice(["", ", version: v2", ', version: ""'])
                source = rng.choice(["import", "~"])
                lines.append(f"  consent: {{date: {rng.choice(dates)}, source: {source}{version}}}")
            if rng.random() < 0.2:
                lines.append(rng.choice(["", "# inscrite en ligne"]))
        text = "\n".join(lines) + "\n"
        path.write_text(text, encoding="utf-8")
        assert load_subscribers(path) == _checked(_entries, text, path), text


def test_every_entry_the_import_writes_is_read_in_the_usual_layout():
    entries = [
        {"email": "marie@exemple.org", "name": "Marie Dupont", "first_name": "Marie", "organisation": "Régie n° 4",
         "territories": ["Plaine Commune", "Paris Terres d'Envol"], "tags": ["adhérent", "direction"],
         "consent": {"date": "2027-01-08T10:12:44", "source": "formulaire", "version": "v2"}},
        {"email": "paul@exemple.org", "name": "Paul « Polo » l'ancien",
         "consent": {"date": "2027-01-08", "source": "import"}},
        {"email": "rose@exemple.org", "organisation": "ACI: Les Jardins", "tags": ["50 %"]},
        {"email": "lea@exemple.org"},
    ]
    text = "\n".join(line for entry in entries for line in entry_lines(entry)) + "\n"
    read = list(plain_entries(text, Path("subscribers.yaml"), [], replace(USUAL_LAYOUT, build=lambda v, line: line)))
    assert read == [(1, 1), (8, 8), (11, 11), (14, 14)]  # each built whole, none read line by line


# --- segments ------------------------------------------------------------------


@pytest.fixture
def people() -> list[Subscriber]:
    def person(email, territories=(), tags=()):
        return Subscriber(email, None, None, tuple(territories), tuple(tags), 1)

    return [
        person("a@example.org", ["Plaine Commune"], ["adherent"]),
        person("b@example.org", ["Plaine Commune"], ["partenaire"]),
        person("c@example.org", ["Est Ensemble"], ["Adherent", "direction"]),
        person("d@example.org", ["Paris Terres d'Envol", "Plaine Commune"]),
        person("e@example.org"),
    ]


def emails(selection: list[Subscriber]) -> list[str]:
    return [s.email[0] for s in selection]


def test_no_filter_is_the_whole_list(people):
    selection, description = select(people, [])
    assert emails(selection) == list("abcde")
    assert description == "toute la liste"


def test_one_territory(people):
    selection, description = select(people, ["territory=plaine commune"])
    assert emails(selection) == ["a", "b", "d"]
    assert description == "territoire Plaine Commune"


def test_same_key_twice_widens_different_keys_narrow(people):
    selection, description = select(people, ["territory=Plaine Commune", "territory=Est Ensemble", "tag=adherent"])
    assert emails(selection) == ["a", "c"]  # tags match whatever their case
    assert description == "territoire Plaine Commune ou Est Ensemble et étiquette adherent"


def test_french_filter_names(people):
    selection, description = select(people, ["étiquette=direction", "Territoire = Est  Ensemble"])
    assert emails(selection) == ["c"]
    assert description == "territoire Est Ensemble et étiquette direction"


@pytest.mark.parametrize(("only", "message"), [
    ("territoir=Plaine Commune",
     ("filtre inconnu « territoir » (vouliez-vous dire « territory » ?) ; "
     "écrivez par exemple --only \"territory=Plaine Commune\" ou --only tag=adherent.")),
    ("Plaine Commune",
     ("filtre « Plaine Commune » incompris ; "
     "écrivez par exemple --only \"territory=Plaine Commune\" ou --only tag=adherent.")),
    ("tag=",
     "filtre « tag= » incompris ; écrivez par exemple --only \"territory=Plaine Commune\" ou --only tag=adherent."),
    ("territory=Seine-Saint-Denis",
     ("territoire inconnu « Seine-Saint-Denis » ; les territoires sont "
     "« Est Ensemble », « Grand Paris Grand Est », « Paris Terres d'Envol » ou « Plaine Commune ».")),
    ("tag=adherant", "aucun abonné n'a l'étiquette « adherant » (vouliez-vous dire « adherent » ?)."),
])
def test_a_wrong_filter_is_explained(people, only, message):
    with pytest.raises(UsageProblem) as error:
        select(people, [only])
    assert str(error.value) == message
