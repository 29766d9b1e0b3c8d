"""Read the officer's text files: UTF-8 (with or without BOM), any line ending."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from inserecho.problems import ContentError, Problem, describe_os_error


def read_text(path: Path) -> str:
    """The file's text with ``\\n`` line endings, or :class:`ContentError` saying why not."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ContentError([Problem(path, None, unreadable(exc))]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ContentError([Problem(
            path,
            line,
            "le fichier n'est pas encodé en UTF-8. Enregistrez-le en « UTF-8 » "
            "depuis votre éditeur (menu Enregistrer sous… > Encodage).",
        )]) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def unreadable(exc: OSError) -> str:
    """Why a file could not be read, in French."""
    return f"impossible de lire le fichier : {describe_os_error(exc)}"


def control_character(text: str) -> str | None:
    """The first control or line-separator character of ``text`` (tabs aside), if any.

    Such a character breaks a one-line field or a mail header; a no-break space is fine.
    """
    if text.isprintable():  # the usual case, in one C pass
        return None
    return next((c for c in text if _is_control(c)), None)


def one_line(text: str) -> str:
    """One line of visible text: line breaks, tabs and stray controls become single spaces
    (a spreadsheet cell, a form field)."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def drop_control_characters(text: str) -> str:
    """``text`` without the characters :func:`control_character` finds."""
    return text if text.isprintable() else "".join(c for c in text if not _is_control(c))


def _is_control(char: str) -> bool:
    return char != "\t" and unicodedata.category(char) in ("Cc", "Zl", "Zp")
