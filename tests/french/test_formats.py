"""Dates and amounts written the French way."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from inserecho.french.formats import (
    format_amount,
    format_date,
    format_duration,
    format_number,
    parse_duration,
    parse_french_date,
)

NBSP = "\u00a0"
NNBSP = "\u202f"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2027, 1, 15), "15 janvier 2027"),
        (date(2027, 3, 1), "1er mars 2027"),
        (date(2026, 8, 2), "2 août 2026"),
        (date(2026, 12, 31), "31 décembre 2026"),
    ],
)
def test_format_date(day: date, expected: str) -> None:
    assert format_date(day) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # numbers: U+202F between thousands, U+00A0 before €, cents only when needed
        (30000, f"30{NNBSP}000{NNBSP}€"),
        (999, f"999{NNBSP}€"),
        (1_000_000, f"1{NNBSP}000{NNBSP}000{NNBSP}€"),
        (0, f"0{NNBSP}€"),
        (1234.5, f"1{NNBSP}234,50{NNBSP}€"),
        (30000.0, f"30{NNBSP}000{NNBSP}€"),
        (Decimal("1234.567"), f"1{NNBSP}234,57{NNBSP}€"),
        (Decimal("19.999"), f"20{NNBSP}€"),
        # strings that are just a number
        ("30000", f"30{NNBSP}000{NNBSP}€"),
        ("30 000", f"30{NNBSP}000{NNBSP}€"),
        ("30000 €", f"30{NNBSP}000{NNBSP}€"),
        ("30 000€", f"30{NNBSP}000{NNBSP}€"),
        ("  30 000 euros ", f"30{NNBSP}000{NNBSP}€"),
        ("1 234,50 €", f"1{NNBSP}234,50{NNBSP}€"),
        ("12,5", f"12,50{NNBSP}€"),
        (f"30{NNBSP}000{NNBSP}€", f"30{NNBSP}000{NNBSP}€"),
        # other strings: long numbers before € are grouped, the rest is kept
        ("jusqu'à 30000 € par structure", f"jusqu'à 30{NNBSP}000{NNBSP}€ par structure"),
        ("entre 5000 et 12000,5€", f"entre 5000 et 12{NNBSP}000,50{NNBSP}€"),
        ("500 € par salarié·e en 2027", "500 € par salarié·e en 2027"),
        ("1.500 €", "1.500 €"),
        ("selon le projet", "selon le projet"),
    ],
)
def test_format_amount(value: float | Decimal | str, expected: str) -> None:
    assert format_amount(value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-01-15", date(2027, 1, 15)),
        ("15/01/2027", date(2027, 1, 15)),
        ("15-01-2027", date(2027, 1, 15)),
        ("5/1/2027", date(2027, 1, 5)),
        ("15 janvier 2027", date(2027, 1, 15)),
        ("1er janvier 2027", date(2027, 1, 1)),
        ("1ER FÉVRIER 2027", date(2027, 2, 1)),
        ("3 fevrier 2027", date(2027, 2, 3)),
        ("15 aout 2027", date(2027, 8, 15)),
        ("  15   Décembre 2026 ", date(2026, 12, 15)),
        (f"15{NBSP}janvier{NBSP}2027", date(2027, 1, 15)),
        ("vendredi 15 janvier 2027", date(2027, 1, 15)),
        # not dates
        ("2027-02-30", None),
        ("31/04/2027", None),
        ("15 janvir 2027", None),
        ("15/01-2027", None),
        ("janvier 2027", None),
        ("demain", None),
        ("", None),
    ],
)
def test_parse_french_date(text: str, expected: date | None) -> None:
    assert parse_french_date(text) == expected


@pytest.mark.parametrize("day", [date(2027, 1, 1), date(2027, 2, 28), date(2026, 8, 15), date(2026, 12, 9)])
def test_parse_reads_what_format_writes(day: date) -> None:
    assert parse_french_date(format_date(day)) == day


def test_numbers_take_a_decimal_comma():
    assert [format_number(0.3), format_number(12.0), format_number(2.25, 2)] == ["0,3", "12", "2,25"]
    assert format_number(1234.5).replace(NNBSP, " ") == "1 234,5"


def test_durations_read_and_written_in_words():
    assert [parse_duration("30 minutes"), parse_duration("2 h"), parse_duration("1,5 seconde")] == [1800, 7200, 1.5]
    assert parse_duration("trente minutes") is None and parse_duration("30 lunes") is None
    written = [format_duration(s).replace(NBSP, " ") for s in (25200, 3900, 720, 182, 45)]
    assert written == ["7 h", "1 h 05", "12 min", "3 min 02 s", "45 s"]
