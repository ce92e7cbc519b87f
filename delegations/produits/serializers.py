"""API representation of products, with their phase history as a nested list."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import PhaseHistorique, PhaseProduit, Produit


class PhaseSerializer(serializers.ModelSerializer):
    phase = serializers.ChoiceField(choices=PhaseProduit.choices)

    class Meta:
        model = PhaseHistorique
        fields = ["id", "phase", "date_debut", "commentaire"]
        read_only_fields = ["id"]


class ConventionResumeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    statut = serializers.CharField()


class ProduitSerializer(serializers.ModelSerializer):
    phases = PhaseSerializer(many=True, read_only=True, source="phases_ordonnees")
    phase_actuelle = serializers.SerializerMethodField()
    conventions = serializers.SerializerMethodField()

    class Meta:
        model = Produit
        fields = [
            "id",
            "nom",
            "slug",
            "incubateur",
            "description",
            "intrapreneur_nom",
            "intrapreneur_email",
            "sponsor_nom",
            "sponsor_email",
            "site_url",
            "statistiques_url",
            "budget_url",
            "code_source_url",
            "phase_actuelle",
            "phases",
            "conventions",
        ]
        read_only_fields = ["id"]

    def get_phase_actuelle(self, obj: Produit) -> str | None:
        phase = obj.phase_actuelle
        return phase.phase if phase else None

    @extend_schema_field(ConventionResumeSerializer(many=True))
    def get_conventions(self, obj: Produit) -> list[dict[str, Any]]:
        # ``conventions_visibles`` is prefetched by the view, scoped to the user's perimeter.
        conventions = getattr(obj, "conventions_visibles", None)
        if conventions is None:
            return []
        return [{"id": c.pk, "reference": c.reference, "statut": c.statut} for c in conventions]
