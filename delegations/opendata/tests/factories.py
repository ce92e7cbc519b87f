"""Factories for open data tests: published, signed-only and draft conventions."""

from __future__ import annotations

import datetime as dt

import factory

from delegations.conventions.models import Statut
from delegations.core.models import Administration
from delegations.core.tests.factories import ConventionFactory


def dinum() -> Administration:
    return Administration.objects.get_or_create(nom="DINUM (test)", defaults={"sigle": "DINUM-T"})[
        0
    ]


class ConventionPublieeFactory(ConventionFactory):
    delegataire = factory.LazyFunction(dinum)
    statut = Statut.PUBLIEE
    date_publication = dt.date(2024, 2, 1)
    delegant_representant_nom = "Claire Exemple"
    delegant_representant_qualite = "directrice"


class ConventionSigneeFactory(ConventionFactory):
    delegataire = factory.LazyFunction(dinum)


class ConventionBrouillonFactory(ConventionFactory):
    delegataire = factory.LazyFunction(dinum)
    statut = Statut.BROUILLON
    reference = "BROUILLON-SECRET"
    objet = "Projet confidentiel en négociation."
