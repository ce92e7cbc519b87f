"""``GET /api/v1/taches/{id}``: status, progress, result and error of a task (owner and admins)."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Statut, Tache


class ProgressionSerializer(serializers.Serializer):
    fait = serializers.IntegerField()
    total = serializers.IntegerField()
    etape = serializers.CharField()


class TacheSerializer(serializers.ModelSerializer):
    statut = serializers.ChoiceField(choices=Statut.choices)
    progression = ProgressionSerializer(read_only=True)
    resultat = serializers.JSONField(
        allow_null=True, help_text="Défini quand le statut est terminee."
    )
    fichier = serializers.SerializerMethodField(
        help_text="Adresse du fichier produit (rapport, export), s'il y en a un."
    )

    class Meta:
        model = Tache
        fields = [
            "id",
            "libelle",
            "statut",
            "progression",
            "resultat",
            "erreur",
            "fichier",
            "cree_le",
            "commence_le",
            "termine_le",
        ]
        read_only_fields = fields

    def get_fichier(self, tache: Tache) -> str | None:
        if not tache.fichier:
            return None
        chemin = reverse("taches:fichier", args=[tache.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(chemin) if request else chemin


def url_tache(request: Any, tache: Tache) -> str:
    """The API address of a task, absolute: what a 202 answer gives to poll."""
    return str(request.build_absolute_uri(reverse("api:tache", args=[tache.pk])))


class TacheView(APIView):
    """Où en est un traitement long : statut, progression, résultat ou erreur."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(summary="Suivre un traitement long", responses={200: TacheSerializer})
    def get(self, request: Request, pk: Any) -> Response:
        tache = get_object_or_404(Tache.objects.visibles_par(request.user), pk=pk)
        return Response(TacheSerializer(tache, context={"request": request}).data)
