"""The Jinja2 environment: the folder's ``templates/`` first, the packaged defaults after."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from inserecho.french.typography import typeset_text
from inserecho.render.markup import WIDTH, wrap


def template_environment(templates_dir: Path | None) -> jinja2.Environment:
    """Templates are looked up file by file: a folder may override only ``email.css``."""
    loaders: list[jinja2.BaseLoader] = []
    if templates_dir is not None and templates_dir.is_dir():
        loaders.append(jinja2.FileSystemLoader(templates_dir))
    loaders.append(jinja2.PackageLoader("inserecho", "resources/templates"))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["typo"] = typeset_text
    env.filters["keep_hyphens"] = keep_hyphens
    env.filters["flow"] = flow
    env.filters["underlined"] = underlined
    return env


def flow(text: str, hanging: int = 0) -> str:
    """A paragraph of the text part: flowed, or with ``hanging`` spaces before its
    continuation lines (then hard-wrapped, as a flowed reader would keep the spaces)."""
    return "\n".join(wrap(text, WIDTH, "", " " * hanging, soft=not hanging))


def underlined(text: str, char: str) -> str:
    """A heading of the text part, wrapped, over a rule as long as its longest line."""
    lines = wrap(text, WIDTH, soft=False) or [""]
    return "\n".join(lines) + "\n" + char * max(len(line) for line in lines)


_HYPHENATED = re.compile(r"\w+(?:-\w+)+")


def keep_hyphens(text: str) -> Markup:
    """HTML in which a hyphenated name (Seine-Saint-Denis) does not break at its hyphens.

    For headings: a non-breaking span rather than U+2011, which some fonts lack.
    """
    return Markup(_HYPHENATED.sub(
        lambda match: f'<span style="white-space:nowrap">{match[0]}</span>', str(escape(text))))
