"""French text on any console, whatever its code page."""

from __future__ import annotations

import codecs
import io
import sys

_ERRORS = "inserecho-console"
# What French typography adds that old code pages (850, 437) lack, in the nearest plain form.
_PLAIN = {
    "\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u202f": " ", "\u00a0": " ",
    "\u2026": "...", "\u2013": "-", "\u2014": "-", "\u0153": "oe", "\u0152": "OE", "\u00b7": ".",
}


def _nearest(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start:error.end]
    return "".join(_PLAIN.get(char, "?") for char in text), error.end


codecs.register_error(_ERRORS, _nearest)


def survive_code_page() -> None:
    """Print what the console cannot show in its nearest plain form instead of failing.

    A Windows console opened with ``chcp 850``, or output redirected to a file in the
    system's ANSI code page, has no typographic apostrophe or narrow no-break space:
    strict encoding would turn the first French sentence into an internal error.
    """
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            stream.reconfigure(errors=_ERRORS)
