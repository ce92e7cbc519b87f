"""API representation of products, with their phase history as a nested list."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from delegations.core.acces import utilisateur

from . import ecriture
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
            *ecriture.CHAMPS,
            "phase_actuelle",
            "phases",
            "conventions",
        ]
        read_only_fields = ["id"]

    def get_phase_actuelle(self, obj: Produit) -> str | None:
        phase = obj.phase_actuelle
        return phase.phase if phase else None

    def create(self, validated_data: dict[str, Any]) -> Produit:
        return ecriture.enregistrer_produit(
            Produit(**validated_data), utilisateur(self.context["request"]), validated_data
        )

    def update(self, instance: Produit, validated_data: dict[str, Any]) -> Produit:
        for champ, valeur in validated_data.items():
            setattr(instance, champ, valeur)
        return ecriture.enregistrer_produit(
            instance, utilisateur(self.context["request"]), validated_data
        )

    @extend_schema_field(ConventionResumeSerializer(many=True))
    def get_conventions(self, obj: Produit) -> list[dict[str, Any]]:
        # ``conventions_visibles`` is prefetched by the view, scoped to the user's perimeter.
        conventions = getattr(obj, "conventions_visibles", None)
        if conventions is None:
            return []
        return [{"id": c.pk, "reference": c.reference, "statut": c.statut} for c in conventions]
