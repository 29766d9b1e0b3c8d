"""What a paste from Word or a mail client leaves in the officer's Markdown, made plain.

Bullet lines ("•", "–"…) become a Markdown list; bare e-mail addresses in running text
become ``mailto:`` links (outside links and code).
"""

from __future__ import annotations

import re

# A bullet pasted from Word or a mail client ("•", "–", "▪"… then a space or a tab).
_PASTED_BULLET = re.compile(r"^([ \t]*)[•◦▪●–\uf0b7][ \t]+", re.MULTILINE)
# An address in running text; the lookbehind keeps "mailto:a@b.fr" and URLs out.
_ADDRESS = re.compile(r"(?<![\w.+/:@-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+(?<!\.)")
_LINK_TAGS = re.compile(r"<(/?)(a|code|pre|kbd|samp|script|style)\b[^>]*>|<[^>]*>|[^<]+", re.IGNORECASE)


def pasted_lists(source: str) -> str:
    """``• item`` lines as ``- item``, with the blank line Markdown needs before a list.

    The result may have more lines than ``source``: report lines from the source.
    """
    lines = _PASTED_BULLET.sub(r"\1- ", source).split("\n")
    out: list[str] = []
    for line, original in zip(lines, source.split("\n"), strict=True):
        starts_list = _PASTED_BULLET.match(original) is not None
        if starts_list and out and out[-1].strip() and not out[-1].lstrip().startswith("- "):
            out.append("")
        out.append(line)
    return "\n".join(out)


def link_addresses(html: str) -> str:
    """Wrap e-mail addresses of text nodes (outside links and code) in ``mailto:`` links."""
    parts: list[str] = []
    inside = 0
    for token in _LINK_TAGS.finditer(html):
        piece = token[0]
        if token[2]:
            inside = max(0, inside - 1) if token[1] else inside + 1
        elif not inside and not piece.startswith("<"):
            piece = _ADDRESS.sub(lambda m: f'<a href="mailto:{m[0]}">{m[0]}</a>', piece)
        parts.append(piece)
    return "".join(parts)
