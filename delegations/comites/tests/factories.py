from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from delegations.comites.models import Comite, Indicateur, Releve, TypeComite
from delegations.core.tests.factories import ProduitFactory


class ComiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comite

    type = TypeComite.PRODUIT
    produit = factory.SubFactory(ProduitFactory)
    date = dt.date(2025, 3, 10)
    lieu = "DINUM, Paris"
    participants = "Camille Exemple\nPaul Modèle"


class ReleveFactory(factory.django.DjangoModelFactory):
    """A complete draft record (finalisable)."""

    class Meta:
        model = Releve

    comite = factory.SubFactory(ComiteFactory)
    date = factory.LazyAttribute(lambda r: r.comite.date)
    lieu = "DINUM, Paris"
    participants = "Camille Exemple\nPaul Modèle"
    decision = "poursuite"
    montant_accorde = Decimal("240000.00")
    periode_mois = 6


class IndicateurFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicateur

    releve = factory.SubFactory(ReleveFactory)
    dimension = "utilise"
    nom = "Usagers actifs par mois"
    unite = "usagers"
    cible = Decimal("1000")
    echeance = dt.date(2025, 9, 1)
