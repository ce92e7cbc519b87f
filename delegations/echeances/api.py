"""GET /api/v1/echeances (JSON, paginated) and GET /api/v1/echeances.ics (iCalendar, token auth)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.mixins import ListModelMixin
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from delegations.conventions.models import Convention

from .calcul import Gravite, TypeEcheance
from .filtres import FiltresEcheances
from .ical import calendrier, pour_le_flux
from .stockage import lister


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


class DocumenteParFiltres(GenericAPIView):
    """The deadlines' query string, read by ``FiltresEcheances`` (see there) and documented in
    the schema through django-filter's backend; ``stockage.lister`` applies it, not the backend."""

    filter_backends = [DjangoFilterBackend]
    filterset_class = FiltresEcheances
    queryset = Convention.objects.none()  # the model the schema generator asks for

    def filter_queryset(self, echeances: Any) -> Any:
        return echeances


class EcheancesView(ListModelMixin, DocumenteParFiltres):
    """Échéances calculées du périmètre de l'utilisateur, triées par date."""

    serializer_class = EcheanceSerializer

    def get_queryset(self) -> Any:
        # The stored deadlines (``stockage``), in date order: overdue first however old.
        filtres = FiltresEcheances(self.request.query_params).parametres(api=True)
        return lister(self.request.user, **filtres)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "aujourd_hui": self._aujourd_hui}

    @extend_schema(summary="Lister les échéances du périmètre")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self._aujourd_hui = timezone.localdate()
        return self.list(request, *args, **kwargs)


class ICalRenderer(BaseRenderer):
    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> Any:
        return data


class EcheancesIcalView(DocumenteParFiltres):
    """Les mêmes échéances au format iCalendar (authentification par jeton d'API)."""

    # JSON first so that errors (bad filters, no token) are JSON; success is built as text/calendar.
    renderer_classes = [JSONRenderer, ICalRenderer]
    pagination_class = None

    def handle_exception(self, exc: Exception) -> Response:
        # An error is JSON, as documented, even when ``?format=ics`` chose the calendar renderer.
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)

    @extend_schema(
        summary="Échéances au format iCalendar",
        filters=True,
        responses={(200, "text/calendar"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request: Request) -> HttpResponse:
        filtres = FiltresEcheances(request.query_params).parametres(api=True)
        echeances = pour_le_flux(lister(request.user, **filtres), filtres)
        reponse = HttpResponse(calendrier(echeances), content_type="text/calendar; charset=utf-8")
        reponse["Content-Disposition"] = 'inline; filename="echeances.ics"'
        return reponse
