"""Shared pieces of the benchmarks: a generated newsletter folder and timing helpers."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TERRITORIES = ["Est Ensemble", "Grand Paris Grand Est", "Paris Terres d'Envol", "Plaine Commune"]
BODY = (
    "Les structures d'insertion par l'activité économique du territoire sont invitées à répondre : "
    "l'accompagnement socioprofessionnel des salarié·e·s en parcours reste la priorité ! "
    "Plus d'informations sur https://www.example.org/appel?id=42 ; contact : \"Service IAE\".\n\n"
    "- critère 1 : ancrage territorial\n- critère 2 : **coopération** entre SIAE\n"
)


def make_folder(root: Path, issues: int = 1, items: int = 60, first: date = date(2027, 1, 7)) -> list[str]:
    """A newsletter folder with ``issues`` generated issues of ``items`` items each."""
    shutil.copyfile(REPO / "inserecho.yaml", root / "inserecho.yaml")
    slugs = []
    for n in range(issues):
        months = first.month - 1 + n
        day = first.replace(year=first.year + months // 12, month=months % 12 + 1)  # one issue a month
        slug = f"{day:%Y-%m}"
        folder = root / "issues" / slug
        folder.mkdir(parents=True)
        (folder / "issue.yaml").write_text(
            f"number: {100 + n}\ndate: {day.isoformat()}\nsubject: \"Inser'Echo n° {100 + n} : le point\"\n"
            "preheader: \"Marchés, appels à projets et offres d'emploi du mois\"\n"
            "editorial: |\n  Chères adhérentes, chers adhérents : bonne lecture !\n",
            encoding="utf-8",
        )
        for i in range(items):
            (folder / f"article-{i:03d}.md").write_text(_item(i, day), encoding="utf-8")
        slugs.append(slug)
    return slugs


def _item(i: int, day: date) -> str:
    deadline = (day + timedelta(days=10 + i)).isoformat()
    territory = TERRITORIES[i % 4]
    kind = i % 4
    if kind == 0:
        head = (
            f"section: news\ntitle: \"Actualité n° {i} du réseau\"\ndate: {day.isoformat()}\nterritory: {territory}\n"
        )
    elif kind == 1:
        head = (f"section: procurement\ntitle: \"Marché de propreté n° {i}\"\nbuyer: Ville de Bobigny\n"
                f"deadline: {deadline}\nsocial_clause: true\nterritory: {territory}\nlink: https://www.example.org/m/{i}\n")
    elif kind == 2:
        head = (f"section: funding\ntitle: \"Appel à projets n° {i}\"\nfunder: Fondation Exemple\n"
                f"deadline: {deadline}\namount: {10000 + 500 * i}\nlink: https://www.example.org/a/{i}\n")
    else:
        head = (f"section: jobs\ntitle: \"Encadrant·e technique n° {i}\"\nemployer: ACI Les Jardins\n"
                f"location: Montreuil\ncontract: CDDI\naudience: insertion\ndeadline: {deadline}\n"
                f"territory: {territory}\napply: recrutement@example.org\n")
    return f"---\n{head}---\n{BODY}"


def seconds(run: Callable[[], object]) -> float:
    """Wall time of one call."""
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def median_seconds(run: Callable[[], object], repeat: int) -> float:
    return statistics.median(seconds(run) for _ in range(repeat))


def run_cli(args: list[str], cwd: Path) -> None:
    subprocess.run([sys.executable, "-m", "inserecho.cli", *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL)


def verdict(ok: bool) -> str:
    return "OK" if ok else "AU-DESSUS DE LA CIBLE"
