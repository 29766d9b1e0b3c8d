"""Time `inserecho build` of a 60-item issue as a fresh process, and the render alone.

Compares, in the same run, with the interpreter's bare start-up. Target on a 2-core
machine: the whole build under 1.5 s as a fresh process.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from common import make_folder, median_seconds, run_cli, verdict

from inserecho.content.loader import load_issue
from inserecho.render.renderer import render_issue
from inserecho.settings import load_settings

TARGET_SECONDS = 1.5
ITEMS = 60
REPEAT = 7


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        (slug,) = make_folder(root, issues=1, items=ITEMS)
        bare = median_seconds(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), REPEAT)
        imports = median_seconds(
            lambda: subprocess.run([sys.executable, "-c", "import inserecho.cli.main"], check=True), REPEAT
        )
        build = median_seconds(lambda: run_cli(["build", slug], root), REPEAT)
        settings = load_settings(root)
        issue = load_issue(root / "issues" / slug, settings)
        render_issue(issue, settings)  # warm caches as a long-lived process (preview) would
        load = median_seconds(lambda: load_issue(root / "issues" / slug, settings), REPEAT)
        render = median_seconds(lambda: render_issue(issue, settings), REPEAT)
        size = (root / "build" / slug / "email.html").stat().st_size
    print(f"Numéro de {ITEMS} articles, médiane de {REPEAT} essais")
    print(f"  démarrage nu de Python          {bare * 1000:8.0f} ms")
    print(f"  import d'inserecho.cli.main          {imports * 1000:8.0f} ms")
    print(f"  inserecho build (processus)     {build * 1000:8.0f} ms  = {build / bare:.1f} × démarrage nu")
    print(f"  chargement + validation seuls   {load * 1000:8.0f} ms")
    print(f"  rendu seul (Markdown, Jinja, premailer) {render * 1000:5.0f} ms")
    print(f"  taille du HTML                  {size / 1024:8.1f} Ko")
    print(f"Cible : build < {TARGET_SECONDS} s : {verdict(build < TARGET_SECONDS)}")


if __name__ == "__main__":
    main()
