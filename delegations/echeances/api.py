"""GET /api/v1/echeances (JSON, paginated) and GET /api/v1/echeances.ics (iCalendar, token auth)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from .calcul import Gravite, TypeEcheance, calculer
from .filtres import lire_filtres
from .ical import calendrier

FILTRES = [
    OpenApiParameter("convention", OpenApiTypes.INT, description="Identifiant de la convention"),
    OpenApiParameter(
        "produit",
        OpenApiTypes.INT,
        description="Identifiant du produit (et des conventions qui le financent)",
    ),
    OpenApiParameter(
        "type",
        OpenApiTypes.STR,
        description="Un ou plusieurs types séparés par des virgules : "
        + ", ".join(TypeEcheance.values),
    ),
    OpenApiParameter("du", OpenApiTypes.DATE, description="Échéances à partir de cette date"),
    OpenApiParameter("au", OpenApiTypes.DATE, description="Échéances jusqu'à cette date"),
]


class EcheanceSerializer(serializers.Serializer):
    date = serializers.DateField()
    debut = serializers.DateField(
        allow_null=True, help_text="Début de la fenêtre (comité de mission)"
    )
    type = serializers.ChoiceField(choices=TypeEcheance.choices)
    libelle = serializers.CharField()
    gravite = serializers.SerializerMethodField()
    convention = serializers.IntegerField(source="convention_id", allow_null=True)
    convention_reference = serializers.CharField()
    produit = serializers.IntegerField(source="produit_id", allow_null=True)
    produit_nom = serializers.CharField()
    lien = serializers.CharField(source="url")
    cle = serializers.CharField()

    @extend_schema_field(serializers.ChoiceField(choices=Gravite.choices))
    def get_gravite(self, obj: Any) -> str:
        return str(obj.gravite(self.context["aujourd_hui"]))


class EcheancesView(ListAPIView):
    """Échéances calculées du périmètre de l'utilisateur, triées par date."""

    serializer_class = EcheanceSerializer

    def get_queryset(self) -> Any:
        # Deadlines are computed, not stored: a sorted list stands for the queryset.
        return calculer(
            self.request.user, self._aujourd_hui, **lire_filtres(self.request.query_params)
        )

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "aujourd_hui": self._aujourd_hui}

    @extend_schema(summary="Lister les échéances du périmètre", parameters=FILTRES)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self._aujourd_hui = dt.date.today()
        return self.list(request, *args, **kwargs)


class ICalRenderer(BaseRenderer):
    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> Any:
        return data


class EcheancesIcalView(GenericAPIView):
    """Les mêmes échéances au format iCalendar (authentification par jeton d'API)."""

    # JSON first so that errors (bad filters, no token) are JSON; success is built as text/calendar.
    renderer_classes = [JSONRenderer, ICalRenderer]
    pagination_class = None

    @extend_schema(
        summary="Échéances au format iCalendar",
        parameters=FILTRES,
        responses={(200, "text/calendar"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request: Request) -> HttpResponse:
        echeances = calculer(request.user, **lire_filtres(request.query_params))
        reponse = HttpResponse(calendrier(echeances), content_type="text/calendar; charset=utf-8")
        reponse["Content-Disposition"] = 'inline; filename="echeances.ics"'
        return reponse
