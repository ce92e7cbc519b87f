"""The filters of the convention list, shared by the page and the API (same parameters, same meaning)."""

from __future__ import annotations

import django_filters
from django.db.models import F, Q, QuerySet

from delegations.core.filtres import EntierFilter
from delegations.core.models import Administration

from .models import Convention, ConventionQuerySet, Statut

TRIS = {
    "signature": F("date_signature").asc(nulls_last=True),
    "-signature": F("date_signature").desc(nulls_last=True),
    "fin": F("date_fin").asc(nulls_last=True),
    "-fin": F("date_fin").desc(nulls_last=True),
    "delegant": F("delegant__nom").asc(),
    "-delegant": F("delegant__nom").desc(),
    "reference": F("reference").asc(),
    "-reference": F("reference").desc(),
    "montant": F("total_ae").asc(nulls_first=True),
    "-montant": F("total_ae").desc(nulls_last=True),
    "statut": F("statut").asc(),
    "-statut": F("statut").desc(),
}
TRI_PAR_DEFAUT = "-signature"
LIBELLES_TRIS = {
    "-signature": "Signature (récentes d'abord)",
    "signature": "Signature (anciennes d'abord)",
    "-fin": "Fin (lointaines d'abord)",
    "fin": "Fin (proches d'abord)",
    "delegant": "Délégant (A → Z)",
    "-montant": "Montant AE (décroissant)",
    "montant": "Montant AE (croissant)",
    "reference": "Référence",
    "statut": "Statut",
}


class FiltresConventions(django_filters.FilterSet):
    """The queryset must carry ``avec_totaux()`` (sorting by amount)."""

    q = django_filters.CharFilter(
        method="filtrer_recherche",
        help_text="Recherche : partie, produit, UO, code CHORUS, objet",
    )
    delegant = EntierFilter(
        field_name="delegant_id", help_text="Identifiant de l'administration délégante"
    )
    statut = django_filters.ChoiceFilter(choices=Statut.choices, help_text="Statut")
    annee = EntierFilter(method="filtrer_annee", help_text="Année de l'échéancier (consolidé)")
    produit = EntierFilter(method="filtrer_produit", help_text="Identifiant du produit financé")
    tri = django_filters.ChoiceFilter(
        choices=[(cle, LIBELLES_TRIS.get(cle, cle)) for cle in TRIS],
        method="trier",
        help_text="Ordre de la liste (défaut : -signature, les plus récentes d'abord)",
    )

    class Meta:
        model = Convention
        fields = ["q", "delegant", "statut", "annee", "produit", "tri"]

    def filtrer_recherche(
        self, qs: ConventionQuerySet, name: str, value: str
    ) -> ConventionQuerySet:
        return qs.recherche(value)

    def filtrer_annee(self, qs: ConventionQuerySet, name: str, value: int) -> ConventionQuerySet:
        return qs.de_l_annee(value)

    def filtrer_produit(self, qs: ConventionQuerySet, name: str, value: int) -> ConventionQuerySet:
        return qs.du_produit(value)

    def trier(self, qs: ConventionQuerySet, name: str, value: str) -> ConventionQuerySet:
        return qs.order_by(TRIS[value], "-id")

    def filter_queryset(self, queryset: ConventionQuerySet) -> ConventionQuerySet:
        # The default order first: ``tri``, when given and valid, replaces it.
        return super().filter_queryset(queryset.order_by(TRIS[TRI_PAR_DEFAUT], "-id"))


class FiltresAdministrations(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filtrer_recherche", help_text="Nom ou sigle")

    class Meta:
        model = Administration
        fields = ["q"]

    def filtrer_recherche(
        self, qs: QuerySet[Administration], name: str, value: str
    ) -> QuerySet[Administration]:
        return qs.filter(Q(nom__icontains=value) | Q(sigle__icontains=value))
