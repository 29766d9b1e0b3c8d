"""Check and convert one front-matter value according to its :class:`FieldSpec`."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime, time
from email.utils import getaddresses
from pathlib import Path
from typing import Any

from inserecho.content.addresses import normalise_address
from inserecho.content.model import Link
from inserecho.content.sections import AUDIENCES, CONTRACTS, FieldSpec
from inserecho.content.territories import normalise_territory
from inserecho.content.textfile import control_character
from inserecho.french.formats import parse_french_date
from inserecho.french.suggest import did_you_mean, french_list
from inserecho.paths import within
from inserecho.problems import InvalidValue, Problem, Severity

_URL = re.compile(r"^(https?://[^\s/$.?#][^\s]*|mailto:[^\s@]+@[^\s@]+)$", re.IGNORECASE)
_URL_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif"})
MAX_IMAGE_BYTES = 300_000
MAX_LINE_FIELD = 1_000
"""Characters in a one-line field: a title or a place is under 200; far longer is a paste gone
wrong, and typesetting it would keep the build and the live preview busy for minutes."""
_TRUE = {"oui", "vrai", "yes", "true"}
_FALSE = {"non", "faux", "no", "false"}


Warn = Callable[[str], None]
"""Takes a French warning about a value that is accepted as it is but worth a second look."""


def warner(problems: list[Problem], path: Path, line: int | None) -> Warn:
    """A :data:`Warn` that adds each warning to ``problems`` at ``path:line``."""
    return lambda message: problems.append(Problem(path, line, message, Severity.WARNING))


def check_field(spec: FieldSpec, value: Any, folder: Path, warn: Warn) -> Any:
    """The converted value, or :class:`InvalidValue`; warnings go to ``warn``."""
    if value is None or value == "" or value == []:
        if spec.required:
            raise InvalidValue(f"le champ obligatoire « {spec.name} » ({spec.label}) est vide.")
        return None
    if isinstance(value, (list, dict)) and spec.kind != "territory":
        # the YAML value, not Python's repr of it (« [datetime.date(2026, 12, 3)] »)
        raise InvalidValue(
            f"« {spec.name} » ({spec.label}) doit être une seule valeur, pas une liste (retirez les crochets)."
        )
    return _CHECKERS[spec.kind](spec, value, folder, warn)


def _text(spec: FieldSpec, value: Any, folder: Path, warn: Warn) -> str:
    """Every text field's rule: one line without control characters, unless it is ``multiline``.

    A NUL or a U+2028 would reach the plain-text email and make the feed invalid XML;
    a line break would split a header or a title.
    """
    if isinstance(value, (list, dict)):
        raise InvalidValue(f"« {spec.name} » doit être un texte simple, pas une liste.")
    if isinstance(value, bool):
        raise InvalidValue(f"« {spec.name} » doit être un texte ; mettez-le entre guillemets.")
    text = str(value).strip()
    if spec.multiline and control_character(text.replace("\n", "")):
        raise InvalidValue(
            f"« {spec.name} » contient un caractère de contrôle invisible : retapez le texte à cet endroit."
        )
    if not spec.multiline and control_character(text):
        raise InvalidValue(
            f"« {spec.name} » doit tenir sur une seule ligne (pas de "
            "« | » ni de saut de ligne, ni de caractère de contrôle)."
        )
    if not spec.multiline and len(text) > MAX_LINE_FIELD:
        raise InvalidValue(
            f"« {spec.name} » dépasse 1 000 caractères ({len(text)}) "
            ": raccourcissez-le ; le texte long va sous l'en-tête."
        )
    return text


def _date(spec: FieldSpec, value: Any, folder: Path, warn: Warn) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    parsed = parse_french_date(str(value))
    if parsed is None:
        raise InvalidValue(
            f"« {value} » n'est pas une date valide pour « {spec.name} » : "
            "écrivez-la AAAA-MM-JJ, par exemple 2027-01-15."
        )
    return parsed


_TIME = re.compile(r"^(?P<hours>\d{1,2}) *(?:h|:) *(?P<minutes>\d{2})?$")


def _time(spec: FieldSpec, value: Any, folder: Path, warn: Warn) -> time:
    hours: int | None = None
    minutes = 0
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML reads an unquoted 9:30 as the base-60 number 570, and 9 as the hour itself
        hours, minutes = (value, 0) if value < 24 else divmod(value, 60) if value >= 60 else (None, 0)
    elif isinstance(value, str) and (match := _TIME.match(value.strip().casefold())):
        hours, minutes = int(match["hours"]), int(match["minutes"] or 0)
    if hours is None or not 0 <= hours <= 23 or minutes > 59:
        raise InvalidValue(
            f"« {value} » n'est pas une heure valide pour « {spec.name} » : écrivez-la par exemple 9h30 ou 14h."
        )
    return time(hours, minutes)


def web_url(text: str, name: str, *, https_only: bool = False) -> str:
    """The one rule for a web address, in a field or a setting: http(s) only, nothing else.

    ``javascript:``, ``data:`` and the like never reach a link; ``https_only`` is for the
    addresses a mail client or a browser follows on the reader's behalf (one-click
    unsubscribe, the archive), where http would leak the reader's token or page.
    """
    if text.lower().startswith("mailto:") or not _URL.match(text):
        raise InvalidValue(
            f"« {text} » n'est pas une adresse web valide pour « {name} » : "
            "elle doit commencer par https:// (par exemple https://www.example.org/page)."
        )
    if https_only and not text.lower().startswith("https://"):
        raise InvalidValue(
            f"« {name} » doit commencer par https:// (pas http://) : écrivez « https://{text.partition('://')[2]} »."
        )
    return text


def mail_address(text: str, name: str, *, display_name: bool = False) -> tuple[str, str]:
    """The one rule for an e-mail address setting: ``(display name, address)``.

    One plain address (``lettre@exemple.fr``), with ``display_name`` also ``Nom <lettre@exemple.fr>``;
    never a list, a query (``?bcc=``) or a line break that would write another header.
    """
    example = "« Inser'Echo <lettre@votre-domaine.fr> »" if display_name else "« lettre@votre-domaine.fr »"
    if control_character(text):
        raise InvalidValue(
            f"« {name} » doit tenir sur une seule ligne, sans caractère de contrôle : écrivez par exemple {example}."
        )
    pairs = getaddresses([text])
    if len(pairs) != 1 or not pairs[0][1] or "," in text.replace(f'"{pairs[0][0]}"', ""):
        raise InvalidValue(f"« {name} » doit contenir une seule adresse, par exemple {example}.")
    shown, address = pairs[0]
    if (shown or "<" in text) and not display_name:
        raise InvalidValue(
            f"« {name} » doit être une adresse seule, sans nom ni « < > » : écrivez par exemple {example}."
        )
    try:
        normalise_address(address)
    except InvalidValue:
        raise InvalidValue(
            f"« {text} » n'est pas une adresse e-mail valide pour « {name} » : écrivez par exemple {example}."
        ) from None
    return shown, address


def _url(spec: FieldSpec, value: Any, folder: Path, warn: Warn) -> Link:
    text = _text(spec, value, folder, warn)
    if not text.lower().startswith("mailto:") or not _URL.match(text):
        web_url(text, spec.name)
    if text.lower().startswith("http://"):
        warn(f"le lien « {text} » n'est pas sécurisé (http://) ; préférez https:// si le site le permet.")
        return Link(text, text)
    if text.lower().startswith("mailto:"):
        return Link(text, text[len("mailto:") :])
    return Link(text, text)


def _apply(spec: FieldSpec, value: Any, folder: Path, warn: Warn) -> Link:
    text = _text(spec, value, folder, warn)
    if "@" in text and not text.lower().startswith(("http://", "https://", "mailto:")):
        try:
            address = normalise_address(text)
        except InvalidValue:
            raise InvalidValue(
                f"« {text} » n'est ni une adresse e-mail ni une adresse web valide pour « {spec.name} »."
            ) from None
        return Link(f"mailto:{address}", address)
    return _url(spec, text, folder, warn)


def _bool(spec: FieldSpec, value: Any, folder: Path, warn: Warn) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().casefold()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise InvalidValue(f"« {spec.name} » vaut « {value} » : écrivez « true » (oui) ou « false » (non).")


def _amount(spec: FieldSpec, value: Any, folder: Path, warn: Warn) -> int | float | str:
    if isinstance(value, bool) or isinstance(value, (list, dict)):
        raise InvalidValue(f"« {spec.name} » doit être un montant en euros, par exemple 30000.")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise InvalidValue(f"« {spec.name} » doit être un montant en euros, par exemple 30000 (pas « {value} »).")
        if value < 0:
            raise InvalidValue(f"le montant « {value} » est négatif.")
        return value
    return str(value).strip()


def _int(spec: FieldSpec, value: Any, folder: Path, warn: Warn) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValue(f"« {spec.name} » doit être un nombre entier (1, 2, 3…), pas « {value} ».")
    if value < 0:
        raise InvalidValue(f"« {spec.name} » doit être un nombre entier positif (1, 2, 3…), pas « {value} ».")
    return value


def _image(spec: FieldSpec, value: Any, folder: Path, warn: Warn) -> Path:
    return check_image(_text(spec, value, folder, warn), folder, warn)


def check_image(written: str, folder: Path, warn: Warn) -> Path:
    """An image of the issue, as the ``image`` field or the body's ``![…](…)`` names it.

    Returns its path relative to ``folder`` once symlinks and ``..`` are resolved: what
    the HTML refers to and what is copied beside it, so no copy can land outside.
    """
    if control_character(written):
        raise InvalidValue(
            f"le nom de l'image « {written!r} » contient un caractère "
            "de contrôle : retapez-le (par exemple images/photo.jpg)."
        )
    relative = Path(written)
    target = within(folder / relative, folder)
    if relative.is_absolute() or target is None or target == folder.resolve() or _URL_SCHEME.match(written):
        raise InvalidValue(
            f"l'image « {written} » doit se trouver dans le dossier du numéro (par exemple images/photo.jpg)."
        )
    if not target.is_file():
        raise InvalidValue(
            f"l'image « {written} » est introuvable dans le dossier du numéro ; vérifiez le nom du fichier."
        )
    if target.suffix.lower() not in IMAGE_SUFFIXES:
        raise InvalidValue(
            f"l'image « {written} » doit être au format PNG, JPEG ou GIF (lus par toutes les messageries)."
        )
    kind = _image_kind(target)
    if kind not in ("PNG", "JPEG", "GIF"):
        what = (
            f"est en fait une image {kind}, que toutes les messageries n'affichent pas"
            if kind
            else "n'est pas une image"
        )
        raise InvalidValue(
            f"le fichier « {written} » {what} : enregistrez-le au "
            "format PNG, JPEG ou GIF depuis votre logiciel d'images."
        )
    normalised = target.relative_to(folder.resolve())
    if target.stat().st_size > MAX_IMAGE_BYTES:
        warn(
            f"l'image « {written} » pèse {target.stat().st_size // 1000} Ko ; réduisez-la sous 300 Ko pour les "
            f"lecteurs sur mobile."
        )
    return normalised


_SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF87a", "GIF"), (b"GIF89a", "GIF"))


def _image_kind(path: Path) -> str | None:
    """The format the file's first bytes say (whatever its name), or ``None`` if it is no image."""
    with path.open("rb") as file:
        head = file.read(12)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    return next((kind for signature, kind in _SIGNATURES if head.startswith(signature)), None)


def _territory(spec: FieldSpec, value: Any, folder: Path, warn: Warn) -> tuple[str, ...]:
    names = value if isinstance(value, list) else [value]
    return tuple(normalise_territory(str(name)) for name in names)


def _contract(spec: FieldSpec, value: Any, folder: Path, warn: Warn) -> str:
    text = _text(spec, value, folder, warn)
    known = {c.casefold(): c for c in CONTRACTS}
    if text.casefold() in known:
        return known[text.casefold()]
    warn(
        f"type de contrat inhabituel « {text} »{did_you_mean(text, CONTRACTS)} ; "
        f"les types courants sont {french_list(CONTRACTS)}."
    )
    return text


def _audience(spec: FieldSpec, value: Any, folder: Path, warn: Warn) -> str:
    text = _text(spec, value, folder, warn)
    if text.casefold() in AUDIENCES:
        return text.casefold()
    raise InvalidValue(
        f"public inconnu « {text} »{did_you_mean(text, AUDIENCES)} ; écrivez « insertion » "
        "(personnes en parcours d'insertion) ou « permanents » (salarié·e·s permanent·e·s)."
    )


_CHECKERS = {
    "text": _text,
    "date": _date,
    "time": _time,
    "url": _url,
    "bool": _bool,
    "amount": _amount,
    "image": _image,
    "territory": _territory,
    "contract": _contract,
    "audience": _audience,
    "apply": _apply,
    "int": _int,
}
