"""Public API: the published conventions, without authentication, with the open-data fields."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.http import http_date
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from delegations.conventions.models import Convention
from delegations.core.filtres import FiltresDeListe
from delegations.core.limites import LimitePublique

from . import publication
from .donnees import (
    CHAMPS_CONVENTIONS,
    CHAMPS_ECHEANCIER,
    Champ,
    conventions_publiees,
    ligne_convention,
    lignes_avenants,
    lignes_echeancier,
    pour_publication,
)
from .filtres import FiltresPubliquesServis
from .models import ConventionPubliee


def _champ_drf(champ: Champ) -> serializers.Field:
    options: dict[str, Any] = {
        "help_text": champ.description,
        "label": champ.titre,
        "read_only": True,
    }
    if champ.type == "date":
        return serializers.DateField(allow_null=True, **options)
    if champ.type == "number":
        return serializers.DecimalField(max_digits=17, decimal_places=2, **options)
    if champ.type == "integer":
        return serializers.IntegerField(**options)
    if champ.enum:
        # Inline enum (no shared component: avoids name clashes with the register's enums).
        classe = extend_schema_field({"type": "string", "enum": list(champ.enum)})(
            type(f"Choix{champ.nom.title()}", (serializers.CharField,), {})
        )
        return classe(**options)
    return serializers.CharField(allow_blank=True, **options)


def _serializer(
    nom: str, champs: list[Champ], extra: dict[str, Any] | None = None
) -> type[serializers.Serializer]:
    attributs: dict[str, Any] = {c.nom: _champ_drf(c) for c in champs}
    attributs.update(extra or {})
    return type(nom, (serializers.Serializer,), attributs)


LignePubliqueSerializer = _serializer("EcheancierPublicSerializer", CHAMPS_ECHEANCIER)
AvenantPublicSerializer = _serializer("AvenantPublicSerializer", CHAMPS_CONVENTIONS)
ConventionPubliqueSerializer = _serializer(
    "ConventionPubliqueSerializer",
    CHAMPS_CONVENTIONS,
    {
        "avenants": AvenantPublicSerializer(
            many=True, read_only=True, help_text="Avenants de la convention, avec les mêmes champs."
        ),
        "echeancier": LignePubliqueSerializer(
            many=True,
            read_only=True,
            help_text="Échéancier consolidé (avenants appliqués), une ligne par année.",
        ),
    },
)


def representation(convention: Convention) -> dict[str, Any]:
    ligne = ligne_convention(convention)
    return {
        **ligne,
        "avenants": lignes_avenants(convention, ligne),
        "echeancier": lignes_echeancier(convention),
    }


EXEMPLE = OpenApiExample(
    "Convention publiée",
    response_only=True,
    value={
        **{c.nom: c.exemple for c in CHAMPS_CONVENTIONS},
        "avenants": [],
        "echeancier": [{c.nom: c.exemple for c in CHAMPS_ECHEANCIER}],
    },
)


class DonneesEnPreparationSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class ConventionsPubliquesView(generics.ListAPIView):
    """Conventions publiées : accès libre, sans authentification, mêmes champs que le jeu de données ouvert.

    Servies depuis la dernière publication des données ouvertes (produite à chaque changement du
    registre, comme /stats/ et le jeu de données) : en-têtes `ETag` et `Last-Modified`, réponse
    304 quand rien n'a changé."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_classes = [LimitePublique]
    serializer_class = ConventionPubliqueSerializer
    filter_backends = [FiltresDeListe]
    filterset_class = FiltresPubliquesServis

    def get_queryset(self) -> QuerySet[ConventionPubliee]:
        servie = getattr(self, "_servie", None)
        if servie is None:
            return ConventionPubliee.objects.none()
        return ConventionPubliee.objects.filter(publication=servie).only("donnees")

    @extend_schema(
        summary="Lister les conventions publiées (accès libre)",
        examples=[EXEMPLE],
        tags=["Données publiques"],
        auth=[],
        responses={
            200: ConventionPubliqueSerializer(many=True),
            304: OpenApiResponse(description="Inchangé depuis la version indiquée (ETag)."),
            503: OpenApiResponse(
                DonneesEnPreparationSerializer,
                description="Données en cours de préparation (Retry-After).",
            ),
        },
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self._servie = publication.derniere()
        if self._servie is None:
            publication.demander()
            return Response(
                {
                    "code": "donnees_en_preparation",
                    "message": "Les données ouvertes sont en cours de préparation : "
                    "revenez dans quelques minutes.",
                },
                status=503,
                headers={"Retry-After": "120"},
            )
        etag = f'"{self._servie.version}"'
        entetes = {
            "ETag": etag,
            "Last-Modified": http_date(self._servie.publiee_le.timestamp()),
            "Cache-Control": "public, max-age=300",
        }
        if etag in request.headers.get("If-None-Match", ""):
            return Response(status=304, headers=entetes)
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        reponse = self.get_paginated_response([ligne.donnees for ligne in page or []])
        for nom, valeur in entetes.items():
            reponse[nom] = valeur
        return reponse


class ConventionPubliqueView(generics.RetrieveAPIView):
    """Une convention publiée : accès libre, sans authentification."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_classes = [LimitePublique]
    serializer_class = ConventionPubliqueSerializer

    @extend_schema(
        summary="Lire une convention publiée (accès libre)",
        examples=[EXEMPLE],
        tags=["Données publiques"],
        auth=[],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        convention = get_object_or_404(pour_publication(conventions_publiees()), pk=kwargs["pk"])
        return Response(ConventionPubliqueSerializer(representation(convention)).data)
