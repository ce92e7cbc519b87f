"""Products API: /api/v1/produits, phases as a nested list, perimeter-scoped."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from delegations.core.api import EcritureFinance
from delegations.core.models import journaliser

from .models import Produit, ajouter_phase
from .serializers import PhaseSerializer, ProduitSerializer


def produits_visibles(user: Any) -> QuerySet[Produit]:
    convention_model = apps.get_model("conventions", "Convention")
    conventions = convention_model.objects.visibles_par(user).only("id", "reference", "statut")
    return Produit.objects.visibles_par(user).prefetch_related(
        "phases", Prefetch("conventions", queryset=conventions, to_attr="conventions_visibles")
    )


@extend_schema_view(
    list=extend_schema(
        summary="Lister les produits du périmètre",
        parameters=[
            OpenApiParameter(
                "q", OpenApiTypes.STR, description="Recherche dans le nom et l'identifiant"
            ),
            OpenApiParameter("phase", OpenApiTypes.STR, description="Phase actuelle"),
        ],
    ),
    retrieve=extend_schema(summary="Lire un produit"),
    create=extend_schema(summary="Créer un produit (agents finance)"),
    update=extend_schema(summary="Modifier un produit"),
    partial_update=extend_schema(summary="Modifier une partie d'un produit"),
)
class ProduitViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Produits (Startups d'État), avec l'historique de leurs phases."""

    serializer_class = ProduitSerializer
    permission_classes = [EcritureFinance]
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Produit]:
        qs = produits_visibles(self.request.user)
        if q := self.request.query_params.get("q"):
            qs = qs.recherche(q)  # type: ignore[attr-defined]
        return qs

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        phase = request.query_params.get("phase")
        if not phase:
            return super().list(request, *args, **kwargs)
        # The current phase is derived from the history: filter after loading.
        produits = [
            p for p in self.get_queryset() if p.phase_actuelle and p.phase_actuelle.phase == phase
        ]
        page = self.paginate_queryset(produits)  # type: ignore[arg-type]
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def perform_create(self, serializer: Any) -> None:
        produit = serializer.save()
        journaliser(produit, self.request.user, "creation", f"Création du produit {produit.nom}")

    def perform_update(self, serializer: Any) -> None:
        produit = serializer.save()
        journaliser(
            produit,
            self.request.user,
            "modification",
            f"Modification du produit {produit.nom}",
            {k: str(v) for k, v in serializer.validated_data.items()},
        )

    @extend_schema(
        summary="Phases d'un produit (ajouter une phase : agents finance)",
        request=PhaseSerializer,
        responses={200: PhaseSerializer(many=True), 201: PhaseSerializer},
    )
    @action(detail=True, methods=["get", "post"], url_path="phases")
    def phases(self, request: Request, pk: str | None = None) -> Response:
        produit = get_object_or_404(self.get_queryset(), pk=pk)
        if request.method == "POST":
            serializer = PhaseSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            phase = ajouter_phase(produit, request.user, **serializer.validated_data)
            return Response(PhaseSerializer(phase).data, status=status.HTTP_201_CREATED)
        return Response(PhaseSerializer(produit.phases_ordonnees(), many=True).data)
