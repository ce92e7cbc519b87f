"""Filters of the public list, shared by the page and the public API (same parameters)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import F, Q
from drf_spectacular.utils import extend_schema_field

from delegations.conventions.models import Convention, ConventionQuerySet, Statut
from delegations.core.filtres import EntierFilter

from .models import ConventionPubliee

STATUTS_PUBLICS = [(v, label) for v, label in Statut.choices if v != Statut.BROUILLON]


def _exemple(filtre: Any, type_: str, exemple: object) -> Any:
    """The filter documented with an example (the public API's readers start from them)."""
    schema = {"type": type_, "description": filtre.extra["help_text"], "example": exemple}
    for borne, cle in (("minimum", "min_value"), ("maximum", "max_value")):
        if cle in filtre.extra:
            schema[borne] = filtre.extra[cle]
    return extend_schema_field(schema)(filtre)


class FiltresPubliques(django_filters.FilterSet):
    q = _exemple(
        django_filters.CharFilter(
            method="filtrer_recherche",
            help_text="Recherche libre : partie, produit, UO, objet, référence.",
        ),
        "string",
        "guichet",
    )
    annee = _exemple(
        EntierFilter(
            method="filtrer_annee",
            min_value=2000,
            max_value=2100,
            help_text="Conventions dont l'échéancier comporte cette année.",
        ),
        "integer",
        2025,
    )
    programme = _exemple(
        django_filters.CharFilter(help_text="Numéro de programme LOLF (ex. 129)."),
        "string",
        "129",
    )
    delegant = _exemple(
        django_filters.CharFilter(
            method="filtrer_delegant",
            help_text="Sigle de l'administration délégante (ex. DTF).",
        ),
        "string",
        "DTF",
    )
    statut = django_filters.ChoiceFilter(
        choices=STATUTS_PUBLICS, help_text="Statut de la convention."
    )

    class Meta:
        model = Convention
        fields = ["q", "annee", "programme", "delegant", "statut"]

    def filtrer_recherche(
        self, qs: ConventionQuerySet, name: str, value: str
    ) -> ConventionQuerySet:
        return qs.recherche(value[:200])

    def filtrer_annee(self, qs: ConventionQuerySet, name: str, value: int) -> ConventionQuerySet:
        return qs.de_l_annee(value)

    def filtrer_delegant(self, qs: ConventionQuerySet, name: str, value: str) -> ConventionQuerySet:
        return qs.filter(Q(delegant__sigle__iexact=value) | Q(delegant__nom__iexact=value))

    def filter_queryset(self, queryset: ConventionQuerySet) -> ConventionQuerySet:
        qs = super().filter_queryset(queryset)
        return qs.order_by(F("date_signature").desc(nulls_last=True), "-id")


class FiltresPubliquesServis(FiltresPubliques):
    """The same parameters on the rows of the last publication (``ConventionPubliee``): the
    public API filters the served rows, never the register."""

    class Meta:
        model = ConventionPubliee
        fields = ["q", "annee", "programme", "delegant", "statut"]

    def filtrer_recherche(self, qs: Any, name: str, value: str) -> Any:
        for mot in value[:200].split()[:8]:  # every word, as ``ConventionQuerySet.recherche``
            qs = qs.filter(Q(texte__icontains=mot) | Q(programme=mot))
        return qs

    def filtrer_annee(self, qs: Any, name: str, value: int) -> Any:
        return qs.filter(annees__contains=f",{value},")

    def filtrer_delegant(self, qs: Any, name: str, value: str) -> Any:
        return qs.filter(Q(delegant_sigle__iexact=value) | Q(delegant_nom__iexact=value))

    def filter_queryset(self, queryset: Any) -> Any:
        qs = django_filters.FilterSet.filter_queryset(self, queryset)
        return qs.order_by("rang")  # indexed with the publication
