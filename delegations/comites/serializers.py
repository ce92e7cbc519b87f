"""API representation of committees, decision records, indicators, results and obligations."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from delegations.conventions.models import Convention
from delegations.core.acces import utilisateur
from delegations.core.api import LienTelechargement, regle_de_saisie
from delegations.core.errors import EtatIncompatibleError
from delegations.produits.models import PhaseProduit, Produit

from . import ecriture
from .models import (
    Comite,
    Decision,
    Dimension,
    Indicateur,
    Obligation,
    Releve,
    Resultat,
    StatutObligation,
    TypeComite,
)


class ParticipantsField(serializers.ListField):
    """Participants as a list of names, stored one per line."""

    child = serializers.CharField(max_length=300)

    def to_representation(self, data: Any) -> list[str]:
        return [p.strip() for p in (data or "").splitlines() if p.strip()]

    def to_internal_value(self, data: Any) -> str:  # type: ignore[override]
        if isinstance(data, str):
            data = data.splitlines()
        return "\n".join(p.strip() for p in super().to_internal_value(data) if p.strip())


class IndicateurSerializer(serializers.ModelSerializer):
    dimension = serializers.ChoiceField(choices=Dimension.choices, default=Dimension.UTILISE)
    unite = serializers.CharField(max_length=50, allow_blank=True, required=False, default="")
    cible = serializers.DecimalField(
        max_digits=15, decimal_places=2, allow_null=True, required=False
    )
    echeance = serializers.DateField(allow_null=True, required=False)

    class Meta:
        model = Indicateur
        fields = ["id", "dimension", "nom", "unite", "cible", "echeance"]
        read_only_fields = ["id"]


class ResultatSerializer(serializers.ModelSerializer):
    pourcentage = serializers.DecimalField(
        max_digits=9, decimal_places=1, read_only=True, allow_null=True
    )

    class Meta:
        model = Resultat
        fields = ["indicateur", "comite", "valeur", "pourcentage", "commentaire"]
        read_only_fields = fields


class ObjectifSerializer(IndicateurSerializer):
    """A previous target with what was reached (at this committee)."""

    valeur_atteinte = serializers.SerializerMethodField()
    pourcentage = serializers.SerializerMethodField()

    class Meta(IndicateurSerializer.Meta):
        fields = [*IndicateurSerializer.Meta.fields, "valeur_atteinte", "pourcentage"]

    def _resultat(self, obj: Indicateur) -> Resultat | None:
        comite_id = self.context.get("comite_id")
        return next((r for r in obj.resultats.all() if r.comite_id == comite_id), None)

    def get_valeur_atteinte(self, obj: Indicateur) -> Decimal | None:
        resultat = self._resultat(obj)
        return resultat.valeur if resultat else None

    def get_pourcentage(self, obj: Indicateur) -> Decimal | None:
        resultat = self._resultat(obj)
        return resultat.pourcentage if resultat else None


class ReleveSerializer(serializers.ModelSerializer):
    participants = ParticipantsField(required=False)
    decision = serializers.ChoiceField(choices=Decision.choices, allow_blank=True, required=False)
    phase_decidee = serializers.ChoiceField(
        choices=PhaseProduit.choices, allow_blank=True, required=False
    )
    montant_accorde = serializers.DecimalField(
        max_digits=15, decimal_places=2, min_value=Decimal("0"), allow_null=True, required=False
    )
    periode_mois = serializers.IntegerField(
        min_value=1, max_value=60, allow_null=True, required=False
    )
    indicateurs = IndicateurSerializer(many=True, required=False)
    manques = serializers.SerializerMethodField(
        help_text="Ce qui manque pour finaliser (vide : complet)."
    )

    class Meta:
        model = Releve
        fields = [
            "id",
            "numero",
            "statut",
            *ecriture.CHAMPS_RELEVE,
            "indicateurs",
            "manques",
            "remplace",
            "finalise_le",
        ]
        read_only_fields = ["id", "numero", "statut", "remplace", "finalise_le"]

    def get_manques(self, obj: Releve) -> list[str]:
        return [] if obj.est_finalise else obj.manques()


def _identifiant(champ: str, type_comite: str | None = None) -> dict[str, Any]:
    """The schema of a body naming ``champ`` (and, if given, of that committee type)."""
    schema: dict[str, Any] = {"properties": {champ: {"type": "integer"}}, "required": [champ]}
    if type_comite is not None:
        schema["properties"]["type"] = {"enum": [type_comite]}
    return schema


@regle_de_saisie(
    {
        # Comite.clean: a product committee (the default type) names its product, an
        # interministerial one its mission (convention), a mid-term one either.
        "anyOf": [
            _identifiant("produit", TypeComite.PRODUIT),
            {
                **_identifiant("convention", TypeComite.INTERMINISTERIEL),
                "required": ["type", "convention"],
            },
            {
                "properties": {"type": {"enum": [TypeComite.MI_PARCOURS]}},
                "required": ["type"],
                "anyOf": [_identifiant("produit"), _identifiant("convention")],
            },
        ],
    }
)
class ComiteSerializer(serializers.ModelSerializer):
    type = serializers.ChoiceField(choices=TypeComite.choices, default=TypeComite.PRODUIT)
    produit = serializers.PrimaryKeyRelatedField(
        queryset=Produit.objects.all(), allow_null=True, required=False
    )
    convention = serializers.PrimaryKeyRelatedField(
        queryset=Convention.objects.all(), allow_null=True, required=False
    )
    participants = ParticipantsField(required=False)
    releve = ReleveSerializer(
        required=False,
        allow_null=True,
        help_text="Relevé courant ; modifiable tant qu'il est au brouillon (null : aucun relevé).",
    )
    releves = serializers.SerializerMethodField()
    support = LienTelechargement(
        "comites:support", help_text="Lien de téléchargement du support déposé (null sans fichier)."
    )

    class Meta:
        model = Comite
        fields = [
            "id",
            *ecriture.CHAMPS_COMITE,
            "releve",
            "releves",
        ]
        read_only_fields = ["id", "support"]

    def get_releves(self, obj: Comite) -> list[dict[str, Any]]:
        return [
            {"numero": r.numero, "statut": r.statut, "finalise_le": r.finalise_le}
            for r in sorted(obj.releves.all(), key=lambda r: r.numero)
        ]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # The committee's rules (product or mission) are the model's: its Django ValidationError
        # becomes field errors here (400: the request schema declares the rule). A partial
        # update is checked against the stored committee: its refusal is a 409.
        comite = Comite(
            **{
                c: attrs.get(c, getattr(self.instance, c, None))
                for c in ("type", "produit", "convention")
            }
        )
        if not self.partial:
            comite.clean()
            return attrs
        try:
            comite.clean()
        except DjangoValidationError as exc:
            raise EtatIncompatibleError("comite_incomplet", " ".join(exc.messages)) from exc
        return attrs

    def _ecrire(self, comite: Comite, validated_data: dict[str, Any]) -> Comite:
        releve = validated_data.pop("releve", None)
        indicateurs = None if releve is None else releve.pop("indicateurs", None)
        for champ, valeur in validated_data.items():
            setattr(comite, champ, valeur)
        return ecriture.enregistrer_comite(
            comite,
            utilisateur(self.context["request"]),
            releve=releve,
            indicateurs=None
            if indicateurs is None
            else [ecriture.DonneesIndicateur(**i) for i in indicateurs],
        )

    def create(self, validated_data: dict[str, Any]) -> Comite:
        return self._ecrire(Comite(), validated_data)

    def update(self, instance: Comite, validated_data: dict[str, Any]) -> Comite:
        return self._ecrire(instance, validated_data)

    def to_representation(self, instance: Comite) -> dict[str, Any]:
        data = super().to_representation(instance)
        releve = instance.releve
        data["releve"] = ReleveSerializer(releve).data if releve else None
        return data


class ResultatSaisieSerializer(serializers.Serializer):
    indicateur = serializers.IntegerField()
    valeur = serializers.DecimalField(max_digits=15, decimal_places=2, allow_null=True)


class ObligationSerializer(serializers.ModelSerializer):
    statut = serializers.ChoiceField(
        choices=StatutObligation.choices, default=StatutObligation.A_FAIRE
    )
    convention = serializers.PrimaryKeyRelatedField(queryset=Convention.objects.all())
    en_retard = serializers.BooleanField(read_only=True)
    preuve_fichier = LienTelechargement(
        "comites:preuve",
        help_text="Lien de téléchargement de la preuve déposée (null sans fichier).",
    )
    code = serializers.CharField(
        read_only=True, help_text="Code de l'obligation type (vide si ajoutée à la main)."
    )

    class Meta:
        model = Obligation
        fields = [
            "id",
            "convention",
            "code",
            *ecriture.CHAMPS_OBLIGATION,
            "en_retard",
        ]
        read_only_fields = ["id", "code", "preuve_fichier"]

    def validate_convention(self, value: Convention) -> Convention:
        if self.instance is not None and value.pk != self.instance.convention_id:
            # Refused by the stored obligation, not by the body's shape: 409.
            raise EtatIncompatibleError(
                "obligation_convention_fixe", "Une obligation ne change pas de convention."
            )
        return value

    def create(self, validated_data: dict[str, Any]) -> Obligation:
        return ecriture.enregistrer_obligation(
            Obligation(**validated_data), utilisateur(self.context["request"])
        )

    def update(self, instance: Obligation, validated_data: dict[str, Any]) -> Obligation:
        for champ, valeur in validated_data.items():
            setattr(instance, champ, valeur)
        return ecriture.enregistrer_obligation(
            instance, utilisateur(self.context["request"]), validated_data
        )
