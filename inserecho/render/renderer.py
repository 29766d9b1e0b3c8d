"""Render a loaded issue once: HTML with inlined CSS, and its plain-text twin.

The result still holds the slot markers of :mod:`inserecho.render.slots`; filling them is
cheap string work left to whoever needs a concrete message or page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import jinja2

from inserecho.content.model import Issue
from inserecho.problems import Problem, Severity
from inserecho.render import slots
from inserecho.render.inline import inline_css
from inserecho.render.markup import to_flowed
from inserecho.render.present import IssueView, present_issue
from inserecho.render.templating import render_template, template_environment
from inserecho.settings import Settings

Variant = Literal["email", "web"]
GMAIL_CLIP_BYTES = 102 * 1024


@dataclass(frozen=True)
class RenderedIssue:
    slug: str
    subject: str
    preheader: str
    html: str
    """Inlined HTML containing slot markers."""
    text: str
    """Plain-text alternative (``format=flowed``) containing slot markers."""
    images: tuple[Path, ...]
    """Image files (relative to the issue folder) the HTML refers to."""
    view: IssueView


def render_issue(
    issue: Issue, settings: Settings, variant: Variant = "email", env: jinja2.Environment | None = None
) -> RenderedIssue:
    """``email``: the message sent to subscribers; ``web``: the archive page (no unsubscribe).

    ``env``: the folder's :func:`template_environment`, when several issues are rendered in
    one run (the archive), so that each template is compiled once."""
    view = present_issue(issue, settings, asset_prefix=slots.ASSETS + "/")
    env = env or template_environment(settings.templates_dir)
    context = {
        "issue": view,
        "settings": settings,
        "variant": variant,
        "web_url": web_url(settings, issue.slug),
        "greeting": slots.GREETING if issue.meta.greeting else "",
        "unsubscribe_url": slots.UNSUBSCRIBE_URL,
    }
    html = inline_css(render_template(env, "email.html", settings.templates_dir, **context))
    text = _tidy_text(render_template(env, "email.txt", settings.templates_dir, **context))
    return RenderedIssue(issue.slug, view.subject, view.preheader, html, text, issue.images, view)


def web_url(settings: Settings, slug: str) -> str | None:
    """Where the archive publishes this issue, for "Voir dans le navigateur"."""
    if not settings.archive_url:
        return None
    return settings.archive_url.rstrip("/") + f"/{slug}/"


def _tidy_text(text: str) -> str:
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return to_flowed(re.sub(r"\n{3,}", "\n\n", text).strip() + "\n")


def clipping_warning(issue: Issue, html_bytes: int) -> Problem | None:
    """Gmail shows only the first ~102 KB of a message's HTML, then a "[Message tronqué]" link."""
    if html_bytes <= GMAIL_CLIP_BYTES:
        return None
    return Problem(
        issue.folder / "issue.yaml", None,
        f"le courriel pèse {html_bytes // 1024} Ko, plus que les {GMAIL_CLIP_BYTES // 1024} Ko au-delà desquels "
        "Gmail le coupe : raccourcissez des articles ou retirez-en.",
        Severity.WARNING,
    )
