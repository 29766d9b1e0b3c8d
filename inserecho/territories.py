"""The four territories of Seine-Saint-Denis, as badges and subscriber segments."""

from __future__ import annotations

from inserecho.suggest import did_you_mean, french_list

TERRITORIES: tuple[str, ...] = (
    "Est Ensemble",
    "Grand Paris Grand Est",
    "Paris Terres d'Envol",
    "Plaine Commune",
)
# An item that concerns the whole department rather than one territory.
WHOLE_DEPARTMENT = "Seine-Saint-Denis"


def normalise_territory(value: str, allow_department: bool = True) -> tuple[str | None, str | None]:
    """Return ``(canonical name, None)`` or ``(None, French error message)``.

    Accepts any case and the typographic apostrophe (``Paris Terres d’Envol``).
    """
    known = TERRITORIES + ((WHOLE_DEPARTMENT,) if allow_department else ())
    wanted = " ".join(str(value).replace("’", "'").split()).casefold()
    for name in known:
        if name.casefold() == wanted:
            return name, None
    return None, (
        f"territoire inconnu « {value} »{did_you_mean(str(value), known)} ; "
        f"les territoires sont {french_list(known)}."
    )
