"""Turn another tool's CSV export (Mailchimp, Brevo, a spreadsheet) into ``subscribers.yaml``.

Rows that cannot be imported (no address, an invalid one, a duplicate) are
skipped and reported as warnings with their CSV line; errors mean nothing
could be imported at all.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path

from inserecho.problems import Problem
from inserecho.send.subscribers import (
    SUBSCRIBER_FIELDS,
    address_key,
    duplicate_message,
    normalise_email,
)
from inserecho.french.suggest import fold_words
from inserecho.content.territories import normalise_territory
from inserecho.content.textfile import unreadable

# Column names as the officer may find them, folded (lower case, no accents,
# "-", "_" and "." read as spaces), mapped to what they hold.
_COLUMNS: dict[str, str] = {
    **dict.fromkeys((
        "email", "e mail", "mail", "courriel", "adresse email", "adresse e mail", "adresse mail",
        "adresse courriel", "adresse electronique", "email address", "e mail address",
    ), "email"),
    **dict.fromkeys(("name", "full name", "nom complet", "nom et prenom", "prenom et nom", "contact"), "name"),
    **dict.fromkeys(("prenom", "first name", "firstname", "given name", "fname"), "first_name"),
    **dict.fromkeys(("nom", "last name", "lastname", "surname", "family name", "nom de famille", "lname"), "last_name"),
    **dict.fromkeys((
        "organisation", "organization", "structure", "societe", "company", "company name",
        "entreprise", "organisme", "raison sociale",
    ), "organisation"),
    **dict.fromkeys(("territoire", "territoires", "territory", "territories"), "territories"),
    **dict.fromkeys((
        "tags", "tag", "etiquettes", "etiquette", "groupes", "groupe", "groups",
    ), "tags"),
    # when the person agreed (Mailchimp's OPTIN_TIME or CONFIRM_TIME, Brevo's opt-in date…)
    **dict.fromkeys((
        "optin time", "optin date", "opt in time", "opt in date", "confirm time", "double opt in",
        "date d inscription", "date inscription", "date de consentement", "consentement", "consent date",
    ), "consent"),
}
_CONSENT_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?))?|(\d{2})/(\d{2})/(\d{4})")
_DELIMITERS = ";,\t"
_CELL_SEPARATORS = re.compile(r"[,;|]")


def import_csv(path: Path) -> tuple[list[dict], list[Problem]]:
    """Read ``path`` and return its subscribers as dicts (fields of ``SUBSCRIBER_FIELDS``)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return [], [Problem(path, None, unreadable(exc))]
    text = _decode(raw)
    if text is None:
        return [], [Problem(
            path, None,
            "encodage du fichier non reconnu ; enregistrez-le au format « CSV UTF-8 » depuis votre tableur.",
        )]
    offset = 0  # lines before the CSV proper
    hint = re.match(r"sep=(.)\n", text)
    if hint:  # Excel's way to name the separator, on the first line
        delimiter, text, offset = hint.group(1), text[hint.end():], 1
    else:
        delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next((row for row in reader if any(cell.strip() for cell in row)), None)
    if header is None:
        return [], [Problem(path, None, "le fichier est vide.")]
    header_number = offset + reader.line_num
    columns = _map_columns(header)
    if "email" not in columns.values():
        found = ", ".join(f"« {name.strip()} »" for name in header if name.strip())
        return [], [Problem(
            path, header_number,
            f"aucune colonne d'adresses électroniques trouvée (colonnes lues : {found}) ; "
            "nommez-la « Email » ou « Courriel » sur la première ligne.",
        )]

    entries: list[dict] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    next_line = header_number + 1
    for row in reader:
        line, next_line = next_line, offset + reader.line_num + 1  # a quoted cell may span lines
        cells = _cells(row, columns)
        if not any(cells.values()):
            continue
        entry = _entry(cells, path, line, problems)
        if entry is None:
            continue
        key = address_key(entry["email"])
        if key in seen:
            problems.append(_skipped(path, line, duplicate_message(seen[key])))
            continue
        seen[key] = line
        entries.append(entry)
    return entries, problems


def to_yaml(entries: list[dict], source: str | None = None) -> str:
    """``subscribers.yaml`` text for ``entries``, with a comment saying where they came from.

    Written line by line: ``yaml.dump`` takes 10 s and 600 MB for 100,000 subscribers.
    """
    origin = f"importée de « {source} »" if source else "importée"
    lines = [
        f"# Liste des abonnés {origin} le {date.today():%d/%m/%Y} par inserecho.",
        f"# Un abonné par bloc « - email: … » ; champs possibles : {', '.join(SUBSCRIBER_FIELDS)}.",
    ]
    for entry in entries:
        lines.extend(entry_lines(entry))
    if not entries:
        lines.append("[]")
    return "\n".join(lines) + "\n"


def entry_lines(entry: dict) -> list[str]:
    """The lines of one ``- email: …`` block of ``subscribers.yaml``."""
    lines = []
    fields = [(key, value) for key in SUBSCRIBER_FIELDS if (value := entry.get(key))]
    for index, (key, value) in enumerate(fields):
        if isinstance(value, dict):
            text = "{" + ", ".join(f"{k}: {_scalar(str(v))}" for k, v in value.items() if v) + "}"
        elif isinstance(value, (list, tuple)):
            text = f"[{', '.join(map(_scalar, value))}]"
        else:
            text = _scalar(value)
        lines.append(f"{'  ' if index else '- '}{key}: {text}")
    return lines


# Text that YAML reads back as the same text without quotes: it starts with a
# letter (so it is no number or date), holds no YAML punctuation, does not end
# with a space and is no YAML 1.1 boolean or null.
_PLAIN = re.compile(r"[^\W\d_](?:[\w .@+'’-]*[\w.'’-])?\Z")
_NOT_TEXT = {"yes", "no", "true", "false", "on", "off", "null"}
_UNPRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ufffe\uffff]")


def _scalar(value: str) -> str:
    if _PLAIN.match(value) and value.casefold() not in _NOT_TEXT:
        return value
    # A JSON string is a valid YAML double-quoted one; YAML also refuses C1
    # controls and U+FFFE/FFFF and reads U+2028/2029 as line breaks: escape them.
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(value, ensure_ascii=False))


def _decode(raw: bytes) -> str | None:
    """UTF-8 (BOM or not), UTF-16 with BOM (Excel's "Unicode text"), else Windows-1252."""
    encodings = ("utf-16",) if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else ("utf-8-sig", "cp1252")
    for encoding in encodings:
        try:
            return raw.decode(encoding).replace("\r\n", "\n").replace("\r", "\n")
        except UnicodeDecodeError:
            continue
    return None


def _sniff_delimiter(text: str) -> str:
    """The separator that splits the first line (the header) into the most columns."""
    header = next((line for line in text.split("\n") if line.strip()), "")
    return max(_DELIMITERS, key=lambda d: len(next(csv.reader([header], delimiter=d))))


def _map_columns(header: list[str]) -> dict[int, str]:
    """Column index → field, keeping the first column for each field."""
    columns: dict[int, str] = {}
    for index, name in enumerate(header):
        field = _COLUMNS.get(fold_words(name))
        if field and field not in columns.values():
            columns[index] = field
    return columns


def _cells(row: list[str], columns: dict[int, str]) -> dict[str, str]:
    return {field: _clean(row[index]) if index < len(row) else "" for index, field in columns.items()}


def _clean(cell: str) -> str:
    """One line of visible text: spreadsheet cells may hold line breaks and stray controls."""
    return " ".join("".join(c if c.isprintable() else " " for c in cell).split())


def _entry(cells: dict[str, str], path: Path, line: int, problems: list[Problem]) -> dict | None:
    if not cells["email"]:
        problems.append(_skipped(path, line, "pas d'adresse électronique sur cette ligne."))
        return None
    email, error = normalise_email(cells["email"])
    if error:
        problems.append(_skipped(path, line, error))
        return None
    name = cells.get("name") or " ".join(filter(None, (cells.get("first_name"), cells.get("last_name"))))
    territories: list[str] = []
    for value in _split(cells.get("territories", "")):
        territory, error = normalise_territory(value, allow_department=False)
        if error:
            problems.append(Problem(path, line, f"{error} Territoire ignoré.", "avertissement"))
        elif territory not in territories:
            territories.append(territory)
    entry = {
        "email": email,
        "name": name,
        "organisation": cells.get("organisation"),
        "territories": territories,
        "tags": list(dict.fromkeys(_split(cells.get("tags", "")))),
        "consent": _consent(cells.get("consent", "")),
    }
    return {key: value for key, value in entry.items() if value}


def _consent(cell: str) -> dict | None:
    """The opt-in date of the export (2027-01-08 10:12:44, or 08/01/2027), as a consent record."""
    match = _CONSENT_DATE.search(cell)
    if match is None:
        return None
    if match.group(1):
        when = match.group(1) + (f"T{match.group(2)}" if match.group(2) else "")
    else:
        when = f"{match.group(5)}-{match.group(4)}-{match.group(3)}"
    return {"date": when, "source": "import"}


def _split(cell: str) -> list[str]:
    """Values of a multi-valued cell: ``a, b``, ``a; b``, ``a | b`` or Mailchimp's ``"a","b"``."""
    parts = (part.strip().strip('"').strip() for part in _CELL_SEPARATORS.split(cell))
    return [part for part in parts if part]


def _skipped(path: Path, line: int, message: str) -> Problem:
    return Problem(path, line, f"{message} Ligne ignorée.", "avertissement")
