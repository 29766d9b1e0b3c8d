"""French wording for click's own messages (usage errors, help headings).

click marks its messages for gettext but ships no French catalogue; its modules import
``gettext``/``ngettext`` by name, so we give them French-speaking replacements. A message
missing from the table stays in English, which is the worst that can happen.
"""

from __future__ import annotations

import importlib

import click

_FRENCH = {
    "Usage:": "Utilisation :",
    # click writes "{heading}:"; the trailing space gives French typography's "Options :"
    "Options": "Options ",
    "Commands": "Commandes ",
    "Error: {message}": "Erreur : {message}",
    "Try '{command} {option}' for help.": "Essayez « {command} {option} » pour l'aide.",
    "Show this message and exit.": "Afficher cette aide et quitter.",
    "Show the version and exit.": "Afficher la version et quitter.",
    "No such command {name!r}.": "Commande inconnue : {name!r}.",
    "No such option {name!r}.": "Option inconnue : {name!r}.",
    "Missing argument": "Argument manquant",
    "Missing option": "Option manquante",
    "Missing parameter": "Paramètre manquant",
    "Missing parameter: {param_name}": "Paramètre manquant : {param_name}",
    "Missing command.": "Commande manquante.",
    "Missing {param_type}": "{param_type} manquant",
    "Invalid value for {param_hint}: {message}": "Valeur invalide pour {param_hint} : {message}",
    "Invalid value: {message}": "Valeur invalide : {message}",
    "Option {name!r} does not take a value.": "L'option {name!r} ne prend pas de valeur.",
    "Aborted!": "Abandon.",
    "Do you want to continue?": "Voulez-vous continuer ?",
    "Error: invalid input": "Erreur : réponse non comprise",
    "default: {default}": "par défaut : {default}",
    "env var: {var}": "variable d'environnement : {var}",
    "{name} {filename!r} does not exist.": "{name} {filename!r} n'existe pas.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} est un dossier.",
    "{name} {filename!r} is a file.": "{name} {filename!r} est un fichier.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} n'est pas lisible.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} n'est pas modifiable.",
    "{value!r} is not a valid {number_type}.": "{value!r} n'est pas un nombre valide.",
    "{value} is not in the range {range}.": "{value} n'est pas dans l'intervalle {range}.",
    "file": "fichier",
    "directory": "dossier",
    "path": "chemin",
    "Got unexpected extra argument ({args})": "Argument en trop : {args}",
    "Got unexpected extra arguments ({args})": "Arguments en trop : {args}",
    "Did you mean {possibility}?": "Vouliez-vous dire {possibility} ?",
    "(Did you mean one of: {possibilities}?)": "(Vouliez-vous dire l'une de : {possibilities} ?)",
    "Option {name!r} requires an argument.": "L'option {name!r} attend une valeur.",
    "Option {name!r} requires {nargs} arguments.": "L'option {name!r} attend {nargs} valeurs.",
    "{value!r} is not one of {choices}.": "{value!r} ne fait pas partie de {choices}.",
    "{value!r} is not {choice}.": "{value!r} n'est pas {choice}.",
}

_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "termui", "types", "utils")


class IntRange(click.IntRange):
    """``click.IntRange`` whose help says « de 1 à 50 » rather than ``1<=x<=50``."""

    def _describe_range(self) -> str:
        if self.min is not None and self.max is not None:
            return f"de {self.min} à {self.max}"
        return f"au moins {self.min}" if self.min is not None else f"au plus {self.max}"


def _gettext(message: str) -> str:
    return _FRENCH.get(message, message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return _gettext(singular if n == 1 else plural)


def install_french_messages() -> None:
    for name in _MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            setattr(module, "_", _gettext)  # noqa: B010 - the name is click's, not an attribute of ours
        if hasattr(module, "ngettext"):
            setattr(module, "ngettext", _ngettext)  # noqa: B010
