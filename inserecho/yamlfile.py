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


class LineList(list):
    """A list that knows the line of each entry (``lines[index]``) and its own ``line``."""

    line: int
    lines: list[int]


class _Constructor(yaml.constructor.SafeConstructor):
    pass


def parse_yaml(text: str, path: Path, first_line: int = 1) -> tuple[Any, list[Problem]]:
    """Parse ``text`` (which starts at line ``first_line`` of ``path``).

    Returns the value (``None`` for an empty document) and at most one problem.
    """
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark else first_line
        return None, [Problem(path, line, _explain(exc))]
    except yaml.YAMLError as exc:
        return None, [Problem(path, first_line, f"YAML illisible : {exc}")]
    if node is None:
        return None, []
    constructor = _Constructor()
    problems: list[Problem] = []
    value = _build(node, constructor, path, first_line, problems)
    return value, problems


def _build(node: yaml.Node, constructor: _Constructor, path: Path, offset: int, problems: list[Problem]) -> Any:
    line = offset + node.start_mark.line
    if isinstance(node, yaml.MappingNode):
        result = LineDict()
        result.line, result.lines = line, {}
        for key_node, value_node in node.value:
            key = constructor.construct_object(key_node, deep=True)
            key_line = offset + key_node.start_mark.line
            if not isinstance(key, str):
                key = str(key)
            if key in result:
                problems.append(Problem(path, key_line, f"le champ « {key} » apparaît deux fois ; gardez-en un seul."))
            result[key] = _build(value_node, constructor, path, offset, problems)
            result.lines[key] = key_line
        return result
    if isinstance(node, yaml.SequenceNode):
        seq = LineList()
        seq.line, seq.lines = line, []
        for child in node.value:
            seq.append(_build(child, constructor, path, offset, problems))
            seq.lines.append(offset + child.start_mark.line)
        return seq
    try:
        return constructor.construct_object(node, deep=True)
    except (yaml.constructor.ConstructorError, ValueError):
        # e.g. "2027-02-30" matches the timestamp pattern but is not a date
        return node.value


def _explain(exc: yaml.MarkedYAMLError) -> str:
    detail = exc.problem or "syntaxe incorrecte"
    hints = {
        "mapping values are not allowed": "un « : » est mal placé ; mettez la valeur entre guillemets si elle contient « : »",
        "found character '\\t' that cannot start any token": "une tabulation est utilisée ; indentez avec des espaces",
        "could not find expected ':'": "il manque « : » après le nom du champ",
        "found undefined alias": "un « * » en début de valeur ; mettez la valeur entre guillemets",
        "did not find expected key": "l'indentation est incohérente",
        "found unexpected end of stream": "un guillemet ouvert n'est pas refermé",
    }
    for needle, hint in hints.items():
        if needle in detail:
            return f"YAML illisible : {hint}."
    return f"YAML illisible ({detail}) ; vérifiez les guillemets, les « : » et l'indentation."
