"""The officer's Markdown (an article's text, the editorial) to safe HTML, checked line by line.

It is rendered here, once, because what it renders to is part of checking it: raw HTML
goes through the allowlist of :mod:`inserecho.content.sanitise`, images are checked like
the ``image`` field, nesting too deep for the Markdown parser or for mail clients is
refused, and every problem names its line in the source file.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import markdown

from inserecho.content.fields import check_image, warner
from inserecho.content.pasted import link_addresses, pasted_lists
from inserecho.content.sanitise import Finding, inspect, sanitise
from inserecho.content.textfile import control_character, drop_control_characters
from inserecho.problems import InvalidValue, Problem, Severity

MAX_NESTING = 20
"""Levels of lists, quotes and tags in a text; the parser gives up near 250 nested lists."""
MAX_LOCATED = 50
"""Removals located line by line in one text; past that, one message counts the rest."""
MAX_BODY = 50_000
MAX_BRACKETS = 1_000
MAX_TAGS = 2_000
"""Limits checked before the Markdown parser runs, whose time grows with the square of
unmatched ``[`` or unclosed tags (5,000 ``[`` take 23 s; 5,000 ``<a `` 2.5 s, 2,000 half a
second) and which the live preview runs on each save. A long article is 10,000 characters with a few dozen
links and tags: these limits are far above any real text and keep a check under a second."""
HEADING_SHIFT = 3
"""``# Titre`` becomes an ``h4``: below the newsletter (h1), its sections (h2), its items (h3)."""
_MARKER = re.compile(r">|(?:[-*+]|\d{1,9}[.)])(?= |$)")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_HEADING = re.compile(r"<(/?)h([1-6])\b", re.IGNORECASE)
_VOID = frozenset({"br", "hr", "img", "wbr", "area", "col", "embed", "input", "link", "meta", "source", "track"})


@dataclass(frozen=True)
class Body:
    html: str
    """Sanitised HTML; image addresses are relative to the issue folder."""
    images: tuple[Path, ...]
    """The images it shows, relative to the issue folder."""


def render_body(source: str, path: Path, first_line: int, folder: Path, problems: list[Problem]) -> Body:
    """Render ``source``, which starts at line ``first_line`` of ``path``; report into ``problems``."""
    source = _without_control_characters(source, path, first_line, problems)
    too_deep = _too_deep_line(source)
    if too_deep is not None:
        problems.append(Problem(path, first_line + too_deep, _nesting_message()))
        return Body("", ())
    too_large = _too_large(source)
    if too_large is not None:
        at, message = too_large
        problems.append(Problem(path, first_line + source.count("\n", 0, at), message))
        return Body("", ())
    raw = markdown.markdown(pasted_lists(source), extensions=["sane_lists", "fenced_code"], output_format="html")
    raw = link_addresses(raw)
    raw = _HEADING.sub(lambda m: f"<{m[1]}h{min(6, int(m[2]) + HEADING_SHIFT)}", raw)
    lines = _Lines(source, first_line)
    found = inspect(raw)
    by_line: dict[tuple[int, bool], list[str]] = {}
    for removal in found.removals[:MAX_LOCATED]:
        by_line.setdefault((lines.of(removal), removal.dangerous), []).append(removal.what)
    for (line, dangerous), what in sorted(by_line.items()):
        listed = ", ".join(dict.fromkeys(what))
        if dangerous:
            problems.append(
                Problem(
                    path,
                    line,
                    f"HTML refusé : {listed}. Retirez-le : rien dans la lettre ne doit exécuter de code chez les "
                    f"lecteurs.",
                )
            )
        else:
            problems.append(
                Problem(
                    path,
                    line,
                    f"HTML retiré : {listed} ; la lettre ne garde que la mise en forme simple "
                    "(gras, italique, titres, listes, liens, tableaux, images).",
                    Severity.WARNING,
                )
            )
    rest = found.removals[MAX_LOCATED:]
    if rest:
        problems.append(
            Problem(
                path,
                first_line,
                f"et {len(rest)} autres éléments HTML retirés ou "
                "refusés dans ce texte ; corrigez d'abord ceux signalés.",
                Severity.ERROR if any(r.dangerous for r in rest) else Severity.WARNING,
            )
        )
    # The images as nh3 outputs them, not as the inspection read the raw HTML: the two
    # parsers disagree on raw-text elements (<noscript>, <xmp>…), where an <img> may hide.
    kept = sanitise(raw)
    images: dict[str, Path] = {}
    for image in inspect(kept).images:
        line = lines.of(image)
        try:
            images[image.src] = check_image(image.src, folder, warner(problems, path, line))
        except InvalidValue as error:
            problems.append(error.at(path, line))
        if not (image.alt or "").strip():
            problems.append(
                Problem(
                    path,
                    line,
                    f"l'image « {image.src} » n'a pas de texte alternatif : décrivez-la entre les crochets, "
                    "par exemple ![Le stand du réseau](images/stand.jpg).",
                )
            )
    html = sanitise(kept, {written: quote(relative.as_posix()) for written, relative in images.items()})
    deepest = _deepest_tag(html)
    if deepest is not None:
        problems.append(Problem(path, lines.of(deepest), _nesting_message()))
    return Body(html, tuple(dict.fromkeys(images.values())))


def _too_large(source: str) -> tuple[int, str] | None:
    """Where ``source`` passes one of the limits above, and what to say, if it does."""
    if len(source) > MAX_BODY:
        return 0, (
            f"le texte dépasse {_number(MAX_BODY)} caractères ({_number(len(source))}) : raccourcissez-le, "
            "ou publiez-le sur votre site et mettez-en le lien ici."
        )
    for char, limit, what in (("[", MAX_BRACKETS, "crochets « [ »"), ("<", MAX_TAGS, "balises « < »")):
        if source.count(char) > limit:
            at = -1
            for _ in range(limit + 1):
                at = source.index(char, at + 1)
            return at, (
                f"le texte contient plus de {_number(limit)} {what} (à partir de cette ligne) : c'est sans doute "
                "un copier-coller abîmé ; retirez-les."
            )
    return None


def _number(count: int) -> str:
    return f"{count:,}".replace(",", "\u00a0")


def _nesting_message() -> str:
    return (
        f"la mise en forme est imbriquée sur plus de {MAX_NESTING} niveaux (listes dans des listes, "
        "citations « > » ou balises les unes dans les autres) ; simplifiez-la."
    )


def _without_control_characters(source: str, path: Path, first_line: int, problems: list[Problem]) -> str:
    """Invisible control characters are dropped, each line that had some reported."""
    if control_character(source.replace("\n", "")) is None:
        return source
    lines = source.split("\n")
    for number, line in enumerate(lines):
        char = control_character(line)
        if char is not None:
            problems.append(
                Problem(
                    path,
                    first_line + number,
                    f"caractère invisible U+{ord(char):04X} supprimé (souvent laissé par un copier-coller) ; "
                    "retirez-le du fichier.",
                    Severity.WARNING,
                )
            )
            lines[number] = drop_control_characters(line)
    return "\n".join(lines)


def _too_deep_line(source: str) -> int | None:
    """The 0-based line where lists and quotes nest deeper than :data:`MAX_NESTING`, if any.

    Found before the Markdown parser runs: it recurses once per level and fails around 250.
    Depth is counted as the parser sees it: four spaces of indentation, or one marker
    (``>``, ``-``, ``1.``), per level; fenced code does not count.
    """
    fenced = False
    for number, line in enumerate(source.split("\n")):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        rest, depth = line.expandtabs(4), 0
        while True:
            stripped = rest.lstrip(" ")
            depth += (len(rest) - len(stripped)) // 4
            marker = _MARKER.match(stripped)
            if marker is None:
                break
            depth += 1
            rest = stripped[marker.end() :]
        if depth > MAX_NESTING:
            return number
    return None


def _deepest_tag(html: str) -> Finding | None:
    """The first tag nested deeper than :data:`MAX_NESTING` in sanitised (well-formed) HTML."""
    walker = _DepthWalker()
    walker.feed(html)
    walker.close()
    return walker.too_deep


class _DepthWalker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.starts: dict[str, int] = {}
        self.too_deep: Finding | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        occurrence = self.starts.get(tag, 0)
        self.starts[tag] = occurrence + 1
        if tag in _VOID:
            return
        self.depth += 1
        if self.depth > MAX_NESTING and self.too_deep is None:
            self.too_deep = Finding(rf"<{re.escape(tag)}\b", occurrence)

    def handle_endtag(self, tag: str) -> None:
        if tag not in _VOID:
            self.depth -= 1


class _Lines:
    """Finds a :class:`Finding` in the source: its line in the file, or the text's first line."""

    def __init__(self, source: str, first_line: int) -> None:
        self.source = source
        self.first_line = first_line
        self.starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self.matches: dict[str, list[int]] = {}  # one scan of the source per pattern

    def of(self, finding: Finding) -> int:
        matches = self.matches.get(finding.pattern)
        if matches is None:
            matches = self.matches[finding.pattern] = [
                m.start() for m in re.finditer(finding.pattern, self.source, re.IGNORECASE)
            ]
        if not matches:
            return self.first_line
        offset = matches[min(finding.occurrence, len(matches) - 1)]
        return self.first_line + bisect_right(self.starts, offset) - 1
