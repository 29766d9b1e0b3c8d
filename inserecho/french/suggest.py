""""Did you mean" hints for names the officer mistyped."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return `` (vouliez-vous dire « x » ?)`` for the closest choice, or ``""``."""
    choices = list(choices)
    folded = {c.casefold(): c for c in choices}
    if word.casefold() in folded:
        return f" (vouliez-vous dire « {folded[word.casefold()]} » ?)"
    close = difflib.get_close_matches(word.casefold(), list(folded), n=1, cutoff=0.6)
    return f" (vouliez-vous dire « {folded[close[0]]} » ?)" if close else ""


def setting_hint(word: str, choices: Iterable[str]) -> str:
    """After « réglage inconnu « x » »: the close choice, or else every possible one, in order."""
    choices = list(choices)
    return did_you_mean(word, choices) or f" ; les réglages possibles ici sont {', '.join(choices)}"


def french_list(words: Iterable[str]) -> str:
    """``a, b ou c`` with each word in guillemets."""
    quoted = [f"« {w} »" for w in words]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " ou " + quoted[-1]


def fold(text: str) -> str:
    """Lower case without accents or ligatures: ``Février`` → ``fevrier``, ``Vœux`` → ``voeux``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("œ", "oe").replace("æ", "ae"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold_words(text: str) -> str:
    """:func:`fold`, with ``- _ . : '`` as spaces: ``L’Île-Saint-Denis`` → ``l ile saint denis``."""
    return " ".join(re.sub(r"[-_.:'’]", " ", fold(text)).split())
