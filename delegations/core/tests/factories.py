"""Factories for every app's tests (the register's core objects)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory

from delegations.conventions.ecriture import ecriture_echeancier
from delegations.conventions.models import Convention, LigneEcheancier, Statut
from delegations.core.models import Administration, User
from delegations.produits.models import Produit


class AdministrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Administration

    nom = factory.Sequence(lambda n: f"Direction fictive n° {n}")
    sigle = factory.Sequence(lambda n: f"DF{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"agent{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@exemple.gouv.fr")
    role = "delegant"
    password = factory.PostGenerationMethodCall("set_password", "motdepasse-test")

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805
        if create:
            obj.save()


class ProduitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Produit

    nom = factory.Sequence(lambda n: f"Produit {n}")
    slug = factory.Sequence(lambda n: f"produit-{n}")


class ConventionFactory(factory.django.DjangoModelFactory):
    """A signed convention in force from 2024-01-15 to 2026-12-31, with a 3-year schedule."""

    class Meta:
        model = Convention
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"TEST-{n:04d}")
    delegant = factory.SubFactory(AdministrationFactory)
    delegataire = factory.SubFactory(AdministrationFactory, nom="DINUM (test)", sigle="DINUM-T")
    objet = "Construction d'un service numérique fictif."
    unite_operationnelle = "0103-TEST-C001"
    centre_financier = "0103-TEST-C001"
    date_signature = dt.date(2024, 1, 15)
    date_fin = dt.date(2026, 12, 31)
    statut = Statut.SIGNEE

    @factory.post_generation
    def echeancier(obj: Convention, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805
        if not create:
            return
        lignes = (
            extracted
            if extracted is not None
            else [
                (2024, Decimal("100000.00"), Decimal("80000.00")),
                (2025, Decimal("200000.00"), Decimal("150000.00")),
                (2026, Decimal("100000.00"), Decimal("170000.00")),
            ]
        )
        # A test writes the schedule of a convention created signed, as the import does.
        with ecriture_echeancier():
            LigneEcheancier.objects.bulk_create(
                [LigneEcheancier(convention=obj, annee=a, ae=ae, cp=cp) for a, ae, cp in lignes]
            )

    @factory.post_generation
    def produits(obj: Convention, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805
        if create and extracted:
            obj.produits.set(extracted)
