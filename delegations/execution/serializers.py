"""API shapes of the journal: input serializers validate types, the rules live in ``regles``, the writes in ``mouvements``."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from delegations.core.api import LienTelechargement

from .models import (
    DecisionFinCommande,
    DecisionSolde,
    Engagement,
    InformationDelegant,
    Marche,
    MiseADisposition,
    Paiement,
    PropositionServiceFait,
    Reduction,
    Report,
    ServiceFait,
    SuiteCommande,
    Titulaire,
)

MONTANT: dict[str, Any] = {"max_digits": 15, "decimal_places": 2}
COMMUNS = ["id", "convention", "annee", "date", "created_at", "created_by"]


class TitulaireSerializer(serializers.ModelSerializer):
    class Meta:
        model = Titulaire
        fields = ["id", "nom", "siret"]


class MarcheSerializer(serializers.ModelSerializer):
    class Meta:
        model = Marche
        fields = ["id", "numero", "intitule", "titulaires", "date_debut", "date_fin"]


class MiseADispositionSerializer(serializers.ModelSerializer):
    class Meta:
        model = MiseADisposition
        fields = [*COMMUNS, "ae", "cp", "reference"]
        read_only_fields = fields


class EngagementSerializer(serializers.ModelSerializer):
    montant_net = serializers.DecimalField(
        read_only=True,
        allow_null=True,
        **MONTANT,
        help_text="Montant net des réductions (détail seulement).",
    )

    class Meta:
        model = Engagement
        fields = [
            *COMMUNS,
            "reference",
            "objet",
            "montant",
            "produit",
            "titulaire",
            "marche",
            "justification",
            "numero_ej",
            "date_fin_execution",
            "montant_net",
        ]
        read_only_fields = fields

    def to_representation(self, instance: Engagement) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not hasattr(instance, "montant_net"):
            data["montant_net"] = None
        return data


class ServiceFaitSerializer(serializers.ModelSerializer):
    statut = serializers.SerializerMethodField()
    livrable = LienTelechargement(
        "execution:livrable",
        help_text="Lien de téléchargement du livrable déposé (null sans fichier).",
    )
    livrable_url = serializers.CharField(
        read_only=True, help_text="Lien vers le livrable (vide si fichier)."
    )

    class Meta:
        model = ServiceFait
        fields = [
            *COMMUNS,
            "engagement",
            "montant",
            "total",
            "periode_debut",
            "periode_fin",
            "livrable",
            "livrable_url",
            "proposition",
            "statut",
        ]
        read_only_fields = fields

    def get_statut(self, obj: ServiceFait) -> str:
        return "certifie"


class PropositionSerializer(serializers.ModelSerializer):
    statut = serializers.SerializerMethodField()
    livrable = LienTelechargement(
        "execution:livrable_proposition",
        help_text="Lien de téléchargement du livrable déposé (null sans fichier).",
    )
    livrable_url = serializers.CharField(
        read_only=True, help_text="Lien vers le livrable (vide si fichier)."
    )

    class Meta:
        model = PropositionServiceFait
        fields = [
            "id",
            "engagement",
            "montant",
            "date",
            "total",
            "periode_debut",
            "periode_fin",
            "livrable",
            "livrable_url",
            "commentaire",
            "created_at",
            "created_by",
            "statut",
        ]
        read_only_fields = fields

    def get_statut(self, obj: PropositionServiceFait) -> str:
        return obj.statut


class PaiementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Paiement
        fields = [*COMMUNS, "service_fait", "montant", "reference", "justification", "numero_piece"]
        read_only_fields = fields


class ReportSerializer(serializers.ModelSerializer):
    annee_destination = serializers.IntegerField(read_only=True)

    class Meta:
        model = Report
        fields = [*COMMUNS, "annee_destination", "ae", "cp", "reference", "motif"]
        read_only_fields = fields


class ReductionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Reduction
        fields = [*COMMUNS, "engagement", "montant", "reference", "motif"]
        read_only_fields = fields


class InformationDelegantSerializer(serializers.ModelSerializer):
    class Meta:
        model = InformationDelegant
        fields = [*COMMUNS, "montant_demande", "montant_disponible", "commentaire", "suspension"]
        read_only_fields = fields


# --- inputs ---------------------------------------------------------------------------------


class MiseADispositionEntree(serializers.Serializer):
    convention = serializers.IntegerField()
    annee = serializers.IntegerField(min_value=2000, max_value=2100)
    ae = serializers.DecimalField(**MONTANT)
    cp = serializers.DecimalField(**MONTANT)
    date = serializers.DateField()
    reference = serializers.CharField(max_length=100)


class EngagementEntree(serializers.Serializer):
    convention = serializers.IntegerField()
    annee = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    montant = serializers.DecimalField(**MONTANT)
    reference = serializers.CharField(max_length=60)
    date = serializers.DateField()
    objet = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")
    produit = serializers.IntegerField(required=False, allow_null=True)
    titulaire = serializers.PrimaryKeyRelatedField(
        queryset=Titulaire.objects.all(), required=False, allow_null=True
    )
    marche = serializers.PrimaryKeyRelatedField(
        queryset=Marche.objects.all(), required=False, allow_null=True
    )
    justification = serializers.CharField(allow_blank=True, required=False, default="")
    numero_ej = serializers.CharField(
        max_length=30, allow_blank=True, required=False, default="", help_text="Numéro d'EJ CHORUS."
    )
    date_fin_execution = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Fin d'exécution du bon de commande (facultative) ; sur un marché, au plus la "
        "fin du marché.",
    )


# A calendar date AAAA-MM-JJ, exactly the ones Python reads (year 0001 to 9999, the days of each
# month, 29 February of leap years): the schema's pattern is the server's check.
_ANNEE = r"(?:000[1-9]|00[1-9]\d|0[1-9]\d{2}|[1-9]\d{3})"
_BISSEXTILE = r"(?:\d{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
DATE_ISO = (
    rf"(?:{_ANNEE}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)"
    rf"|02-(?:0[1-9]|1\d|2[0-8]))|{_BISSEXTILE}-02-29)"
)


class ServiceFaitEntree(serializers.Serializer):
    engagement = serializers.IntegerField()
    montant = serializers.DecimalField(**MONTANT)
    date = serializers.DateField()
    total = serializers.BooleanField(required=False, default=False)
    periode = serializers.RegexField(
        rf"^{DATE_ISO}/{DATE_ISO}$",
        required=False,
        allow_blank=True,
        help_text="Période couverte : « AAAA-MM-JJ/AAAA-MM-JJ ».",
        error_messages={"invalid": "Période attendue sous la forme AAAA-MM-JJ/AAAA-MM-JJ."},
    )
    periode_debut = serializers.DateField(required=False, allow_null=True)
    periode_fin = serializers.DateField(required=False, allow_null=True)
    livrable = serializers.FileField(required=False, allow_null=True)
    livrable_url = serializers.URLField(required=False, allow_blank=True, default="")
    commentaire = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        periode = attrs.pop("periode", "")
        if periode:
            try:
                debut, fin = periode.split("/")
                champ = serializers.DateField()
                attrs["periode_debut"], attrs["periode_fin"] = (
                    champ.to_internal_value(debut),
                    champ.to_internal_value(fin),
                )
            except (ValueError, serializers.ValidationError) as exc:
                raise serializers.ValidationError(
                    {"periode": "Période attendue sous la forme AAAA-MM-JJ/AAAA-MM-JJ."}
                ) from exc
        return attrs


class PaiementEntree(serializers.Serializer):
    service_fait = serializers.IntegerField()
    montant = serializers.DecimalField(**MONTANT)
    date = serializers.DateField()
    reference = serializers.CharField(max_length=100)
    justification = serializers.CharField(allow_blank=True, required=False, default="")
    numero_piece = serializers.CharField(
        max_length=30,
        allow_blank=True,
        required=False,
        default="",
        help_text="Numéro de pièce de paiement CHORUS.",
    )


class ReportEntree(serializers.Serializer):
    convention = serializers.IntegerField()
    annee = serializers.IntegerField(
        min_value=2000,
        max_value=2100,
        help_text="Année dont les crédits sont reportés sur la suivante.",
    )
    ae = serializers.DecimalField(**MONTANT)
    cp = serializers.DecimalField(**MONTANT)
    date = serializers.DateField()
    reference = serializers.CharField(max_length=100)
    motif = serializers.CharField(allow_blank=True, required=False, default="")


class ReductionEntree(serializers.Serializer):
    engagement = serializers.IntegerField()
    montant = serializers.DecimalField(**MONTANT)
    date = serializers.DateField()
    reference = serializers.CharField(max_length=100, allow_blank=True, required=False, default="")
    motif = serializers.CharField(allow_blank=True, required=False, default="")


class InformationDelegantEntree(serializers.Serializer):
    convention = serializers.IntegerField()
    annee = serializers.IntegerField(min_value=2000, max_value=2100)
    date = serializers.DateField()
    montant_demande = serializers.DecimalField(**MONTANT, required=False, allow_null=True)
    commentaire = serializers.CharField(allow_blank=True, required=False, default="")
    suspendre = serializers.BooleanField(required=False, default=False)


class RejetEntree(serializers.Serializer):
    motif = serializers.CharField()


class ReferenceChorusEntree(serializers.Serializer):
    """PATCH of an order or a payment: its CHORUS reference only, never an amount."""

    champ = ""

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise serializers.ValidationError({"non_field_errors": ["Objet JSON attendu."]})
        autres = sorted(k for k in data if k != self.champ)
        if autres:
            raise serializers.ValidationError(
                {
                    k: [
                        f"Seul « {self.champ} » se modifie : le journal ne se corrige que par "
                        "de nouveaux mouvements."
                    ]
                    for k in autres
                }
            )
        if self.champ not in data:
            raise serializers.ValidationError({self.champ: ["Ce champ est obligatoire."]})
        valeur = data[self.champ]
        if valeur is not None and not isinstance(valeur, str):
            raise serializers.ValidationError({self.champ: ["Texte attendu."]})
        return {self.champ: valeur or ""}


class NumeroEjEntree(ReferenceChorusEntree):
    champ = "numero_ej"
    numero_ej = serializers.CharField(max_length=30, allow_blank=True)


class NumeroPieceEntree(ReferenceChorusEntree):
    champ = "numero_piece"
    numero_piece = serializers.CharField(max_length=30, allow_blank=True)


# --- end of the convention: open orders, closing -------------------------------------------


class SuiteCommandeEntree(serializers.Serializer):
    decision = serializers.ChoiceField(choices=SuiteCommande.choices)
    date = serializers.DateField()
    motif = serializers.CharField(allow_blank=True, required=False, default="")


class DecisionFinCommandeSerializer(serializers.ModelSerializer):
    class Meta:
        model = DecisionFinCommande
        fields = ["id", "engagement", "decision", "reduction", "date", "motif", "created_at"]
        read_only_fields = fields


class ClotureEntree(serializers.Serializer):
    date = serializers.DateField(help_text="Date de la clôture.")
    decision = serializers.ChoiceField(
        choices=DecisionSolde.choices,
        help_text="Décision du délégant sur les crédits non utilisés.",
    )
    reference = serializers.CharField(
        max_length=100,
        allow_blank=True,
        required=False,
        default="",
        help_text="Référence de la décision (requise pour une utilisation décidée par le délégant).",
    )


class LigneBilanSerializer(serializers.Serializer):
    annee = serializers.IntegerField()
    ae_disponible = serializers.DecimalField(**MONTANT)
    cp_disponible = serializers.DecimalField(**MONTANT)
    ae_engage = serializers.DecimalField(**MONTANT)
    cp_paye = serializers.DecimalField(**MONTANT)
    ae_non_utilise = serializers.DecimalField(**MONTANT)
    cp_non_utilise = serializers.DecimalField(**MONTANT)
    ae_restitue = serializers.DecimalField(**MONTANT)
    cp_restitue = serializers.DecimalField(**MONTANT)


class CommandeOuverteSerializer(serializers.Serializer):
    engagement = serializers.IntegerField(source="engagement.pk")
    reference = serializers.CharField(source="engagement.reference")
    net = serializers.DecimalField(**MONTANT)
    reste_a_certifier = serializers.DecimalField(**MONTANT)
    reste_a_payer = serializers.DecimalField(**MONTANT)
    decision = serializers.CharField(source="decision.decision", allow_null=True, default=None)


class FinConventionSerializer(serializers.Serializer):
    fin_effective = serializers.DateField(allow_null=True)
    commandes_ouvertes = CommandeOuverteSerializer(many=True)
    bilan = LigneBilanSerializer(many=True)
