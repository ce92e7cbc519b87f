"""The filters of the product list, shared by the page and the API."""

from __future__ import annotations

import django_filters

from .models import PhaseProduit, Produit, ProduitQuerySet


class FiltresProduits(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filtrer_recherche", help_text="Recherche dans le nom et l'identifiant"
    )
    phase = django_filters.ChoiceFilter(
        choices=PhaseProduit.choices, method="filtrer_phase", help_text="Phase actuelle"
    )

    class Meta:
        model = Produit
        fields = ["q", "phase"]

    def filtrer_recherche(self, qs: ProduitQuerySet, name: str, value: str) -> ProduitQuerySet:
        return qs.recherche(value)

    def filtrer_phase(self, qs: ProduitQuerySet, name: str, value: str) -> ProduitQuerySet:
        return qs.en_phase(value)
