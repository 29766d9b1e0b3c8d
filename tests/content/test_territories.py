"""Territories from a name, a commune or a postcode; anything else is a French refusal."""

import pytest

from inserecho.content.territories import normalise_territory, territory_of_location
from inserecho.problems import InvalidValue


def test_a_commune_with_or_without_its_postcode_gives_its_territory():
    assert territory_of_location("Saint-Denis (93200)") == "Plaine Commune"
    assert territory_of_location("montreuil") == "Est Ensemble"
    assert territory_of_location("Lyon") is None


def test_a_huge_value_is_refused_without_searching_it():
    # 100,000 « ( »: the search for « (93200) » took minutes on such a value (a sign-up form, a CSV cell)
    assert territory_of_location("(" * 100_000) is None
    with pytest.raises(InvalidValue, match="territoire inconnu"):
        normalise_territory("(" * 100_000, allow_department=False)
