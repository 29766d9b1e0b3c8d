"""``inserecho new`` prepares an issue, ``inserecho init`` a whole newsletter folder."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from datetime import date
from email.parser import Parser
from pathlib import Path

import pytest

from inserecho.cli.scaffold import ScaffoldError, init_folder, new_issue
from issuefolder import ISSUE, SLUG, make_folder, run_cli, run_process

REPOSITORY = Path(__file__).resolve().parents[2]


def test_new_creates_a_draft_issue_without_errors(tmp_path):
    root = make_folder(tmp_path)

    run = run_cli(root, "new", "2027-02")

    assert run.code == 0, run.output
    assert run.out.splitlines()[0] == "Numéro créé : issues/2027-02"
    assert sorted(p.name for p in (root / "issues" / "2027-02").iterdir()) == [
        "exemple-actualite.md",
        "exemple-appel-a-projets.md",
        "exemple-evenement.md",
        "exemple-marche.md",
        "exemple-offre.md",
        "issue.yaml",
    ]
    check = run_cli(root, "check", "2027-02")  # warnings only: a draft, with example texts (test_readiness)
    assert check.code == 0, check.output
    assert check.out.endswith("Numéro 44 : 5 articles, aucune erreur.\n")


def test_the_new_number_follows_the_highest_existing_one(tmp_path):
    make_folder(tmp_path, slug="2026-12", issue=ISSUE.replace("number: 43", "number: 42"))
    make_folder(
        tmp_path, slug="2027-01", issue=("\ufeff" + textwrap.dedent(ISSUE).replace("number: 43", "number: 57")).encode()
    )
    make_folder(tmp_path, slug="2026-11", issue=ISSUE.replace("number: 43", "number: 41"))

    folder = new_issue(tmp_path / "issues", "2027-02")

    text = (folder / "issue.yaml").read_text(encoding="utf-8")
    assert "\nnumber: 58\n" in text
    assert "n° 58 : à compléter" in text and "n° 43" not in text


def test_the_examples_are_dated_from_the_issue_date(tmp_path):
    folder = new_issue(tmp_path / "issues", "2031-05", issue_date=date(2031, 5, 6))

    assert "\ndate: 2031-05-06\n" in (folder / "issue.yaml").read_text(encoding="utf-8")
    # the example deadlines keep their distance to the issue date (34 days in the scaffold)
    assert "\ndeadline: 2031-06-09\n" in (folder / "exemple-marche.md").read_text(encoding="utf-8")


def test_the_first_issue_keeps_the_example_number(tmp_path):
    folder = new_issue(tmp_path / "issues", "2027-01")

    assert "\nnumber: 43\n" in (folder / "issue.yaml").read_text(encoding="utf-8")


def test_new_refuses_an_existing_issue(tmp_path):
    root = make_folder(tmp_path)
    before = (root / "issues" / SLUG / "issue.yaml").read_bytes()

    run = run_cli(root, "new", SLUG)

    assert run.code == 2
    assert f"Erreur : le numéro « {SLUG} » existe déjà" in run.err
    assert (root / "issues" / SLUG / "issue.yaml").read_bytes() == before
    assert not (root / "issues" / SLUG / "exemple-offre.md").exists()


@pytest.mark.parametrize("slug", ["Janvier 2027", "2027/01", ".brouillon", "janvier_é"])
def test_new_refuses_a_bad_name(tmp_path, slug):
    run = run_cli(tmp_path, "new", slug)

    assert run.code == 2
    assert (
        f"Erreur : « {slug} » ne convient pas comme nom de numéro : utilisez des minuscules, des chiffres et des tirets"
        in run.err
    )
    assert not (tmp_path / "issues").exists()
    assert "Traceback" not in run.output


def test_init_makes_a_working_folder(tmp_path):
    target = tmp_path / "lettre"

    run = run_cli(tmp_path, "init", "lettre")

    assert run.code == 0, run.output
    assert run.out.startswith(f"Dossier de lettre créé dans {target} (")
    for name in (
        "inserecho.yaml",
        "subscribers.example.yaml",
        ".gitignore",
        "templates/email.html",
        "templates/email.css",
        "issues/2026-12/issue.yaml",
        "issues/2026-12/images/assemblee-generale.png",
    ):
        assert (target / name).is_file(), name
    assert "subscribers.yaml" in (target / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert run_cli(target, "check", "2026-12").code == 0


def test_init_refuses_a_folder_that_already_has_its_files_and_writes_nothing(tmp_path):
    (tmp_path / "inserecho.yaml").write_text("# mes réglages\n", encoding="utf-8")

    run = run_cli(tmp_path, "init", ".")

    assert run.code == 2
    assert (
        f"Erreur : le dossier {tmp_path} contient déjà inserecho.yaml : choisissez un dossier vide ou un autre nom."
        in run.err
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inserecho.yaml"]
    assert (tmp_path / "inserecho.yaml").read_text(encoding="utf-8") == "# mes réglages\n"


def test_init_folder_lists_at_most_five_existing_files(tmp_path):
    init_folder(tmp_path)

    with pytest.raises(ScaffoldError, match=r"contient déjà \.gitignore, inserecho\.yaml, .*… : choisissez"):
        init_folder(tmp_path)


def build_wheel(project: Path, work: Path) -> Path:
    """Build a wheel of ``project`` offline, from its ``pyproject.toml``.

    ``pip wheel`` needs the ``wheel`` package (or a recent setuptools) and build isolation
    needs the network, so setuptools itself collects the package and its data files
    (``egg_info`` + ``build_py``, honouring the packaging configuration) and this function
    zips them with the ``.dist-info`` metadata a wheel carries.
    """
    source, lib, meta = work / "src", work / "lib", work / "meta"
    shutil.copytree(project / "inserecho", source / "inserecho", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(project / "pyproject.toml", source)
    meta.mkdir()
    subprocess.run(
        [sys.executable, "-W", "ignore", "-c", "from setuptools import setup; setup()", "--quiet",
         "egg_info", "--egg-base", str(meta), "build_py", "--build-lib", str(lib)],
        cwd=source, check=True, capture_output=True,
    )
    [egg_info] = meta.glob("*.egg-info")
    pkg_info = (egg_info / "PKG-INFO").read_bytes()
    headers = Parser().parsestr(pkg_info.decode("utf-8"), headersonly=True)
    dist_info = f"{headers['Name']}-{headers['Version']}.dist-info"
    files = {path.relative_to(lib).as_posix(): path.read_bytes() for path in sorted(lib.rglob("*")) if path.is_file()}
    files[f"{dist_info}/METADATA"] = pkg_info
    files[f"{dist_info}/entry_points.txt"] = (egg_info / "entry_points.txt").read_bytes()
    files[f"{dist_info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: inserecho-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    record = [
        f"{name},sha256={base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()},{len(data)}"
        for name, data in files.items()
    ]
    files[f"{dist_info}/RECORD"] = ("\n".join([*record, f"{dist_info}/RECORD,,"]) + "\n").encode()
    wheel = work / f"{headers['Name']}-{headers['Version']}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return wheel


@pytest.mark.slow
def test_init_and_build_with_the_tool_installed_from_a_wheel(tmp_path):
    wheel = build_wheel(REPOSITORY, tmp_path / "wheel")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    # without PYTHONPATH, which would show pip this checkout as inserecho already installed
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        check=True,
        capture_output=True,
        env=env,
    )
    # The dependencies come from the test interpreter's site-packages, whose .pth files
    # (the editable install of this repository among them) a path line does not run.
    venv_site = Path(subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip())
    (venv_site / "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    folder = tmp_path / "lettre"
    folder.mkdir()

    imported = subprocess.run(
        [str(python), "-c", "import inserecho; print(inserecho.__file__)"],
        cwd=folder, env=env, check=True, capture_output=True, text=True,
    ).stdout.strip()
    assert Path(imported).is_relative_to(venv_site)

    command = (str(venv / "bin" / "inserecho"),)
    init = run_process(folder, "init", env=env, command=command)
    assert init.code == 0, init.output
    build = run_process(folder, "build", "2026-12", env=env, command=command)
    assert build.code == 0, build.output
    assert (folder / "build" / "2026-12" / "email.html").is_file()
    assert (folder / "build" / "2026-12" / "images" / "assemblee-generale.png").is_file()

    (folder / "inserecho.yaml").write_text("# mes réglages\n", encoding="utf-8")
    shutil.rmtree(folder / "templates")
    again = run_process(folder, "init", env=env, command=command)
    assert again.code == 2
    assert "contient déjà" in again.err
    assert (folder / "inserecho.yaml").read_text(encoding="utf-8") == "# mes réglages\n"
    assert not (folder / "templates").exists()
