"""The four territories of Seine-Saint-Denis, as badges and subscriber segments."""

from __future__ import annotations

import re

from inserecho.french.suggest import did_you_mean, fold_words, french_list
from inserecho.problems import InvalidValue

TERRITORIES: tuple[str, ...] = (
    "Est Ensemble",
    "Grand Paris Grand Est",
    "Paris Terres d'Envol",
    "Plaine Commune",
)
# An item that concerns the whole department rather than one territory.
WHOLE_DEPARTMENT = "Seine-Saint-Denis"


def normalise_territory(value: str, allow_department: bool = True) -> str:
    """The territory's canonical name, or :class:`InvalidValue` with a French message.

    Accepts any case and the typographic apostrophe (``Paris Terres d’Envol``).
    """
    known = TERRITORIES + ((WHOLE_DEPARTMENT,) if allow_department else ())
    wanted = " ".join(str(value).replace("’", "'").split()).casefold()
    for name in known:
        if name.casefold() == wanted:
            return name
    commune_of = territory_of_location(str(value))
    hint = (f" (vouliez-vous dire « {commune_of} » ? la commune de {value} en fait partie)" if commune_of
            else did_you_mean(str(value), known))
    raise InvalidValue(f"territoire inconnu « {value} »{hint} ; les territoires sont {french_list(known)}.")


# The communes of each territory (établissement public territorial), to place a job offer
# whose front matter gives a ``location`` but no ``territory``.
COMMUNES: dict[str, tuple[str, ...]] = {
    "Est Ensemble": (
        "Bagnolet", "Bobigny", "Bondy", "Le Pré-Saint-Gervais", "Les Lilas", "Montreuil",
        "Noisy-le-Sec", "Pantin", "Romainville",
    ),
    "Grand Paris Grand Est": (
        "Clichy-sous-Bois", "Coubron", "Gagny", "Gournay-sur-Marne", "Le Raincy", "Les Pavillons-sous-Bois",
        "Livry-Gargan", "Montfermeil", "Neuilly-Plaisance", "Neuilly-sur-Marne", "Noisy-le-Grand",
        "Rosny-sous-Bois", "Vaujours", "Villemomble",
    ),
    "Paris Terres d'Envol": (
        "Aulnay-sous-Bois", "Drancy", "Dugny", "Le Blanc-Mesnil", "Le Bourget", "Sevran",
        "Tremblay-en-France", "Villepinte",
    ),
    "Plaine Commune": (
        "Aubervilliers", "Épinay-sur-Seine", "La Courneuve", "L'Île-Saint-Denis", "Pierrefitte-sur-Seine",
        "Saint-Denis", "Saint-Ouen-sur-Seine", "Saint-Ouen", "Stains", "Villetaneuse",
    ),
}
_TERRITORY_OF_COMMUNE = {fold_words(c): t for t, communes in COMMUNES.items() for c in communes}


_LONGEST_LOCATION = 200


def territory_of_location(location: str) -> str | None:
    """``Montreuil`` or ``Saint-Denis (93200)`` → its territory, ``None`` if unknown."""
    if len(location) > _LONGEST_LOCATION:  # no commune, and the parentheses search is quadratic
        return None
    return _TERRITORY_OF_COMMUNE.get(fold_words(re.sub(r"\(.*?\)|\b\d{5}\b", " ", location)))
