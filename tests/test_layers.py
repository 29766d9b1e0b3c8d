"""The package's layout is its pipeline: no module imports from a later stage.

Every ``inserecho`` import of every module is listed (those made only for type
annotations aside) and checked against the stage order, so a back-import fails here
rather than in a review.
"""

from __future__ import annotations

import ast
from pathlib import Path

import inserecho

PACKAGE = Path(inserecho.__file__).parent

# Earliest first. A module may import from its own stage or an earlier one.
STAGES: tuple[tuple[str, ...], ...] = (
    ("inserecho", "inserecho.problems", "inserecho.paths", "inserecho.atomicfile"),  # what every stage shares
    ("inserecho.french",),
    ("inserecho.serverurl",),  # server URLs and TLS rules, shared by the relay and the mailbox
    ("inserecho.content",),
    ("inserecho.settings",),  # read with the content stage's YAML reader and section specifications
    ("inserecho.render",),
    ("inserecho.send",),
    ("inserecho.web",),
    ("inserecho.inbox",),  # after the send and the readers' site: applies what they set off
    ("inserecho.cli",),
)


def stage_of(module: str) -> int:
    """The index in :data:`STAGES` of the longest prefix that names ``module``'s stage."""
    matches = [
        (len(prefix), index)
        for index, prefixes in enumerate(STAGES)
        for prefix in prefixes
        if module == prefix or (prefix != "inserecho" and module.startswith(prefix + "."))
    ]
    assert matches, f"{module} belongs to no stage: add it to STAGES"
    return max(matches)[1]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def runtime_imports(tree: ast.Module) -> list[tuple[int, str]]:
    """``(line, module)`` of each ``inserecho`` import, except under ``if TYPE_CHECKING:``."""
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            return
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return [(line, name) for line, name in found if name == "inserecho" or name.startswith("inserecho.")]


def all_imports() -> dict[str, list[tuple[int, str]]]:
    return {
        module_name(path): runtime_imports(ast.parse(path.read_text(encoding="utf-8")))
        for path in sorted(PACKAGE.rglob("*.py"))
    }


def test_every_module_belongs_to_a_stage():
    for module in all_imports():
        stage_of(module)


def test_no_module_imports_from_a_later_stage():
    backwards = [
        f"{module}:{line} imports {target}"
        for module, imports in all_imports().items()
        for line, target in imports
        if stage_of(target) > stage_of(module)
    ]
    assert backwards == []


def test_the_check_sees_a_back_import():
    tree = ast.parse("from inserecho.cli.context import kilobytes\n")
    (line, target), = runtime_imports(tree)
    assert stage_of(target) > stage_of("inserecho.web.preview")


def test_imports_for_annotations_only_are_not_dependencies():
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from inserecho.settings import Settings\n"
    assert runtime_imports(ast.parse(source)) == []
