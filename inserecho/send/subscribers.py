"""The subscriber list (``subscribers.yaml``): loading, checking, segments.

The list may hold a hundred thousand entries, so it is read one entry at a time:
line by line when it has the usual flat shape (:mod:`inserecho.send.plainlist`; an
entry in the layout ``subscribers import`` writes is matched whole and checked without
building a mapping), else from the YAML event stream with the same
:class:`~inserecho.content.yamlfile.LineBuilder` as the front matter, each entry
checked and let go before the next is built. Every value of this file is text, so
scalars stay strings (only an empty value or ``~``/``null`` becomes ``None``).
"""

from __future__ import annotations

import functools
import gc
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from inserecho.content.addresses import address_key, normalise_address
from inserecho.content.territories import normalise_territory
from inserecho.content.textfile import control_character, read_text
from inserecho.content.yamlfile import LineBuilder, LineDict, explain_yaml_error, parse_events
from inserecho.french.suggest import did_you_mean, french_list
from inserecho.problems import ContentError, InvalidValue, Problem, Severity, UsageProblem
from inserecho.send.plainlist import NULLS, NotPlain, UsualEntry, plain_entries

SUBSCRIBER_FIELDS: tuple[str, ...] = ("email", "name", "first_name", "organisation", "territories", "tags", "consent")
CONSENT_FIELDS: tuple[str, ...] = ("date", "source", "version")

_FIELD_NAMES = frozenset(SUBSCRIBER_FIELDS)
_Report = Callable[[str, str], None]  # (field, French message)
_Reader = Callable[[str, Path, list[Problem]], Iterator[tuple[Any, int]]]  # (entry, line) of a text


class Consent(NamedTuple):
    """Proof of consent (CNIL): when (ISO 8601 date or date and time), how
    (``formulaire``, ``import``…) and which wording the person accepted."""

    date: str
    source: str
    version: str | None = None


class Subscriber(NamedTuple):
    """One person of the list. Named tuples rather than frozen dataclasses, for this and
    its consent: a list is read by the hundred thousand, and a tuple is built four times
    faster."""

    email: str  # normalised: domain lower case (Unicode form), local part as written
    name: str | None
    organisation: str | None
    territories: tuple[str, ...]
    tags: tuple[str, ...]
    line: int  # line of the entry in the subscriber file
    first_name: str | None = None  # for the greeting: "Bonjour Karim,"
    consent: Consent | None = None


def duplicate_message(first_line: int) -> str:
    """The French message for an address already seen at ``first_line``."""
    return f"adresse en double : déjà présente ligne {first_line}."


# --- loading -------------------------------------------------------------------


def load_subscribers(path: Path) -> tuple[list[Subscriber], list[Problem]]:
    """Read and check the subscriber list.

    The list holds every entry with a valid address not seen before (a bad
    territory or an unknown field is reported but does not drop the entry);
    ``problems`` says what is wrong with the rest, all at once, so that the officer
    fixes a pasted list in one pass (an import keeps the good entries and reports the
    others; a send refuses the list if any problem is an error).
    """
    try:
        text = read_text(path)
    except ContentError as error:
        return [], error.problems
    with _collector_paused():
        return _read(text, path)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Without the cyclic garbage collector: loading makes no cycles, but its hundreds of
    thousands of new objects set off some 230 collections for 100,000 entries (6 % of the
    loading time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read(text: str, path: Path) -> tuple[list[Subscriber], list[Problem]]:
    try:
        return _checked(functools.partial(plain_entries, usual=USUAL_LAYOUT), text, path)
    except NotPlain:
        pass
    try:
        return _checked(_entries, text, path)
    except yaml.MarkedYAMLError as exc:
        mark, message = explain_yaml_error(exc, text)
        return [], [Problem(path, mark.line + 1 if mark else 1, message)]
    except yaml.YAMLError as exc:
        return [], [Problem(path, 1, f"YAML illisible : {exc}")]


def _checked(read: _Reader, text: str, path: Path) -> tuple[list[Subscriber], list[Problem]]:
    """The subscribers of the entries ``read`` finds: valid addresses, each once; the problems."""
    subscribers: list[Subscriber] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for entry, line in read(text, path, problems):
        subscriber = entry if type(entry) is Subscriber else _subscriber(entry, line, path, problems)
        if subscriber is None:
            continue
        key = address_key(subscriber.email)
        if key in seen:
            problems.append(Problem(path, _line_of(entry, "email", line), duplicate_message(seen[key])))
            continue
        seen[key] = line
        subscribers.append(subscriber)
    return subscribers, problems


def _entries(text: str, path: Path, problems: list[Problem]) -> Iterator[tuple[Any, int]]:
    """Yield ``(value, line)`` for each entry of the top-level list, one at a time."""
    events = parse_events(text)
    builder = LineBuilder(path, problems, scalar=_text_scalar)
    next(events)  # stream start
    event = next(events)  # a document starts, or the stream ends at once
    root: Any = next(events) if isinstance(event, yaml.DocumentStartEvent) else None
    if root is None or _is_null(root):
        problems.append(Problem(path, None, "la liste des abonnés est vide.", Severity.WARNING))
        return
    if not isinstance(root, yaml.SequenceStartEvent):
        problems.append(
            Problem(
                path,
                root.start_mark.line + 1,
                "le fichier doit être une liste d'abonnés : chaque abonné commence par un tiret, "
                "par exemple « - email: marie.dupont@exemple.org ».",
            )
        )
        return
    for event in events:
        if isinstance(event, yaml.SequenceEndEvent):
            break
        yield builder.value(event, events), event.start_mark.line + 1
    builder.document_end(events)


def _text_scalar(event: Any) -> str | None:
    """Every value of the list is text: only an empty value or ``~``/``null`` is None."""
    return None if event.implicit[0] and event.value in NULLS else event.value


def _is_null(event: Any) -> bool:
    return isinstance(event, yaml.ScalarEvent) and _text_scalar(event) is None


def _line_of(entry: Any, key: str, default: int) -> int:
    return entry.lines.get(key, default) if isinstance(entry, LineDict) else default


def _subscriber(entry: Any, line: int, path: Path, problems: list[Problem]) -> Subscriber | None:
    """The subscriber of one entry as YAML (or the line-by-line reading) gives it."""
    if isinstance(entry, str):  # a bare address, as in a pasted list
        entry = {"email": entry}
    if not isinstance(entry, dict):
        problems.append(
            Problem(
                path,
                line,
                "chaque abonné doit être de la forme « - email: adresse », suivie si besoin de "
                f"{french_list(SUBSCRIBER_FIELDS[1:])} sur les lignes suivantes.",
            )
        )
        return None

    def report(key: str, message: str) -> None:
        problems.append(Problem(path, _line_of(entry, key, line), message))

    for key in entry:
        if key not in _FIELD_NAMES:
            report(
                key,
                f"champ inconnu « {key} »{did_you_mean(key, SUBSCRIBER_FIELDS)} ; "
                f"les champs possibles sont {french_list(SUBSCRIBER_FIELDS)}.",
            )
    return _built(tuple(entry.get(key) for key in SUBSCRIBER_FIELDS), line, report)


def _built(values: tuple[Any, ...], line: int, report: _Report) -> Subscriber | None:
    """The subscriber of the values of ``SUBSCRIBER_FIELDS``, in this order, as YAML or the
    usual layout gives them; what is wrong goes to ``report``. The one set of rules for
    entries of every shape."""
    email, name, first_name, organisation, territories, tags, consent = values
    address = _email(email, report)
    if name is not None:  # three calls saved on each of 100,000 entries
        name = _text("name", name, report)
    if first_name is not None:
        first_name = _text("first_name", first_name, report)
    if organisation is not None:
        organisation = _text("organisation", organisation, report)
    places, unknown = _territories(_strings("territories", territories, report))
    for message in unknown:
        report("territories", message)
    labels = _unique(_strings("tags", tags, report))
    record = _consent(consent, report)
    if address is None:
        return None
    return Subscriber(address, name, organisation, places, labels, line, first_name, record)


class _Declined(Exception):
    """An entry of the usual layout has something to report: it is read again with its lines."""


def _decline(key: str, message: str) -> None:
    raise _Declined


def _usual_subscriber(values: tuple[Any, ...], line: int) -> Subscriber | None:
    """The subscriber of an entry laid out as ``subscribers import`` writes it, or None if
    anything in it needs a word to the officer (said with the line of its key)."""
    try:
        return _built(values, line, _decline)
    except _Declined:
        return None


USUAL_LAYOUT = UsualEntry(  # as ``subscribers import`` and the sign-up form write entries
    texts=("email", "name", "first_name", "organisation"),
    lists=("territories", "tags"),
    record="consent",
    record_keys=CONSENT_FIELDS,
    build=_usual_subscriber,
)


@functools.lru_cache(maxsize=1024)
def _territories(values: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The canonical territories, once each, and the messages for the unknown ones: a list
    of 100,000 repeats a few spellings."""
    territories: dict[str, None] = {}
    unknown = []
    for value in values:
        try:
            territories[normalise_territory(value, allow_department=False)] = None
        except InvalidValue as error:
            unknown.append(error.message)
    return tuple(territories), tuple(unknown)


@functools.lru_cache(maxsize=1024)
def _unique(values: tuple[str, ...]) -> tuple[str, ...]:
    """Each value once, in order (cached, as lists repeat a few tag sets)."""
    return tuple(dict.fromkeys(values))


_CONSENT_EXAMPLE = "« consent: {date: 2027-01-08, source: formulaire} »"


def _consent(value: Any, report: _Report) -> Consent | None:
    """The consent of a ``consent`` mapping, or of the values of its ``CONSENT_FIELDS``."""
    if value is None:
        return None
    if isinstance(value, dict):
        for key in value:
            if key not in CONSENT_FIELDS:
                report(
                    "consent",
                    f"champ inconnu « {key} » dans « consent » ; "
                    f"les champs possibles sont {french_list(CONSENT_FIELDS)}.",
                )
        value = tuple(value.get(key) for key in CONSENT_FIELDS)
    elif not isinstance(value, tuple):
        report(
            "consent",
            f"« consent » doit donner la date et l'origine du consentement, par exemple {_CONSENT_EXAMPLE}.",
        )
        return None
    date, source, version = value
    if not isinstance(date, str) or not _ISO_DATE.match(date.strip()):
        report(
            "consent",
            "la date du consentement doit s'écrire AAAA-MM-JJ (avec l'heure si connue), "
            f"par exemple {_CONSENT_EXAMPLE}.",
        )
        return None
    if not isinstance(source, str) or not source.strip():
        report("consent", f"indiquez l'origine du consentement (formulaire, import…), par exemple {_CONSENT_EXAMPLE}.")
        return None
    return Consent(
        date.strip(), source.strip(), version.strip() if isinstance(version, str) and version.strip() else None
    )


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?\Z")


def _email(value: Any, report: _Report) -> str | None:
    if isinstance(value, (list, dict)):
        report("email", "« email » doit être une seule adresse, sans liste ni sous-champs.")
        return None
    if value is None or not value.strip():
        report("email", "il manque l'adresse : ajoutez « email: prenom.nom@exemple.org ».")
        return None
    try:
        return normalise_address(value)
    except InvalidValue as error:
        report("email", error.message)
        return None


def _text(key: str, value: Any, report: _Report) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        report(key, f"« {key} » doit être un texte simple, pas une liste.")
        return None
    if control_character(value):
        report(
            key,
            f"« {key} » contient un saut de ligne ou un caractère de contrôle : "
            "écrivez-le sur une seule ligne, sans « \\n ».",
        )
        return None
    return value.strip() or None


def _strings(key: str, value: Any, report: _Report) -> tuple[str, ...]:
    """A list of texts; a single text counts as a list of one."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = value.strip()
        return (value,) if value else ()
    if isinstance(value, tuple):  # the items of the usual layout, texts or None
        return _texts(value)
    if not isinstance(value, list) or not all(v is None or isinstance(v, str) for v in value):
        report(key, f"« {key} » doit être une liste de textes, par exemple « {key}: [a, b] ».")
        return ()
    return _texts(tuple(value))


@functools.lru_cache(maxsize=1024)
def _texts(values: tuple[str | None, ...]) -> tuple[str, ...]:
    """The texts of a list, trimmed, without the empty ones: a list of 100,000 repeats a few."""
    return tuple(text for value in values if value is not None and (text := value.strip()))


# --- segments ------------------------------------------------------------------

_FILTER_KEYS = {
    **dict.fromkeys(("territory", "territories", "territoire", "territoires"), "territory"),
    **dict.fromkeys(("tag", "tags", "étiquette", "étiquettes", "etiquette", "etiquettes"), "tag"),
}
_FILTER_LABELS = {"territory": "territoire", "tag": "étiquette"}
_FILTER_EXAMPLE = "--only \"territory=Plaine Commune\" ou --only tag=adherent"


def select(subscribers: Sequence[Subscriber], only: Sequence[str]) -> tuple[list[Subscriber], str]:
    """Keep the subscribers matching every ``key=value`` filter and describe the segment.

    Several values for the same key widen the segment (or), different keys
    narrow it (and). Raises :class:`UsageProblem` with a French message.
    """
    wanted: dict[str, list[str]] = {}
    known_tags: dict[str, str] | None = None
    for spec in only:
        key, sep, value = spec.partition("=")
        value = " ".join(value.split())
        if not sep or not value:
            raise UsageProblem(f"filtre « {spec} » incompris ; écrivez par exemple {_FILTER_EXAMPLE}.")
        kind = _FILTER_KEYS.get(key.strip().casefold())
        if kind is None:
            raise UsageProblem(
                f"filtre inconnu « {key.strip()} »{did_you_mean(key.strip(), _FILTER_LABELS)} ; "
                f"écrivez par exemple {_FILTER_EXAMPLE}."
            )
        if kind == "territory":
            try:
                value = normalise_territory(value, allow_department=False)
            except InvalidValue as error:
                raise UsageProblem(error.message) from None
        else:
            if known_tags is None:  # folded tag -> its first spelling in the list
                known_tags = {}
                for subscriber in subscribers:
                    for tag in subscriber.tags:
                        known_tags.setdefault(tag.casefold(), tag)
            if value.casefold() not in known_tags:
                raise UsageProblem(
                    f"aucun abonné n'a l'étiquette « {value} »{did_you_mean(value, known_tags.values())}."
                )
            value = known_tags[value.casefold()]
        if value not in wanted.setdefault(kind, []):
            wanted[kind].append(value)

    territories = set(wanted.get("territory", ()))
    tags = {tag.casefold() for tag in wanted.get("tag", ())}
    selected = [
        s
        for s in subscribers
        if (not territories or territories.intersection(s.territories))
        and (not tags or any(tag.casefold() in tags for tag in s.tags))
    ]
    parts = [f"{_FILTER_LABELS[kind]} {' ou '.join(wanted[kind])}" for kind in _FILTER_LABELS if kind in wanted]
    return selected, " et ".join(parts) or "toute la liste"
