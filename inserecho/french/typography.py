"""French typography for rendered text: no-break spaces, « guillemets », apostrophes.

Spaces chosen (one rule each, so the output is predictable and idempotent):

- U+00A0 NO-BREAK SPACE before ``:``, inside « », after ``n°`` and in times (``9 h``,
  ``17 h 30``);
- U+202F NARROW NO-BREAK SPACE before ``;``, ``!``, ``?``, ``€`` and ``%``, and between the
  digit groups of a number (``30 000``, ``4 600 salarié·e·s``).

Also: English curly quotes “…” become « … », ``...`` becomes ``…``, and the invisible
characters a paste from Word or a mail client leaves (zero-width spaces, soft hyphens,
word joiners, a stray byte-order mark) are removed.

Untouched: URLs, email addresses, HTML entities, times (``14:30``, ``14h30``), ISO dates,
phone numbers (``01 48 30 12 34``, ``0 800 123 456``: no group of three after a leading one),
``:`` or ``;`` not followed by whitespace (``note:1``), punctuation glued to the
end of a URL or address (it may belong to it), inclusive forms
(``salarié·e·s``, ``acteur.rice.s``), and in HTML every tag, attribute, comment
and the content of code-like elements.

Every rule is found in one left-to-right pass over the original text and yields
an edit ``(start, end, replacement)`` that replaces at least one character. For
HTML, the text nodes of the fragment are joined into one string so that rules
see across inline tags (``<strong>Date</strong> :``), then each edit is mapped
back onto the text node(s) it covers.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass

NBSP = "\u00a0"
NNBSP = "\u202f"

_HSPACE = " \t\u00a0\u202f"
# Punctuation hugs (gets a no-break space) only after one of these: a word or a closing mark.
_HUGGED = ")]»\"'’%€.…"
_OPENING = "([{«—–-/"
_SPACE_BEFORE = {":": NBSP, ";": NNBSP, "!": NNBSP, "?": NNBSP, "€": NNBSP, "%": NNBSP}
# After ``!`` or ``?``: the end of a sentence, not the middle of a token (``a?b``).
_AFTER_BANG = ")]»\"'’.,;:…"

# Every rule starts at one of these characters: a single character class lets
# the regex engine skip the rest of the text quickly.
_MARK = re.compile(r"[:;!?\"«»“”'€%&°]")
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_URL = re.compile(r"(?:https?://|ftp://|www\.)[^\s<>\"«»]*[^\s<>\"«».,;:!?)\]'’]")
# The part of an email address from "@" on; the rest is found walking left,
# which is much faster than a pattern that may start at every letter.
_EMAIL_DOMAIN = re.compile(r"@[\w-]+(?:\.[\w-]+)+")

# Rules that are patterns rather than one mark; each space they match becomes ``_FIXED_SPACE``.
_NUMBER = re.compile(r"(?<!\d[ \u00a0\u202f])(?<![\w.,+/:-])[1-9]\d{0,2}(?:[ \u00a0\u202f]\d{3})+(?!\d)")
_TIME = re.compile(r"(?<![\w.,:])(?:[01]?\d|2[0-3])[ \u00a0]h(?:[ \u00a0][0-5]\d)?(?![\w:])")
_ELLIPSIS = re.compile(r"(?<!\.)\.\.\.(?!\.)")
_INVISIBLE = re.compile("[\u00ad\u200b\u2060\ufeff]")
_SPACES = re.compile("[ \u00a0\u202f]")

Edit = tuple[int, int, str]


def typeset_text(text: str) -> str:
    """Apply French typography to plain text (idempotent)."""
    return _apply(text, _edits(text))


def _apply(text: str, edits: list[Edit]) -> str:
    parts: list[str] = []
    position = 0
    for start, end, replacement in edits:
        parts.append(text[position:start])
        parts.append(replacement)
        position = end
    parts.append(text[position:])
    return "".join(parts)


def _edits(text: str) -> list[Edit]:
    """The non-overlapping edits the rules call for, in order of position."""
    candidates = sorted(_mark_edits(text) + _pattern_edits(text), key=lambda c: c[0][0])
    protected = _protected_spans(text)
    next_span = 0
    edits: list[Edit] = []
    for edit, glued_mark in candidates:
        if edits and edit[0] < edits[-1][1]:
            continue  # only with odd spacing around quotes
        # Edits come in order: skip the protected spans that end before this one.
        while next_span < len(protected) and protected[next_span][1] < edit[0]:
            next_span += 1
        if next_span < len(protected) and protected[next_span][0] < edit[1]:
            # Inside a URL or address, or punctuation glued to its end
            # ("https://exemple.fr/?q=oui!"), which may belong to it.
            glued = glued_mark and text[edit[0]] not in _HSPACE
            if protected[next_span][1] > edit[0] or glued:
                continue
        edits.append(edit)
    return edits


def _pattern_edits(text: str) -> list[tuple[Edit, bool]]:
    edits: list[tuple[Edit, bool]] = []
    for pattern, space in ((_NUMBER, NNBSP), (_TIME, NBSP)):
        for match in pattern.finditer(text):
            edits.extend(
                ((match.start() + gap.start(), match.start() + gap.end(), space), False)
                for gap in _SPACES.finditer(match[0]) if gap[0] != space
            )
    edits.extend(((m.start(), m.end(), "…"), False) for m in _ELLIPSIS.finditer(text))
    edits.extend(((m.start(), m.end(), ""), False) for m in _INVISIBLE.finditer(text))
    return edits


def _mark_edits(text: str) -> list[tuple[Edit, bool]]:
    """Edits of the rules that start at one punctuation mark, with whether the mark is one
    that may belong to a URL it is glued to (``:;!?``)."""
    edits: list[tuple[Edit, bool]] = []
    quote_open = False
    skip_to = 0  # end of the last entity or ``?!`` group
    for match in _MARK.finditer(text):
        index = match.start()
        if index < skip_to:
            continue
        mark = text[index]
        edit: Edit | None = None
        if mark == "&":
            entity = _ENTITY.match(text, index)
            skip_to = entity.end() if entity else skip_to
        elif mark in ":;":
            if index + 1 == len(text) or text[index + 1].isspace():
                edit = _space_before(text, index, index + 1)
        elif mark in "!?":
            end = index + 1
            while end < len(text) and text[end] in "!?":
                end += 1
            skip_to = end
            if end == len(text) or text[end].isspace() or text[end] in _AFTER_BANG:
                edit = _space_before(text, index, end)
        elif mark in "€%":
            edit = _space_before(text, index, index + 1, follows=str.isdigit)
        elif mark in "«“":
            edit = (index, _skip_spaces_right(text, index + 1), "«" + NBSP)
        elif mark in "»”":
            edit = (_skip_spaces_left(text, index), index + 1, NBSP + "»")
        elif mark == "°":  # "n° 42": the number stays with its sign
            after = _skip_spaces_right(text, index + 1)
            if (index > 0 and text[index - 1] in "nN" and (index == 1 or not text[index - 2].isalnum())
                    and after > index + 1 and after < len(text) and text[after].isdigit()):
                edit = (index + 1, after, NBSP)
        elif mark == "'":
            if 0 < index < len(text) - 1 and text[index - 1].isalpha() and text[index + 1].isalpha():
                edit = (index, index + 1, "’")
        else:  # straight double quote
            quote_open = _is_opening_quote(text, index, quote_open)
            if quote_open:
                edit = (index, _skip_spaces_right(text, index + 1), "«" + NBSP)
            else:
                edit = (_skip_spaces_left(text, index), index + 1, NBSP + "»")
        if edit is not None and text[edit[0] : edit[1]] != edit[2]:
            edits.append((edit, mark in ":;!?"))
    return edits


def _space_before(
    text: str, index: int, end: int, follows: Callable[[str], bool] | None = None
) -> Edit | None:
    """Replace the spaces before ``text[index:end]`` by the right no-break space.

    Only when the mark follows a word or a closing mark (or what ``follows``
    accepts), so that a ``:`` at the start of a line or after an opening
    parenthesis is left alone.
    """
    start = _skip_spaces_left(text, index)
    if start == 0 or not (follows or _hugs)(text[start - 1]):
        return None
    return (start, end, _SPACE_BEFORE[text[index]] + text[index:end])


def _hugs(char: str) -> bool:
    return char.isalnum() or char == "_" or char in _HUGGED


def _protected_spans(text: str) -> list[tuple[int, int]]:
    """Where URLs and email addresses are, sorted."""
    spans = [m.span() for m in _URL.finditer(text)]
    for domain in _EMAIL_DOMAIN.finditer(text):
        start = domain.start()
        while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_.+-"):
            start -= 1
        if start < domain.start():
            spans.append((start, domain.end()))
    return sorted(spans)


def _skip_spaces_left(text: str, index: int) -> int:
    while index > 0 and text[index - 1] in _HSPACE:
        index -= 1
    return index


def _skip_spaces_right(text: str, index: int) -> int:
    while index < len(text) and text[index] in _HSPACE:
        index += 1
    return index


def _is_opening_quote(text: str, index: int, quote_open: bool) -> bool:
    """An opening quote follows the start, a space or an opening mark.

    When a quote has space on both sides, it closes the one left open.
    """
    before = text[index - 1] if index > 0 else " "
    if not (before.isspace() or before in _OPENING):
        return False
    after = text[index + 1] if index + 1 < len(text) else " "
    if after.isspace():
        return not quote_open
    return True


# --- HTML -------------------------------------------------------------------

_TOKEN = re.compile(
    r"<!--.*?-->"
    r"|<![^>]*>"
    r"|<\?.*?\?>"
    r"|<(?P<closing>/?)(?P<name>[A-Za-z][A-Za-z0-9:-]*)(?:[^>\"']|\"[^\"]*\"|'[^']*')*>",
    re.DOTALL,
)
# Elements whose text is never typeset.
_VERBATIM = frozenset({"code", "pre", "kbd", "samp", "script", "style", "textarea"})
# Elements whose content is raw text up to the closing tag (may hold a stray "<").
_RAW_TEXT = frozenset({"script", "style", "textarea"})
# Tags that do not break the flow of text: rules see through them.
_INLINE = frozenset(
    {
        "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "font", "i", "ins",
        "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr",
    }
)


@dataclass
class _Segment:
    """A stretch of the joined text: one text node, or something rules must not edit."""

    start: int
    end: int
    token: int | None  # index in the token list of an editable text node, else None


def typeset_html(fragment: str) -> str:
    """Apply French typography to the text nodes of an HTML fragment.

    Tags, attributes, comments and the content of ``code``, ``pre``, ``kbd``,
    ``samp``, ``script``, ``style`` are left byte for byte. In editable text,
    entities that stand for ordinary characters (``&#39;``, ``&quot;``,
    ``&nbsp;``…) are decoded first so the rules see them; ``&amp;``, ``&lt;``
    and ``&gt;`` stay encoded.
    """
    tokens, segments, joined = _split(fragment)
    local: dict[int, list[Edit]] = {}
    starts = [segment.start for segment in segments]
    for start, end, replacement in _edits(joined):
        first = bisect_right(starts, start) - 1
        covered = []
        index = first
        while index < len(segments) and segments[index].start < end:
            covered.append(segments[index])
            index += 1
        if any(segment.token is None for segment in covered):
            continue
        for position, segment in enumerate(covered):
            piece = replacement if position == 0 else ""
            assert segment.token is not None  # checked above
            local.setdefault(segment.token, []).append(
                (max(start, segment.start) - segment.start, min(end, segment.end) - segment.start, piece)
            )
    for token, edits in local.items():
        tokens[token] = _apply(tokens[token], edits)
    return "".join(tokens)


def _split(fragment: str) -> tuple[list[str], list[_Segment], str]:
    """Cut the fragment into tokens and join the text the rules will see.

    Returns the tokens (tags and text, concatenating back to the fragment, with
    editable text nodes already entity-decoded), the segments tiling the joined
    text, and the joined text itself.
    """
    tokens: list[str] = []
    segments: list[_Segment] = []
    joined: list[str] = []
    length = 0
    verbatim_depth = 0

    def add(text: str, editable: bool) -> None:
        nonlocal length
        if not text:
            return
        if editable:
            text = _ENTITY.sub(_decode_entity, text)
        tokens.append(text)
        segments.append(_Segment(length, length + len(text), len(tokens) - 1 if editable else None))
        joined.append(text)
        length += len(text)

    def add_break() -> None:
        nonlocal length
        segments.append(_Segment(length, length + 1, None))
        joined.append("\n")
        length += 1

    position = 0
    while position < len(fragment):
        match = _TOKEN.search(fragment, position)
        if match is None:
            add(fragment[position:], editable=verbatim_depth == 0)
            break
        add(fragment[position : match.start()], editable=verbatim_depth == 0)
        tokens.append(match[0])
        position = match.end()
        name = (match["name"] or "").lower()
        if not name:
            continue  # comment, doctype or processing instruction: transparent
        if name not in _INLINE:
            add_break()
        if name not in _VERBATIM or match[0].endswith("/>"):
            continue
        if match["closing"]:
            if name not in _RAW_TEXT:
                verbatim_depth = max(0, verbatim_depth - 1)
        elif name in _RAW_TEXT:
            closing = re.compile(rf"</{name}\b", re.IGNORECASE).search(fragment, position)
            stop = closing.start() if closing else len(fragment)
            add(fragment[position:stop], editable=False)
            position = stop
        else:
            verbatim_depth += 1
    return tokens, segments, "".join(joined)


def _decode_entity(match: re.Match[str]) -> str:
    decoded = html.unescape(match[0])
    return match[0] if decoded in ("&", "<", ">") or decoded == match[0] else decoded
