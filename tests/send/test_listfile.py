import textwrap

from inserecho.send.listfile import add_subscriber, backup_path, remove_subscriber
from inserecho.send.subscribers import load_subscribers

LIST = textwrap.dedent("""\
    # Notre liste : ne pas partager.

    # Direction d'une régie adhérente
    - email: k.haddad@regie.example.org
      name: Karim Haddad
      territories: [Plaine Commune]

    # Une lectrice inscrite à la main
    - email: Marie@Example.org
      consent: {date: 2026-11-02, source: salon}
    - lecture@example.org
    # fin de la liste
    """)


def test_removing_an_entry_keeps_the_rest_of_the_file_as_written(tmp_path):
    path = tmp_path / "subscribers.yaml"
    path.write_text(LIST, encoding="utf-8")
    assert remove_subscriber(path, "k.haddad@regie.example.org")
    assert path.read_text(encoding="utf-8") == LIST.replace(
        "# Direction d'une régie adhérente\n- email: k.haddad@regie.example.org\n  name: Karim Haddad\n"
        "  territories: [Plaine Commune]\n",
        "",
    )
    assert backup_path(path).read_text(encoding="utf-8") == LIST
    assert remove_subscriber(path, "marie@example.org")
    assert remove_subscriber(path, "lecture@example.org")
    assert path.read_text(encoding="utf-8") == "# Notre liste : ne pas partager.\n\n\n# fin de la liste\n"
    assert not remove_subscriber(path, "absente@example.org")


def test_adding_a_confirmed_reader_appends_one_block(tmp_path):
    path = tmp_path / "subscribers.yaml"
    path.write_text(LIST, encoding="utf-8")
    entry = {
        "email": "zoe@example.org",
        "name": "Zoé: SIAE",
        "territories": ["Est Ensemble"],
        "consent": {"date": "2027-01-08T10:12:44+01:00", "source": "formulaire", "version": "2"},
    }
    assert add_subscriber(path, entry, "Inscrite par le formulaire le 08/01/2027")
    text = path.read_text(encoding="utf-8")
    assert text.startswith(LIST)
    assert text.endswith(
        '\n# Inscrite par le formulaire le 08/01/2027\n- email: zoe@example.org\n  name: "Zoé: SIAE"\n'
        '  territories: [Est Ensemble]\n'
        '  consent: {date: "2027-01-08T10:12:44+01:00", source: formulaire, version: "2"}\n'
    )
    subscribers, problems = load_subscribers(path)
    assert problems == []
    zoe = subscribers[-1]
    assert (zoe.consent.date, zoe.consent.source, zoe.consent.version) == (
        "2027-01-08T10:12:44+01:00",
        "formulaire",
        "2",
    )
    assert not add_subscriber(path, {"email": "ZOE@example.org"}, "encore")


def test_adding_to_a_missing_or_empty_list(tmp_path):
    path = tmp_path / "subscribers.yaml"
    assert add_subscriber(path, {"email": "zoe@example.org"}, "Inscrite")
    assert [s.email for s in load_subscribers(path)[0]] == ["zoe@example.org"]
    path.write_text("# importée\n[]\n", encoding="utf-8")
    assert add_subscriber(path, {"email": "paul@example.org"}, "Inscrit")
    assert [s.email for s in load_subscribers(path)[0]] == ["paul@example.org"]
