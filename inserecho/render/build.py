"""Write a rendered issue to ``build/SLUG/`` for the officer to look at."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from inserecho.render import slots
from inserecho.atomicfile import write_atomic
from inserecho.content.model import Issue
from inserecho.render.renderer import RenderedIssue
from inserecho.settings import Settings


@dataclass(frozen=True)
class BuildResult:
    directory: Path
    html_path: Path
    text_path: Path
    html_bytes: int
    sections: tuple[tuple[str, int], ...]
    """(label, number of items) in issue order."""


@dataclass(frozen=True)
class FilledEmail:
    """The email as a reader without a name sees it, images next to the HTML file.

    What ``build`` writes, ``check`` weighs and ``preview`` serves.
    """

    html: str
    text: str

    @property
    def html_bytes(self) -> int:
        return len(self.html.encode("utf-8"))


def preview_email(rendered: RenderedIssue, settings: Settings) -> FilledEmail:
    if settings.unsubscribe_url:
        unsubscribe = settings.unsubscribe_url
    elif settings.unsubscribe_mailto:
        unsubscribe = f"mailto:{settings.unsubscribe_mailto}"
    else:
        unsubscribe = "#desinscription"
    values = {slots.GREETING: slots.greeting(None), slots.UNSUBSCRIBE_URL: unsubscribe, slots.ASSETS: "."}
    return FilledEmail(slots.fill_html(rendered.html, values), slots.fill_text(rendered.text, values))


def copy_images(issue: Issue, directory: Path) -> None:
    """The images the issue uses, at the same relative paths beside its page."""
    for image in issue.images:
        target = directory / image
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(issue.folder / image, target)


def write_build(issue: Issue, rendered: RenderedIssue, settings: Settings) -> BuildResult:
    """Write ``email.html``, ``email.txt`` and the images; each file is replaced atomically."""
    directory = settings.build_dir / issue.slug
    directory.mkdir(parents=True, exist_ok=True)
    email = preview_email(rendered, settings)
    copy_images(issue, directory)
    html_path, text_path = directory / "email.html", directory / "email.txt"
    write_atomic(text_path, email.text)
    write_atomic(html_path, email.html)
    return BuildResult(
        directory,
        html_path,
        text_path,
        email.html_bytes,
        tuple((s.spec.label, len(s.items)) for s in issue.sections),
    )
