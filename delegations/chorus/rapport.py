"""The "écart CHORUS" line of the monthly report to the délégant (hook ``lignes_rapport_mensuel``
of this app's AppConfig: the reports app calls it without importing this app)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from delegations.conventions.models import Convention

from .models import BilanConvention, Ecart, StatutEcart


def ecart_chorus(convention: Convention, debut: dt.date, fin: dt.date) -> list[dict[str, Any]]:
    """The gap AE/CP of the period's year per the last reconciliation made by the end of the
    period, with its open differences; or a line saying none was made."""
    bilan = (
        BilanConvention.objects.filter(
            convention=convention, annee=fin.year, rapprochement__created_at__date__lte=fin
        )
        .select_related("rapprochement")
        .order_by("-rapprochement__created_at", "-rapprochement_id")
        .first()
    )
    if bilan is None:
        return [
            {
                "libelle": "Écart CHORUS",
                "valeur": f"aucun rapprochement CHORUS de l'exercice {fin.year} à la date du rapport",
                "montants": {},
            }
        ]
    ouverts = Ecart.objects.filter(
        rapprochement_id=bilan.rapprochement_id,
        convention=convention,
        annee=fin.year,
        statut=StatutEcart.OUVERT,
    ).count()
    montants = {
        "AE engagées (CHORUS − registre)": bilan.ecart_ae if bilan.ae_chorus is not None else None,
        "CP payés (CHORUS − registre)": bilan.ecart_cp if bilan.cp_chorus is not None else None,
    }
    quand = bilan.rapprochement.created_at.date()
    return [
        {
            "libelle": "Écart CHORUS",
            "valeur": f"rapprochement du {quand:%d/%m/%Y}, exercice {fin.year} : "
            f"{ouverts} écart(s) à traiter",
            "montants": montants,
        }
    ]
