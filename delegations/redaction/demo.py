"""Fictional contacts of the demo administrations (example addresses, never real ones)."""

from __future__ import annotations

from typing import Any

from delegations.core.models import Administration

from .models import Contact, RoleContact

CONTACTS = [
    ("DTF", "Bureau du budget de la DTF", "budget@dtf.example.gouv.fr", RoleContact.GESTIONNAIRE),
    ("DTF", "CBCM des territoires fictifs", "cbcm@dtf.example.gouv.fr", RoleContact.CBCM),
    (
        "DGASI",
        "Mission budget de la DGASI",
        "budget@dgasi.example.gouv.fr",
        RoleContact.GESTIONNAIRE,
    ),
    ("DGASI", "CBCM de l'action sociale", "cbcm@dgasi.example.gouv.fr", RoleContact.CBCM),
    ("SNCF2", "Responsable du BOP culture", "bop@culture.example.gouv.fr", RoleContact.RESPONSABLE),
    (
        "DECF",
        "Gestion budgétaire de la DECF",
        "budget@decf.example.gouv.fr",
        RoleContact.GESTIONNAIRE,
    ),
    ("DECF", "CBCM de l'emploi", "cbcm@decf.example.gouv.fr", RoleContact.CBCM),
]


def charger(stdout: Any) -> None:
    crees = 0
    for sigle, nom, email, role in CONTACTS:
        administration = Administration.objects.filter(sigle=sigle).first()
        if administration is None:
            continue
        _, cree = Contact.objects.get_or_create(
            administration=administration, email=email, role=role, defaults={"nom": nom}
        )
        crees += cree
    stdout.write(f"Rédaction : {crees} contact(s) de démonstration créé(s).")
