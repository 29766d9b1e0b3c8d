"""The newsletter folder's settings, ``inserecho.yaml``."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from inserecho.content.fields import mail_address, web_url
from inserecho.content.sections import BUILTIN_SECTIONS, SectionSpec, read_sections
from inserecho.content.textfile import read_text
from inserecho.content.yamlfile import LineDict, parse_mapping
from inserecho.french.formats import parse_duration
from inserecho.french.suggest import setting_hint
from inserecho.problems import ContentError, InvalidValue, Problem, Severity

SETTINGS_FILE = "inserecho.yaml"


@dataclass(frozen=True)
class Settings:
    root: Path
    name: str = "Inser'Echo"
    publisher: str = "Inser'Eco93"
    tagline: str = ""
    postal_address: str = ""
    website: str = ""
    list_id: str = "inserecho.localhost"
    sender: str = "Inser'Echo <inserecho@localhost>"
    reply_to: str | None = None
    archive_url: str | None = None
    unsubscribe_mailto: str | None = None
    unsubscribe_url: str | None = None
    smtp_url: str | None = None
    smtp_connections: int = 4
    smtp_rate: str | None = None
    smtp_max_attempts: int | None = None  # a cap on tries per recipient; None: the retry budget alone
    smtp_timeout: int = 60  # seconds to wait for each of the relay's answers
    verp: bool = True
    imap_url: str | None = None
    imap_folder: str = "INBOX/inserecho-traite"
    smtp_retry_for: float = 30 * 60.0
    """Seconds during which a recipient refused for now (greylisting…) is retried within the run."""
    test_recipients: tuple[str, ...] = ()
    """Who gets a test copy when ``send --test`` names nobody (addresses as written, unchecked)."""
    dkim_domain: str | None = None
    dkim_selector: str | None = None
    dkim_private_key: str | None = None
    consent_text: str = (
        "J'accepte de recevoir Inser'Echo, la lettre d'information d'Inser'Eco93, et je peux me "
        "désinscrire à tout moment par le lien présent dans chaque lettre."
    )
    consent_version: str = "1"
    signup_url: str | None = None
    sections: tuple[SectionSpec, ...] = tuple(BUILTIN_SECTIONS.values())
    warnings: tuple[Problem, ...] = ()
    """What ``check`` reminds the officer of, such as a sender still at example.org."""

    @property
    def issues_dir(self) -> Path:
        return self.root / "issues"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    @property
    def journal_path(self) -> Path:
        return self.root / "journal.sqlite3"

    @property
    def subscribers_path(self) -> Path:
        """The list ``send``, ``inbox`` and ``subscribers`` use when none is given."""
        return self.root / "subscribers.yaml"

    @property
    def sender_address(self) -> str:
        """The address of ``sender`` (« Nom <adresse> », or the address alone)."""
        return parseaddr(self.sender)[1]

    @property
    def sender_domain(self) -> str:
        """The domain of :attr:`sender_address`, in lower case."""
        return self.sender_address.rpartition("@")[2].casefold()

    def section(self, key: str) -> SectionSpec | None:
        return next((s for s in self.sections if s.key == key), None)


# settings key -> (group, key in the YAML file)
_SCHEMA: dict[str, dict[str, str]] = {
    "newsletter": {
        "name": "name",
        "publisher": "publisher",
        "tagline": "tagline",
        "postal_address": "postal_address",
        "website": "website",
        "list_id": "list_id",
    },
    "sender": {"from": "sender", "reply_to": "reply_to", "verp": "verp"},
    "unsubscribe": {"mailto": "unsubscribe_mailto", "url": "unsubscribe_url"},
    "smtp": {
        "url": "smtp_url",
        "connections": "smtp_connections",
        "rate": "smtp_rate",
        "max_attempts": "smtp_max_attempts",
        "timeout": "smtp_timeout",
        "retry_for": "smtp_retry_for",
    },
    "imap": {"url": "imap_url", "folder": "imap_folder"},
    "dkim": {"domain": "dkim_domain", "selector": "dkim_selector", "private_key": "dkim_private_key"},
    "signup": {"consent": "consent_text", "consent_version": "consent_version", "url": "signup_url"},
}
_TOP_LEVEL = {"archive_url": "archive_url"}
_LISTS = {"test_recipients": "test_recipients"}
_DURATIONS = {"smtp_retry_for"}
_INTS = {"smtp_connections", "smtp_max_attempts", "smtp_timeout"}
_BOOLS = {"verp"}
_YES_NO = {"oui": True, "non": False}
# The one URL rule and the one address rule of content/fields.py, for each setting they apply to.
_WEB_URLS = {"website": False, "archive_url": True, "unsubscribe_url": True}  # -> https only
_ADDRESSES = {"sender": True, "reply_to": True, "unsubscribe_mailto": False}  # -> display name allowed
_PASSWORDLESS_URLS = {"smtp_url": "INSERECHO_SMTP_PASSWORD", "imap_url": "INSERECHO_IMAP_PASSWORD"}


def load_settings(root: Path) -> Settings:
    """Read ``root/inserecho.yaml``; a missing file means the defaults.

    Raises :class:`ContentError` listing every problem in the file.
    """
    path = root / SETTINGS_FILE
    settings = Settings(root=root)
    if not path.exists():
        return settings
    text = read_text(path)
    data, problems = parse_mapping(text, path, what="le fichier de réglages")
    if data is None:
        raise ContentError(problems)
    values: dict[str, Any] = {}
    known = set(_SCHEMA) | set(_TOP_LEVEL) | set(_LISTS) | {"sections"}
    for key, value in data.items():
        line = data.lines[key]
        if key in _TOP_LEVEL:
            values[_TOP_LEVEL[key]] = _scalar(value, path, line, key, problems)
            _check_address(_TOP_LEVEL[key], values, path, line, key, problems)
        elif key in _LISTS:
            values[_LISTS[key]] = _addresses(value, path, line, key, problems)
        elif key in _SCHEMA:
            _read_group(key, value, line, path, values, problems)
        elif key != "sections":
            problems.append(Problem(path, line, f"réglage inconnu « {key} »{setting_hint(key, sorted(known))}."))
    if "sections" in data:
        sections = read_sections(data["sections"], data.lines["sections"], path, BUILTIN_SECTIONS, problems)
        if sections:
            values["sections"] = sections
    dkim = [values.get(f"dkim_{key}") for key in ("domain", "selector", "private_key")]
    if any(dkim) and not all(dkim):
        problems.append(
            Problem(
                path,
                data.lines.get("dkim"),
                "« dkim » demande « domain », « selector » et « private_key » (le fichier de la clé privée).",
            )
        )
    if problems:
        raise ContentError(sorted(problems, key=lambda p: p.line or 0))
    settings = replace(settings, **values)
    return replace(settings, warnings=_placeholder_sender(settings, data, path))


# Domains reserved for examples (RFC 2606, RFC 6761): no reader can answer them.
_EXAMPLE_DOMAINS = ("example.org", "example.com", "example.net", "example", "test", "invalid", "localhost")


def _placeholder_sender(settings: Settings, data: LineDict, path: Path) -> tuple[Problem, ...]:
    domain = settings.sender_domain
    if not any(domain == d or domain.endswith("." + d) for d in _EXAMPLE_DOMAINS):
        return ()
    group = data.get("sender")
    line = group.lines.get("from", data.lines["sender"]) if isinstance(group, LineDict) else None
    return (
        Problem(
            path,
            line,
            f"l'expéditeur est encore une adresse d'exemple ({domain}) : indiquez dans « sender.from » "
            "une adresse du domaine de votre réseau avant d'envoyer.",
            Severity.WARNING,
        ),
    )


def _read_group(group: str, value: Any, line: int, path: Path, values: dict[str, Any], problems: list[Problem]) -> None:
    if value is None:
        return
    if not isinstance(value, LineDict):
        problems.append(Problem(path, line, f"« {group} » doit contenir des réglages indentés en dessous."))
        return
    schema = _SCHEMA[group]
    for key, item in value.items():
        item_line = value.lines[key]
        if key not in schema:
            hint = setting_hint(key, sorted(schema))
            problems.append(Problem(path, item_line, f"réglage inconnu « {group}.{key} »{hint}."))
            continue
        target = schema[key]
        if target in _INTS:
            if isinstance(item, int) and not isinstance(item, bool) and item > 0:
                values[target] = item
            else:
                problems.append(
                    Problem(path, item_line, f"« {group}.{key} » doit être un nombre entier positif (1, 2, 3…).")
                )
            continue
        if target in _BOOLS:
            flag = _YES_NO.get(item.strip().casefold()) if isinstance(item, str) else item
            if isinstance(flag, bool):
                values[target] = flag
            else:
                problems.append(Problem(path, item_line, f"« {group}.{key} » vaut oui ou non."))
            continue
        if target in _DURATIONS:
            seconds = parse_duration(item) if isinstance(item, str) else None
            if seconds is None:
                problems.append(
                    Problem(
                        path,
                        item_line,
                        f"« {group}.{key} » doit être une durée, par exemple "
                        "« 30 minutes », « 2 heures » ou « 45 secondes ».",
                    )
                )
            else:
                values[target] = seconds
            continue
        if item is None or item == "":
            if getattr(Settings, target):  # blanking a setting that has a default is a slip
                problems.append(
                    Problem(path, item_line, f"« {group}.{key} » est vide : indiquez une valeur ou supprimez la ligne.")
                )
            continue
        values[target] = _scalar(item, path, item_line, f"{group}.{key}", problems)
        _check_address(target, values, path, item_line, f"{group}.{key}", problems)
        if target == "list_id":
            _check_list_id(values, path, item_line, problems)
        if target == "consent_version" and values[target] is not None:
            values[target] = str(values[target])
        if target in _PASSWORDLESS_URLS and isinstance(item, str) and _has_password(item):
            scheme = item.partition("://")[0]
            problems.append(
                Problem(
                    path,
                    item_line,
                    "ne mettez jamais de mot de passe dans inserecho.yaml : retirez-le de l'adresse "
                    f"({scheme}://utilisateur@serveur…) et donnez-le par la variable {_PASSWORDLESS_URLS[target]}.",
                )
            )


def _addresses(value: Any, path: Path, line: int, name: str, problems: list[Problem]) -> tuple[str, ...]:
    """A list of addresses, or one text of comma-separated ones."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        problems.append(
            Problem(
                path,
                line,
                f"« {name} » doit être une liste d'adresses, par exemple "
                f"{name}: [moi@exemple.fr, collegue@exemple.fr].",
            )
        )
        return ()
    return tuple(item.strip() for item in value if item.strip())


def _check_address(
    target: str, values: dict[str, Any], path: Path, line: int, name: str, problems: list[Problem]
) -> None:
    """Apply the URL or address rule to a setting that holds one."""
    value = values.get(target)
    if not isinstance(value, str) or target not in _WEB_URLS.keys() | _ADDRESSES.keys():
        return
    try:
        if target in _WEB_URLS:
            web_url(value.strip(), name, https_only=_WEB_URLS[target])
        else:
            mail_address(value.strip(), name, display_name=_ADDRESSES[target])
    except InvalidValue as error:
        problems.append(error.at(path, line))
        values.pop(target)


_LIST_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+", re.IGNORECASE)
"""RFC 2919: a List-Id is a name with dots, like a domain (``lettre.mon-reseau.fr``)."""


def _check_list_id(values: dict[str, Any], path: Path, line: int, problems: list[Problem]) -> None:
    value = values.get("list_id")
    if isinstance(value, str) and not _LIST_ID.fullmatch(value.strip()):
        problems.append(
            Problem(
                path,
                line,
                f"« newsletter.list_id » vaut « {value} » : écrivez un identifiant sans espace ni « < > », "
                "fait de mots séparés par des points, par exemple « inserecho.votre-domaine.fr ».",
            )
        )
        values.pop("list_id")


def _scalar(value: Any, path: Path, line: int, name: str, problems: list[Problem]) -> Any:
    if isinstance(value, (dict, list)):
        problems.append(Problem(path, line, f"« {name} » doit être une valeur simple, pas une liste."))
        return None
    if isinstance(value, bool):  # YAML reads yes/no/true/false unquoted as booleans
        problems.append(Problem(path, line, f"« {name} » doit être un texte : mettez la valeur entre guillemets."))
        return None
    if isinstance(value, int):
        return value
    return None if value is None else str(value)


def _has_password(url: str) -> bool:
    """``smtp://user:secret@host`` carries a password; ``smtp://user@host`` does not."""
    userinfo = url.partition("://")[2].rpartition("@")[0]
    return ":" in userinfo
