"""The line-by-line reading gives what the YAML reading gives, or declines."""

import random
from pathlib import Path

import pytest

from inserecho.content.yamlfile import LineDict
from inserecho.send.plainlist import NotPlain, UsualEntry, plain_entries
from inserecho.send.subscribers import _entries as yaml_entries

PATH = Path("subscribers.yaml")

USUAL = """\
# Abonné·e·s de la lettre
- email: marie.dupont@exemple.org
  name: Marie Dupont
  organisation: "Régie de quartier d'Aubervilliers"
  territories: [Plaine Commune, 'Est Ensemble']
  tags: [adherent]

- email: paul@exemple.org
  name: 'Paul l''ancien'
  tags: []
  territories: Est Ensemble
- email: élodie@exemple.fr
  name: ~
  organisation:
  email: double@exemple.org
"""

DECLINED = [
    "",
    "# rien\n",
    "---\n- email: a@exemple.org\n",
    "- a@exemple.org\n",
    "- email: a@exemple.org  # un commentaire\n",
    "- email: a@exemple.org\n  name: \"Marie \\u00e9\"\n",
    "- email: a@exemple.org\n  name: Marie: la cheffe\n",
    "- email: a@exemple.org\n  tags:\n    - adherent\n",
    "- email: a@exemple.org\n\tname: Marie\n",
    "  name: Marie\n- email: a@exemple.org\n",
    "- email: a@exemple.org\n  name: &ancre Marie\n",
    "- email: a@exemple.org\n  name: |\n    Marie\n",
    "- email: a@exemple.org\n  tags: {a: b}\n",
    "email: a@exemple.org\n",
    "- email: a@exemple.org\n   name: Marie\n",
    "- email: a@exemple.org\n  " + "k" * 1030 + ": x\n",  # libyaml refuses a key this long
]


def both(text: str):
    """The entries, their lines and the problems, read both ways."""
    plain_problems, yaml_problems = [], []
    return (
        [_shape(entry, line) for entry, line in plain_entries(text, PATH, plain_problems)] + plain_problems,
        [_shape(entry, line) for entry, line in yaml_entries(text, PATH, yaml_problems)] + yaml_problems,
    )


def is_plain(text: str) -> bool:
    try:
        list(plain_entries(text, PATH, []))
    except NotPlain:
        return False
    return True


def _shape(entry, line):
    lists = {key: (value.line, value.lines) for key, value in entry.items() if isinstance(value, list)}
    return line, entry.line, dict(entry), entry.lines, lists


def test_the_usual_shape_reads_as_yaml_reads_it():
    plain, yaml = both(USUAL)
    assert plain == yaml
    assert plain[1][2]["name"] == "Paul l'ancien"
    assert plain[0][2]["territories"] == ["Plaine Commune", "Est Ensemble"]
    assert plain[-1].line == 15 and "deux fois" in plain[-1].message  # the email written twice


@pytest.mark.parametrize("text", DECLINED)
def test_any_other_shape_is_left_to_yaml(text):
    assert not is_plain(text)


def test_random_lists_read_as_yaml_reads_them():
    rng = random.Random(93)
    words = ["Marie", "Dupré-Ben Ali", "Plaine Commune", "n° 4", "SIAE (ACI)", "l'atelier", "Zoë", "陈静",
             "a.b+c@exemple.org", "true", "0042", "null", "~", "  ", "é, è", "x]y", "50 %", "-3", "Œuvre"]

    def scalar() -> str:
        word = rng.choice(words)
        form = rng.randrange(3)
        if form == 1:
            return '"' + word + '"'
        if form == 2:
            return "'" + word.replace("'", "''") + "'"
        return word if word.strip() and word[0] not in "-~" else "'" + word + "'"

    read = 0
    for _ in range(200):
        lines = []
        for _ in range(rng.randint(1, 6)):
            lines.append(f"- email: {scalar()}{' ' * rng.randrange(2)}")
            for key in rng.sample(["name", "organisation", "territories", "tags", "name"], rng.randint(0, 4)):
                if key in ("territories", "tags") and rng.random() < 0.7:
                    items = [rng.choice(words[:8]) for _ in range(rng.randrange(3))]
                    lines.append(f"  {key}: [{', '.join(items)}]")
                elif rng.random() < 0.1:
                    lines.append(f"  {key}:")
                else:
                    lines.append(f"  {key}: {scalar()}")
            if rng.random() < 0.2:
                lines.append(rng.choice(["", "# note", "  # retrait"]))
        text = "\n".join(lines) + "\n"
        if is_plain(text):
            plain, yaml = both(text)
            assert plain == yaml, text
            read += 1
    assert read > 150  # nearly all of them have the usual shape


# --- the layout subscribers import writes ----------------------------------------

IMPORTED = """\
- email: marie.dupont@exemple.org
  name: Marie Dupont
  first_name: Marie
  organisation: "Régie de quartier d'Aubervilliers"
  territories: [Plaine Commune, 'Est Ensemble']
  tags: [adherent]
  consent: {date: "2027-01-08", source: formulaire, version: v2}

# Inscrite en ligne le 09/01/2027
- email: paul@exemple.org
  name:
  tags: []
  consent: {date: "2027-01-09", source: import}
- email: rose@exemple.org
  tags: [adherent]
  name: Rose
"""


def usual(build=lambda values, line: (values, line)) -> UsualEntry:
    return UsualEntry(("email", "name", "first_name", "organisation"), ("territories", "tags"), "consent",
                      ("date", "source", "version"), build)


def test_an_entry_in_the_import_layout_is_matched_whole_and_given_to_build():
    first, second, third = [entry for entry, _ in plain_entries(IMPORTED, PATH, [], usual())]
    assert first == (
        (
            "marie.dupont@exemple.org", "Marie Dupont", "Marie", "Régie de quartier d'Aubervilliers",
            ("Plaine Commune", "Est Ensemble"), ("adherent",), ("2027-01-08", "formulaire", "v2"),
        ),
        1,
    )
    # after its comment; a record may leave out the keys after its first
    assert second == (("paul@exemple.org", None, None, None, None, (), ("2027-01-09", "import", None)), 10)
    # another order: read line by line, with the line of each key
    assert isinstance(third, LineDict) and third.line == 14 and third.lines == {"email": 14, "tags": 15, "name": 16}


def test_an_entry_build_declines_is_read_line_by_line():
    with pytest.raises(NotPlain):  # a record is read only whole: declined, the file goes to YAML
        list(plain_entries(IMPORTED, PATH, [], usual(lambda values, line: None)))
    [entry] = [entry for entry, _ in plain_entries("- email: a@exemple.org\n  name: A\n", PATH, [],
                                                   usual(lambda values, line: None))]
    assert isinstance(entry, LineDict) and entry.lines == {"email": 1, "name": 2}


@pytest.mark.parametrize("character", ["\t", "\x85", "\u2028", "\ufeff", "\x7f"])
def test_a_character_yaml_reads_its_own_way_leaves_the_whole_file_to_yaml(character):
    text = f"- email: a@exemple.org\n  name: Marie\n# note{character}\n- email: b@exemple.org\n"
    with pytest.raises(NotPlain):
        list(plain_entries(text, PATH, [], usual()))


@pytest.mark.parametrize("text", [
    "- email: a@exemple.org\n  null: x\n",
    "- email: a@exemple.org\n  Null: x\n  NULL: y\n  yes: z\n",
])
def test_a_key_is_the_name_as_written_both_ways(text):
    plain, yaml = both(text)
    assert plain == yaml
    assert list(plain[0][2]) == [line.split(":")[0].strip("- ") for line in text.splitlines()]


def test_a_long_run_of_spaces_before_a_stray_colon_is_declined_without_backtracking():
    # Matched with backtracking over the spaces, this line took minutes (quadratic time).
    text = "- email: a@exemple.org\n  name: a" + " " * 100_000 + "b: c\n"
    assert not is_plain(text)


def test_an_empty_list_padded_with_spaces_is_read_without_rescanning_them():
    # Each space began a new search over the rest of the run: 64,000 spaces took 48 s.
    text = "- email: marie@exemple.org\n  tags: [" + " " * 100_000 + "]\n"
    plain, yaml = both(text)
    assert plain == yaml and plain[0][2]["tags"] == []
