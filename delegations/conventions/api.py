from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from delegations.core.api import EcritureFinance
from delegations.core.filtres import FiltresDeListe
from delegations.core.models import Administration

from .filtres import FiltresAdministrations, FiltresConventions
from .models import Avenant, Convention
from .serializers import AdministrationSerializer, AvenantSerializer, ConventionSerializer


def conventions_visibles(user: Any) -> QuerySet[Convention]:
    return (
        Convention.objects.visibles_par(user)
        .select_related("delegant", "delegataire")
        .prefetch_related(
            "produits",
            "echeancier",
            Prefetch("avenants", queryset=Avenant.objects.prefetch_related("lignes")),
        )
    )


@extend_schema_view(
    list=extend_schema(summary="Lister les conventions du périmètre"),
    create=extend_schema(summary="Créer une convention (agents finance)"),
    retrieve=extend_schema(summary="Lire une convention"),
    update=extend_schema(summary="Modifier une convention"),
    partial_update=extend_schema(summary="Modifier une partie d'une convention"),
)
class ConventionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Conventions de délégation de gestion, avec les clés du contrat d'extraction."""

    serializer_class = ConventionSerializer
    permission_classes = [EcritureFinance]
    filter_backends = [FiltresDeListe]
    filterset_class = FiltresConventions
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Convention]:
        qs = conventions_visibles(self.request.user)
        return qs.avec_totaux() if self.action == "list" else qs  # type: ignore[attr-defined]

    def perform_create(self, serializer: Any) -> None:
        serializer.save()

    @extend_schema(
        summary="Avenants d'une convention",
        filters=False,
        request=AvenantSerializer,
        responses={200: AvenantSerializer(many=True), 201: AvenantSerializer},
    )
    @action(detail=True, methods=["get", "post"], url_path="avenants")
    def avenants(self, request: Request, pk: str | None = None) -> Response:
        convention = get_object_or_404(self.get_queryset(), pk=pk)
        if request.method == "POST":
            serializer = AvenantSerializer(
                data=request.data, context={"request": request, "convention": convention}
            )
            serializer.is_valid(raise_exception=True)
            avenant = serializer.save()
            return Response(AvenantSerializer(avenant).data, status=status.HTTP_201_CREATED)
        return Response(AvenantSerializer(convention.avenants_ordonnes(), many=True).data)


def administrations_visibles(user: Any) -> QuerySet[Administration]:
    if not getattr(user, "is_authenticated", False):
        return Administration.objects.none()
    if user.voit_tout:
        return Administration.objects.all()
    conventions = Convention.objects.visibles_par(user)
    liees = conventions.filter(Q(delegant=OuterRef("pk")) | Q(delegataire=OuterRef("pk")))
    return Administration.objects.filter(
        Exists(liees) | Q(pk__in=user.administrations.values("pk"))
    )


@extend_schema_view(
    list=extend_schema(summary="Lister les administrations"),
    create=extend_schema(summary="Créer une administration (agents finance)"),
)
class AdministrationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Administrations délégantes et délégataires."""

    serializer_class = AdministrationSerializer
    permission_classes = [EcritureFinance]
    filter_backends = [FiltresDeListe]
    filterset_class = FiltresAdministrations
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Administration]:
        return administrations_visibles(self.request.user).order_by("nom")
