"""Build small newsletter folders from strings and run the ``inserecho`` command on them.

Tests import this module directly (``from issuefolder import ...``): each test writes
exactly the files its example needs, so the line numbers in expected messages can be
read off the strings in the test.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import os
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from inserecho.cli.main import main

SLUG = "2027-01"

SETTINGS = """\
    newsletter:
      name: "Inser'Echo"
      publisher: "Inser'Eco93"
      tagline: "La lettre d'information des SIAE de Seine-Saint-Denis"
      postal_address: "Inser'Eco93, 12 rue de l'Exemple, 93000 Bobigny"
      website: "https://inser-eco93.example.org"
      list_id: "inserecho.inser-eco93.example.org"
    sender:
      from: "Inser'Echo <lettre@inser-eco93.fr>"
    archive_url: "https://inser-eco93.example.org/inserecho/"
    unsubscribe:
      mailto: "desinscription@inser-eco93.example.org"
      url: "https://inser-eco93.example.org/desinscription"
    """

ISSUE = """\
    number: 43
    date: 2027-01-07
    subject: "Inser'Echo n° 43 : les vœux du réseau"
    preheader: "Un marché réservé, un appel à projets et une offre d'emploi."
    editorial: |
      Bonne année à toutes et à tous !
    """

NEWS = """\
    ---
    section: news
    title: Vœux du réseau
    date: 2027-01-14
    territory: Est Ensemble
    link: https://inser-eco93.example.org/agenda/voeux
    ---
    Rendez-vous à Montreuil pour les vœux du réseau.
    """

PROCUREMENT = """\
    ---
    section: procurement
    title: Entretien des espaces verts
    buyer: Ville de Bois-Fleuri
    deadline: 2027-02-08
    reserved: true
    territory: Grand Paris Grand Est
    link: https://marches.example.org/avis/2027-EV-003
    ---
    Un marché réservé aux SIAE.
    """

FUNDING = """\
    ---
    section: funding
    title: Fonds d'avance remboursable
    funder: Solidarité Finance Exemple
    deadline: 2027-02-15
    amount: 30000
    link: https://inser-eco93.example.org/fonds-avance
    ---
    Une avance sans intérêts.
    """

JOB = """\
    ---
    section: jobs
    title: Agent·e de tri en recyclerie
    employer: Recyclerie La Seconde Main
    location: Saint-Denis
    contract: CDDI
    hours: 26 h/semaine
    deadline: 2027-01-15
    audience: insertion
    apply: contact@recyclerie.example.org
    ---
    Ni diplôme ni expérience exigés.
    """

ITEMS: dict[str, str] = {
    "voeux.md": NEWS,
    "marche.md": PROCUREMENT,
    "fonds.md": FUNDING,
    "offre.md": JOB,
}


def write_files(root: Path, files: Mapping[str, str | bytes]) -> None:
    """Write each file at its path under ``root``; strings are dedented, then UTF-8 encoded."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else textwrap.dedent(content).encode("utf-8"))


def make_folder(
    root: Path,
    items: Mapping[str, str | bytes] | None = None,
    *,
    issue: str | bytes | None = ISSUE,
    settings: str | bytes | None = SETTINGS,
    slug: str = SLUG,
) -> Path:
    """A newsletter folder at ``root`` with one issue ``issues/SLUG``; returns ``root``.

    ``items`` maps file names (relative to the issue folder, e.g. ``images/x.png``) to
    their content; by default one valid item per section. ``None`` for ``issue`` or
    ``settings`` leaves that file out.
    """
    files: dict[str, str | bytes] = {
        f"issues/{slug}/{name}": content for name, content in (ITEMS if items is None else items).items()
    }
    if issue is not None:
        files[f"issues/{slug}/issue.yaml"] = issue
    if settings is not None:
        files["inserecho.yaml"] = settings
    (root / "issues" / slug).mkdir(parents=True, exist_ok=True)
    write_files(root, files)
    return root


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    @property
    def output(self) -> str:
        return self.out + self.err


def run_cli(cwd: Path, *args: str) -> Run:
    """Run ``inserecho ARGS`` in this process, from ``cwd``, as the entry point does."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(args))
        except SystemExit as exit_:
            code = exit_.code
        else:  # pragma: no cover - main always exits
            raise AssertionError("inserecho.cli.main returned without exiting")
    return Run(code if isinstance(code, int) else 1, out.getvalue(), err.getvalue())


def run_process(
    cwd: Path, *args: str, env: Mapping[str, str] | None = None, command: tuple[str, ...] | None = None,
    bound_by_permissions: bool = False,
) -> Run:
    """Run ``python -m inserecho.cli ARGS`` (or ``command ARGS``) in a child process.

    With ``bound_by_permissions``, the child cannot read or write through file
    permissions even when the tests run as root, as an officer's session cannot.
    """
    completed = subprocess.run(
        [*(command or (sys.executable, "-m", "inserecho.cli")), *args],
        cwd=cwd, capture_output=True, text=True, encoding="utf-8", timeout=60,
        env={**os.environ, **(env or {})},
        preexec_fn=_without_permission_override if bound_by_permissions and os.geteuid() == 0 else None,
    )
    return Run(completed.returncode, completed.stdout, completed.stderr)


def _without_permission_override() -> None:
    """Drop root's capabilities to override file permissions (CAP_DAC_OVERRIDE and
    CAP_DAC_READ_SEARCH) from the bounding set, so the program about to be run lacks them."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")
