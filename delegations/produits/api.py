"""Products API: /api/v1/produits, phases as a nested list, perimeter-scoped."""

from __future__ import annotations

from django.apps import apps
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from delegations.core.acces import Utilisateur, utilisateur
from delegations.core.api import EcritureFinance
from delegations.core.filtres import FiltresDeListe

from .ecriture import ajouter_phase
from .filtres import FiltresProduits
from .models import Produit
from .serializers import PhaseSerializer, ProduitSerializer


def produits_visibles(user: Utilisateur) -> QuerySet[Produit]:
    convention_model = apps.get_model("conventions", "Convention")
    conventions = convention_model.objects.visibles_par(user).only("id", "reference", "statut")
    return Produit.objects.visibles_par(user).prefetch_related(
        "phases", Prefetch("conventions", queryset=conventions, to_attr="conventions_visibles")
    )


@extend_schema_view(
    list=extend_schema(summary="Lister les produits du périmètre"),
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
    filter_backends = [FiltresDeListe]
    filterset_class = FiltresProduits
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Produit]:
        return produits_visibles(self.request.user)

    @extend_schema(
        summary="Phases d'un produit (ajouter une phase : agents finance)",
        filters=False,
        request=PhaseSerializer,
        responses={200: PhaseSerializer(many=True), 201: PhaseSerializer},
    )
    @action(detail=True, methods=["get", "post"], url_path="phases", pagination_class=None)
    def phases(self, request: Request, pk: str | None = None) -> Response:
        produit = get_object_or_404(self.get_queryset(), pk=pk)
        if request.method == "POST":
            serializer = PhaseSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            phase = ajouter_phase(produit, utilisateur(request), **serializer.validated_data)
            return Response(PhaseSerializer(phase).data, status=status.HTTP_201_CREATED)
        return Response(PhaseSerializer(produit.phases_ordonnees(), many=True).data)
