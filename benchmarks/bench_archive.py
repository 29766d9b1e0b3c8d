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
from datetime import date
from pathlib import Path

from common import make_folder, median_seconds, seconds

from inserecho.content.loader import load_issue
from inserecho.render.build import write_build
from inserecho.render.renderer import render_issue
from inserecho.settings import load_settings
from inserecho.web.archive import build_archive
from inserecho.web.preview import PreviewSession

ISSUES = 24
ITEMS = 40
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of the archive (builds and rebuilds: twice as many)")
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        slugs = make_folder(root, issues=ISSUES, items=ITEMS, first=date(2025, 1, 3))
        newest = root / "issues" / slugs[-1]

        def one_build() -> None:  # what ``inserecho build`` does, without Python's start-up
            settings = load_settings(root)
            issue = load_issue(newest, settings)
            write_build(issue, render_issue(issue, settings), settings)

        archive = median_seconds(
            lambda: build_archive(load_settings(root), root / "build" / "archive", date(2026, 12, 3)), runs
        )
        session = PreviewSession(root, newest)
        builds, rebuilds = [], []
        for _ in range(2 * runs):  # alternate, so that both see the same machine load
            builds.append(seconds(one_build))
            rebuilds.append(session.rebuild().seconds)
        build, rebuild = statistics.median(builds), statistics.median(rebuilds)
        command = median_seconds(
            lambda: subprocess.run(
                [sys.executable, "-m", "inserecho.cli", "--root", str(root), "build", slugs[-1]],
                check=True,
                capture_output=True,
            ),
            runs,
        )

    print(f"{ISSUES} numéros de {ITEMS} articles ; médianes de {runs} archives, {2 * runs} builds et reconstructions")
    print(f"  archive complète ............ {archive:6.2f} s ({archive / ISSUES * 1000:.0f} ms par numéro)")
    print(f"  build d'un numéro ........... {build:6.2f} s (chargement, rendu, écriture)")
    print(f"  commande inserecho build .... {command:6.2f} s (avec le démarrage de Python)")
    print(f"  reconstruction de l'aperçu .. {rebuild:6.2f} s, mesurée par l'aperçu ({rebuild / build:.2f} × un build)")
    print(f"  rapport archive / build ..... {archive / build:6.1f}")


if __name__ == "__main__":
    main()
