"""Fictional committees, decision records, indicators and obligations for the demo (idempotent)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from delegations.conventions.models import Convention
from delegations.core.models import User
from delegations.produits.demo import charger_phases
from delegations.produits.models import Produit

from .ecriture import (
    DonneesIndicateur,
    creer_obligations_standard,
    enregistrer_comite,
    enregistrer_releve,
    enregistrer_resultats,
    finaliser,
)
from .models import Comite, Obligation, StatutObligation, TypeComite

D = Decimal
PARTICIPANTS = "Camille Martin (intrapreneuse)\nMartine Exemple (sponsor)\nPaul Modèle (DINUM)\nAlex Coach (coach beta.gouv.fr)"
# product slug, date, decision, amount, months, indicators (dimension, name, unit, target, due date)
COMITES: list[
    tuple[str, dt.date, str, Decimal, int, list[tuple[str, str, str, Decimal, dt.date]]]
] = [
    (
        "aidants-faciles",
        dt.date(2025, 3, 12),
        "poursuite",
        D("240000"),
        6,
        [
            (
                "utilisable",
                "Démarches réalisables de bout en bout",
                "démarches",
                D("3"),
                dt.date(2025, 9, 1),
            ),
            ("utilise", "Usagers actifs par mois", "usagers", D("800"), dt.date(2025, 9, 1)),
            ("efficient", "Coût par dossier traité", "€", D("45"), dt.date(2025, 9, 1)),
        ],
    ),
    (
        "aidants-faciles",
        dt.date(2025, 9, 18),
        "poursuite",
        D("260000"),
        6,
        [
            ("utilise", "Usagers actifs par mois", "usagers", D("2000"), dt.date(2026, 3, 1)),
            ("utile", "Dossiers complets du premier coup", "%", D("70"), dt.date(2026, 3, 1)),
            ("efficient", "Coût par dossier traité", "€", D("30"), dt.date(2026, 3, 1)),
        ],
    ),
    (
        "aidants-faciles",
        dt.date(2026, 3, 5),
        "changement_phase",
        D("450000"),
        6,
        [
            ("utilise", "Usagers actifs par mois", "usagers", D("5000"), dt.date(2026, 9, 1)),
            ("impact", "Délai moyen d'instruction", "jours", D("15"), dt.date(2026, 9, 1)),
        ],
    ),
    (
        "formulaire-facile",
        dt.date(2025, 7, 8),
        "provisoire",
        D("80000"),
        2,
        [
            ("utilisable", "Taux de disponibilité du service", "%", D("99"), dt.date(2025, 9, 8)),
        ],
    ),
]
RESULTATS = {  # committee date → value reached for each indicator of the previous committee (by name)
    dt.date(2025, 9, 18): {
        "Démarches réalisables de bout en bout": D("3"),
        "Usagers actifs par mois": D("650"),
        "Coût par dossier traité": D("52"),
    },
    dt.date(2026, 3, 5): {
        "Usagers actifs par mois": D("2300"),
        "Dossiers complets du premier coup": D("64"),
        "Coût par dossier traité": D("31"),
    },
}


def charger(stdout: Any) -> None:
    charger_phases(stdout)
    auteur = User.objects.filter(username="finance").first()
    obligations = sum(
        creer_obligations_standard(c) for c in Convention.objects.prefetch_related("avenants")
    )
    faites = (
        Obligation.objects.filter(convention__reference__in=["DEMO-2020-01", "DEMO-2021-02"])
        .exclude(statut=StatutObligation.FAITE)
        .update(statut=StatutObligation.FAITE)
    )
    Obligation.objects.filter(
        convention__reference="DEMO-2024-05",
        code__in=["manifeste", "intrapreneur", "sponsor"],
        statut=StatutObligation.A_FAIRE,
    ).update(statut=StatutObligation.FAITE, preuve_url="https://beta.gouv.fr/startups/eco-guichet")
    crees = 0
    for slug, date, decision, montant, mois, indicateurs in COMITES:
        produit = Produit.objects.filter(slug=slug).first()
        if produit is None or Comite.objects.filter(produit=produit, date=date).exists():
            continue
        crees += 1
        comite = enregistrer_comite(
            Comite(
                type=TypeComite.PRODUIT,
                produit=produit,
                date=date,
                lieu="DINUM, 20 avenue de Ségur, Paris",
                participants=PARTICIPANTS,
                support_url=f"https://beta.gouv.fr/startups/{slug}",
            ),
            auteur,
        )
        valeurs = RESULTATS.get(date)
        if valeurs:
            objectifs = {i.nom: i.pk for i in comite.objectifs_precedents()}
            enregistrer_resultats(
                comite, auteur, {objectifs[n]: v for n, v in valeurs.items() if n in objectifs}
            )
        enregistrer_releve(
            comite,
            auteur,
            {
                "decision": decision,
                "montant_accorde": montant,
                "periode_mois": mois,
                "phase_decidee": "acceleration" if decision == "changement_phase" else "",
                "commentaire": "Décision fictive de démonstration.",
            },
            [
                DonneesIndicateur(nom=n, unite=u, cible=c, echeance=e, dimension=d)
                for d, n, u, c, e in indicateurs
            ],
        )
        finaliser(comite, auteur)
    mission = Convention.objects.filter(reference="DEMO-2023-04").first()
    if (
        mission
        and not Comite.objects.filter(convention=mission, type=TypeComite.INTERMINISTERIEL).exists()
    ):
        crees += 1
        comite = enregistrer_comite(
            Comite(
                type=TypeComite.INTERMINISTERIEL,
                convention=mission,
                produit=mission.produits.first(),
                date=dt.date(2024, 2, 20),
                lieu="Visioconférence",
                participants=PARTICIPANTS,
            ),
            auteur,
        )
        enregistrer_releve(
            comite,
            auteur,
            {"decision": "poursuite", "montant_accorde": D("1100000"), "periode_mois": 12},
            [
                DonneesIndicateur(
                    nom="Dossiers déposés en ligne",
                    unite="dossiers",
                    cible=D("20000"),
                    echeance=dt.date(2024, 12, 31),
                    dimension="utilise",
                )
            ],
        )
    stdout.write(
        f"Comités : {crees} comité(s), {obligations} obligation(s) créés ; {faites} obligation(s) soldée(s)."
    )
