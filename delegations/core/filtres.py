"""List filters (django-filter) shared by pages and API: one FilterSet per list, read by both.

On the pages, a value that does not parse (``annee=abc``, an unknown status) is ignored, as they
have always done: the list is shown unfiltered on that criterion rather than refused. The API
refuses it (400), as its schema declares every type, bound and choice.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django_filters import NumberFilter
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field

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


class FiltresDeListe(DjangoFilterBackend):
    """The FilterSet of the view filters its list, documented in the schema. Unlike the pages, the
    API refuses a value that does not parse or falls outside its bounds or choices (400, one French
    message per parameter). A detail URL is never narrowed by the list's query string."""

    raise_exception = True

    def filter_queryset(self, request: Any, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        if getattr(view, "action", "list") != "list":
            return queryset
        return super().filter_queryset(request, queryset, view)
