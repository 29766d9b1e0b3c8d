"""YAML parsing that remembers on which line each key and list entry stands.

Every message to the officer names a line, so mappings come back as
:class:`LineDict` and sequences as :class:`LineList`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

from inserecho.problems import Problem

try:  # libyaml's C parser, much faster on large subscriber lists
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader


class LineDict(dict):
    """A dict that knows the line of each key (``lines[key]``) and its own ``line``."""

    line: int
    lines: dict[str, int]

    @classmethod
    def at(cls, line: int) -> LineDict:
        """An empty mapping standing at ``line``."""
        mapping = cls()
        mapping.line, mapping.lines = line, {}
        return mapping

    def put(self, key: str, value: Any, key_line: int, path: Path, problems: list[Problem]) -> None:
        """Store ``value`` under ``key``; a key written twice is reported (the later value wins)."""
        if key in self:
            problems.append(Problem(path, key_line, f"le champ « {key} » apparaît deux fois ; gardez-en un seul."))
        self[key] = value
        self.lines[key] = key_line


class LineList(list):
    """A list that knows the line of each entry (``lines[index]``) and its own ``line``."""

    line: int
    lines: list[int]

    @classmethod
    def at(cls, line: int) -> LineList:
        """An empty list standing at ``line``."""
        seq = cls()
        seq.line, seq.lines = line, []
        return seq

    def add(self, value: Any, line: int) -> None:
        self.append(value)
        self.lines.append(line)


class LineBuilder:
    """Builds values from the parser's events, with the line of every key and list entry.

    The one builder for every file the officer writes: front matter and settings through
    :func:`parse_yaml` (scalars typed as YAML reads them: numbers, dates, booleans), and the
    subscriber list one entry at a time (every scalar a string, see ``scalar``). No node tree
    is built (for a list of a hundred thousand entries it costs seconds and hundreds of MB),
    and anchors and aliases are refused as they come, so no alias is ever expanded.

    Problems (a key written twice, the first anchor or alias) go to ``problems``, the loaders'
    way of reporting everything wrong in a file at once.
    """

    def __init__(
        self,
        path: Path,
        problems: list[Problem],
        first_line: int = 1,
        scalar: Callable[[Any], Any] | None = None,
    ):
        self.path = path
        self.problems = problems
        self._offset = first_line
        self._scalar = scalar or _typed_scalar
        self.refused = False
        """Whether an anchor, an alias or a second document was refused."""

    def value(self, event: Any, events: Iterator[Any]) -> Any:
        """The value that starts with ``event``, read on from ``events``."""
        kind = type(event)
        if event.anchor is not None:  # an anchor, or the name an alias refers to
            self._refuse(event)
            if kind is yaml.AliasEvent:
                return None
        if kind is yaml.ScalarEvent:
            return self._scalar(event)
        value, offset = self.value, self._offset  # a list of 100,000 entries runs through here
        if kind is yaml.SequenceStartEvent:
            seq = LineList.at(offset + event.start_mark.line)
            while type(child := next(events)) is not yaml.SequenceEndEvent:
                seq.add(value(child, events), offset + child.start_mark.line)
            return seq
        mapping = LineDict.at(offset + event.start_mark.line)  # a MappingStartEvent: nothing else starts a value
        while type(key_event := next(events)) is not yaml.MappingEndEvent:
            # a key is the name as written: « null: » or « yes: » is no None or True to report
            plain = type(key_event) is yaml.ScalarEvent and key_event.anchor is None
            key = key_event.value if plain else str(value(key_event, events))
            mapping.put(key, value(next(events), events), offset + key_event.start_mark.line, self.path, self.problems)
        return mapping

    def document_end(self, events: Iterator[Any]) -> None:
        """Read past the end of the document; a second one is reported where it starts."""
        next(events)  # document end
        event = next(events)
        if isinstance(event, yaml.DocumentStartEvent):
            self.refused = True
            self.problems.append(Problem(self.path, self._line(event), SECOND_DOCUMENT))

    def _refuse(self, event: Any) -> None:
        if not self.refused:  # the first one says it all
            self.refused = True
            self.problems.append(Problem(self.path, self._line(event), ALIAS_REFUSED))

    def _line(self, event: Any) -> int:
        return self._offset + event.start_mark.line


def parse_events(text: str) -> Iterator[Any]:
    """The parser's events for ``text``, from libyaml's C parser when PyYAML has it."""
    return yaml.parse(text, Loader=_Loader)


def _typed_scalar(event: Any) -> Any:
    """The scalar as YAML's safe loader would construct it; a value it cannot build stays text
    (``2027-02-30`` looks like a date but is none: the field check reports it)."""
    tag = event.tag
    if tag is None or tag == "!":
        tag = _RESOLVER.resolve(yaml.ScalarNode, event.value, event.implicit)
    construct = _CONSTRUCTOR.yaml_constructors.get(tag)
    if construct is None:
        return event.value
    try:
        return construct(_CONSTRUCTOR, yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark))
    except (yaml.constructor.ConstructorError, ValueError):
        return event.value


_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def parse_yaml(text: str, path: Path, first_line: int = 1) -> tuple[Any, list[Problem]]:
    """Parse ``text`` (which starts at line ``first_line`` of ``path``).

    Returns the value (``None`` for an empty document, or when the text cannot be read)
    and the problems found, each at its line.
    """
    problems: list[Problem] = []
    builder = LineBuilder(path, problems, first_line)
    try:
        events = parse_events(text)
        next(events)  # stream start
        event = next(events)
        if not isinstance(event, yaml.DocumentStartEvent):  # nothing but comments
            return None, []
        value = builder.value(next(events), events)
        builder.document_end(events)
    except yaml.MarkedYAMLError as exc:
        mark, message = explain_yaml_error(exc, text)
        return None, [Problem(path, first_line + mark.line if mark else first_line, message)]
    except yaml.reader.ReaderError as exc:  # a character YAML refuses, such as a raw NUL
        # libyaml gives the character's code, PyYAML the character; both its index in the text
        code = ord(exc.character) if isinstance(exc.character, str) else exc.character
        return None, [
            Problem(
                path,
                first_line + text.count("\n", 0, exc.position),
                (
                    f"caractère invisible U+{code:04X} refusé dans le YAML (souvent laissé par un copier-coller) : "
                    "retirez-le de cette ligne."
                ),
            )
        ]
    except yaml.YAMLError:
        return None, [
            Problem(path, first_line, "YAML illisible ; vérifiez les guillemets, les « : » et l'indentation.")
        ]
    return (None if builder.refused else value), problems


ALIAS_REFUSED = (
    "YAML refusé : les ancres (« &nom ») et les renvois (« *nom ») ne sont pas acceptés ; "
    "écrivez chaque valeur en entier, entre guillemets si elle commence par « & » ou « * »."
)
SECOND_DOCUMENT = "YAML illisible : une ligne « --- » en trop coupe le fichier en deux ; supprimez-la."


def parse_mapping(
    text: str, path: Path, first_line: int = 1, what: str = "l'en-tête"
) -> tuple[LineDict | None, list[Problem]]:
    """Parse ``text`` as ``champ: valeur`` lines; an empty text is an empty mapping.

    ``what`` names the text in the message when it is YAML but not a mapping.
    """
    data, problems = parse_yaml(text, path, first_line)
    if problems:
        return None, problems
    if data is None:
        return LineDict.at(first_line), []
    if not isinstance(data, LineDict):
        return None, [Problem(path, first_line, f"{what} doit être une suite de lignes « champ: valeur ».")]
    return data, []


_TAB = "une tabulation est utilisée ; indentez avec des espaces"
# (words of PyYAML's or libyaml's message, hint, whether the error is best shown where the
# construct began, e.g. an unclosed quote, rather than where the parser gave up)
_HINTS: tuple[tuple[str, str, bool], ...] = (
    (
        "mapping values are not allowed",
        "un « : » est mal placé ; mettez la valeur entre guillemets si elle contient « : »",
        False,
    ),
    ("tab character", _TAB, False),
    ("could not find expected ':'", "il manque « : » après le nom du champ", True),
    ("alias", "un « * » en début de valeur ; mettez la valeur entre guillemets", False),
    ("anchor", "un « & » en début de valeur ; mettez la valeur entre guillemets", False),
    (
        "unknown escape character",
        "une barre oblique « \\ » entre guillemets doubles ; doublez-la ou utilisez des guillemets simples",
        False,
    ),
    ("while scanning a quoted scalar", "un guillemet ouvert n'est pas refermé", True),
    (
        "while parsing a flow",
        "un crochet « [ » ou une accolade « "
        "{ » n'est pas refermé ; mettez la valeur entre guillemets si elle commence ainsi",
        True,
    ),
    (
        "while parsing a block mapping",
        "l'indentation est incohérente, ou du texte suit un guillemet fermant ; si la valeur contient "
        "des guillemets ou une apostrophe, entourez-la de guillemets doubles (par exemple \"l'IAE\")",
        False,
    ),
    (
        "while parsing a block collection",
        "une liste (lignes « - ») est mal alignée ou mêlée à des lignes « champ: valeur »",
        False,
    ),
    (
        "maximum nesting depth",
        "trop de niveaux imbriqués (crochets « [ », accolades « { » ou "
        "indentation) ; simplifiez la valeur ou mettez-la entre guillemets",
        False,
    ),
    ("another document", "une ligne « --- » en trop coupe le fichier en deux ; supprimez-la", False),
)


def explain_yaml_error(exc: yaml.MarkedYAMLError, text: str) -> tuple[yaml.Mark | None, str]:
    """Where to point the officer (0-based mark) and what to tell them."""
    detail = f"{exc.context or ''} {exc.problem or ''}"
    if "cannot start any token" in detail and exc.problem_mark:
        char = _char_at(text, exc.problem_mark)
        hint = _TAB if char == "\t" else f"une valeur ne peut pas commencer par « {char} » ; mettez-la entre guillemets"
        return exc.problem_mark, f"YAML illisible : {hint}."
    for needle, hint, at_start in _HINTS:
        if needle in detail:
            mark = exc.context_mark if at_start and exc.context_mark else exc.problem_mark or exc.context_mark
            return mark, f"YAML illisible : {hint}."
    return exc.problem_mark or exc.context_mark, (
        "YAML illisible ; vérifiez les guillemets, les « : » et l'indentation de cette ligne."
    )


def _char_at(text: str, mark: yaml.Mark) -> str:
    lines = text.split("\n")
    return lines[mark.line][mark.column : mark.column + 1] if mark.line < len(lines) else ""
