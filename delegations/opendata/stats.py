"""Public statistics (/stats), as beta.gouv.fr services publish them: a bounded number of queries."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.utils import timezone

from delegations.produits.models import Phase
from delegations.rapports import graphiques, sources
from delegations.rapports.suivi import part_a_l_heure

from .donnees import conventions_publiees, pour_publication

ZERO = Decimal("0.00")


def statistiques(aujourd_hui: dt.date | None = None) -> dict[str, Any]:
    aujourd_hui = aujourd_hui or timezone.localdate()
    publiees = list(pour_publication(conventions_publiees(aujourd_hui)))
    ids = [c.pk for c in publiees]

    en_vigueur = sum(1 for c in publiees if c.est_en_vigueur(aujourd_hui))

    delegue: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for c in publiees:
        for ligne in c.echeancier_consolide():
            delegue[ligne.annee][0] += ligne.ae
            delegue[ligne.annee][1] += ligne.cp
    consomme = sources.consommation_par_annee(ids)
    annees = sorted(set(delegue) | set(consomme))
    par_annee: list[dict[str, Any]] = [
        {
            "annee": a,
            "ae_delegue": delegue[a][0] if a in delegue else ZERO,
            "cp_delegue": delegue[a][1] if a in delegue else ZERO,
            "ae_engage": consomme.get(a, (ZERO, ZERO))[0],
            "cp_paye": consomme.get(a, (ZERO, ZERO))[1],
        }
        for a in annees
    ]

    produits_phase: dict[str, set[int]] = {p: set() for p in Phase.values}
    for c in publiees:
        for phase in c.phases or []:
            if phase in produits_phase:
                produits_phase[phase].update(p.pk for p in c.produits.all())
    par_phase: list[dict[str, Any]] = [
        {"phase": Phase(p).label, "produits": len(produits_phase[p])} for p in Phase.values
    ]

    premieres = sources.premieres_commandes(ids)
    delais = [
        (premieres[c.pk] - c.date_signature).days
        for c in publiees
        if c.pk in premieres and c.date_signature and premieres[c.pk] >= c.date_signature
    ]
    delai_median = statistics.median(delais) if delais else None

    a_temps, concernees = part_a_l_heure(publiees, aujourd_hui)
    part = round(100 * a_temps / concernees) if concernees else None

    libelles = [str(a) for a in annees]
    return {
        "aujourd_hui": aujourd_hui,
        "nombre_publiees": len(publiees),
        "nombre_en_vigueur": en_vigueur,
        "par_annee": par_annee,
        "execution_disponible": sources.execution_disponible(),
        "total_ae_delegue": sum((x["ae_delegue"] for x in par_annee), ZERO),
        "total_ae_engage": sum((x["ae_engage"] for x in par_annee), ZERO),
        "par_phase": par_phase,
        "delai_median": delai_median,
        "nombre_delais": len(delais),
        "part_rapports": part,
        "rapports_a_temps": a_temps,
        "rapports_concernees": concernees,
        "graphique_ae": graphiques.barres_groupees(
            libelles,
            [
                ("AE déléguées", [x["ae_delegue"] for x in par_annee]),
                ("AE engagées", [x["ae_engage"] for x in par_annee]),
            ],
            "Autorisations d'engagement par année",
            "AE déléguées et engagées, par année, en euros.",
        ),
        "graphique_cp": graphiques.barres_groupees(
            libelles,
            [
                ("CP délégués", [x["cp_delegue"] for x in par_annee]),
                ("CP payés", [x["cp_paye"] for x in par_annee]),
            ],
            "Crédits de paiement par année",
            "CP délégués et payés, par année, en euros.",
        ),
        "graphique_phases": graphiques.barres_groupees(
            [x["phase"] for x in par_phase],
            [("Produits financés", [x["produits"] for x in par_phase])],
            "Produits financés par phase",
            "Nombre de produits financés par phase.",
            unite="nombre",
        ),
    }
