"""The French language: typography (no-break spaces, quotes, apostrophes), dates and
amounts as a French reader writes them, and "vouliez-vous dire" suggestions. Takes text
or HTML, gives text or HTML; knows nothing of newsletters."""

from inserecho.french.formats import format_amount, format_date, parse_french_date
from inserecho.french.suggest import did_you_mean, french_list
from inserecho.french.typography import typeset_html, typeset_text

__all__ = [
    "did_you_mean", "format_amount", "format_date", "french_list", "parse_french_date",
    "typeset_html", "typeset_text",
]
