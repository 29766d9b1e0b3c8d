"""The ``inserecho`` command as the officer meets it: French messages that name the file and
line, exit codes 0 (ok), 1 (content errors), 2 (wrong usage), and never a traceback."""

from __future__ import annotations

import errno
import os

import pytest

from inserecho.send.journal import Journal
from issuefolder import ITEMS, SLUG, Run, make_folder, run_cli, run_process, write_files

NEWS_IMAGE = "---\nsection: news\ntitle: Vœux\nimage: images/voeux.png\n"


def assert_no_traceback(run: Run) -> None:
    assert "Traceback" not in run.output
    assert "Erreur interne" not in run.output


def assert_content_errors(run: Run, *expected: str) -> None:
    """Exit code 1, each expected ``fichier:ligne: message`` on stderr, the count at the end."""
    assert_no_traceback(run)
    assert run.code == 1, run.output
    lines = run.err.splitlines()
    for line in expected:
        assert line in lines, run.err
    assert lines[-1] == f"{len(expected)} erreur(s) à corriger avant de continuer."


def test_check_a_valid_issue(tmp_path):
    run = run_cli(make_folder(tmp_path), "check", SLUG)

    assert (run.code, run.out, run.err) == (0, "Numéro 43 : 4 articles, aucune erreur.\n", "")


# Each case: the items of the issue (file name -> content), what ``check`` reports.
ITEM_ERRORS = [
    pytest.param(
        {"voeux.md": "---\nsection: news\ntitle: Vœux : rendez-vous à Montreuil\n---\nTexte.\n"},
        "issues/2027-01/voeux.md:3: YAML illisible : un « : » est mal placé ; "
        "mettez la valeur entre guillemets si elle contient « : ».",
        id="yaml-that-does-not-parse",
    ),
    pytest.param(
        {"voeux.md": "---\nsection: news\ntitle: Vœux\n\nRendez-vous à Montreuil.\n"},
        "issues/2027-01/voeux.md:1: l'en-tête ouvert par « --- » n'est jamais refermé : "
        "ajoutez une ligne « --- » après le dernier champ.",
        id="front-matter-never-closed",
    ),
    pytest.param(
        {"voeux.md": "Vœux du réseau\n\nRendez-vous à Montreuil.\n"},
        "issues/2027-01/voeux.md:1: le fichier doit commencer par un en-tête entre deux lignes « --- » "
        "(par exemple « section: news » et « title: … »).",
        id="no-front-matter",
    ),
    pytest.param(
        {"voeux.md": ""},
        "issues/2027-01/voeux.md:1: le fichier est vide ; écrivez un en-tête entre deux lignes « --- » puis le texte.",
        id="empty-item-file",
    ),
    pytest.param(
        {
            "offre.md": "---\nsection: jobs\ntitle: Agent·e de tri\nemployer: Recyclerie\nlocation: "
                        "Saint-Denis\n---\nTexte.\n"
        },
        "issues/2027-01/offre.md:2: champ obligatoire « contract » (Contrat) manquant : ajoutez une ligne « "
        "contract: … ».",
        id="missing-required-field",
    ),
    pytest.param(
        {
            "offre.md": "---\nsection: jobs\ntitle: Agent·e de tri\nemployer: Recyclerie\nlocation: "
                        "Saint-Denis\ncontract: CDDI\ncontrat: CDDI\n---\nTexte.\n"
        },
        "issues/2027-01/offre.md:7: champ inconnu « contrat » pour un article de la rubrique « jobs » "
        "(vouliez-vous dire « contract » ?).",
        id="unknown-field-close-to-a-known-one",
    ),
    pytest.param(
        {"voeux.md": "---\nsection: news\ntitle: Vœux\nlieu: Montreuil\n---\nTexte.\n"},
        "issues/2027-01/voeux.md:4: champ inconnu « lieu » pour un article de la rubrique « news » ; "
        "les champs possibles sont section, title, order, date, territory, image, image_alt, link.",
        id="unknown-field",
    ),
    pytest.param(
        {"voeux.md": "---\nsection: actualites\ntitle: Vœux\n---\nTexte.\n"},
        "issues/2027-01/voeux.md:2: rubrique inconnue « actualites » ; les rubriques sont news, events, procurement, "
        "funding, jobs.",
        id="unknown-section",
    ),
    pytest.param(
        {"offre.md": "---\nsection: job\ntitle: Agent·e de tri\n---\nTexte.\n"},
        "issues/2027-01/offre.md:2: rubrique inconnue « job » (vouliez-vous dire « jobs » ?) ; "
        "les rubriques sont news, events, procurement, funding, jobs.",
        id="unknown-section-close-to-a-known-one",
    ),
    pytest.param(
        {"voeux.md": "---\nsection: [news, jobs]\ntitle: Vœux\n---\nTexte.\n"},
        "issues/2027-01/voeux.md:2: « section » doit être le nom d'une seule rubrique, sans crochets "
        "(news, events, procurement, funding, jobs).",
        id="several-sections",
    ),
    pytest.param(
        {"voeux.md": "---\ntitle: Vœux\n---\nTexte.\n"},
        "issues/2027-01/voeux.md:2: champ « section » manquant : indiquez la rubrique (news, events, procurement, "
        "funding, jobs).",
        id="no-section",
    ),
    pytest.param(
        {"voeux.md": "---\nsection: news\ntitle: Vœux\ndate: 2027-02-30\n---\nTexte.\n"},
        "issues/2027-01/voeux.md:4: « 2027-02-30 » n'est pas une date valide pour « date » : "
        "écrivez-la AAAA-MM-JJ, par exemple 2027-01-15.",
        id="date-that-does-not-exist",
    ),
    pytest.param(
        {"fonds.md": "---\nsection: funding\ntitle: Fonds\nfunder: Fondation\ndeadline: fin janvier\n---\nTexte.\n"},
        "issues/2027-01/fonds.md:5: « fin janvier » n'est pas une date valide pour « deadline » : "
        "écrivez-la AAAA-MM-JJ, par exemple 2027-01-15.",
        id="deadline-that-is-not-a-date",
    ),
    pytest.param(
        {"fonds.md": "---\nsection: funding\ntitle: Fonds\nfunder: Fondation\ndeadline: 2027-01-06\n---\nTexte.\n"},
        "issues/2027-01/fonds.md:5: la date limite (6 janvier 2027) est déjà passée à la date du numéro "
        "(7 janvier 2027) : corrigez-la ou retirez cet article.",
        id="deadline-already-past",
    ),
    pytest.param(
        {"voeux.md": NEWS_IMAGE + "image_alt: Une carte de vœux\n---\nTexte.\n"},
        "issues/2027-01/voeux.md:4: l'image « images/voeux.png » est introuvable dans le dossier du numéro ; "
        "vérifiez le nom du fichier.",
        id="image-that-does-not-exist",
    ),
    pytest.param(
        {"voeux.md": NEWS_IMAGE + "---\nTexte.\n", "images/voeux.png": b"\x89PNG\r\n\x1a\n"},
        "issues/2027-01/voeux.md:4: l'image n'a pas de texte alternatif : ajoutez « image_alt: » "
        "qui décrit l'image pour les personnes qui ne la voient pas.",
        id="image-without-alt-text",
    ),
    pytest.param(
        {"voeux.md": "---\nsection: news\ntitle: Vœux\nimage: ../voeux.png\nimage_alt: Une carte\n---\nTexte.\n"},
        "issues/2027-01/voeux.md:4: l'image « ../voeux.png » doit se trouver dans le dossier du numéro "
        "(par exemple images/photo.jpg).",
        id="image-outside-the-issue",
    ),
    pytest.param(
        {"voeux.md": "---\nsection: news\ntitle: Assembl\xe9e g\xe9n\xe9rale\n---\nTexte.\n".encode("latin-1")},
        "issues/2027-01/voeux.md:3: le fichier n'est pas encodé en UTF-8. Enregistrez-le en « UTF-8 » "
        "depuis votre éditeur (menu Enregistrer sous… > Encodage).",
        id="file-not-utf8",
    ),
    pytest.param(
        {},
        "issues/2027-01: le numéro ne contient aucun article : ajoutez au moins un fichier .md "
        "(« inserecho new » en crée des exemples).",
        id="empty-issue",
    ),
    pytest.param(
        {"voeux.md": "---\nsection: news\ntitle: Vœux\nterritory: Plaine Comune\n---\nTexte.\n"},
        "issues/2027-01/voeux.md:4: territoire inconnu « Plaine Comune » (vouliez-vous dire « Plaine Commune » ?) ; "
        "les territoires sont « Est Ensemble », « Grand Paris Grand Est », « Paris Terres d'Envol », "
        "« Plaine Commune » ou « Seine-Saint-Denis ».",
        id="unknown-territory",
    ),
    pytest.param(
        {"voeux.md": "---\nsection: news\ntitle: Vœux\nlink: www.inser-eco93.example.org\n---\nTexte.\n"},
        "issues/2027-01/voeux.md:4: « www.inser-eco93.example.org » n'est pas une adresse web valide pour « link » : "
        "elle doit commencer par https:// (par exemple https://www.example.org/page).",
        id="link-that-is-not-a-web-address",
    ),
    pytest.param(
        {
            "marche.md": "---\nsection: procurement\ntitle: Espaces verts\nbuyer: Ville\ndeadline: "
                         "2027-02-08\nreserved: peut-être\n---\nTexte.\n"
        },
        "issues/2027-01/marche.md:6: « reserved » vaut « peut-être » : écrivez « true » (oui) ou « false » (non).",
        id="neither-true-nor-false",
    ),
    pytest.param(
        {
            "offre.md": "---\nsection: jobs\ntitle: Tri\nemployer: Recyclerie\nlocation: Bondy\ncontract: "
                        "CDDI\naudience: tous\n---\nTexte.\n"
        },
        "issues/2027-01/offre.md:7: public inconnu « tous » ; écrivez « insertion » (personnes en parcours "
        "d'insertion) ou « permanents » (salarié·e·s permanent·e·s).",
        id="unknown-audience",
    ),
    pytest.param(
        {
            "offre.md": "---\nsection: jobs\ntitle: Tri\nemployer: Recyclerie\nlocation: Bondy\ncontract: "
                        "CDDI\napply: rh@@recyclerie\n---\nTexte.\n"
        },
        "issues/2027-01/offre.md:7: « rh@@recyclerie » n'est ni une adresse e-mail ni une adresse web valide pour « "
        "apply ».",
        id="apply-neither-email-nor-web",
    ),
    pytest.param(
        {"voeux.md": "---\nsection: news\ntitle: Vœux\norder: premier\n---\nTexte.\n"},
        "issues/2027-01/voeux.md:4: « order » doit être un nombre entier (1, 2, 3…), pas « premier ».",
        id="order-not-a-number",
    ),
    pytest.param(
        {"voeux.md": "---\nsection: news\ntitle: Vœux\ntitle: Vœux du réseau\n---\nTexte.\n"},
        "issues/2027-01/voeux.md:4: le champ « title » apparaît deux fois ; gardez-en un seul.",
        id="field-written-twice",
    ),
    pytest.param(
        {"voeux.md": "---\nsection: news\n\ttitle: Vœux\n---\nTexte.\n"},
        "issues/2027-01/voeux.md:3: YAML illisible : une tabulation est utilisée ; indentez avec des espaces.",
        id="tab-indentation",
    ),
    pytest.param(
        {"voeux.md": '---\nsection: news\ntitle: "Vœux du réseau\nlink: https://example.org\n---\nTexte.\n'},
        "issues/2027-01/voeux.md:3: YAML illisible : un guillemet ouvert n'est pas refermé.",
        id="quote-never-closed",
    ),
]


@pytest.mark.parametrize(("items", "expected"), ITEM_ERRORS)
def test_an_error_in_an_item(tmp_path, items, expected):
    assert_content_errors(run_cli(make_folder(tmp_path, items), "check", SLUG), expected)


ISSUE_ERRORS = [
    pytest.param(
        None,
        "issues/2027-01/issue.yaml: fichier issue.yaml manquant : il donne le numéro, la date et l'objet "
        "(voir « inserecho new »).",
        id="no-issue-yaml",
    ),
    pytest.param(
        "number: 43\ndate: 2027-01-07\nsubject: Inser'Echo n° 43 : les vœux\n",
        "issues/2027-01/issue.yaml:3: YAML illisible : un « : » est mal placé ; "
        "mettez la valeur entre guillemets si elle contient « : ».",
        id="yaml-that-does-not-parse",
    ),
    pytest.param(
        "number: 43\nsubject: Vœux\npreheader: Les vœux.\n",
        "issues/2027-01/issue.yaml:1: champ obligatoire « date » (Date de parution) manquant : ajoutez une ligne « "
        "date: … ».",
        id="missing-date",
    ),
    pytest.param(
        "number: 43\ndate: 7 janvier\nsubject: Vœux\npreheader: Les vœux.\n",
        "issues/2027-01/issue.yaml:2: « 7 janvier » n'est pas une date valide pour « date » : "
        "écrivez-la AAAA-MM-JJ, par exemple 2027-01-15.",
        id="date-that-is-not-a-date",
    ),
    pytest.param(
        "number: quarante-trois\ndate: 2027-01-07\nsubject: Vœux\npreheader: Les vœux.\n",
        "issues/2027-01/issue.yaml:1: « number » doit être un nombre entier (1, 2, 3…), pas « quarante-trois ».",
        id="number-not-a-number",
    ),
    pytest.param(
        "number: 43\ndate: 2027-01-07\nsubject: Vœux\npreheadre: Les vœux.\npreheader: Les vœux.\n",
        "issues/2027-01/issue.yaml:4: champ inconnu « preheadre » dans issue.yaml (vouliez-vous dire « preheader » ?).",
        id="unknown-field",
    ),
    pytest.param(
        "- number: 43\n",
        "issues/2027-01/issue.yaml:1: le fichier issue.yaml doit être une suite de lignes « champ: valeur ».",
        id="not-a-mapping",
    ),
]


@pytest.mark.parametrize(("issue", "expected"), ISSUE_ERRORS)
def test_an_error_in_issue_yaml(tmp_path, issue, expected):
    assert_content_errors(run_cli(make_folder(tmp_path, issue=issue), "check", SLUG), expected)


def test_a_past_deadline_is_not_reported_when_the_issue_date_is_unknown(tmp_path):
    root = make_folder(tmp_path, issue="number: 43\ndate: bientôt\nsubject: Vœux\npreheader: Les vœux.\n")

    assert_content_errors(
        run_cli(root, "check", SLUG),
        "issues/2027-01/issue.yaml:2: « bientôt » n'est pas une date valide pour « date » : "
        "écrivez-la AAAA-MM-JJ, par exemple 2027-01-15.",
    )


def test_errors_in_several_files_are_all_reported_in_one_run(tmp_path):
    root = make_folder(
        tmp_path,
        {
            **ITEMS,
            "fonds.md": "---\nsection: funding\ntitle: Fonds\nfunder: Fondation\ndeadline: 2027-01-06\n---\nTexte.\n",
            "offre.md": "---\nsection: jobs\ntitle: Tri\nemployer: Recyclerie\ncontract: CDDI\nlieu: "
                        "Bondy\n---\nTexte.\n",
            "voeux.md": "---\nsection: news\ntitle: Vœux : Montreuil\n---\nTexte.\n",
        },
        issue="number: 43\ndate: 2027-01-07\nsubject: Vœux\npreheader: Les vœux.\nnumero: 43\n",
    )

    assert_content_errors(
        run_cli(root, "check", SLUG),
        "issues/2027-01/issue.yaml:5: champ inconnu « numero » dans issue.yaml (vouliez-vous dire « number » ?).",
        "issues/2027-01/fonds.md:5: la date limite (6 janvier 2027) est déjà passée à la date du numéro "
        "(7 janvier 2027) : corrigez-la ou retirez cet article.",
        "issues/2027-01/offre.md:2: champ obligatoire « location » (Lieu) manquant : ajoutez une ligne « location: … "
        "».",
        "issues/2027-01/offre.md:6: champ inconnu « lieu » pour un article de la rubrique « jobs » ; "
        "les champs possibles sont section, title, order, employer, location, contract, hours, deadline, "
        "audience, apply, territory.",
        "issues/2027-01/voeux.md:3: YAML illisible : un « : » est mal placé ; "
        "mettez la valeur entre guillemets si elle contient « : ».",
    )


def test_messages_name_the_path_from_where_the_command_runs(tmp_path):
    root = make_folder(tmp_path / "lettre", {"voeux.md": "---\nsection: news\n---\nTexte.\n"})

    run = run_cli(tmp_path, "--root", "lettre", "check", SLUG)

    assert run.code == 1
    assert run.err.startswith("lettre/issues/2027-01/voeux.md:2: champ obligatoire « title » (Titre) manquant")
    assert root.is_dir()


WARNINGS = {
    "voeux.md": "---\nsection: news\ntitle: Vœux\nlink: http://inser-eco93.example.org/voeux\n---\nTexte.\n",
    "offre.md": "---\nsection: jobs\ntitle: Tri\nemployer: Recyclerie\nlocation: Bondy\ncontract: CDD "
                "insertion\n---\nTexte.\n",
}
NO_PREHEADER = "number: 43\ndate: 2027-01-07\nsubject: Vœux\n"


def test_warnings_do_not_fail_check(tmp_path):
    run = run_cli(make_folder(tmp_path, WARNINGS, issue=NO_PREHEADER), "check", SLUG)

    assert run.code == 0
    assert run.out.splitlines() == [
        "Avertissements (3) :",
        "  issues/2027-01/issue.yaml:1: avertissement : pas de phrase d'aperçu (« preheader ») : "
        "les messageries afficheront le début du courriel à la place.",
        "  issues/2027-01/offre.md:6: avertissement : type de contrat inhabituel « CDD insertion » ; "
        "les types courants sont « CDDI », « CDI », « CDD », « CTTI », « CDD Tremplin », « alternance », "
        "« apprentissage », « formation », « stage » ou « intérim ».",
        "  issues/2027-01/voeux.md:4: avertissement : le lien « http://inser-eco93.example.org/voeux » "
        "n'est pas sécurisé (http://) ; préférez https:// si le site le permet.",
        "Numéro 43 : 2 articles, aucune erreur.",
    ]


def test_warnings_fail_check_strict(tmp_path):
    run = run_cli(make_folder(tmp_path, WARNINGS, issue=NO_PREHEADER), "check", "--strict", SLUG)

    assert_no_traceback(run)
    assert run.code == 1
    assert "Avertissements (3) :" in run.out
    assert run.err == "3 avertissement(s) : refusé avec --strict.\n"


def test_check_strict_passes_a_clean_issue(tmp_path):
    assert run_cli(make_folder(tmp_path), "check", "--strict", SLUG).code == 0


SETTINGS_ERRORS = [
    pytest.param(
        "newsletter:\n  name: \"Inser'Echo\"\n  adresse: Bobigny\nsmpt:\n  url: smtp://127.0.0.1:1025\n",
        [
            "inserecho.yaml:3: réglage inconnu « newsletter.adresse » ; les réglages possibles ici sont "
            "list_id, name, postal_address, publisher, tagline, website.",
            "inserecho.yaml:4: réglage inconnu « smpt » (vouliez-vous dire « smtp » ?).",
        ],
        id="unknown-settings",
    ),
    pytest.param(
        "smtp:\n  url: smtp://127.0.0.1:1025\n  connections: quatre\n",
        ["inserecho.yaml:3: « smtp.connections » doit être un nombre entier positif (1, 2, 3…)."],
        id="wrong-type",
    ),
    pytest.param(
        "sections:\n  - key: news\n  - key: job\n",
        [
            "inserecho.yaml:3: rubrique inconnue « job » (vouliez-vous dire « jobs » ?) ; "
            "les rubriques fournies sont news, events, procurement, funding, jobs. "
            "Pour en créer une nouvelle, donnez-lui un « label » et ses « fields ».",
        ],
        id="unknown-section",
    ),
]


@pytest.mark.parametrize(("settings", "expected"), SETTINGS_ERRORS)
@pytest.mark.parametrize("command", ["check", "build"])
def test_an_error_in_the_settings(tmp_path, settings, expected, command):
    assert_content_errors(run_cli(make_folder(tmp_path, settings=settings), command, SLUG), *expected)


USAGE_ERRORS = [
    pytest.param(
        ["check", "2027-02"],
        "Erreur : numéro introuvable : « 2027-02 » n'est ni un dossier ni un numéro de {root}/issues. "
        "Numéros disponibles : 2027-01.",
        id="unknown-issue",
    ),
    pytest.param(["check"], "Erreur : Argument manquant 'NUMÉRO'.", id="missing-argument"),
    pytest.param(["chek", SLUG], "Erreur : Commande inconnue : 'chek'.", id="unknown-command"),
    pytest.param(
        ["check", "--strik", SLUG],
        "Erreur : Option inconnue : '--strik'. Vouliez-vous dire '--strict' ?",
        id="unknown-option",
    ),
    pytest.param(["build", "2027-02"], "Erreur : numéro introuvable", id="build-unknown-issue"),
]


@pytest.mark.parametrize(("args", "expected"), USAGE_ERRORS)
def test_wrong_usage(tmp_path, args, expected):
    root = make_folder(tmp_path)

    run = run_cli(root, *args)

    assert_no_traceback(run)
    assert run.code == 2
    assert expected.format(root=root) in run.err
    assert run.err.startswith("Utilisation : inserecho ")


def test_help_is_in_french(tmp_path):
    run = run_cli(tmp_path, "--help")

    assert run.code == 0
    assert "Utilisation : inserecho [OPTIONS] COMMANDE [ARGUMENTS]..." in run.out
    assert "Vérifier un numéro sans rien produire." in run.out


class TestThroughTheEntryPoint:
    """A few runs in a child process, exactly as ``inserecho`` runs from a terminal."""

    def test_success(self, tmp_path):
        run = run_process(make_folder(tmp_path), "check", SLUG)

        assert (run.code, run.out, run.err) == (0, "Numéro 43 : 4 articles, aucune erreur.\n", "")

    def test_content_errors(self, tmp_path):
        root = make_folder(tmp_path, {"voeux.md": "---\nsection: news\ntitle: Vœux\ndate: 2027-02-30\n---\nTexte.\n"})

        assert_content_errors(
            run_process(root, "check", SLUG),
            "issues/2027-01/voeux.md:4: « 2027-02-30 » n'est pas une date valide pour « date » : "
            "écrivez-la AAAA-MM-JJ, par exemple 2027-01-15.",
        )

    def test_settings_errors(self, tmp_path):
        root = make_folder(tmp_path, settings="smtp:\n  connections: 0\n")

        assert_content_errors(
            run_process(root, "build", SLUG),
            "inserecho.yaml:2: « smtp.connections » doit être un nombre entier positif (1, 2, 3…).",
        )
        assert not (root / "build").exists()

    def test_wrong_usage(self, tmp_path):
        run = run_process(make_folder(tmp_path), "check", "2027-02")

        assert_no_traceback(run)
        assert run.code == 2
        assert "Erreur : numéro introuvable : « 2027-02 »" in run.err


def test_check_strict_refuses_an_email_that_gmail_would_clip(tmp_path):
    long_body = "Un paragraphe de présentation du réseau et de ses actions. " * 40
    items = {f"actu-{n:02d}.md": f"---\nsection: news\ntitle: Actualité {n}\n---\n{long_body}\n" for n in range(60)}
    root = make_folder(tmp_path, items)
    assert run_cli(root, "check", SLUG).code == 0
    run = run_cli(root, "check", SLUG, "--strict")
    assert run.code == 1
    assert "Gmail le coupe" in run.output


# The system refuses a read or a write: a read-only folder, a full disk, an unreadable file.
# Each is said in French with the path and what to do, exit 1, and nothing is half-written.


def assert_environment_error(run: Run, *phrases: str) -> None:
    assert_no_traceback(run)
    assert run.code == 1, run.output
    [message] = run.err.splitlines()
    assert message.startswith("Erreur : impossible "), message
    for phrase in phrases:
        assert phrase in message


def built(root) -> dict[str, bytes]:
    """What ``build`` left in the issue's build folder, temporary files included."""
    folder = root / "build" / SLUG
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_a_read_only_build_folder_is_explained_and_the_last_build_kept(tmp_path):
    root = make_folder(tmp_path)
    assert run_cli(root, "build", SLUG).code == 0
    before = built(root)
    (root / "issues" / SLUG / "voeux.md").write_text(
        NEWS_IMAGE.replace("image: images/voeux.png\n", "") + "---\nNouveau.\n"
    )
    (root / "build" / SLUG).chmod(0o555)
    try:
        run = run_process(root, "build", SLUG, bound_by_permissions=True)
    finally:
        (root / "build" / SLUG).chmod(0o755)
    assert_environment_error(run, "build/2027-01/email.txt", "accès refusé", "vérifiez les droits")
    assert built(root) == before


def test_a_full_disk_is_explained_and_the_last_build_kept(tmp_path, monkeypatch):
    root = make_folder(tmp_path)
    assert run_cli(root, "build", SLUG).code == 0
    before = built(root)

    def disk_full(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", disk_full)  # a full disk cannot be made without privileges
    run = run_cli(root, "build", SLUG)
    monkeypatch.undo()
    assert_environment_error(run, "d'écrire build/2027-01/email.txt", "le disque est plein", "libérez de la place")
    assert built(root) == before


def test_an_unreadable_image_is_explained(tmp_path):
    root = make_folder(tmp_path, {
        "voeux.md": NEWS_IMAGE + "image_alt: Une carte de vœux\n---\nTexte.\n",
        "images/voeux.png": b"\x89PNG\r\n\x1a\n" + b"\0" * 64,
    })
    (root / "issues" / SLUG / "images" / "voeux.png").chmod(0)
    run = run_process(root, "build", SLUG, bound_by_permissions=True)
    assert_environment_error(run, "issues/2027-01/images/voeux.png", "accès refusé")


def test_an_unreadable_item_is_a_problem_of_that_file(tmp_path):
    root = make_folder(tmp_path)
    (root / "issues" / SLUG / "offre.md").chmod(0)
    run = run_process(root, "check", SLUG, bound_by_permissions=True)
    assert_content_errors(run, "issues/2027-01/offre.md: impossible de lire le fichier : accès refusé ; "
                               "vérifiez les droits du fichier ou du dossier, ou travaillez dans une copie "
                               "du dossier de lettre qui vous appartient.")


def test_a_read_only_journal_is_explained_and_left_as_it_was(tmp_path):
    root = make_folder(tmp_path)
    assert run_cli(root, "unsubscribe", "paul@example.org").code == 0
    (root / "journal.sqlite3").chmod(0o444)
    run = run_process(root, "unsubscribe", "marie@example.org", bound_by_permissions=True)
    assert_environment_error(run, "journal.sqlite3", "accès refusé")
    (root / "journal.sqlite3").chmod(0o644)
    with Journal.open(root / "journal.sqlite3") as journal:
        assert journal.suppressed_addresses() == {"paul@example.org"}


def test_a_bug_is_an_internal_error_not_a_usage_error(tmp_path, monkeypatch):
    """A ValueError from the code, not from the officer, must not read as a wrong option."""
    root = make_folder(tmp_path)
    write_files(root, {"subscribers.yaml": "- email: paul@example.org\n"})

    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("a bug")

    monkeypatch.setattr("inserecho.send.campaign.render_issue", broken)
    run = run_cli(root, "send", SLUG, "--dry-run")
    assert run.code == 70 and "Erreur interne" in run.err


@pytest.mark.parametrize("command", ["check", "build", "status"])
@pytest.mark.parametrize("name", ["/etc", "../../x", "../other/issues/2027-01"])
def test_the_issue_argument_is_a_name_inside_issues(tmp_path, command, name):
    root = make_folder(tmp_path / "base")
    make_folder(tmp_path / "other")

    run = run_cli(root, command, name)

    assert run.code == 2, run.output
    assert f"« {name} » n'est pas un nom de numéro" in run.err
    assert not (tmp_path / "other" / "build").exists()


def test_the_issue_may_be_named_as_the_shell_completes_it(tmp_path):
    root = make_folder(tmp_path)
    assert run_cli(root, "check", f"issues/{SLUG}/").code == 0


def test_a_month_like_name_that_is_not_a_month_is_refused_by_new(tmp_path):
    root = make_folder(tmp_path)

    run = run_cli(root, "new", "2027-13")

    assert run.code != 0 and "13" in run.err and "mois" in run.err, run.output
    assert not (root / "issues" / "2027-13").exists()


def test_an_unreadable_relay_address_is_said_by_a_dry_run(tmp_path):
    root = make_folder(tmp_path)
    write_files(root, {"subscribers.yaml": "- email: a@exemple.fr\n"})

    run = run_cli(root, "send", SLUG, "--smtp", "smtp://[::1", "--dry-run")

    assert run.code == 2 and "adresse du serveur SMTP illisible" in run.err, run.output
