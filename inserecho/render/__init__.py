"""Rendering: takes a validated :class:`~inserecho.content.Issue`, gives the email once
(Jinja2, Markdown, French typography, premailer) as HTML and plain text with slots for the
per-recipient parts, and writes the preview build."""

from inserecho.render.build import BuildResult, preview_email, write_build
from inserecho.render.renderer import RenderedIssue, render_issue

__all__ = ["BuildResult", "RenderedIssue", "preview_email", "render_issue", "write_build"]
