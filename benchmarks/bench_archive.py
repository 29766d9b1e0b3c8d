"""How long ``inserecho archive`` takes for two years of issues, next to one ``inserecho build``.

Generates 24 issues of 40 items each in a temporary newsletter folder, then reports the
median of a few runs of: the whole archive, one build of a 40-item issue (the pipeline
in-process, then the command with Python's start-up), and one preview rebuild, which must
not cost more than a build.

    python benchmarks/bench_archive.py [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from inserecho.archive import build_archive
from inserecho.build import write_build
from inserecho.loader import load_issue
from inserecho.preview import PreviewSession
from inserecho.render import render_issue
from inserecho.scaffold import init_folder
from inserecho.settings import load_settings

ISSUES = 24
ITEMS = 40
COMMUNES = ("Montreuil", "Saint-Denis", "Aulnay-sous-Bois", "Bobigny", "Noisy-le-Grand", "Stains", "Sevran", "Pantin")
TERRITORIES = ("Est Ensemble", "Plaine Commune", "Paris Terres d'Envol", "Grand Paris Grand Est", "Seine-Saint-Denis")
BODY = """La structure recherche des partenaires pour un projet mené sur {place} : accompagnement des salarié·e·s,
formation sur le poste de travail et lien avec les entreprises du territoire. Le projet "Cap {n}" est
ouvert aux SIAE adhérentes ; contactez le réseau pour en savoir plus !

- une réunion d'information est prévue en début de mois ;
- le dossier tient en quatre pages ;
- un appui du réseau est possible pour le monter.

Les montants vont jusqu'à 30000 € par structure, versés en deux fois.
"""


def generate(root: Path) -> list[str]:
    """A newsletter folder holding ISSUES issues of ITEMS items; returns the slugs."""
    init_folder(root)
    for sample in (root / "issues").iterdir():
        for path in sorted(sample.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        sample.rmdir()
    slugs = []
    for index in range(ISSUES):
        day = date(2025 + index // 12, index % 12 + 1, 3)
        slug = day.strftime("%Y-%m")
        folder = root / "issues" / slug
        folder.mkdir(parents=True)
        (folder / "issue.yaml").write_text(
            f'number: {19 + index}\ndate: {day}\nsubject: "Inser\'Echo n° {19 + index} : les nouvelles du réseau"\n'
            'preheader: "Marchés, appels à projets et offres d\'emploi du mois."\n'
            'editorial: |\n  Chères adhérentes, chers adhérents,\n\n  Bonne lecture !\n',
            encoding="utf-8",
        )
        for n in range(ITEMS):
            (folder / f"article-{n:02d}.md").write_text(_item(n, day), encoding="utf-8")
        slugs.append(slug)
    return slugs


def _item(n: int, day: date) -> str:
    """One item of each section in turn, deadlines spread over the months after the issue."""
    place, territory = COMMUNES[n % len(COMMUNES)], TERRITORIES[n % len(TERRITORIES)]
    deadline = day + timedelta(days=10 + 3 * n)
    fields = (
        (f"section: news\ntitle: Actualité {n} du réseau\ndate: {day}\nterritory: {territory}\n"
        f"link: https://example.org/actualites/{n}\n"),
        (f"section: procurement\ntitle: Marché {n}\nbuyer: Ville de {place}\ndeadline: {deadline}\n"
        f"social_clause: true\nterritory: {territory}\nreference: M-{n}\nlink: https://example.org/marches/{n}\n"),
        (f"section: funding\ntitle: Appel à projets {n}\nfunder: Fondation Exemple\ndeadline: {deadline}\n"
        f"amount: 30000\nlink: https://example.org/appels/{n}\n"),
        (f"section: jobs\ntitle: Offre {n}\nemployer: Régie Exemple\nlocation: {place}\ncontract: CDDI\n"
        f"deadline: {deadline}\naudience: insertion\napply: emploi@example.org\n"),
    )[n % 4]
    return f"---\n{fields}---\n{BODY.format(place=place, n=n)}"


def seconds(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of the archive (builds and rebuilds: twice as many)")
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary) / "lettre"
        slugs = generate(root)
        newest = root / "issues" / slugs[-1]

        def one_build() -> None:  # what ``inserecho build`` does, without Python's start-up
            settings = load_settings(root)
            issue = load_issue(newest, settings)
            write_build(issue, render_issue(issue, settings), settings)

        archive = statistics.median(
            seconds(lambda: build_archive(load_settings(root), root / "build" / "archive", date(2026, 12, 3)))
            for _ in range(runs)
        )
        session = PreviewSession(root, newest)
        builds, rebuilds = [], []
        for _ in range(2 * runs):  # alternate, so that both see the same machine load
            builds.append(seconds(one_build))
            rebuilds.append(session.rebuild().seconds)
        build, rebuild = statistics.median(builds), statistics.median(rebuilds)
        command = statistics.median(
            seconds(lambda: subprocess.run(
                [sys.executable, "-m", "inserecho", "--root", str(root), "build", slugs[-1]], check=True, capture_output=True))
            for _ in range(runs)
        )

    print(f"{ISSUES} numéros de {ITEMS} articles ; médianes de {runs} archives, {2 * runs} builds et reconstructions")
    print(f"  archive complète ............ {archive:6.2f} s ({archive / ISSUES * 1000:.0f} ms par numéro)")
    print(f"  build d'un numéro ........... {build:6.2f} s (chargement, rendu, écriture)")
    print(f"  commande inserecho build .... {command:6.2f} s (avec le démarrage de Python)")
    print(f"  reconstruction de l'aperçu .. {rebuild:6.2f} s, mesurée par l'aperçu ({rebuild / build:.2f} × un build)")
    print(f"  rapport archive / build ..... {archive / build:6.1f}")


if __name__ == "__main__":
    main()
