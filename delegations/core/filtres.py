"""List filters (django-filter) shared by pages and API: one FilterSet per list, read by both.

A value that does not parse (``annee=abc``, an unknown status) is ignored, as the pages have
always done: the list is shown unfiltered on that criterion rather than refused.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django_filters import NumberFilter
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field


class EntierFilter(NumberFilter):
    """An integer (an identifier, a year): documented as ``integer`` in the OpenAPI schema."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        schema: dict[str, Any] = {"type": "integer"}
        if self.extra.get("help_text"):
            schema["description"] = self.extra["help_text"]
        extend_schema_field(schema)(self)


class FiltresDeListe(DjangoFilterBackend):
    """The FilterSet of the view filters its list, documented in the schema; invalid values are
    ignored (see above). A detail URL is never narrowed by the list's query string."""

    raise_exception = False

    def filter_queryset(self, request: Any, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        if getattr(view, "action", "list") != "list":
            return queryset
        return super().filter_queryset(request, queryset, view)
