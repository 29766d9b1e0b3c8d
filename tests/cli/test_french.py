"""``--help`` is French throughout, with an example for every command."""

from __future__ import annotations

import re

import click
import pytest

from inserecho.cli.main import cli
from issuefolder import run_cli


def all_commands() -> list[tuple[str, ...]]:
    """Every command and sub-command, as the words typed after ``inserecho``."""
    context = click.Context(cli)
    found: list[tuple[str, ...]] = []
    for name in cli.list_commands(context):
        command = cli.get_command(context, name)
        found.append((name,))
        if isinstance(command, click.Group):
            found += [(name, sub) for sub in command.list_commands(context)]
    return found


ENGLISH = re.compile(
    r"\b(INTEGER|RANGE|TEXT|PATH|FILENAME|COMMAND|ARGS|SLUG|ADDRESSES|Usage|Options:|Commands|Show)\b|<=x<="
)


def test_the_commands_are_all_there():
    assert {c[0] for c in all_commands()} >= {"init", "new", "check", "build", "preview", "archive", "send", "status",
                                             "unsubscribe", "subscribers"}
    assert ("subscribers", "export") in all_commands()


@pytest.mark.parametrize("command", [(), *all_commands()], ids=lambda c: " ".join(c) or "inserecho")
def test_help_is_french_with_an_example_and_numero_for_an_issue(tmp_path, command):
    run = run_cli(tmp_path, *command, "--help")

    assert run.code == 0, run.output
    assert run.out.startswith("Utilisation : inserecho")
    assert not ENGLISH.search(run.out), ENGLISH.search(run.out)
    assert "Options :" in run.out
    assert re.search(r"Exemples? :\n  +inserecho ", run.out) or command == (), run.out
