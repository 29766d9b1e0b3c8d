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


def format_number(value: float, decimals: int = 1) -> str:
    """``0,3``, ``12``, ``1 234,5``: a decimal comma, French grouping, no trailing zeros."""
    return format_decimal(round(value, decimals), format="#,##0." + "#" * decimals, locale=LOCALE)


def format_duration(seconds: float) -> str:
    """``7 h``, ``1 h 05``, ``12 min``, ``3 min 02 s``, ``45 s``: seconds only under ten minutes."""
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}{NBSP}h{NBSP}{minutes:02d}" if minutes else f"{hours}{NBSP}h"
    if minutes >= 10 or (minutes and not secs):
        return f"{minutes}{NBSP}min"
    return f"{minutes}{NBSP}min{NBSP}{secs:02d}{NBSP}s" if minutes else f"{secs}{NBSP}s"


DURATION_UNITS = {
    "seconde": 1, "secondes": 1, "s": 1, "sec": 1, "second": 1, "seconds": 1,
    "minute": 60, "minutes": 60, "min": 60, "mn": 60,
    "heure": 3600, "heures": 3600, "h": 3600, "hour": 3600, "hours": 3600,
    "jour": 86400, "jours": 86400, "j": 86400, "day": 86400, "days": 86400, "d": 86400,
}
_DURATION = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*([^\W\d_]+)\s*$")


def parse_duration(text: str) -> float | None:
    """``30 minutes``, ``2 h``, ``1,5 seconde`` in seconds; None when unreadable."""
    match = _DURATION.match(text)
    if match is None or match[2].lower() not in DURATION_UNITS:
        return None
    return float(match[1].replace(",", ".")) * DURATION_UNITS[match[2].lower()]


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
