from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from delegations.conventions.api import conventions_visibles
from delegations.conventions.serializers import ConventionSerializer
from delegations.core.api import EcritureFinance
from delegations.core.errors import RegleMetierError

from . import importation
from .extraction import ExtractionError


class DepotSerializer(serializers.Serializer):
    fichier = serializers.FileField(help_text="PDF, PDF scanné, DOCX, TXT ou Markdown.")


class ImportView(APIView):
    """Lire un document sans rien enregistrer : renvoie la lecture et le jeton de confirmation."""

    permission_classes = [EcritureFinance]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Lire un document (rien n'est enregistré)",
        request={"multipart/form-data": DepotSerializer},
        responses={
            200: OpenApiResponse(
                description="Lecture : clés du contrat d'extraction, plus « import » "
                "(jeton à renvoyer pour confirmer) et « conventions_candidates »."
            ),
            409: OpenApiResponse(
                description="Document déjà importé : « convention » donne la convention."
            ),
        },
    )
    def post(self, request: Request) -> Response:
        depot = DepotSerializer(data=request.data)
        depot.is_valid(raise_exception=True)
        fichier = depot.validated_data["fichier"]
        try:
            lecture = importation.deposer(fichier, fichier.name)
        except ExtractionError as exc:
            return Response(
                {"code": "document_illisible", "message": str(exc)},
                status=status.HTTP_400_BAD_REQUEST,
            )
        if lecture.doublon is not None:
            return Response(
                {
                    "code": "document_deja_importe",
                    "message": "Ce document a déjà été importé.",
                    "convention": lecture.doublon.convention_id,
                },
                status=status.HTTP_409_CONFLICT,
            )
        visibles = set(conventions_visibles(request.user).values_list("pk", flat=True))
        return Response(
            {
                **lecture.extraction,
                "import": f"{lecture.sha256}{lecture.extension}",
                "nom_fichier": lecture.nom_original,
                "conventions_candidates": [c.pk for c in lecture.candidats if c.pk in visibles],
            }
        )


class ConfirmerView(APIView):
    """Confirmer un import : le corps est la lecture, éventuellement corrigée (clés du contrat)."""

    permission_classes = [EcritureFinance]
    parser_classes = [JSONParser]

    @extend_schema(
        summary="Confirmer un import (crée la convention ou l'avenant et conserve le document)",
        request=inline_serializer(
            "ConfirmationImport",
            {
                "nom_fichier": serializers.CharField(required=False),
                "convention": serializers.IntegerField(
                    required=False, help_text="Pour un avenant : la convention modifiée."
                ),
            },
        ),
        responses={201: ConventionSerializer},
    )
    def post(self, request: Request, jeton: str) -> Response:
        sha256, _, extension = jeton.partition(".")
        extension = f".{extension}"
        donnees: dict[str, Any] = dict(request.data)
        nom = str(donnees.pop("nom_fichier", "") or f"document{extension}")
        if donnees.get("type") == "avenant":
            convention_id = donnees.get("convention")
            convention = (
                conventions_visibles(request.user).filter(pk=convention_id).first()
                if convention_id
                else None
            )
            if convention is None:
                raise RegleMetierError(
                    "convention_a_choisir",
                    "Indiquez dans « convention » la convention que modifie cet avenant.",
                )
            importation.confirmer_avenant(sha256, extension, nom, donnees, convention, request.user)
            convention = conventions_visibles(request.user).get(pk=convention.pk)
        else:
            creee = importation.confirmer_convention(sha256, extension, nom, donnees, request)
            convention = conventions_visibles(request.user).get(pk=creee.pk)
        return Response(
            ConventionSerializer(convention, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )
