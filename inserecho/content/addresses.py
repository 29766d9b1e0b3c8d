"""Email addresses, checked and compared the same way everywhere.

:func:`normalise_address` is the one validator (subscriber lists, CSV imports, the
``apply`` field, command-line addresses); :func:`address_key` is the one answer to "is
this the same address?" (duplicates in a list, the journal, the suppression list, a
message's stable id).
"""

from __future__ import annotations

import functools
import re

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES

from inserecho.problems import InvalidValue

# Plain ASCII addresses, which are nearly all of a real list, are checked with
# one regular expression: email-validator spends most of its time on Unicode
# domain rules that cannot apply to them. Anything this pattern does not take
# for certain (IDN, "--" in the domain, reserved names, role addresses that the
# library lowercases, over-long addresses) goes through email-validator.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_PLAIN_LOCAL = re.compile(rf"{_ATEXT}+(?:\.{_ATEXT}+)*")
_PLAIN_DOMAIN = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?:[A-Za-z0-9][A-Za-z0-9-]{0,61})?[A-Za-z]"
)
_RESERVED_SUFFIXES = tuple("." + name for name in SPECIAL_USE_DOMAIN_NAMES)
_ROLE_NAMES = frozenset(CASE_INSENSITIVE_MAILBOX_NAMES)
_MAX_ADDRESS_LENGTH = 254

# email-validator's reasons, most specific first, in the officer's words.
_EMAIL_REASONS: tuple[tuple[str, str], ...] = (
    ("must have an @-sign", "il manque le « @ »"),
    ("instead of a regular at-sign", "le « @ » n'est pas le caractère habituel ; retapez-le au clavier"),
    ("something before the @-sign", "il n'y a rien avant le « @ »"),
    ("something after the @-sign", "il n'y a rien après le « @ »"),
    ("'@'", "elle contient plusieurs « @ » ; mettez une seule adresse par abonné"),
    ("SPACE", "elle contient une espace (parfois invisible, après un copier-coller) ; supprimez-la"),
    ("unsafe characters", "elle contient un caractère invisible ou de contrôle ; retapez-la"),
    ("display name and angle brackets", "écrivez l'adresse seule, sans nom ni chevrons « < > »"),
    ("Quoting the part", "les guillemets ne sont pas acceptés dans une adresse"),
    ("bracketed IP address", "une adresse IP entre crochets n'est pas acceptée après le « @ »"),
    ("cannot start with a period", "elle commence par un point"),
    ("period immediately before the @-sign", "un point est collé au « @ »"),
    ("period immediately after the @-sign", "un point est collé au « @ »"),
    ("cannot end with a period", "elle se termine par un point"),
    ("two periods in a row", "deux points se suivent"),
    ("hyphen immediately after the @-sign", "le nom de domaine (après le « @ ») commence par un tiret"),
    ("cannot end with a hyphen", "elle se termine par un tiret"),
    ("period and a hyphen", "un point et un tiret se suivent dans le nom de domaine"),
    ("two dashes", "deux tirets se suivent dans le nom de domaine"),
    ("should have a period", "le nom de domaine après le « @ » est incomplet (par exemple « exemple.org »)"),
    ("top-level domain", "le nom de domaine ne se termine pas par une extension valide (.fr, .org, .com…)"),
    (
        "special-use or reserved",
        "le nom de domaine est réservé (.local, .test, localhost…) et ne reçoit pas de courriels",
    ),
    ("too long", "elle est trop longue"),
    ("so many characters", "une partie du nom de domaine est trop longue"),
    ("invalid characters before the @-sign", "caractères interdits avant le « @ »"),
    ("invalid characters", "caractères interdits dans le nom de domaine (après le « @ »)"),
)
_QUOTED_CHARACTER = re.compile(r"'(.+?)'")


def normalise_address(value: str) -> str:
    """The address in its normal form (domain in lower case, Unicode form; local part as
    written), or :class:`InvalidValue` saying in French what is wrong with it."""
    address = value.strip()
    local, _, domain = address.rpartition("@")
    if len(address) <= _MAX_ADDRESS_LENGTH and _PLAIN_LOCAL.fullmatch(local) and local.lower() not in _ROLE_NAMES:
        plain = _plain_domain(domain)
        if plain is not None:
            return f"{local}@{plain}"
    try:
        return validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise InvalidValue(f"adresse « {address} » invalide : {_email_reason(str(exc))}.") from None


@functools.lru_cache(maxsize=4096)
def _plain_domain(domain: str) -> str | None:
    """``domain`` in lower case if it is a plain ASCII one that may receive mail, else None.
    A list repeats its domains (a few providers, the members' own), so each is checked once."""
    if not _PLAIN_DOMAIN.fullmatch(domain):
        return None
    domain = domain.lower()
    if "--" in domain or domain in SPECIAL_USE_DOMAIN_NAMES or domain.endswith(_RESERVED_SUFFIXES):
        return None
    return domain


def _email_reason(detail: str) -> str:
    for needle, reason in _EMAIL_REASONS:
        if needle in detail:
            if reason.startswith("caractères interdits"):
                characters = _QUOTED_CHARACTER.findall(detail.rpartition(": ")[2])
                return f"{reason} : {', '.join(f'« {c} »' for c in characters)}" if characters else reason
            return reason
    return "elle n'a pas la forme d'une adresse électronique (prenom.nom@exemple.org)"


def address_key(address: str) -> str:
    """What two addresses must share to count as the same: trimmed and casefolded.

    Strictly the local part is case-sensitive, but no mailbox provider treats it so, and
    a subscriber who writes ``Marie@`` once and ``marie@`` later is one person.
    """
    return address.strip().casefold()

