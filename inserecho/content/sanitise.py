"""The HTML the officer's Markdown may carry: an allowlist, enforced by nh3, and what it removes.

nh3 (the binding of the ammonia sanitiser) does the removing. To tell the officer what
went, the same allowlist is read a second time by :func:`inspect`, which walks the HTML
before it is cleaned and names each tag, attribute or address that nh3 will drop. Each
finding carries a pattern to look for in the source, so that the caller can name a line.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser

import nh3

TAGS = frozenset({
    "p", "br", "hr", "div", "span", "strong", "b", "em", "i", "u", "s", "del", "ins", "mark", "small",
    "sub", "sup", "abbr", "code", "pre", "blockquote", "ul", "ol", "li", "dl", "dt", "dd",
    "h4", "h5", "h6", "a", "img",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
})
"""Headings start at ``h4``: the item's own title is an ``h3`` (see :data:`HEADING_SHIFT`)."""
ATTRIBUTES: Mapping[str, frozenset[str]] = {
    "a": frozenset({"href", "title"}),
    "img": frozenset({"src", "alt", "title", "width", "height"}),
    "abbr": frozenset({"title"}),
    "ol": frozenset({"start"}),
    "code": frozenset({"class"}),
    "th": frozenset({"colspan", "rowspan", "align", "scope"}),
    "td": frozenset({"colspan", "rowspan", "align"}),
}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
REMOVED_WITH_CONTENT = frozenset({"script", "style"})
DANGEROUS_TAGS = frozenset({"script", "iframe", "frame", "frameset", "object", "embed", "applet"})
DANGEROUS_SCHEMES = frozenset({"javascript", "vbscript", "data"})
_URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "background", "poster", "cite", "data", "xlink:href"}
)
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")
_CODE_CLASS = re.compile(r"^language-[\w+#.-]+$")


@dataclass(frozen=True)
class Finding:
    """Something in the HTML that the caller locates in the source by ``pattern``."""

    pattern: str
    """A regular expression for the source text (case-insensitive)."""
    occurrence: int
    """How many earlier places in the HTML matched the same pattern."""


@dataclass(frozen=True)
class Removal(Finding):
    what: str
    """In French: « la balise <font> », « l'attribut « style » »…"""
    dangerous: bool


@dataclass(frozen=True)
class ImageRef(Finding):
    src: str
    alt: str | None


@dataclass
class Inspection:
    removals: list[Removal] = field(default_factory=list)
    images: list[ImageRef] = field(default_factory=list)


def inspect(html: str) -> Inspection:
    """What :func:`sanitise` will remove from ``html``, and the images it will keep."""
    walker = _Walker()
    walker.feed(html)
    walker.close()
    return walker.found


def sanitise(html: str, image_sources: Mapping[str, str] | None = None) -> str:
    """``html`` with only the allowlist left.

    With ``image_sources``, each image ``src`` is replaced as it says and any other is
    dropped: only images checked on this very output reach the email.
    """

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src":
            return value if image_sources is None else image_sources.get(value)
        return value if attribute == "rel" or _removed_value(tag, attribute, value) is None else None

    return nh3.clean(
        html,
        tags=set(TAGS),
        clean_content_tags=set(REMOVED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        attribute_filter=keep,
        url_schemes=set(URL_SCHEMES),
    )


def _scheme(url: str) -> str | None:
    """The scheme as a browser reads it: tabs, line breaks and spaces inside do not count."""
    match = _SCHEME.match(_INVISIBLE.sub("", url).lower())
    return match[1] if match else None


def _removed_value(tag: str, attribute: str, value: str) -> tuple[str, bool] | None:
    """Why an allowed attribute's value is dropped (French, dangerous), or None to keep it."""
    if attribute in _URL_ATTRIBUTES:
        scheme = _scheme(value)
        shown = value if len(value) <= 40 else value[:39] + "…"
        if scheme in DANGEROUS_SCHEMES:
            return f"l'adresse « {shown} » (« {scheme}: » exécute ou cache du contenu)", True
        if scheme is not None and scheme not in URL_SCHEMES:
            return f"l'adresse « {shown} » (seuls http, https, mailto et tel sont acceptés)", False
        if scheme is None and tag == "a" and not value.startswith("#"):
            return f"le lien relatif « {shown} » (écrivez l'adresse complète, https://…)", False
    if tag == "code" and attribute == "class" and not _CODE_CLASS.match(value):
        return f"l'attribut « {attribute} »", False
    return None


class _Walker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found = Inspection()
        self._seen: Counter[str] = Counter()

    def _site(self, pattern: str) -> int:
        """Count one more place matching ``pattern``; return how many came before."""
        self._seen[pattern] += 1
        return self._seen[pattern] - 1

    def _remove(self, pattern: str, occurrence: int, what: str, dangerous: bool) -> None:
        self.found.removals.append(Removal(pattern, occurrence, what, dangerous))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag_pattern = rf"<{re.escape(tag)}\b"
        tag_occurrence = self._site(tag_pattern)
        tag_kept = tag in TAGS
        if not tag_kept:
            self._remove(tag_pattern, tag_occurrence, f"la balise <{tag}>", tag in DANGEROUS_TAGS)
        allowed = ATTRIBUTES.get(tag, frozenset())
        for name, value in attrs:
            value = value or ""
            name_pattern = rf"\b{re.escape(name)}\s*="
            name_occurrence = self._site(name_pattern)
            value_pattern = re.escape(value) if value else name_pattern
            value_occurrence = self._site(value_pattern) if value else name_occurrence
            if name.startswith("on"):
                self._remove(
                    name_pattern, name_occurrence, f"l'attribut « {name} » (du code lancé par le navigateur)", True
                )
            elif (name in _URL_ATTRIBUTES and _scheme(value) in DANGEROUS_SCHEMES) or (tag_kept and name in allowed):
                verdict = _removed_value(tag, name, value)
                if verdict is not None:
                    self._remove(value_pattern, value_occurrence, *verdict)
                elif tag == "img" and name == "src":
                    alt = dict(attrs).get("alt")
                    self.found.images.append(ImageRef(value_pattern, value_occurrence, value, alt))
            elif tag_kept:
                self._remove(name_pattern, name_occurrence, f"l'attribut « {name} »", False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
