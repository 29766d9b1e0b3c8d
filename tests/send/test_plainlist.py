"""The line-by-line reading gives what the YAML reading gives, or declines."""

import random
from pathlib import Path

import pytest

from inserecho.send.plainlist import NotPlain, plain_entries
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
