"""Query-string filters shared by the dashboard and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from delegations.core.errors import RegleMetierError

from .calcul import TypeEcheance


def _date(valeur: str, nom: str) -> dt.date | None:
    if not valeur:
        return None
    try:
        return dt.date.fromisoformat(valeur)
    except ValueError as exc:
        raise RegleMetierError(
            "date_invalide",
            f"Le paramètre « {nom} » doit être une date AAAA-MM-JJ, pas « {valeur} ».",
        ) from exc


def _entier(valeur: str, nom: str) -> int | None:
    if not valeur:
        return None
    if not valeur.isdigit():
        raise RegleMetierError(
            "parametre_invalide", f"Le paramètre « {nom} » doit être un identifiant numérique."
        )
    return int(valeur)


def lire_filtres(params: Any) -> dict[str, Any]:
    types = [t for v in params.getlist("type") for t in v.split(",") if t]
    inconnus = sorted(set(types) - set(TypeEcheance.values))
    if inconnus:
        raise RegleMetierError(
            "type_inconnu",
            f"Type d'échéance inconnu : {', '.join(inconnus)} "
            f"(attendus : {', '.join(TypeEcheance.values)}).",
        )
    return {
        "du": _date(params.get("du", ""), "du"),
        "au": _date(params.get("au", ""), "au"),
        "convention": _entier(params.get("convention", ""), "convention"),
        "produit": _entier(params.get("produit", ""), "produit"),
        "types": types or None,
    }
