"""Fictional execution data on the demo conventions (idempotent: a convention already served is skipped)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.utils import timezone

from delegations.conventions.models import Convention
from delegations.core.errors import RegleMetierError
from delegations.core.models import User

from . import mouvements
from .models import Marche, MiseADisposition, Titulaire

REFERENCES = ["DEMO-2023-04", "DEMO-2024-05", "DEMO-2025-06", "DEMO-2026-09"]


def _arrondi(x: Decimal) -> Decimal:
    return x.quantize(Decimal("1"), ROUND_DOWN)


def charger(stdout: Any) -> None:
    alpha, _ = Titulaire.objects.get_or_create(nom="Alpha Numérique (fictif)")
    beta, _ = Titulaire.objects.get_or_create(nom="Beta Conseil (fictif)")
    marche, _ = Marche.objects.get_or_create(
        numero="DEMO-MARCHE-01",
        defaults={"intitule": "Marché fictif de réalisation de services numériques"},
    )
    marche.titulaires.add(alpha, beta)
    finance = User.objects.filter(role="finance").order_by("id").first()
    aujourd_hui = timezone.localdate()
    crees = 0
    for reference in REFERENCES:
        convention = Convention.objects.filter(reference=reference).first()
        if convention is None or MiseADisposition.objects.filter(convention=convention).exists():
            continue
        debut = convention.date_prise_effet
        produit = convention.produits.order_by("id").first()
        if debut is None:
            continue
        for i, ligne in enumerate(convention.echeancier_consolide()):
            annee = ligne.annee
            jour = max(debut, dt.date(annee, 1, 20))
            if jour > aujourd_hui or jour.year != annee or ligne.ae <= 0:
                continue
            try:
                mouvements.mettre_a_disposition(
                    convention,
                    annee=annee,
                    ae=_arrondi(ligne.ae * Decimal("0.6")),
                    cp=_arrondi(ligne.cp * Decimal("0.5")),
                    date=jour,
                    reference=f"{reference}-MAD-{annee}",
                    user=finance,
                )
                titulaire = alpha if i % 2 == 0 else beta
                eng = mouvements.engager(
                    convention,
                    annee=annee,
                    montant=_arrondi(ligne.ae * Decimal("0.4")),
                    date=jour + dt.timedelta(days=10),
                    reference=f"{reference}-EJ-{annee}",
                    objet="Équipe produit (fictif) : développement et design",
                    produit=produit,
                    titulaire=titulaire,
                    marche=marche,
                    user=finance,
                )
                crees += 2
                for mois in range(1, 4):
                    date_sf = eng.date + dt.timedelta(days=30 * mois)
                    if date_sf > aujourd_hui or date_sf + dt.timedelta(days=20) > dt.date(
                        annee, 11, 30
                    ):
                        break
                    sf = mouvements.certifier_service_fait(
                        eng,
                        montant=_arrondi(eng.montant / 6),
                        date=date_sf,
                        user=finance,
                        periode_debut=date_sf - dt.timedelta(days=30),
                        periode_fin=date_sf,
                    )
                    mouvements.payer(
                        sf,
                        montant=sf.montant,
                        date=date_sf + dt.timedelta(days=20),
                        reference=f"{reference}-FAC-{annee}-{mois}",
                        user=finance,
                    )
                    crees += 2
            except RegleMetierError as exc:
                stdout.write(f"Exécution {reference} {annee} : {exc.message}")
    stdout.write(f"Exécution : {crees} mouvements fictifs créés.")
