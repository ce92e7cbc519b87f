"""Committees and obligations API (perimeter-scoped; finance and admin write)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
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

from .models import (
    Comite,
    Indicateur,
    Obligation,
    Releve,
    corriger,
    enregistrer_resultats,
    finaliser,
)
from .serializers import (
    ComiteSerializer,
    ObjectifSerializer,
    ObligationSerializer,
    ReleveSerializer,
    ResultatSaisieSerializer,
)


def comites_visibles(user: Any) -> QuerySet[Comite]:
    return Comite.objects.visibles_par(user).prefetch_related(
        Prefetch("releves", queryset=Releve.objects.prefetch_related("indicateurs"))
    )


@extend_schema_view(
    list=extend_schema(
        summary="Lister les comités d'investissement du périmètre",
        parameters=[
            OpenApiParameter("produit", OpenApiTypes.INT),
            OpenApiParameter("convention", OpenApiTypes.INT),
            OpenApiParameter(
                "type", OpenApiTypes.STR, enum=["produit", "interministeriel", "mi_parcours"]
            ),
            OpenApiParameter("q", OpenApiTypes.STR, description="Produit, convention ou lieu"),
        ],
    ),
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
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Comite]:
        qs = comites_visibles(self.request.user)
        params = self.request.query_params
        for champ in ("produit", "convention"):
            if (valeur := params.get(champ, "")).isdigit():
                qs = qs.filter(**{f"{champ}_id": int(valeur)})
        if type_ := params.get("type"):
            qs = qs.filter(type=type_)
        return qs.recherche(params.get("q", ""))  # type: ignore[attr-defined]

    def perform_create(self, serializer: Any) -> None:
        with transaction.atomic():
            comite = serializer.save()
            journaliser(
                comite,
                self.request.user,
                "creation",
                f"Création du comité du {comite.date:%d/%m/%Y}",
            )

    def perform_update(self, serializer: Any) -> None:
        with transaction.atomic():
            comite = serializer.save()
            journaliser(comite, self.request.user, "modification", "Modification du comité")

    @extend_schema(
        summary="Finaliser le relevé de décision", request=None, responses=ReleveSerializer
    )
    @action(detail=True, methods=["post"])
    def finaliser(self, request: Request, pk: str | None = None) -> Response:
        comite = get_object_or_404(self.get_queryset(), pk=pk)
        releve = finaliser(comite, request.user)
        return Response(ReleveSerializer(releve).data)

    @extend_schema(
        summary="Corriger un relevé finalisé (crée un nouveau relevé au brouillon)",
        request=None,
        responses={201: ReleveSerializer},
    )
    @action(detail=True, methods=["post"])
    def corriger(self, request: Request, pk: str | None = None) -> Response:
        comite = get_object_or_404(self.get_queryset(), pk=pk)
        releve = corriger(comite, request.user)
        return Response(ReleveSerializer(releve).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Résultats atteints sur les objectifs du comité précédent",
        request=ResultatSaisieSerializer(many=True),
        responses=ObjectifSerializer(many=True),
    )
    @action(detail=True, methods=["get", "post"])
    def resultats(self, request: Request, pk: str | None = None) -> Response:
        comite = get_object_or_404(self.get_queryset(), pk=pk)
        if request.method == "POST":
            saisie = ResultatSaisieSerializer(data=request.data, many=True)
            saisie.is_valid(raise_exception=True)
            enregistrer_resultats(
                comite,
                request.user,
                {ligne["indicateur"]: ligne["valeur"] for ligne in saisie.validated_data},
            )
        objectifs: list[Indicateur] = comite.objectifs_precedents()
        return Response(
            ObjectifSerializer(objectifs, many=True, context={"comite_id": comite.pk}).data
        )


@extend_schema_view(
    list=extend_schema(
        summary="Lister les obligations du périmètre",
        parameters=[
            OpenApiParameter("convention", OpenApiTypes.INT),
            OpenApiParameter(
                "statut", OpenApiTypes.STR, enum=["a_faire", "en_cours", "faite", "sans_objet"]
            ),
            OpenApiParameter(
                "en_retard", OpenApiTypes.BOOL, description="Seulement les obligations en retard"
            ),
        ],
    ),
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
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Obligation]:
        qs = Obligation.objects.visibles_par(self.request.user).select_related("convention")
        params = self.request.query_params
        if (convention := params.get("convention", "")).isdigit():
            qs = qs.filter(convention_id=int(convention))
        if statut := params.get("statut"):
            qs = qs.filter(statut=statut)
        if params.get("en_retard") in ("1", "true", "oui"):
            qs = qs.en_retard()
        return qs

    def perform_create(self, serializer: Any) -> None:
        obligation = serializer.save()
        journaliser(
            obligation.convention,
            self.request.user,
            "obligation",
            f"Obligation ajoutée : {obligation.libelle}",
        )

    def perform_update(self, serializer: Any) -> None:
        obligation = serializer.save()
        journaliser(
            obligation.convention,
            self.request.user,
            "obligation",
            f"Obligation « {obligation.libelle} » : {obligation.get_statut_display()}",
            {k: str(v) for k, v in serializer.validated_data.items()},
        )

    def perform_destroy(self, instance: Obligation) -> None:
        journaliser(
            instance.convention,
            self.request.user,
            "obligation",
            f"Obligation retirée : {instance.libelle}",
        )
        instance.delete()
