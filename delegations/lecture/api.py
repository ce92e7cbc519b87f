from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from delegations.conventions.api import conventions_visibles
from delegations.conventions.serializers import ConventionSerializer, LigneSerializer
from delegations.core.acces import utilisateur
from delegations.core.api import ENTIER_MAX, EcritureFinance
from delegations.core.errors import RegleMetierError
from delegations.taches.api import url_tache

from . import importation
from .extraction import ExtractionError
from .taches import lancer_lecture


class DepotSerializer(serializers.Serializer):
    fichier = serializers.FileField(help_text="PDF, PDF scanné, DOCX, TXT ou Markdown.")


class ImportView(APIView):
    """Déposer un document : il est lu en arrière-plan, rien n'est enregistré au registre."""

    permission_classes = [EcritureFinance]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Déposer un document à lire (rien n'est enregistré)",
        request={"multipart/form-data": DepotSerializer},
        responses={
            202: OpenApiResponse(
                response=inline_serializer(
                    "ImportEnFile",
                    {
                        "tache": serializers.URLField(
                            help_text="À interroger (GET) jusqu'au statut terminee ou echec."
                        ),
                        "statut": serializers.ChoiceField(choices=["en_attente"]),
                    },
                ),
                description="Lecture mise en file. Le « resultat » du traitement terminé donne "
                "les clés du contrat d'extraction, plus « import » (jeton à renvoyer pour "
                "confirmer), « nom_fichier » et « conventions_candidates » ; en cas d'échec, "
                "« erreur » dit pourquoi en français.",
            ),
            409: OpenApiResponse(
                description="Document déjà importé : « convention » donne la convention."
            ),
        },
    )
    def post(self, request: Request) -> Response:
        depot_serializer = DepotSerializer(data=request.data)
        depot_serializer.is_valid(raise_exception=True)
        fichier = depot_serializer.validated_data["fichier"]
        try:
            depot = importation.deposer_fichier(fichier, fichier.name)
        except ExtractionError as exc:
            return Response(
                {"code": "document_illisible", "message": str(exc)},
                status=status.HTTP_400_BAD_REQUEST,
            )
        if depot.doublon is not None:
            return Response(
                {
                    "code": "document_deja_importe",
                    "message": "Ce document a déjà été importé.",
                    "convention": depot.doublon.convention_id,
                },
                status=status.HTTP_409_CONFLICT,
            )
        tache = lancer_lecture(depot, utilisateur(request))
        url = url_tache(request, tache)
        return Response(
            {"tache": url, "statut": tache.statut},
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": url},
        )


class ConfirmationAvenantSerializer(serializers.Serializer):
    """The fields an amendment's confirmation writes, checked before anything is saved (the
    other keys of the reading are kept with the document as they are)."""

    convention = serializers.IntegerField(
        min_value=1, max_value=ENTIER_MAX, help_text="La convention que modifie l'avenant."
    )
    objet = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    date_signature = serializers.DateField(required=False, allow_null=True)
    date_fin = serializers.DateField(required=False, allow_null=True)
    echeancier = LigneSerializer(many=True, required=False, allow_null=True)


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
        if not importation.en_attente(sha256, extension):
            # The token names a parked upload: unknown or expired, there is nothing to confirm.
            raise exceptions.NotFound(
                "Import introuvable ou expiré : recommencez le dépôt du fichier."
            )
        if not isinstance(request.data, dict):
            raise serializers.ValidationError(
                {
                    "non_field_errors": [
                        "Le corps doit être un objet JSON : la lecture, avec ses clés "
                        "(« objet », « echeancier »…)."
                    ]
                }
            )
        donnees: dict[str, Any] = dict(request.data)
        nom = str(donnees.pop("nom_fichier", "") or f"document{extension}")
        if donnees.get("type") == "avenant":
            if not donnees.get("convention"):
                raise RegleMetierError(
                    "convention_a_choisir",
                    "Indiquez dans « convention » la convention que modifie cet avenant.",
                )
            verifie = ConfirmationAvenantSerializer(data=donnees)
            # Malformed lines, dates or ids: 400 with one French message per field, nothing saved.
            verifie.is_valid(raise_exception=True)
            convention = (
                conventions_visibles(request.user)
                .filter(pk=verifie.validated_data["convention"])
                .first()
            )
            if convention is None:
                raise RegleMetierError(
                    "convention_a_choisir",
                    "Indiquez dans « convention » la convention que modifie cet avenant.",
                )
            importation.confirmer_avenant(
                sha256, extension, nom, donnees, convention, utilisateur(request)
            )
            convention = conventions_visibles(request.user).get(pk=convention.pk)
        else:
            creee = importation.confirmer_convention(sha256, extension, nom, donnees, request)
            convention = conventions_visibles(request.user).get(pk=creee.pk)
        return Response(
            ConventionSerializer(convention, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )
