"""Dates and amounts written the French way: « 1er mars 2027 », « 30 000 € ».

Amounts use babel's French grouping (U+202F between thousands) and U+202F
before ``€``, the same spaces :mod:`inserecho.french.typography` uses.
"""

from __future__ import annotations

import re
from datetime import date, time
from decimal import ROUND_HALF_UP, Decimal

from babel.dates import format_date as babel_format_date
from babel.dates import get_day_names, get_month_names
from babel.numbers import format_decimal

from inserecho.french.suggest import fold
from inserecho.french.typography import NBSP, NNBSP

LOCALE = "fr_FR"


def format_date(day: date) -> str:
    """``15 janvier 2027``; the first of the month is ``1er mars 2027``."""
    return f"{_ordinal(day)} {babel_format_date(day, 'MMMM y', locale=LOCALE)}"


def format_time(moment: time) -> str:
    """``9 h``, ``14 h 30``, with no-break spaces."""
    hours = f"{moment.hour}{NBSP}h"
    return f"{hours}{NBSP}{moment.minute:02d}" if moment.minute else hours


def _ordinal(day: date) -> str:
    return "1er" if day.day == 1 else str(day.day)


# --- amounts ------------------------------------------------------------------

_CENT = Decimal("0.01")
_SPACE = "[ \u00a0\u202f]"
_PLAIN_AMOUNT = re.compile(
    r"(?P<units>\d{1,3}(?:" + _SPACE + r"\d{3})+|\d+)(?:[.,](?P<cents>\d{1,2}))?"
    + _SPACE + r"*(?:€|euros?)?",
    re.IGNORECASE,
)
# In free text, only long numbers followed by € are grouped ("30000 €" but not "2027").
_AMOUNT_IN_TEXT = re.compile(r"(?<![\d.,])(?P<units>\d{4,})(?:,(?P<cents>\d{1,2}))?" + _SPACE + "*€")


def format_amount(value: float | Decimal | str) -> str:
    """``30 000 €``, ``1 234,50 €``: decimals only when the amount is not whole.

    A string that is just a number (``"30000"``, ``"30 000 €"``, ``"30 000 euros"``)
    is formatted the same way; any other string is returned with its long
    numbers before ``€`` grouped (``"jusqu'à 30000 € par structure"``).
    """
    if isinstance(value, str):
        text = value.strip()
        match = _PLAIN_AMOUNT.fullmatch(text)
        if match is None:
            return _AMOUNT_IN_TEXT.sub(_format_match, text)
        return _format_match(match)
    return _format_number(Decimal(str(value)))


def _format_match(match: re.Match[str]) -> str:
    units = "".join(ch for ch in match["units"] if ch.isdigit())
    return _format_number(Decimal(f"{units}.{match['cents'] or 0}"))


def _format_number(number: Decimal) -> str:
    number = number.quantize(_CENT, rounding=ROUND_HALF_UP)
    pattern = "#,##0" if number == number.to_integral_value() else "#,##0.00"
    return f"{format_decimal(number, format=pattern, locale=LOCALE)}{NNBSP}€"


# --- parsing -----------------------------------------------------------------


_MONTHS = {fold(name): number for number, name in get_month_names("wide", locale=LOCALE).items()}
_WEEKDAYS = "|".join(fold(name) for name in get_day_names("wide", locale=LOCALE).values())
_ISO = re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})")
_NUMERIC = re.compile(r"(?P<day>\d{1,2})(?P<sep>[/.-])(?P<month>\d{1,2})(?P=sep)(?P<year>\d{4})")
_WORDS = re.compile(
    rf"(?:(?:{_WEEKDAYS})\s+)?(?P<day>\d{{1,2}})(?:er)?\s+(?P<month>[a-z]+)\s+(?P<year>\d{{4}})"
)


def parse_french_date(text: str) -> date | None:
    """Read ``2027-01-15``, ``15/01/2027``, ``15-01-2027``, ``15 janvier 2027``,
    ``1er février 2027`` (any case, accents optional, weekday allowed in front).

    Returns None when the text is not a date or names a day that does not
    exist (``2027-02-30``).
    """
    folded = " ".join(fold(text).split())
    for pattern in (_ISO, _NUMERIC, _WORDS):
        match = pattern.fullmatch(folded)
        if match is None:
            continue
        month = match["month"]
        month_number = int(month) if month.isdigit() else _MONTHS.get(month)
        if month_number is None:
            return None
        try:
            return date(int(match["year"]), month_number, int(match["day"]))
        except ValueError:
            return None
    return None


def kilobytes(size: int) -> str:
    """A size in bytes as the officer reads it: ``41,3 Ko``."""
    return f"{size / 1024:.1f} Ko".replace(".", ",")


def plural(count: int, word: str) -> str:
    """``1 article``, ``2 articles`` (regular French plurals only)."""
    return f"{count} {word}{'' if count == 1 else 's'}"
