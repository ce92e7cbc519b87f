from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from delegations.core.acces import Utilisateur, utilisateur
from delegations.core.api import EcritureFinance
from delegations.core.filtres import FiltresDeListe
from delegations.core.models import Administration, User

from . import ecriture
from .filtres import FiltresAdministrations, FiltresConventions
from .models import Avenant, Convention, ConventionQuerySet
from .serializers import (
    AdministrationSerializer,
    AvenantSerializer,
    ConventionSerializer,
    MotifSerializer,
    PublierSerializer,
    RefusSerializer,
    ResilierSerializer,
    SignerAvenantSerializer,
    SignerSerializer,
    TerminerSerializer,
)

# 400 (field errors, or {code, message}) is documented for every operation by the schema hook
# (opendata.schema.documenter_erreurs).
REFUS = {
    409: OpenApiResponse(
        RefusSerializer,
        description="L'état de la convention ou de l'avenant l'interdit ({code, message}).",
    ),
}


def _transition(
    nom: str, entree: type[serializers.Serializer], resume: str, description: str
) -> Any:
    """A POST action applying the status transition ``nom`` through ``ecriture``."""

    def vue(self: ConventionViewSet, request: Request, pk: str | None = None) -> Response:
        convention = get_object_or_404(self.get_queryset(), pk=pk)
        donnees = entree(data=request.data)
        donnees.is_valid(raise_exception=True)
        ecriture.appliquer_transition(
            convention, nom, utilisateur(request), **donnees.validated_data
        )
        lue = self.get_queryset().get(pk=convention.pk)
        return Response(ConventionSerializer(lue, context={"request": request}).data)

    vue.__name__ = vue.__qualname__ = nom  # (the action's method mapping reads the name)
    routee = action(detail=True, methods=["post"], url_path=nom, url_name=nom)(vue)
    return extend_schema(
        summary=resume,
        description=description,
        filters=False,
        request=entree,
        responses={200: ConventionSerializer, **REFUS},
    )(routee)


def conventions_visibles(user: Utilisateur) -> ConventionQuerySet:
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
    update=extend_schema(
        summary="Modifier une convention",
        description="Une fois signée, seuls les noms des représentants et les produits "
        "financés se corrigent ; le reste se modifie par avenant (409 "
        "« modification_par_avenant »).",
        responses={200: ConventionSerializer, 409: REFUS[409]},
    ),
    partial_update=extend_schema(
        summary="Modifier une partie d'une convention",
        description="Une fois signée, seuls les noms des représentants et les produits "
        "financés se corrigent ; le reste se modifie par avenant (409 "
        "« modification_par_avenant »).",
        responses={200: ConventionSerializer, 409: REFUS[409]},
    ),
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
        return qs.avec_totaux() if self.action == "list" else qs

    def perform_create(self, serializer: Any) -> None:
        serializer.save()

    @extend_schema(
        summary="Avenants d'une convention",
        filters=False,
        request=AvenantSerializer,
        responses={200: AvenantSerializer(many=True), 201: AvenantSerializer, **REFUS},
    )
    @action(detail=True, methods=["get", "post"], url_path="avenants", pagination_class=None)
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

    signer = _transition(
        "signer",
        SignerSerializer,
        "Signer une convention",
        "Brouillon → signée ; la date de signature est requise (déjà saisie ou donnée ici).",
    )
    publier = _transition(
        "publier", PublierSerializer, "Publier une convention", "Signée → publiée."
    )
    suspendre = _transition(
        "suspendre",
        MotifSerializer,
        "Suspendre l'exécution",
        "Signée ou publiée → suspendue : plus aucune commande tant qu'elle l'est.",
    )
    reprendre = _transition(
        "reprendre", MotifSerializer, "Reprendre l'exécution", "Suspendue → signée ou publiée."
    )
    resilier = _transition(
        "resilier",
        ResilierSerializer,
        "Résilier (préavis donné)",
        "La convention reste en vigueur pendant le préavis ; la fin effective est la date du "
        "préavis plus sa durée (ou la fin prévue si elle vient avant). La partie qui a donné "
        "le préavis est enregistrée.",
    )
    terminer = _transition(
        "terminer",
        TerminerSerializer,
        "Terminer",
        "Plus aucune mise à disposition ni commande.",
    )

    def _avenant(self, pk: str | None, numero: str) -> Avenant:
        convention = get_object_or_404(self.get_queryset(), pk=pk)
        return get_object_or_404(
            Avenant.objects.prefetch_related("lignes"), convention=convention, numero=numero
        )

    @extend_schema(
        summary="Lire, modifier (brouillon) ou supprimer (brouillon) un avenant",
        filters=False,
        request=AvenantSerializer,
        responses={200: AvenantSerializer, 204: None, **REFUS},
    )
    @action(
        detail=True,
        methods=["get", "patch", "delete"],
        url_path=r"avenants/(?P<numero>\d+)",
        url_name="avenant",
    )
    def avenant(self, request: Request, pk: str | None = None, numero: str = "") -> Response:
        avenant = self._avenant(pk, numero)
        if request.method == "DELETE":
            ecriture.supprimer_avenant(avenant, utilisateur(request))
            return Response(status=status.HTTP_204_NO_CONTENT)
        if request.method == "PATCH":
            serializer = AvenantSerializer(
                avenant, data=request.data, partial=True, context={"request": request}
            )
            serializer.is_valid(raise_exception=True)
            avenant = serializer.save()
            avenant = self._avenant(pk, numero)
        return Response(AvenantSerializer(avenant).data)

    @extend_schema(
        summary="Signer un avenant",
        description="Brouillon → signé. Il prend effet à sa signature, sauf si la convention "
        "a pris effet à sa publication (il prend alors effet à la sienne).",
        filters=False,
        request=SignerAvenantSerializer,
        responses={200: AvenantSerializer, **REFUS},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"avenants/(?P<numero>\d+)/signer",
        url_name="avenant-signer",
    )
    def avenant_signer(self, request: Request, pk: str | None = None, numero: str = "") -> Response:
        avenant = self._avenant(pk, numero)
        donnees = SignerAvenantSerializer(data=request.data)
        donnees.is_valid(raise_exception=True)
        ecriture.signer_avenant(
            avenant, utilisateur(request), donnees.validated_data["date_signature"]
        )
        return Response(AvenantSerializer(self._avenant(pk, numero)).data)

    @extend_schema(
        summary="Publier un avenant",
        description="Signé → publié ; prend effet si la convention a pris effet à sa publication.",
        filters=False,
        request=PublierSerializer,
        responses={200: AvenantSerializer, **REFUS},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"avenants/(?P<numero>\d+)/publier",
        url_name="avenant-publier",
    )
    def avenant_publier(
        self, request: Request, pk: str | None = None, numero: str = ""
    ) -> Response:
        avenant = self._avenant(pk, numero)
        donnees = PublierSerializer(data=request.data)
        donnees.is_valid(raise_exception=True)
        ecriture.publier_avenant(
            avenant, utilisateur(request), donnees.validated_data["date_publication"]
        )
        return Response(AvenantSerializer(self._avenant(pk, numero)).data)


def administrations_visibles(user: Utilisateur) -> QuerySet[Administration]:
    if not isinstance(user, User):
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
