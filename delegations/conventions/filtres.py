"""List filters shared by the page and the API (same parameters, same meaning)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import F

from .models import ConventionQuerySet, Statut

TRIS = {
    "signature": F("date_signature").asc(nulls_last=True),
    "-signature": F("date_signature").desc(nulls_last=True),
    "fin": F("date_fin").asc(nulls_last=True),
    "-fin": F("date_fin").desc(nulls_last=True),
    "delegant": F("delegant__nom").asc(),
    "-delegant": F("delegant__nom").desc(),
    "reference": F("reference").asc(),
    "-reference": F("reference").desc(),
    "montant": F("total_ae").asc(nulls_first=True),
    "-montant": F("total_ae").desc(nulls_last=True),
    "statut": F("statut").asc(),
    "-statut": F("statut").desc(),
}
LIBELLES_TRIS = {
    "-signature": "Signature (récentes d'abord)",
    "signature": "Signature (anciennes d'abord)",
    "-fin": "Fin (lointaines d'abord)",
    "fin": "Fin (proches d'abord)",
    "delegant": "Délégant (A → Z)",
    "-montant": "Montant AE (décroissant)",
    "montant": "Montant AE (croissant)",
    "reference": "Référence",
    "statut": "Statut",
}


def _entier(valeur: Any) -> int | None:
    try:
        return int(valeur)
    except (TypeError, ValueError):
        return None


def filtrer(qs: ConventionQuerySet, params: Mapping[str, Any]) -> ConventionQuerySet:
    qs = qs.recherche(params.get("q", ""))
    if (delegant := _entier(params.get("delegant"))) is not None:
        qs = qs.filter(delegant_id=delegant)
    statut = params.get("statut")
    if statut in Statut.values:
        qs = qs.filter(statut=statut)
    if (annee := _entier(params.get("annee"))) is not None:
        qs = qs.de_l_annee(annee)
    if (produit := _entier(params.get("produit"))) is not None:
        qs = qs.du_produit(produit)
    tri = params.get("tri") or "-signature"
    return qs.order_by(TRIS.get(tri, TRIS["-signature"]), "-id")
