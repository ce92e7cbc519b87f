"""Filters of the public list, shared by the page and the public API (same parameters)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import F, Q

from delegations.conventions.models import ConventionQuerySet, Statut

STATUTS_PUBLICS = [(v, label) for v, label in Statut.choices if v != Statut.BROUILLON]


def _entier(valeur: Any) -> int | None:
    try:
        return int(valeur)
    except (TypeError, ValueError):
        return None


def filtrer_publiques(qs: ConventionQuerySet, params: Mapping[str, Any]) -> ConventionQuerySet:
    qs = qs.recherche(str(params.get("q") or "")[:200])
    if (annee := _entier(params.get("annee"))) is not None and 2000 <= annee <= 2100:
        qs = qs.de_l_annee(annee)
    if programme := str(params.get("programme") or "").strip():
        qs = qs.filter(programme=programme)
    if delegant := str(params.get("delegant") or "").strip():
        qs = qs.filter(Q(delegant__sigle__iexact=delegant) | Q(delegant__nom__iexact=delegant))
    statut = params.get("statut")
    if statut in dict(STATUTS_PUBLICS):
        qs = qs.filter(statut=statut)
    return qs.order_by(F("date_signature").desc(nulls_last=True), "-id")
