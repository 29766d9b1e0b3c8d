import random

import pytest
from email_validator import EmailNotValidError, validate_email

from inserecho.content.addresses import address_key, normalise_address
from inserecho.problems import InvalidValue


def test_the_domain_is_lower_cased_and_the_local_part_kept():
    assert normalise_address("  Marie.Dupont@Example.ORG ") == "Marie.Dupont@example.org"
    assert normalise_address("élodie@Exemple.FR") == "élodie@exemple.fr"


def test_an_invalid_address_says_why_in_french():
    with pytest.raises(InvalidValue) as error:
        normalise_address("marie.dupont@example")
    assert error.value.message.startswith("adresse « marie.dupont@example » invalide")
    assert "nom de domaine" in error.value.message


def test_the_same_address_whatever_the_case_and_spaces():
    assert address_key(" Marie.Dupont@EXAMPLE.org") == address_key("marie.dupont@example.org")
    assert address_key("marie@example.org") != address_key("marie2@example.org")


def plain_addresses(count: int) -> list[str]:
    """Random addresses close to the ASCII shortcut's edges (dots, dashes, case, lengths)."""
    rng = random.Random(93)
    alphabet = "aZ09.-_+'"
    samples = []
    for _ in range(count):
        local = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))
        labels = ["".join(rng.choice("aZ9-") for _ in range(rng.randint(0, 4))) for _ in range(rng.randint(1, 3))]
        tld = rng.choice(["org", "FR", "x1", "1", "c-m", "xn--p1ai", "test", "local", "arpa", ""])
        samples.append(f"{local}@{'.'.join(labels + [tld])}")
    return samples


EDGE_ADDRESSES = [
    "Postmaster@example.org", "INFO@example.org", "a@ab--cd.example.org", "a@xn--bcher-kva.example",
    "a@sub.example.test", "a@localhost", "a@example.onion", "x" * 64 + "@" + "d" * 63 + ".org",
    "a@" + ".".join(["d" * 63] * 4) + ".org", "a@" + "d" * 64 + ".org", "o'brien@example.org",
    "a.b-c+d@example.org", "-a-@example.org", "a@example.o-g", "a@example.org-", "a@9.example.org",
    "{a}|~@example.org", "a@Example.ORG",
]


def test_addresses_are_judged_exactly_as_email_validator_does():
    # normalise_address takes a shortcut for plain ASCII addresses; it must never disagree.
    disagreements = []
    for address in EDGE_ADDRESSES + plain_addresses(5000):
        try:
            expected = validate_email(address, check_deliverability=False).normalized
        except EmailNotValidError:
            expected = None
        try:
            email = normalise_address(address)
        except InvalidValue:
            email = None
        if email != expected:
            disagreements.append((address, email, expected))
    assert disagreements == []
