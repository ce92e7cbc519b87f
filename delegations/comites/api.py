"""Committees and obligations API (perimeter-scoped; finance and admin write)."""

from __future__ import annotations

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

from . import ecriture
from .filtres import FiltresComites, FiltresObligations
from .models import Comite, Indicateur, Obligation, Releve
from .serializers import (
    ComiteSerializer,
    ObjectifSerializer,
    ObligationSerializer,
    ReleveSerializer,
    ResultatSaisieSerializer,
)


def comites_visibles(user: Utilisateur) -> QuerySet[Comite]:
    return Comite.objects.visibles_par(user).prefetch_related(
        Prefetch("releves", queryset=Releve.objects.prefetch_related("indicateurs"))
    )


@extend_schema_view(
    list=extend_schema(summary="Lister les comités d'investissement du périmètre"),
    retrieve=extend_schema(summary="Lire un comité et son relevé de décision"),
    create=extend_schema(summary="Créer un comité (agents finance)"),
    update=extend_schema(summary="Modifier un comité et son relevé au brouillon"),
    partial_update=extend_schema(
        summary="Modifier une partie d'un comité ou de son relevé au brouillon"
    ),
)
class ComiteViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Comités d'investissement : relevé de décision, objectifs chiffrés, résultats."""

    serializer_class = ComiteSerializer
    permission_classes = [EcritureFinance]
    filter_backends = [FiltresDeListe]
    filterset_class = FiltresComites
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Comite]:
        return comites_visibles(self.request.user)

    @extend_schema(
        summary="Finaliser le relevé de décision", request=None, responses=ReleveSerializer
    )
    @action(detail=True, methods=["post"])
    def finaliser(self, request: Request, pk: str | None = None) -> Response:
        comite = get_object_or_404(self.get_queryset(), pk=pk)
        releve = ecriture.finaliser(comite, utilisateur(request))
        return Response(ReleveSerializer(releve).data)

    @extend_schema(
        summary="Corriger un relevé finalisé (crée un nouveau relevé au brouillon)",
        request=None,
        responses={201: ReleveSerializer},
    )
    @action(detail=True, methods=["post"])
    def corriger(self, request: Request, pk: str | None = None) -> Response:
        comite = get_object_or_404(self.get_queryset(), pk=pk)
        releve = ecriture.corriger(comite, utilisateur(request))
        return Response(ReleveSerializer(releve).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Résultats atteints sur les objectifs du comité précédent",
        filters=False,
        request=ResultatSaisieSerializer(many=True),
        responses=ObjectifSerializer(many=True),
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def resultats(self, request: Request, pk: str | None = None) -> Response:
        comite = get_object_or_404(self.get_queryset(), pk=pk)
        if request.method == "POST":
            saisie = ResultatSaisieSerializer(data=request.data, many=True)
            saisie.is_valid(raise_exception=True)
            ecriture.enregistrer_resultats(
                comite,
                utilisateur(request),
                {ligne["indicateur"]: ligne["valeur"] for ligne in saisie.validated_data},
            )
        objectifs: list[Indicateur] = comite.objectifs_precedents()
        return Response(
            ObjectifSerializer(objectifs, many=True, context={"comite_id": comite.pk}).data
        )


@extend_schema_view(
    list=extend_schema(summary="Lister les obligations du périmètre"),
    retrieve=extend_schema(summary="Lire une obligation"),
    create=extend_schema(summary="Ajouter une obligation à une convention (agents finance)"),
    update=extend_schema(summary="Modifier une obligation"),
    partial_update=extend_schema(summary="Modifier une partie d'une obligation (statut, preuve…)"),
    destroy=extend_schema(summary="Retirer une obligation de la convention"),
)
class ObligationViewSet(viewsets.ModelViewSet):
    """Obligations des conventions (liste type modifiable par convention)."""

    serializer_class = ObligationSerializer
    permission_classes = [EcritureFinance]
    filter_backends = [FiltresDeListe]
    filterset_class = FiltresObligations
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Obligation]:
        return Obligation.objects.visibles_par(self.request.user).select_related("convention")

    def perform_destroy(self, instance: Obligation) -> None:
        ecriture.retirer_obligation(instance, utilisateur(self.request))
