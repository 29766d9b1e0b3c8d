"""Checking and converting one front-matter value according to its field."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from inserecho.content.fields import check_field
from inserecho.content.model import Link
from inserecho.content.sections import BUILTIN_SECTIONS, FieldSpec
from inserecho.problems import InvalidValue

NEWS = BUILTIN_SECTIONS["news"]
JOBS = BUILTIN_SECTIONS["jobs"]
PROCUREMENT = BUILTIN_SECTIONS["procurement"]
FUNDING = BUILTIN_SECTIONS["funding"]


def checked(spec: FieldSpec | None, value, folder: Path = Path(".")) -> tuple[object, list[str]]:
    """The converted value and the warnings about it."""
    assert spec is not None
    warnings: list[str] = []
    return check_field(spec, value, folder, warnings.append), warnings


def check(spec: FieldSpec | None, value, folder: Path = Path(".")):
    value, warnings = checked(spec, value, folder)
    assert warnings == []
    return value


def error(spec: FieldSpec | None, value, folder: Path = Path(".")) -> str:
    with pytest.raises(InvalidValue) as raised:
        check(spec, value, folder)
    return raised.value.message


def warning(spec: FieldSpec | None, value, folder: Path = Path(".")) -> tuple[object, str]:
    """The value kept and the one warning about it."""
    value, (message,) = checked(spec, value, folder)
    return value, message


def test_a_required_field_left_empty():
    assert error(JOBS.field("employer"), "") == "le champ obligatoire « employer » (Employeur) est vide."
    assert error(NEWS.field("title"), None).startswith("le champ obligatoire « title »")


def test_an_optional_field_left_empty_is_none():
    assert check(NEWS.field("link"), None) is None
    assert check(NEWS.field("territory"), []) is None


@pytest.mark.parametrize(
    "value",
    [
        date(2027, 1, 15),
        datetime(2027, 1, 15, 9, 30),
        "2027-01-15",
        "15/01/2027",
        "15 janvier 2027",
        "vendredi 15 janvier 2027",
    ],
)
def test_dates_in_the_forms_the_officer_writes(value):
    assert check(PROCUREMENT.field("deadline"), value) == date(2027, 1, 15)


@pytest.mark.parametrize("value", ["2027-02-30", "fin janvier", "2027", "15/01"])
def test_something_that_is_not_a_date(value):
    assert error(PROCUREMENT.field("deadline"), value) == (
        f"« {value} » n'est pas une date valide pour « deadline » : écrivez-la AAAA-MM-JJ, par exemple 2027-01-15."
    )


def test_links_must_be_web_addresses():
    assert check(NEWS.field("link"), "https://inser-eco93.example.org/agenda") == Link(
        "https://inser-eco93.example.org/agenda", "https://inser-eco93.example.org/agenda"
    )
    assert "doit commencer par https://" in error(NEWS.field("link"), "www.inser-eco93.example.org")
    assert "pas une liste" in error(NEWS.field("link"), ["https://a.example.org", "https://b.example.org"])


def test_a_mailto_link_shows_the_bare_address():
    assert check(NEWS.field("link"), "mailto:contact@inser-eco93.example.org") == Link(
        "mailto:contact@inser-eco93.example.org", "contact@inser-eco93.example.org"
    )


def test_an_http_link_is_kept_with_a_warning():
    value, message = warning(NEWS.field("link"), "http://example.org/page")

    assert value == Link("http://example.org/page", "http://example.org/page")
    assert "n'est pas sécurisé (http://)" in message


def test_apply_takes_an_email_address_or_a_web_address():
    apply = JOBS.field("apply")
    assert check(apply, "recrutement@jardins.example.org") == Link(
        "mailto:recrutement@jardins.example.org", "recrutement@jardins.example.org"
    )
    assert check(apply, "https://tremplin.example.org/offres/42").href == "https://tremplin.example.org/offres/42"
    assert error(apply, "recrutement@@jardins") == (
        "« recrutement@@jardins » n'est ni une adresse e-mail ni une adresse web valide pour « apply »."
    )


@pytest.mark.parametrize(("value", "expected"), [(True, True), ("oui", True), ("Non", False), ("false", False)])
def test_yes_or_no(value, expected):
    assert check(PROCUREMENT.field("reserved"), value) is expected


def test_neither_yes_nor_no():
    assert error(PROCUREMENT.field("reserved"), "peut-être") == (
        "« reserved » vaut « peut-être » : écrivez « true » (oui) ou « false » (non)."
    )


def test_amounts_are_numbers_or_short_texts():
    amount = FUNDING.field("amount")
    assert check(amount, 30000) == 30000
    assert check(amount, "Jusqu'à 80 % du projet") == "Jusqu'à 80 % du projet"
    assert error(amount, -5) == "le montant « -5 » est négatif."


def test_order_is_a_whole_number():
    assert check(NEWS.field("order"), 2) == 2
    assert error(NEWS.field("order"), "premier") == "« order » doit être un nombre entier (1, 2, 3…), pas « premier »."


def test_territories_one_or_several_any_case_any_apostrophe():
    territory = NEWS.field("territory")
    assert check(territory, "plaine commune") == ("Plaine Commune",)
    assert check(territory, ["Est Ensemble", "Paris Terres d’Envol"]) == ("Est Ensemble", "Paris Terres d'Envol")
    assert check(territory, "Seine-Saint-Denis") == ("Seine-Saint-Denis",)


def test_an_unknown_territory_suggests_the_closest():
    message = error(NEWS.field("territory"), ["Est Ensemble", "Plaine Comune"])

    assert message.startswith("territoire inconnu « Plaine Comune » (vouliez-vous dire « Plaine Commune » ?)")


def test_contracts_are_written_the_usual_way():
    assert check(JOBS.field("contract"), "cddi") == "CDDI"
    assert check(JOBS.field("contract"), "CDD Tremplin") == "CDD Tremplin"


def test_an_unusual_contract_is_kept_with_a_warning():
    value, message = warning(JOBS.field("contract"), "Interim")

    assert value == "Interim"
    assert "vouliez-vous dire « intérim »" in message


def test_audience_is_insertion_or_permanents():
    assert check(JOBS.field("audience"), "Insertion") == "insertion"
    assert error(JOBS.field("audience"), "permanent").startswith(
        "public inconnu « permanent » (vouliez-vous dire « permanents » ?)"
    )


class TestImage:
    def test_an_image_in_the_issue_folder(self, tmp_path):
        (tmp_path / "images").mkdir()
        (tmp_path / "images" / "ag.png").write_bytes(b"\x89PNG\r\n\x1a\n")

        assert check(NEWS.field("image"), "images/ag.png", tmp_path) == Path("images/ag.png")

    def test_a_missing_image(self, tmp_path):
        assert error(NEWS.field("image"), "images/ag.png", tmp_path) == (
            "l'image « images/ag.png » est introuvable dans le dossier du numéro ; vérifiez le nom du fichier."
        )

    def test_an_image_outside_the_issue_folder(self, tmp_path):
        (tmp_path / "issue").mkdir()
        (tmp_path / "ag.png").write_bytes(b"\x89PNG")

        assert "doit se trouver dans le dossier du numéro" in error(
            NEWS.field("image"), "../ag.png", tmp_path / "issue"
        )

    def test_the_path_comes_back_with_links_and_dots_resolved(self, tmp_path):
        (tmp_path / "photos" / "2027").mkdir(parents=True)
        (tmp_path / "ag.png").write_bytes(b"\x89PNG\r\n\x1a\n")
        (tmp_path / "recent").symlink_to("photos/2027")

        assert check(NEWS.field("image"), "recent/../../ag.png", tmp_path) == Path("ag.png")

    def test_an_image_that_links_out_of_the_issue_folder(self, tmp_path):
        (tmp_path / "issue").mkdir()
        (tmp_path / "ag.png").write_bytes(b"\x89PNG")
        (tmp_path / "issue" / "ag.png").symlink_to(tmp_path / "ag.png")

        assert "doit se trouver dans le dossier du numéro" in error(NEWS.field("image"), "ag.png", tmp_path / "issue")

    def test_a_web_address_is_not_an_image_of_the_issue(self, tmp_path):
        assert "doit se trouver dans le dossier du numéro" in error(
            NEWS.field("image"), "https://example.org/ag.png", tmp_path
        )

    def test_a_format_mail_clients_do_not_all_show(self, tmp_path):
        (tmp_path / "ag.webp").write_bytes(b"RIFF")

        assert "doit être au format PNG, JPEG ou GIF" in error(NEWS.field("image"), "ag.webp", tmp_path)

    def test_a_heavy_image_is_kept_with_a_warning(self, tmp_path):
        (tmp_path / "ag.jpg").write_bytes(b"\xff\xd8\xff" + b"\0" * 400_000)

        value, message = warning(NEWS.field("image"), "ag.jpg", tmp_path)

        assert value == Path("ag.jpg")
        assert "pèse 400 Ko" in message
