"""The ``inserecho`` command facing content written to harm: nothing unsafe reaches the email
or the web archive, nothing is read or written outside the newsletter folder, and each refusal
is a French ``fichier:ligne`` message with exit code 1, never a traceback."""

from __future__ import annotations

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
        pytest.param({"items": {**ITEMS, "voeux.md": "---\nsection: news\nl0: &l0 ha\n" + BOMB + "---\nTexte.\n"}},
                     "issues/2027-01/voeux.md:3", id="front-matter"),
        pytest.param({"issue": textwrap.dedent(ISSUE) + 'l0: &l0 "ha"\n' + BOMB}, "issues/2027-01/issue.yaml:7", id="issue-yaml"),
        pytest.param({"settings": textwrap.dedent(SETTINGS) + 'l0: &l0 "ha"\n' + BOMB}, "inserecho.yaml:14", id="settings"),
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
    root = make_folder(tmp_path / "lettre", issue=ISSUE.replace("editorial: |\n      Bonne année à toutes et à tous !\n", ""))
    link = root / "issues" / SLUG / name
    link.unlink(missing_ok=True)
    link.symlink_to(secret)

    run = run_cli(root, "build", SLUG)

    assert_refused(run)
    assert f"issues/2027-01/{name}: ce fichier mène en dehors du dossier du numéro (vers {secret})" in run.err
    assert not (root / "build").exists()


def test_an_image_path_that_climbs_out_through_a_link_is_copied_inside_build(tmp_path):
    root = make_folder(tmp_path, {
        **ITEMS,
        "voeux.md": NEWS.replace("---\n    Rendez", "image: profond/../../../photo.png\n    image_alt: Le stand\n    ---\n    Rendez"),
        "photo.png": PNG,
        "dossier/a/b/.keep": "",
    })
    (root / "issues" / SLUG / "profond").symlink_to("dossier/a/b")

    run = run_cli(root, "build", SLUG)

    assert run.code == 0, run.output
    assert not (root / "photo.png").exists()
    assert (root / "build" / SLUG / "photo.png").read_bytes() == PNG
    assert 'src="./photo.png"' in (root / "build" / SLUG / "email.html").read_text()


def test_a_build_folder_that_links_out_is_not_written_through(tmp_path):
    elsewhere = tmp_path / "ailleurs"
    elsewhere.mkdir()
    root = make_folder(tmp_path / "lettre", {**ITEMS, "voeux.md": NEWS.replace(
        "---\n    Rendez", "image: images/photo.png\n    image_alt: Le stand\n    ---\n    Rendez"), "images/photo.png": PNG})
    (root / "build" / SLUG).mkdir(parents=True)
    (root / "build" / SLUG / "images").symlink_to(elsewhere)

    run = run_cli(root, "build", SLUG)

    assert_refused(run)
    assert "build/2027-01/images/photo.png: écrire ici sortirait du dossier" in run.err
    assert list(elsewhere.iterdir()) == []
