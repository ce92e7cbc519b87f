"""The filters of the committee and obligation lists, shared by the pages and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django_filters.widgets import BooleanWidget

from delegations.core.filtres import EntierFilter

from .models import (
    Comite,
    ComiteQuerySet,
    Obligation,
    ObligationQuerySet,
    StatutObligation,
    TypeComite,
)


class FiltresComites(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filtrer_recherche", help_text="Produit, convention ou lieu"
    )
    type = django_filters.ChoiceFilter(choices=TypeComite.choices, help_text="Type de comité")
    produit = EntierFilter(field_name="produit_id", help_text="Identifiant du produit")
    convention = EntierFilter(
        field_name="convention_id", help_text="Identifiant de la convention (mission)"
    )

    class Meta:
        model = Comite
        fields = ["q", "type", "produit", "convention"]

    def filtrer_recherche(self, qs: ComiteQuerySet, name: str, value: str) -> ComiteQuerySet:
        return qs.recherche(value)


class OuiNonWidget(BooleanWidget):
    """``1``, ``true`` and ``oui`` mean yes (the page's checkbox sends ``1``)."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        valeur = data.get(name)
        if isinstance(valeur, str) and valeur.lower() == "oui":
            return True
        return super().value_from_datadict(data, files, name)


class FiltresObligations(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filtrer_recherche", help_text="Obligation ou référence de convention"
    )
    statut = django_filters.ChoiceFilter(choices=StatutObligation.choices, help_text="Statut")
    en_retard = django_filters.BooleanFilter(
        method="filtrer_en_retard",
        widget=OuiNonWidget,
        help_text="Seulement les obligations en retard",
    )
    convention = EntierFilter(field_name="convention_id", help_text="Identifiant de la convention")

    class Meta:
        model = Obligation
        fields = ["q", "statut", "en_retard", "convention"]

    def filtrer_recherche(
        self, qs: ObligationQuerySet, name: str, value: str
    ) -> ObligationQuerySet:
        return qs.recherche(value)

    def filtrer_en_retard(
        self, qs: ObligationQuerySet, name: str, value: bool
    ) -> ObligationQuerySet:
        return qs.en_retard() if value else qs
