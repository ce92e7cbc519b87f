"""The write path of products: one function per business write, inside
``transaction.atomic()``, each writing its action-log row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from delegations.core.errors import RegleMetierError
from delegations.core.models import User, journaliser

from .models import PhaseHistorique, PhaseProduit, Produit

# The fields a user enters (page and API alike); the phases have their own write.
CHAMPS = (
    "nom",
    "slug",
    "incubateur",
    "description",
    "intrapreneur_nom",
    "intrapreneur_email",
    "sponsor_nom",
    "sponsor_email",
    "site_url",
    "statistiques_url",
    "budget_url",
    "code_source_url",
)


def enregistrer_produit(produit: Produit, user: User, changements: Mapping[str, Any]) -> Produit:
    """Create or update a product whose ``changements`` the caller has applied (a validated
    form or serializer)."""
    creation = produit.pk is None
    with transaction.atomic():
        produit.save()
        journaliser(
            produit,
            user,
            "creation" if creation else "modification",
            f"{'Création' if creation else 'Modification'} du produit {produit.nom}",
            {k: str(v) for k, v in changements.items()},
        )
    return produit


def ajouter_phase(
    produit: Produit, user: User | None, *, phase: str, date_debut: dt.date, commentaire: str = ""
) -> PhaseHistorique:
    """Append a step to the product's history (the history is never rewritten) and log it."""
    if phase not in PhaseProduit.values:
        raise RegleMetierError("phase_inconnue", f"Phase inconnue : « {phase} ».")
    if PhaseHistorique.objects.filter(produit=produit, phase=phase, date_debut=date_debut).exists():
        raise RegleMetierError(
            "phase_en_double", "Cette phase est déjà enregistrée à cette date pour ce produit."
        )
    with transaction.atomic():
        ligne = PhaseHistorique.objects.create(
            produit=produit, phase=phase, date_debut=date_debut, commentaire=commentaire
        )
        journaliser(
            produit,
            user,
            "phase",
            f"Phase {ligne.get_phase_display()} à partir du {date_debut:%d/%m/%Y}",
            {"phase": phase, "date_debut": str(date_debut)},
        )
    return ligne
