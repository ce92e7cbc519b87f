"""Factories and helpers for the execution tests (movements go through the write path)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory

from delegations.execution import mouvements
from delegations.execution.models import Marche, Titulaire

D = Decimal


class TitulaireFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Titulaire

    nom = factory.Sequence(lambda n: f"Titulaire fictif {n}")


class MarcheFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Marche

    numero = factory.Sequence(lambda n: f"MARCHE-{n:03d}")
    intitule = "Marché fictif de réalisation de services numériques"


_compteur = {"n": 0}


def ref(prefixe: str = "EJ") -> str:
    _compteur["n"] += 1
    return f"{prefixe}-{_compteur['n']:06d}"


def mad(
    convention: Any, annee: int = 2024, ae: str = "100000", cp: str = "80000", **kw: Any
) -> Any:
    return mouvements.mettre_a_disposition(
        convention,
        annee=annee,
        ae=D(ae),
        cp=D(cp),
        date=kw.pop("date", dt.date(annee, 2, 1)),
        reference=kw.pop("reference", ref("MAD")),
        **kw,
    )


def commande(
    convention: Any, montant: str = "10000", date: dt.date = dt.date(2024, 3, 1), **kw: Any
) -> Any:
    return mouvements.engager(
        convention,
        montant=D(montant),
        date=date,
        reference=kw.pop("reference", ref()),
        objet=kw.pop("objet", "Développement"),
        **kw,
    )


def service_fait(
    engagement: Any, montant: str = "5000", date: dt.date | None = None, **kw: Any
) -> Any:
    return mouvements.certifier_service_fait(
        engagement, montant=D(montant), date=date or engagement.date, **kw
    )


def paiement(sf: Any, montant: str = "5000", date: dt.date | None = None, **kw: Any) -> Any:
    return mouvements.payer(
        sf,
        montant=D(montant),
        date=date or sf.date,
        reference=kw.pop("reference", ref("FAC")),
        **kw,
    )
