"""YAML parsing that remembers on which line each key and list entry stands.

Every message to the officer names a line, so mappings come back as
:class:`LineDict` and sequences as :class:`LineList`.
"""

from __future__ import annotations

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


class _Constructor(yaml.constructor.SafeConstructor):
    pass


def parse_yaml(text: str, path: Path, first_line: int = 1) -> tuple[Any, list[Problem]]:
    """Parse ``text`` (which starts at line ``first_line`` of ``path``).

    Returns the value (``None`` for an empty document) and at most one problem.
    """
    try:
        alias = _first_alias(text)
        if alias is not None:
            return None, [Problem(path, first_line + alias.line, ALIAS_REFUSED)]
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark, message = explain_yaml_error(exc, text)
        return None, [Problem(path, first_line + mark.line if mark else first_line, message)]
    except yaml.reader.ReaderError as exc:  # a character YAML refuses, such as a raw NUL
        # libyaml gives the character's code, PyYAML the character; both its index in the text
        code = ord(exc.character) if isinstance(exc.character, str) else exc.character
        return None, [Problem(path, first_line + text.count("\n", 0, exc.position), (
            f"caractère invisible U+{code:04X} refusé dans le YAML (souvent laissé par un copier-coller) : "
            "retirez-le de cette ligne."
        ))]
    except yaml.YAMLError:
        return None, [Problem(path, first_line, "YAML illisible ; vérifiez les guillemets, les « : » et l'indentation.")]
    if node is None:
        return None, []
    constructor = _Constructor()
    problems: list[Problem] = []
    value = _build(node, constructor, path, first_line, problems)
    return value, problems


ALIAS_REFUSED = (
    "YAML refusé : les ancres (« &nom ») et les renvois (« *nom ») ne sont pas acceptés ; "
    "écrivez chaque valeur en entier, entre guillemets si elle commence par « & » ou « * »."
)


def _first_alias(text: str) -> yaml.Mark | None:
    """Where the first anchor or alias stands, found from the parser's events.

    The officer's files have no use for them, and building values from a few nested
    aliases can take gigabytes ("billion laughs"); the events cost what the text costs.
    """
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            return event.start_mark
    return None


def parse_mapping(text: str, path: Path, first_line: int = 1, what: str = "l'en-tête") -> tuple[LineDict | None, list[Problem]]:
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


def _build(node: yaml.Node, constructor: _Constructor, path: Path, offset: int, problems: list[Problem]) -> Any:
    line = offset + node.start_mark.line
    if isinstance(node, yaml.MappingNode):
        result = LineDict.at(line)
        for key_node, value_node in node.value:
            key = constructor.construct_object(key_node, deep=True)
            key_line = offset + key_node.start_mark.line
            result.put(str(key), _build(value_node, constructor, path, offset, problems), key_line, path, problems)
        return result
    if isinstance(node, yaml.SequenceNode):
        seq = LineList.at(line)
        for child in node.value:
            seq.add(_build(child, constructor, path, offset, problems), offset + child.start_mark.line)
        return seq
    try:
        return constructor.construct_object(node, deep=True)
    except (yaml.constructor.ConstructorError, ValueError):
        # e.g. "2027-02-30" matches the timestamp pattern but is not a date
        return node.value


_TAB = "une tabulation est utilisée ; indentez avec des espaces"
# (words of PyYAML's or libyaml's message, hint, whether the error is best shown where the
# construct began, e.g. an unclosed quote, rather than where the parser gave up)
_HINTS: tuple[tuple[str, str, bool], ...] = (
    ("mapping values are not allowed", "un « : » est mal placé ; mettez la valeur entre guillemets si elle contient « : »", False),
    ("tab character", _TAB, False),
    ("could not find expected ':'", "il manque « : » après le nom du champ", True),
    ("alias", "un « * » en début de valeur ; mettez la valeur entre guillemets", False),
    ("anchor", "un « & » en début de valeur ; mettez la valeur entre guillemets", False),
    ("unknown escape character", "une barre oblique « \\ » entre guillemets doubles ; doublez-la ou utilisez des guillemets simples", False),
    ("while scanning a quoted scalar", "un guillemet ouvert n'est pas refermé", True),
    ("while parsing a flow", "un crochet « [ » ou une accolade « { » n'est pas refermé ; mettez la valeur entre guillemets si elle commence ainsi", True),
    (
        "while parsing a block mapping",
        "l'indentation est incohérente, ou du texte suit un guillemet fermant ; si la valeur contient "
        "des guillemets ou une apostrophe, entourez-la de guillemets doubles (par exemple \"l'IAE\")",
        False,
    ),
    ("while parsing a block collection", "une liste (lignes « - ») est mal alignée ou mêlée à des lignes « champ: valeur »", False),
    ("maximum nesting depth", "trop de niveaux imbriqués (crochets « [ », accolades « { » ou indentation) ; simplifiez la valeur ou mettez-la entre guillemets", False),
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
