"""CHORUS references of the journal: the EJ number of an order, the payment document number of
a payment. They are the only columns of a journal row that may be set after the insert (given at
creation or later, from the order's page or ``PATCH /api/v1/engagements|paiements/{id}/``): a
reference, never an amount, each change logged in the action log. On PostgreSQL the append-only
trigger lets through an UPDATE changing that column alone (migration 0005).
"""

from __future__ import annotations

import re
from typing import TypeVar

from django.db import transaction

from delegations.core.errors import RegleMetierError
from delegations.core.models import User, journaliser

from .models import Engagement, Paiement

Objet = TypeVar("Objet", Engagement, Paiement)

FORMAT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,29}")


def numero_valide(valeur: str | None, libelle: str) -> str:
    numero = "".join((valeur or "").split())
    if numero and not FORMAT.fullmatch(numero):
        raise RegleMetierError(
            "numero_invalide",
            f"Le {libelle} « {valeur} » est invalide : 30 caractères au plus, lettres, chiffres, "
            "points, tirets ou barres obliques.",
        )
    return numero


def _definir(objet: Objet, champ: str, libelle: str, valeur: str, user: User) -> Objet:
    numero = numero_valide(valeur, libelle)
    modele = type(objet)
    with transaction.atomic():
        # Lock the row so that two officers setting it at once are serialised.
        ancien = (
            modele._base_manager.select_for_update()
            .filter(pk=objet.pk)
            .values_list(champ, flat=True)
            .get()
        )
        if ancien != numero:
            modele._base_manager.filter(pk=objet.pk).update(**{champ: numero})
            journaliser(
                objet,
                user,
                f"{champ}_defini",
                f"{libelle.capitalize()} : {numero or '(effacé)'}"
                + (f" (au lieu de {ancien})" if ancien else ""),
                {champ: [ancien, numero]},
            )
    setattr(objet, champ, numero)
    return objet


def definir_numero_ej(engagement: Engagement, numero_ej: str, user: User) -> Engagement:
    """Set (or correct) the CHORUS EJ number of an order."""
    return _definir(engagement, "numero_ej", "numéro d'EJ", numero_ej, user)


def definir_numero_piece(paiement: Paiement, numero_piece: str, user: User) -> Paiement:
    """Set (or correct) the CHORUS payment document number of a payment."""
    return _definir(paiement, "numero_piece", "numéro de pièce de paiement", numero_piece, user)
