"""Fictional phase history for the demo products.

The demo products are created by the register's demo, which runs after this one; the comites
demo therefore calls ``charger_phases`` again once they exist (both runs are idempotent)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .models import PhaseHistorique, Produit

PHASES: dict[str, list[tuple[str, dt.date]]] = {
    "aidants-faciles": [
        ("investigation", dt.date(2020, 3, 2)),
        ("construction", dt.date(2020, 6, 1)),
        ("acceleration", dt.date(2026, 3, 9)),
    ],
    "bourse-express": [
        ("investigation", dt.date(2024, 9, 1)),
        ("construction", dt.date(2025, 1, 20)),
    ],
    "carto-patrimoine": [
        ("construction", dt.date(2021, 6, 1)),
        ("acceleration", dt.date(2022, 2, 10)),
        ("consolidation", dt.date(2025, 6, 30)),
        ("transfert", dt.date(2026, 6, 1)),
    ],
    "dossier-unique-emploi": [
        ("construction", dt.date(2023, 4, 3)),
        ("acceleration", dt.date(2024, 1, 15)),
    ],
    "eco-guichet": [("investigation", dt.date(2024, 6, 3)), ("construction", dt.date(2024, 9, 12))],
    "formulaire-facile": [
        ("construction", dt.date(2021, 5, 17)),
        ("acceleration", dt.date(2025, 1, 20)),
    ],
}
SPONSORS = {
    "aidants-faciles": ("Martine Exemple", "sponsor.aidants@dtf.example.gouv.fr"),
    "eco-guichet": ("Olivier Fictif", "sponsor.eco@dtf.example.gouv.fr"),
    "formulaire-facile": ("Sophie Modèle", "sponsor.ff@dgasi.example.gouv.fr"),
}


def charger_phases(stdout: Any) -> None:
    crees = 0
    for slug, etapes in PHASES.items():
        produit = Produit.objects.filter(slug=slug).first()
        if produit is None:
            continue
        for phase, debut in etapes:
            _, cree = PhaseHistorique.objects.get_or_create(
                produit=produit, phase=phase, date_debut=debut
            )
            crees += cree
        if slug in SPONSORS and not produit.sponsor_nom:
            produit.sponsor_nom, produit.sponsor_email = SPONSORS[slug]
            produit.statistiques_url = f"https://{slug}.beta.gouv.fr/stats"
            produit.budget_url = f"https://beta.gouv.fr/startups/{slug}#budget"
            produit.save()
    if crees:
        stdout.write(f"Produits : {crees} phase(s) de démonstration créée(s).")


def charger(stdout: Any) -> None:
    charger_phases(stdout)
