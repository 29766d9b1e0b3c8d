"""Placeholders left in the rendered issue and filled afterwards, without re-rendering.

The issue is rendered (Markdown, Jinja2, premailer) once; what changes per recipient
(greeting, unsubscribe link) or per destination (where images live) is a marker
replaced by plain string substitution.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

GREETING = "__INSERECHO_GREETING__"
UNSUBSCRIBE_URL = "__INSERECHO_UNSUBSCRIBE_URL__"
ASSETS = "__INSERECHO_ASSETS__"
"""Prefix of image URLs: ``images/x.png`` is rendered ``__INSERECHO_ASSETS__/images/x.png``."""

ALL = (GREETING, UNSUBSCRIBE_URL, ASSETS)


def greeting(name: str | None) -> str:
    """The salutation, with a neutral fallback when the subscriber has no name."""
    return f"Bonjour {name.strip()}," if name and name.strip() else "Bonjour,"


def fill_html(template: str, values: Mapping[str, str]) -> str:
    """Replace markers by HTML-escaped values (quotes included: values land in attributes too)."""
    for marker, value in values.items():
        template = template.replace(marker, escape(value, quote=True))
    return template


def fill_text(template: str, values: Mapping[str, str]) -> str:
    for marker, value in values.items():
        template = template.replace(marker, value)
    return template
