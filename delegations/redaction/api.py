"""``GET /api/v1/conventions/{id}/document.docx|pdf`` and the same for each amendment."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from delegations.conventions.models import Avenant, Convention
from delegations.core.acces import Utilisateur, utilisateur

from .documents import TYPES_MIME, produire


class _Binaire(BaseRenderer):
    charset = None
    render_style = "binary"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> Any:
        return data


class DocxRenderer(_Binaire):
    media_type = TYPES_MIME["docx"]
    format = "docx"


class PdfRenderer(_Binaire):
    media_type = TYPES_MIME["pdf"]
    format = "pdf"


def telechargement(contenu: bytes, extension: str, nom: str) -> HttpResponse:
    reponse = HttpResponse(contenu, content_type=TYPES_MIME[extension])
    reponse["Content-Disposition"] = f'attachment; filename="{nom}"'
    reponse["X-Content-Type-Options"] = "nosniff"
    return reponse


def convention_visible(user: Utilisateur, pk: int) -> Convention:
    qs = Convention.objects.visibles_par(user).select_related("delegant", "delegataire")
    return get_object_or_404(qs, pk=pk)


REPONSES = {
    (200, TYPES_MIME["docx"]): OpenApiResponse(OpenApiTypes.BINARY, description="Document Word"),
    (200, TYPES_MIME["pdf"]): OpenApiResponse(OpenApiTypes.BINARY, description="Document PDF"),
}
PARAMETRES = [
    OpenApiParameter(
        "extension", str, OpenApiParameter.PATH, enum=["docx", "pdf"], description="Format"
    ),
    OpenApiParameter("format", exclude=True),
]


class DocumentConventionView(APIView):
    """The convention written from the register, with the active Word model."""

    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer, DocxRenderer, PdfRenderer]

    @extend_schema(
        summary="Texte de la convention (DOCX ou PDF) rédigé depuis le registre",
        responses=REPONSES,
        parameters=PARAMETRES,
        operation_id="conventions_document",
    )
    def get(self, request: Request, pk: int, extension: str) -> HttpResponse:
        convention = convention_visible(request.user, pk)
        produit = produire(convention, None, extension, user=utilisateur(request))
        return telechargement(produit.contenu, extension, produit.nom_fichier)


class DocumentAvenantView(APIView):
    """An amendment written from the register: only what it changes."""

    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer, DocxRenderer, PdfRenderer]

    @extend_schema(
        summary="Texte d'un avenant (DOCX ou PDF) rédigé depuis le registre",
        responses=REPONSES,
        parameters=PARAMETRES,
        operation_id="conventions_avenants_document",
    )
    def get(self, request: Request, pk: int, numero: int, extension: str) -> HttpResponse:
        convention = convention_visible(request.user, pk)
        avenant = Avenant.objects.filter(convention=convention, numero=numero).first()
        if avenant is None:
            raise Http404("Avenant introuvable.")
        produit = produire(convention, avenant, extension, user=utilisateur(request))
        return telechargement(produit.contenu, extension, produit.nom_fichier)
