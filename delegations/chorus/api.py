"""API: ``POST /api/v1/rapprochements`` (finance) queues a reconciliation (202 and its task);
GET lists and reads them within the perimeter; a difference is explained by POST, and its
explanation withdrawn by POST (finance)."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from delegations.core.acces import exiger_ecriture, utilisateur
from delegations.core.api import EcritureFinance, Pagination
from delegations.taches.api import url_tache

from . import actions, services, taches
from .models import Ecart, Rapprochement


class RapprochementEntree(serializers.Serializer):
    fichiers = serializers.ListField(
        child=serializers.FileField(),
        min_length=1,
        help_text="Un ou plusieurs journaux CHORUS (ODS, XLSX, CSV ; engagements et/ou paiements).",
    )
    convention = serializers.IntegerField(required=False, allow_null=True)
    uo = serializers.CharField(required=False, allow_blank=True, max_length=30)


class RapprochementResume(serializers.ModelSerializer):
    cree_par = serializers.SerializerMethodField()

    class Meta:
        model = Rapprochement
        fields = ["id", "created_at", "cree_par", "sha256", "fichiers", "perimetre", "nb_lignes"]

    def get_cree_par(self, obj: Rapprochement) -> str | None:
        return obj.created_by.email if obj.created_by else None


class RapprochementViewSet(viewsets.GenericViewSet):
    permission_classes = [EcritureFinance]
    pagination_class = Pagination
    serializer_class = RapprochementResume
    lookup_value_regex = r"\d+"
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> Any:
        return (
            Rapprochement.objects.visibles_par(self.request.user)
            .select_related("created_by")
            .order_by("-created_at", "-id")
        )

    @extend_schema(summary="Rapprochements CHORUS du périmètre")
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(responses=OpenApiTypes.OBJECT, summary="Résultat d'un rapprochement CHORUS")
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        rapprochement = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(services.representation(rapprochement, request.user))

    @extend_schema(
        request={"multipart/form-data": RapprochementEntree},
        responses={
            202: OpenApiResponse(
                response=inline_serializer(
                    "RapprochementEnFile",
                    {
                        "tache": serializers.URLField(
                            help_text="À interroger (GET) jusqu'au statut terminee ou echec."
                        ),
                        "statut": serializers.ChoiceField(choices=["en_attente"]),
                    },
                ),
                description="Journaux mis en file. Le « resultat » du traitement terminé donne "
                "« rapprochement » (son identifiant : GET /api/v1/rapprochements/{id}), "
                "« lignes » et « ecarts » ; en cas d'échec, « erreur » dit pourquoi en français.",
            ),
        },
        summary="Rapprocher des journaux CHORUS du registre (finance), en arrière-plan",
    )
    def create(self, request: Request) -> Response:
        entree = RapprochementEntree(
            data={
                "fichiers": request.FILES.getlist("fichiers"),
                "convention": request.POST.get("convention") or None,
                "uo": request.POST.get("uo", ""),
            }
        )
        entree.is_valid(raise_exception=True)
        d = entree.validated_data
        fichiers = [(f.name, f.read()) for f in d["fichiers"]]
        tache = taches.lancer_rapprochement(
            fichiers,
            utilisateur(request),
            convention_id=d.get("convention"),
            uo=d.get("uo") or None,
        )
        url = url_tache(request, tache)
        return Response(
            {"tache": url, "statut": tache.statut},
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": url},
        )

    @extend_schema(responses=OpenApiTypes.OBJECT, summary="Comparaison avec le précédent")
    @action(detail=True, methods=["get"])
    def comparaison(self, request: Request, pk: str | None = None) -> Response:
        rapprochement = get_object_or_404(self.get_queryset(), pk=pk)
        precedent = rapprochement.precedent()
        if precedent is None or not self.get_queryset().filter(pk=precedent.pk).exists():
            return Response(
                {"code": "aucun_precedent", "message": "Aucun rapprochement précédent."},
                status=status.HTTP_404_NOT_FOUND,
            )
        return Response(services.comparer(rapprochement, precedent, request.user))


class EcartViewSet(viewsets.GenericViewSet):
    permission_classes = [EcritureFinance]
    # OPTIONS describes the actions with a serializer (each action documents its own body).
    serializer_class = serializers.Serializer
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> Any:
        qs = Ecart.objects.select_related("traite_par").prefetch_related(*services.ECARTS_LIES)
        return services.ecarts_visibles(qs, self.request.user)

    @extend_schema(responses=OpenApiTypes.OBJECT, summary="Un écart CHORUS")
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(services.ecart_json(get_object_or_404(self.get_queryset(), pk=pk)))

    @extend_schema(
        request=inline_serializer("ExplicationEcart", {"commentaire": serializers.CharField()}),
        responses=OpenApiTypes.OBJECT,
        summary="Marquer un écart comme expliqué (finance)",
    )
    @action(detail=True, methods=["post"])
    def expliquer(self, request: Request, pk: str | None = None) -> Response:
        ecart = get_object_or_404(self.get_queryset(), pk=pk)
        exiger_ecriture(request.user, "Seuls les agents finance de la DINUM traitent les écarts.")
        donnees: Any = request.data
        actions.expliquer(ecart, utilisateur(request), str(donnees.get("commentaire", "")))
        ecart.refresh_from_db()
        return Response(services.ecart_json(ecart))

    @extend_schema(
        request=inline_serializer("RetraitExplication", {"motif": serializers.CharField()}),
        responses=OpenApiTypes.OBJECT,
        summary="Retirer l'explication d'un écart (finance) ; il redevient à traiter",
    )
    @action(detail=True, methods=["post"], url_path="retirer-explication")
    def retirer_explication(self, request: Request, pk: str | None = None) -> Response:
        ecart = get_object_or_404(self.get_queryset(), pk=pk)
        exiger_ecriture(request.user, "Seuls les agents finance de la DINUM traitent les écarts.")
        donnees: Any = request.data
        actions.retirer_explication(ecart, utilisateur(request), str(donnees.get("motif", "")))
        return Response(services.ecart_json(get_object_or_404(self.get_queryset(), pk=pk)))
