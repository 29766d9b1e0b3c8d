"""The ``inserecho`` command facing content written to harm: nothing unsafe reaches the email
or the web archive, nothing is read or written outside the newsletter folder, and each refusal
is a French ``fichier:ligne`` message with exit code 1, never a traceback."""

from __future__ import annotations

import textwrap

import pytest

from issuefolder import ISSUE, ITEMS, NEWS, SETTINGS, SLUG, make_folder, run_cli

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
