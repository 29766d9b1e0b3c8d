"""Write a rendered issue to ``build/SLUG/`` for the officer to look at."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from inserecho.atomicfile import write_atomic
from inserecho.content.model import Issue
from inserecho.paths import outside_read, outside_write, within
from inserecho.problems import ContentError, Problem
from inserecho.render import slots
from inserecho.render.renderer import RenderedIssue, clipping_warning
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


def check_warnings(issue: Issue, rendered: RenderedIssue, settings: Settings) -> tuple[Problem, ...]:
    """What ``check`` warns of, and ``send`` recalls before it asks to go: the settings', the
    issue's, and Gmail's clipping of an email this heavy."""
    clipping = clipping_warning(issue, preview_email(rendered, settings).html_bytes)
    return settings.warnings + issue.warnings + ((clipping,) if clipping else ())


def copy_images(issue: Issue, directory: Path) -> None:
    """The images the issue uses, at the same relative paths beside its page.

    Each copy replaces what stood at its path (a symlink there is not followed), and a
    path that a symlink would lead out of ``directory`` is refused.
    """
    for image in issue.images:
        source = within(issue.folder / image, issue.folder)
        if source is None:
            raise ContentError(
                [Problem(issue.folder / image, None, outside_read(issue.folder / image, "dossier du numéro"))]
            )
        write_atomic(_inside(directory / image, directory), source.read_bytes())


def _inside(path: Path, folder: Path) -> Path:
    if within(path, folder) is None:
        raise ContentError([Problem(path, None, outside_write(path, folder))])
    return path


def write_build(issue: Issue, rendered: RenderedIssue, settings: Settings) -> BuildResult:
    """Write ``email.html``, ``email.txt`` and the images; each file is replaced atomically."""
    directory = _inside(settings.build_dir / issue.slug, settings.root)
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
