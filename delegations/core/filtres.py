"""List filters (django-filter) shared by pages and API: one FilterSet per list, read by both.

On the pages, a value that does not parse (``annee=abc``, an unknown status) is ignored, as they
have always done: the list is shown unfiltered on that criterion rather than refused. The API
refuses it (400), as its schema declares every type, bound and choice.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django_filters import BaseCSVFilter, BooleanFilter, CharFilter, FilterSet, NumberFilter, utils
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions

from .api import ENTIER_MAX


class EntierFilter(NumberFilter):
    """An integer (an identifier, a year), bounded (``min_value``, ``max_value``; by default 0 to
    the largest bigint): documented as a bounded ``integer`` in the OpenAPI schema."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", ENTIER_MAX)
        super().__init__(*args, **kwargs)
        schema: dict[str, Any] = {
            "type": "integer",
            "minimum": self.extra["min_value"],
            "maximum": self.extra["max_value"],
        }
        if self.extra.get("help_text"):
            schema["description"] = self.extra["help_text"]
        extend_schema_field(schema)(self)


# What a boolean parameter may say (django-filter's BooleanWidget, and « oui » from the pages).
BOOLEENS = {"true", "false", "1", "0", "oui", "non"}


def valeurs_refusees(filtres: FilterSet) -> dict[str, list[str]]:
    """The API's stricter reading of a query string, before django-filter's: a typed parameter
    (integer, date, choice, boolean) given empty, and a boolean that is not one, are refused
    (django-filter would silently ignore both). A free-text parameter may be empty, and so may
    a list (``type=``: the empty list)."""
    erreurs: dict[str, list[str]] = {}
    donnees = filtres.data
    for nom, filtre in filtres.filters.items():
        if nom not in donnees:
            continue
        valeurs = donnees.getlist(nom) if hasattr(donnees, "getlist") else [donnees[nom]]
        peut_etre_vide = isinstance(filtre, CharFilter | BaseCSVFilter)
        if not peut_etre_vide and any(not str(v).strip() for v in valeurs):
            erreurs[nom] = ["Valeur vide : omettez le paramètre ou donnez-lui une valeur."]
        elif isinstance(filtre, BooleanFilter) and any(
            str(v).strip().lower() not in BOOLEENS for v in valeurs
        ):
            erreurs[nom] = ["Booléen attendu : true ou false."]
    return erreurs


class FiltresDeListe(DjangoFilterBackend):
    """The FilterSet of the view filters its list, documented in the schema. Unlike the pages, the
    API refuses a value that does not parse or falls outside its bounds or choices (400, one French
    message per parameter). A detail URL is never narrowed by the list's query string."""

    raise_exception = True

    def filter_queryset(self, request: Any, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        if getattr(view, "action", "list") != "list":
            return queryset
        filtres = self.get_filterset(request, queryset, view)
        if filtres is None:
            return queryset
        if erreurs := valeurs_refusees(filtres):
            raise exceptions.ValidationError(erreurs)
        if not filtres.is_valid():
            raise utils.translate_validation(filtres.errors)
        return filtres.qs
