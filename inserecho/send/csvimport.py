"""Turn another tool's CSV export (Mailchimp, Brevo, a spreadsheet) into ``subscribers.yaml``.

Rows that cannot be imported (no address, an invalid one, a duplicate) are
skipped and reported as warnings with their CSV line; errors mean nothing
could be imported at all. Contacts the export says left (Brevo's
``EMAIL_BLACKLISTED``, Mailchimp's unsubscribed and cleaned exports, any
opt-out or status column) are kept apart, for the suppression list: they never
reach the subscriber file.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from inserecho.content.addresses import address_key, normalise_address
from inserecho.content.territories import normalise_territory
from inserecho.content.textfile import one_line, unreadable
from inserecho.french.suggest import fold_words
from inserecho.problems import InvalidValue, Problem, Severity
from inserecho.send.journal import Reason
from inserecho.send.subscribers import SUBSCRIBER_FIELDS, duplicate_message

# Column names as the officer may find them, folded (lower case, no accents,
# "-", "_" and "." read as spaces), mapped to what they hold.
_COLUMNS: dict[str, str] = {
    **dict.fromkeys(
        (
            "email",
            "e mail",
            "mail",
            "courriel",
            "adresse email",
            "adresse e mail",
            "adresse mail",
            "adresse courriel",
            "adresse electronique",
            "email address",
            "e mail address",
        ),
        "email",
    ),
    **dict.fromkeys(("name", "full name", "nom complet", "nom et prenom", "prenom et nom", "contact"), "name"),
    **dict.fromkeys(("prenom", "first name", "firstname", "given name", "fname"), "first_name"),
    **dict.fromkeys(("nom", "last name", "lastname", "surname", "family name", "nom de famille", "lname"), "last_name"),
    **dict.fromkeys(
        (
            "organisation",
            "organization",
            "structure",
            "societe",
            "company",
            "company name",
            "entreprise",
            "organisme",
            "raison sociale",
        ),
        "organisation",
    ),
    **dict.fromkeys(("territoire", "territoires", "territory", "territories"), "territories"),
    **dict.fromkeys(
        (
            "tags",
            "tag",
            "etiquettes",
            "etiquette",
            "groupes",
            "groupe",
            "groups",
            "listes",
            "liste",
            "lists",
            "list",
            "list ids",
            "list names",
            "segments",
        ),
        "tags",
    ),
    # Columns that say whether the contact left: a yes/no flag, a status, a date.
    **dict.fromkeys(
        (
            "email blacklisted",
            "blacklisted",
            "blacklist",
            "blocklisted",
            "desinscrit",
            "desinscrite",
            "desabonne",
            "desabonnee",
            "unsubscribed",
            "opt out",
            "optout",
            "opted out",
            "email opt out",
            "do not email",
            "ne pas contacter",
        ),
        "opted_out",
    ),
    **dict.fromkeys(
        ("opt in", "optin", "abonne", "abonnee", "inscrit", "subscribed"), "opted_in"
    ),
    **dict.fromkeys(("status", "statut", "etat", "member status", "subscription status", "email status"), "status"),
    **dict.fromkeys(("unsub time", "unsubscribed at", "date de desinscription", "unsubscribe date"), "unsubscribed_on"),
    **dict.fromkeys(("clean time", "cleaned at", "bounced at"), "cleaned_on"),
    # when the person agreed (Mailchimp's OPTIN_TIME or CONFIRM_TIME, Brevo's opt-in date…)
    **dict.fromkeys((
        "optin time", "optin date", "opt in time", "opt in date", "confirm time", "double opt in",
        "date d inscription", "date inscription", "date de consentement", "consentement", "consent", "consent date",
    ), "consent"),
}
_FIELD_LABELS = {
    "email": "adresse", "name": "nom", "first_name": "prénom", "last_name": "nom de famille",
    "organisation": "structure", "territories": "territoires", "tags": "étiquettes",
    "opted_out": "désinscription", "opted_in": "consentement", "status": "statut",
    "unsubscribed_on": "date de désinscription", "cleaned_on": "adresse en erreur", "consent": "date du consentement",
}
_MULTI_COLUMN_FIELDS = {"tags"}  # several tag or list columns all become tags
_YES = {"yes", "oui", "true", "vrai", "1", "x", "y", "o"}
_NO = {"no", "non", "false", "faux", "0", "n"}
_STATUS_OUT: dict[str, Reason] = {
    **dict.fromkeys(
        (
            "unsubscribed",
            "desinscrit",
            "desinscrite",
            "desabonne",
            "desabonnee",
            "blacklisted",
            "blocklisted",
            "opted out",
            "optout",
            "opt out",
            "inactive",
            "inactif",
            "complained",
        ),
        "unsubscribe",
    ),
    **dict.fromkeys(
        ("cleaned", "bounced", "hard bounce", "en erreur", "adresse en erreur", "invalid", "invalide", "nettoye"),
        "bounce",
    ),
}
# Mailchimp exports a list as members_export_*.zip holding one file per status.
_FILE_NAME_STATUS: dict[str, Reason] = {"unsubscribed": "unsubscribe", "cleaned": "bounce"}
_CONSENT_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?))?|(\d{2})/(\d{2})/(\d{4})")
_DELIMITERS = ";,\t"
_CELL_SEPARATORS = re.compile(r"[,;|]")


@dataclass(frozen=True)
class OptOut:
    """A contact who left: for the suppression list, never for the subscriber file."""

    email: str
    reason: Reason
    detail: str
    """In French, where it came from: ``export.csv, ligne 4, colonne « EMAIL_BLACKLISTED »``."""


@dataclass
class CsvImport:
    entries: list[dict] = field(default_factory=list)
    """Subscribers, as dicts with the fields of ``SUBSCRIBER_FIELDS``."""
    opted_out: list[OptOut] = field(default_factory=list)
    columns: list[tuple[str, str]] = field(default_factory=list)
    """(column as written, what it was read as), in the file's order."""
    ignored: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def import_csv(path: Path) -> CsvImport:
    """Read ``path``: its subscribers, the contacts it says left, and how its columns were read."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return CsvImport(problems=[Problem(path, None, unreadable(exc))])
    text = _decode(raw)
    if text is None:
        return CsvImport(problems=[Problem(
            path, None,
            "encodage du fichier non reconnu ; enregistrez-le au format « CSV UTF-8 » depuis votre tableur.",
        )])
    offset = 0  # lines before the CSV proper
    hint = re.match(r"sep=(.)\n", text)
    if hint:  # Excel's way to name the separator, on the first line
        delimiter, text, offset = hint.group(1), text[hint.end():], 1
    else:
        delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next((row for row in reader if any(cell.strip() for cell in row)), None)
    if header is None:
        return CsvImport(problems=[Problem(path, None, "le fichier est vide.")])
    header_number = offset + reader.line_num
    columns = _map_columns(header)
    if "email" not in columns.values():
        found = ", ".join(f"« {name.strip()} »" for name in header if name.strip())
        return CsvImport(problems=[Problem(
            path, header_number,
            f"aucune colonne d'adresses électroniques trouvée (colonnes lues : {found}) ; "
            "nommez-la « Email » ou « Courriel » sur la première ligne.",
        )])

    result = CsvImport(
        columns=[(header[i].strip(), _FIELD_LABELS[f]) for i, f in columns.items()],
        ignored=[name.strip() for i, name in enumerate(header) if i not in columns and name.strip()],
    )
    try:
        _read_rows(reader, path, offset, header_number, delimiter, header, columns, result)
    except UnclosedQuote as unclosed:
        return CsvImport(problems=[unclosed.problem])
    return result


def _read_rows(reader: Any, path: Path, offset: int, header_number: int, delimiter: str, header: list[str],
               columns: dict[int, str], result: CsvImport) -> None:
    whole_file = next((r for word, r in _FILE_NAME_STATUS.items() if word in path.name.casefold()), None)
    seen: dict[str, int] = {}
    left: set[str] = set()
    for line, row in _rows(reader, path, offset, header_number + 1, delimiter):
        cells = _cells(row, columns)
        if not any(cells.values()):
            continue
        entry = _entry(cells, path, line, result.problems)
        if entry is None:
            continue
        key = address_key(entry["email"])
        opt_out = _opt_out(cells, header, columns, whole_file)
        if opt_out:
            if key not in left:
                left.add(key)
                reason, how = opt_out
                since = cells.get("cleaned_on" if reason == "bounce" else "unsubscribed_on", "")[:10]
                when = f", le {since}" if since else ""
                result.opted_out.append(OptOut(entry["email"], reason, f"{path.name}, ligne {line}, {how}{when}"))
            continue
        if key in seen:
            result.problems.append(_skipped(path, line, duplicate_message(seen[key])))
            continue
        seen[key] = line
        result.entries.append(entry)
    # an address that left on any of its rows stays out, whatever its other rows say
    result.entries = [e for e in result.entries if address_key(e["email"]) not in left]


class UnclosedQuote(Exception):
    """A quoted cell that never closes: it would swallow every row after it."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


def _rows(reader: Any, path: Path, offset: int, first_line: int, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Each row with the line it starts on; raises :class:`UnclosedQuote` for a quote left open.

    A cell may legitimately hold a line break, but not whole rows of the file: an
    opening ``"`` left unclosed makes the csv module read every line after it as one
    cell (or stop on its field size limit), so the rows read would not match the lines.
    """
    next_line = first_line
    while True:
        line = next_line
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:
            raise UnclosedQuote(_unclosed(path, line)) from None
        next_line = offset + reader.line_num + 1  # a quoted cell may span lines
        if any(_holds_rows(cell, delimiter) for cell in row):
            raise UnclosedQuote(_unclosed(path, line))
        yield line, row


def _holds_rows(cell: str, delimiter: str) -> bool:
    """Whether a cell spans lines that read like rows of their own (an address and a separator)."""
    return any("@" in part and delimiter in part for part in cell.split("\n")[1:])


def _unclosed(path: Path, line: int) -> Problem:
    return Problem(
        path, line,
        "un guillemet « \" » ouvert sur cette ligne n'est jamais fermé : les lignes suivantes seraient lues "
        "comme une seule cellule. Fermez-le (ou retirez-le) dans votre tableur, puis importez de nouveau. "
        "Rien n'a été importé.",
    )


def import_files(paths: Iterable[Path]) -> CsvImport:
    """:func:`import_csv` of each file (Mailchimp exports one per status), as one import.

    An address is kept once, from the first file that has it; one that left in any file stays out.
    """
    paths = list(paths)
    combined = CsvImport()
    seen: set[str] = set()
    for path in paths:
        result = import_csv(path)
        prefix = f"{path.name} : " if len(paths) > 1 else ""
        combined.columns += [(prefix + name, role) for name, role in result.columns]
        combined.ignored += [prefix + name for name in result.ignored]
        combined.problems += result.problems
        for opt_out in result.opted_out:
            if address_key(opt_out.email) not in seen:
                seen.add(address_key(opt_out.email))
                combined.opted_out.append(opt_out)
        combined.entries += result.entries
    entries: dict[str, dict] = {}
    for entry in combined.entries:
        if address_key(entry["email"]) not in seen:
            entries.setdefault(address_key(entry["email"]), entry)
    combined.entries = list(entries.values())
    return combined


def _opt_out(cells: dict[str, str], header: list[str], columns: dict[int, str],
             whole_file: Reason | None) -> tuple[Reason, str] | None:
    """Whether this row says the contact left, and which column says so."""
    def named(wanted: str) -> str:
        return next(f"colonne « {header[i].strip()} »" for i, f in columns.items() if f == wanted)

    if whole_file:
        return whole_file, "export des " + ("désinscrits" if whole_file == "unsubscribe" else "adresses en erreur")
    if fold_words(cells.get("opted_out", "")) in _YES:
        return "unsubscribe", named("opted_out")
    for column in ("opted_in", "consent"):  # a consent column holds a date, or oui/non
        if fold_words(cells.get(column, "")) in _NO:
            return "unsubscribe", named(column)
    status = _STATUS_OUT.get(fold_words(cells.get("status", "")))
    if status:
        return status, named("status")
    if cells.get("cleaned_on"):
        return "bounce", named("cleaned_on")
    if cells.get("unsubscribed_on"):
        return "unsubscribe", named("unsubscribed_on")
    return None


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
    """Column index → field, keeping the first column for each field (every one for tags)."""
    columns: dict[int, str] = {}
    for index, name in enumerate(header):
        found = _COLUMNS.get(fold_words(name))
        if found and (found in _MULTI_COLUMN_FIELDS or found not in columns.values()):
            columns[index] = found
    return columns


def _cells(row: list[str], columns: dict[int, str]) -> dict[str, str]:
    cells: dict[str, str] = {}
    for index, name in columns.items():
        value = one_line(row[index]) if index < len(row) else ""
        cells[name] = f"{cells[name]}, {value}" if cells.get(name) and value else value or cells.get(name, "")
    return cells


def _entry(cells: dict[str, str], path: Path, line: int, problems: list[Problem]) -> dict | None:
    if not cells["email"]:
        problems.append(_skipped(path, line, "pas d'adresse électronique sur cette ligne."))
        return None
    try:
        email = normalise_address(cells["email"])
    except InvalidValue as error:
        problems.append(_skipped(path, line, error.message))
        return None
    name = cells.get("name") or " ".join(filter(None, (cells.get("first_name"), cells.get("last_name"))))
    territories: list[str] = []
    for value in _split(cells.get("territories", "")):
        try:
            territory = normalise_territory(value, allow_department=False)
        except InvalidValue as error:
            problems.append(Problem(path, line, f"{error.message} Territoire ignoré.", Severity.WARNING))
            continue
        if territory not in territories:
            territories.append(territory)
    entry = {
        "email": email,
        "name": name,
        "first_name": cells.get("first_name"),
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
    return Problem(path, line, f"{message} Ligne ignorée.", Severity.WARNING)
