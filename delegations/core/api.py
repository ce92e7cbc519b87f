"""Shared API pieces: pagination, permissions, business-rule errors as {code, message}."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from delegations.core.acces import peut_ecrire

from .errors import RegleMetierError


class Pagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "taille"
    max_page_size = 200


class EcritureFinance(permissions.BasePermission):
    """Everyone authenticated reads (within the perimeter); finance and admin write."""

    message = "Seuls les agents finance de la DINUM peuvent modifier le registre."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return peut_ecrire(user)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, exceptions.Throttled):
        attente = int(getattr(exc, "wait", None) or 60)
        reponse = Response(
            {
                "code": "trop_de_requetes",
                "message": f"Trop de requêtes depuis votre adresse : réessayez dans {attente} s.",
            },
            status=status.HTTP_429_TOO_MANY_REQUESTS,
        )
        reponse["Retry-After"] = str(attente)
        return reponse
    if isinstance(exc, RegleMetierError):
        return Response(exc.as_dict(), status=exc.status_code)
    if isinstance(exc, exceptions.ParseError):
        json_invalide = "JSON" in str(exc.detail)
        return Response(
            {
                "code": "corps_illisible",
                "message": "Le corps de la requête n'est pas un JSON valide (NaN et Infinity n'en "
                "sont pas)."
                if json_invalide
                else "Le corps de la requête est illisible.",
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)
        code = getattr(exc, "code", None) or "invalide"
        return Response(
            {"code": code, "message": " ".join(exc.messages)}, status=status.HTTP_400_BAD_REQUEST
        )
    return drf_exception_handler(exc, context)


@extend_schema_field({"type": "string", "format": "uri", "nullable": True})
class LienTelechargement(serializers.Field):
    """Read-only: the absolute URL of the page that serves an object's stored file (perimeter
    checked, as an attachment), or null when the object has no file."""

    def __init__(self, vue: str, **kwargs: Any) -> None:
        self.vue = vue
        kwargs.update(read_only=True, source="*", allow_null=True)
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str | None:
        champ = getattr(value, self.field_name)
        if not champ:
            return None
        lien = reverse(self.vue, args=[value.pk])
        requete = self.context.get("request")
        return requete.build_absolute_uri(lien) if requete is not None else lien
