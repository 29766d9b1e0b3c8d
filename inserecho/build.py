"""Write a rendered issue to ``build/SLUG/`` for the officer to look at."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from inserecho import slots
from inserecho.atomicfile import write_atomic
from inserecho.model import Issue
from inserecho.render import GMAIL_CLIP_BYTES, RenderedIssue
from inserecho.settings import Settings


@dataclass(frozen=True)
class BuildResult:
    directory: Path
    html_path: Path
    text_path: Path
    html_bytes: int
    sections: tuple[tuple[str, int], ...]
    """(label, number of items) in issue order."""

    @property
    def clipped_by_gmail(self) -> bool:
        return self.html_bytes > GMAIL_CLIP_BYTES


def preview_values(settings: Settings) -> dict[str, str]:
    """Slot values for a preview: a neutral greeting, images next to the HTML file."""
    if settings.unsubscribe_url:
        unsubscribe = settings.unsubscribe_url
    elif settings.unsubscribe_mailto:
        unsubscribe = f"mailto:{settings.unsubscribe_mailto}"
    else:
        unsubscribe = "#desinscription"
    return {slots.GREETING: slots.greeting(None), slots.UNSUBSCRIBE_URL: unsubscribe, slots.ASSETS: "."}


def preview_html(rendered: RenderedIssue, settings: Settings) -> str:
    """The email as a reader without a name would see it, images next to the file."""
    return slots.fill_html(rendered.html, preview_values(settings))


def write_build(issue: Issue, rendered: RenderedIssue, settings: Settings) -> BuildResult:
    """Write ``email.html``, ``email.txt`` and the images; each file is replaced atomically."""
    directory = settings.build_dir / issue.slug
    directory.mkdir(parents=True, exist_ok=True)
    values = preview_values(settings)
    html = preview_html(rendered, settings)
    for image in rendered.images:
        target = directory / image
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(issue.folder / image, target)
    html_path, text_path = directory / "email.html", directory / "email.txt"
    write_atomic(text_path, slots.fill_text(rendered.text, values))
    write_atomic(html_path, html)
    return BuildResult(
        directory,
        html_path,
        text_path,
        len(html.encode("utf-8")),
        tuple((s.spec.label, len(s.items)) for s in issue.sections),
    )
