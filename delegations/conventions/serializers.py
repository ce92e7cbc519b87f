"""API representation: the keys of the extraction contract, so the reader's output can be POSTed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from delegations.core.acces import utilisateur
from delegations.core.api import NON_BLANC, non_blanc, regle_de_saisie
from delegations.core.errors import RegleMetierError
from delegations.core.models import Administration
from delegations.produits.models import Phase

from . import cofinancements, ecriture
from .models import (
    CODE_UO_RE,
    Avenant,
    CompteRendu,
    Convention,
    PartiePreavis,
    PriseEffet,
    Statut,
    StatutAvenant,
)

MONTANT = {
    "max_digits": 15,
    "decimal_places": 2,
    "min_value": Decimal("0"),
    "error_messages": {"min_value": "Le montant doit être positif ou nul."},
}


class RepresentantSerializer(serializers.Serializer):
    nom = serializers.CharField(allow_blank=True, allow_null=True, required=False, max_length=200)
    qualite = serializers.CharField(
        allow_blank=True, allow_null=True, required=False, max_length=300
    )


@regle_de_saisie(
    {
        "anyOf": [
            {"properties": {c: {"type": "string", "pattern": NON_BLANC.pattern}}, "required": [c]}
            for c in ("nom", "sigle")
        ],
        "description": "Le nom ou le sigle de l'administration (l'un des deux au moins).",
    }
)
class PartieSerializer(serializers.Serializer):
    nom = serializers.CharField(allow_blank=True, allow_null=True, required=False, max_length=300)
    sigle = serializers.CharField(allow_blank=True, allow_null=True, required=False, max_length=50)
    representant = RepresentantSerializer(required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not (non_blanc(attrs.get("nom")) or non_blanc(attrs.get("sigle"))):
            raise serializers.ValidationError("Indiquez le nom ou le sigle de l'administration.")
        return attrs


class ImputationSerializer(serializers.Serializer):
    axe_ministeriel_1 = serializers.CharField(
        allow_blank=True, allow_null=True, required=False, max_length=30
    )
    axe_ministeriel_2 = serializers.CharField(
        allow_blank=True, allow_null=True, required=False, max_length=30
    )
    domaine_fonctionnel = serializers.CharField(
        allow_blank=True, allow_null=True, required=False, max_length=30
    )
    centre_financier = serializers.RegexField(
        CODE_UO_RE,
        allow_blank=True,
        allow_null=True,
        required=False,
        error_messages={"invalid": "Le centre financier doit avoir la forme 0103-CEFP-C004."},
    )
    activite = serializers.CharField(
        allow_blank=True, allow_null=True, required=False, max_length=30
    )
    centre_de_cout = serializers.CharField(
        allow_blank=True, allow_null=True, required=False, max_length=30
    )


class CofinancementSerializer(serializers.Serializer):
    financeur = serializers.CharField(max_length=cofinancements.MAX_FINANCEUR)
    montant = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=cofinancements.MAX_MONTANT,
    )
    objet = serializers.CharField(
        max_length=cofinancements.MAX_OBJET, allow_blank=True, required=False, default=""
    )


class LigneSerializer(serializers.Serializer):
    annee = serializers.IntegerField(min_value=2000, max_value=2100)
    ae = serializers.DecimalField(**MONTANT)  # type: ignore[arg-type]
    cp = serializers.DecimalField(**MONTANT)  # type: ignore[arg-type]


class LigneConsolideeSerializer(LigneSerializer):
    modifiee_par = serializers.IntegerField(
        allow_null=True, help_text="Numéro de l'avenant qui a fixé la ligne."
    )


class AvenantSerializer(serializers.ModelSerializer):
    echeancier = LigneSerializer(many=True, required=False, source="lignes_data")
    statut = serializers.ChoiceField(
        choices=StatutAvenant.choices,
        read_only=True,
        help_text="brouillon → signe (POST …/signer/) → publie (POST …/publier/).",
    )
    date_signature = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="À la création : un avenant déjà signé est enregistré signé ; sans date, "
        "c'est un brouillon (modifiable, supprimable) qui ne change rien.",
    )
    en_vigueur = serializers.BooleanField(
        read_only=True,
        help_text="L'avenant a pris effet (à sa signature, ou à sa publication si la "
        "convention a pris effet à sa publication) : lui seul change plafonds et date de fin.",
    )

    class Meta:
        model = Avenant
        fields = [
            "id",
            "numero",
            "statut",
            "objet",
            "date_signature",
            "date_publication",
            "date_effet",
            "en_vigueur",
            "date_fin",
            "echeancier",
            "created_at",
        ]
        read_only_fields = ["id", "numero", "date_publication", "date_effet", "created_at"]

    def to_representation(self, instance: Avenant) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["echeancier"] = [
            {"annee": ligne.annee, "ae": str(ligne.ae), "cp": str(ligne.cp)}
            for ligne in instance.lignes.all()
        ]
        return data

    def update(self, instance: Avenant, validated_data: dict[str, Any]) -> Avenant:
        """A draft only (``ecriture.modifier_avenant`` refuses a signed one with 409)."""
        if "lignes_data" in validated_data:
            lignes = [(lg["annee"], lg["ae"], lg["cp"]) for lg in validated_data["lignes_data"]]
        else:
            lignes = [(lg.annee, lg.ae, lg.cp) for lg in instance.lignes.all()]
        if validated_data.get("date_signature"):
            raise serializers.ValidationError(
                {"date_signature": "La signature s'enregistre par POST …/signer/."}
            )
        return ecriture.modifier_avenant(
            instance,
            utilisateur(self.context["request"]),
            objet=validated_data.get("objet", instance.objet),
            date_fin=validated_data.get("date_fin", instance.date_fin),
            lignes=lignes,
        )

    def create(self, validated_data: dict[str, Any]) -> Avenant:
        lignes = [
            (ligne["annee"], ligne["ae"], ligne["cp"])
            for ligne in validated_data.pop("lignes_data", [])
        ]
        return ecriture.creer_avenant(
            self.context["convention"],
            utilisateur(self.context["request"]),
            lignes=lignes,
            objet=validated_data["objet"],
            date_signature=validated_data.get("date_signature"),
            date_fin=validated_data.get("date_fin"),
        )


class RefusSerializer(serializers.Serializer):
    """A refused business rule: a stable code and a French message."""

    code = serializers.CharField()
    message = serializers.CharField()


class SignerSerializer(serializers.Serializer):
    date_signature = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="Pour une convention au brouillon sans date de signature : la date à enregistrer.",
    )


class PublierSerializer(serializers.Serializer):
    date_publication = serializers.DateField()


class MotifSerializer(serializers.Serializer):
    motif = serializers.CharField(
        required=False, allow_blank=True, max_length=1000, help_text="Gardé au journal."
    )


class ResilierSerializer(MotifSerializer):
    date_preavis = serializers.DateField(help_text="Date à laquelle le préavis a été donné.")
    partie = serializers.ChoiceField(
        choices=PartiePreavis.choices, help_text="Qui a donné le préavis."
    )


class TerminerSerializer(serializers.Serializer):
    pass


class SignerAvenantSerializer(serializers.Serializer):
    date_signature = serializers.DateField()


def _partie(adm: Administration, nom: str, qualite: str) -> dict[str, Any]:
    return {
        "id": adm.pk,
        "nom": adm.nom,
        "sigle": adm.sigle or None,
        "representant": {"nom": nom or None, "qualite": qualite or None},
    }


class ConventionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    type = serializers.ChoiceField(
        choices=[("convention", "convention")],
        default="convention",
        help_text="Toujours « convention » ici ; un avenant se crée sous /conventions/{id}/avenants.",
    )
    statut = serializers.ChoiceField(choices=Statut.choices, read_only=True)
    reference = serializers.CharField(
        allow_blank=True, allow_null=True, required=False, max_length=60
    )
    delegant = PartieSerializer()
    delegataire = PartieSerializer()
    objet = serializers.CharField()
    services = serializers.ListField(
        child=serializers.CharField(max_length=200),
        required=False,
        help_text="Noms des produits financés (créés s'ils n'existent pas).",
    )
    phases = serializers.ListField(
        child=serializers.ChoiceField(choices=Phase.choices), required=False
    )
    unite_operationnelle = serializers.RegexField(
        CODE_UO_RE,
        allow_blank=True,
        allow_null=True,
        required=False,
        error_messages={"invalid": "L'UO doit avoir la forme 0103-CEFP-C004."},
    )
    programme = serializers.RegexField(
        r"^[1-9]\d{0,3}$",
        allow_blank=True,
        allow_null=True,
        required=False,
        error_messages={"invalid": "Le programme est un numéro sans zéro initial (ex. 103)."},
    )
    bop = serializers.CharField(allow_blank=True, allow_null=True, required=False, max_length=30)
    imputation = ImputationSerializer(required=False)
    echeancier = LigneSerializer(many=True, required=False)
    montant_total_ae = serializers.DecimalField(max_digits=17, decimal_places=2, read_only=True)
    montant_total_cp = serializers.DecimalField(max_digits=17, decimal_places=2, read_only=True)
    date_signature = serializers.DateField(allow_null=True, required=False)
    date_publication = serializers.DateField(allow_null=True, required=False)
    prise_effet = serializers.ChoiceField(
        choices=PriseEffet.choices, required=False, allow_null=True
    )
    date_debut = serializers.DateField(allow_null=True, required=False)
    date_fin = serializers.DateField(allow_null=True, required=False)
    duree_mois = serializers.IntegerField(min_value=1, allow_null=True, required=False)
    preavis_mois = serializers.IntegerField(min_value=0, allow_null=True, required=False)
    compte_rendu = serializers.ListField(
        child=serializers.ChoiceField(choices=CompteRendu.choices), required=False
    )
    conventions_precedentes = serializers.ListField(child=serializers.CharField(), required=False)
    cofinancements = CofinancementSerializer(
        many=True,
        required=False,
        help_text="Autres financements du même travail que le texte mentionne.",
    )
    annexe_rgpd = serializers.BooleanField(required=False, allow_null=True)
    comite_mi_parcours = serializers.BooleanField(
        required=False,
        help_text="Le texte prévoit un comité d'investissement à mi-parcours (6 mois après le "
        "début d'une phase) : l'échéance apparaît dans « À faire ».",
    )
    # Derived, read-only.
    date_preavis = serializers.DateField(read_only=True, allow_null=True)
    partie_preavis = serializers.ChoiceField(
        choices=PartiePreavis.choices,
        read_only=True,
        allow_blank=True,
        help_text="Qui a donné le préavis de résiliation (vide sans résiliation).",
    )
    date_prise_effet = serializers.DateField(read_only=True, allow_null=True)
    date_fin_consolidee = serializers.DateField(read_only=True, allow_null=True)
    date_fin_effective = serializers.DateField(read_only=True, allow_null=True)
    date_limite_preavis = serializers.DateField(read_only=True, allow_null=True)
    en_vigueur = serializers.SerializerMethodField()
    echeancier_consolide = serializers.SerializerMethodField()
    avenants = serializers.SerializerMethodField()

    def get_en_vigueur(self, obj: Convention) -> bool:
        return obj.est_en_vigueur()

    @extend_schema_field(LigneConsolideeSerializer(many=True))
    def get_echeancier_consolide(self, obj: Convention) -> list[dict[str, Any]]:
        return [
            {
                "annee": ligne.annee,
                "ae": str(ligne.ae),
                "cp": str(ligne.cp),
                "modifiee_par": ligne.modifiee_par,
            }
            for ligne in obj.echeancier_consolide()
        ]

    @extend_schema_field(AvenantSerializer(many=True))
    def get_avenants(self, obj: Convention) -> list[dict[str, Any]]:
        return [AvenantSerializer(a).data for a in obj.avenants_ordonnes()]

    def to_representation(self, obj: Convention) -> dict[str, Any]:
        data = super().to_representation(obj)
        data["delegant"] = _partie(
            obj.delegant, obj.delegant_representant_nom, obj.delegant_representant_qualite
        )
        data["delegataire"] = _partie(
            obj.delegataire, obj.delegataire_representant_nom, obj.delegataire_representant_qualite
        )
        data["services"] = [p.nom for p in obj.produits.all()]
        data["imputation"] = {
            c: getattr(obj, str(c)) or None for c in ImputationSerializer().fields
        }
        data["echeancier"] = [
            {"annee": ligne.annee, "ae": str(ligne.ae), "cp": str(ligne.cp)}
            for ligne in obj.echeancier.all()
        ]
        total_ae, total_cp = obj.totaux()
        data["montant_total_ae"], data["montant_total_cp"] = str(total_ae), str(total_cp)
        for champ in ("unite_operationnelle", "programme", "bop", "objet", "reference"):
            data[champ] = getattr(obj, champ) or None
        return data

    def validate_echeancier(self, lignes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        try:
            ecriture.verifier_lignes(
                [(ligne["annee"], ligne["ae"], ligne["cp"]) for ligne in lignes]
            )
        except RegleMetierError as exc:
            raise serializers.ValidationError(exc.message, code=exc.code) from exc
        return lignes

    def _valeurs(self, data: dict[str, Any]) -> dict[str, Any]:
        valeurs: dict[str, Any] = {}
        for cle in ("delegant", "delegataire"):
            if cle in data:
                partie = data[cle]
                valeurs[cle] = ecriture.trouver_ou_creer_administration(
                    partie.get("nom") or "", partie.get("sigle") or ""
                )
                rep = partie.get("representant") or {}
                valeurs[f"{cle}_representant_nom"] = rep.get("nom") or ""
                valeurs[f"{cle}_representant_qualite"] = rep.get("qualite") or ""
        for champ in ("reference", "objet", "unite_operationnelle", "programme", "bop"):
            if champ in data:
                valeurs[champ] = data[champ] or ""
        for champ, code in (data.get("imputation") or {}).items():
            # A ministerial axis may be words ("Transition numérique"): spaces kept, normalised.
            if champ.startswith("axe_ministeriel"):
                valeurs[champ] = " ".join((code or "").split())
            else:
                valeurs[champ] = (code or "").replace(" ", "")
        for champ in ("phases", "compte_rendu", "conventions_precedentes"):
            if champ in data:
                valeurs[champ] = list(dict.fromkeys(data[champ] or []))
        if "cofinancements" in data:
            valeurs["cofinancements"] = cofinancements.valider(
                [dict(c) for c in data["cofinancements"] or []]
            )
        for champ in ("date_signature", "date_publication", "date_debut", "date_fin", "duree_mois"):
            if champ in data:
                valeurs[champ] = data[champ]
        if data.get("prise_effet"):
            valeurs["prise_effet"] = data["prise_effet"]
        if data.get("preavis_mois") is not None:
            valeurs["preavis_mois"] = data["preavis_mois"]
        if data.get("annexe_rgpd") is not None:
            valeurs["annexe_rgpd"] = data["annexe_rgpd"]
        if "comite_mi_parcours" in data:
            valeurs["comite_mi_parcours"] = bool(data["comite_mi_parcours"])
        return valeurs

    def _ecrire(self, data: dict[str, Any], instance: Convention | None) -> Convention:
        with transaction.atomic():
            valeurs = self._valeurs(data)
            produits = (
                ecriture.trouver_ou_creer_produits(data["services"]) if "services" in data else None
            )
            echeancier = (
                [(ligne["annee"], ligne["ae"], ligne["cp"]) for ligne in data["echeancier"]]
                if "echeancier" in data
                else None
            )
            return ecriture.enregistrer_convention(
                valeurs,
                utilisateur(self.context["request"]),
                instance,
                produits=produits,
                echeancier=echeancier,
            )

    def create(self, validated_data: dict[str, Any]) -> Convention:
        return self._ecrire(validated_data, None)

    def update(self, instance: Convention, validated_data: dict[str, Any]) -> Convention:
        return self._ecrire(validated_data, instance)


class AdministrationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Administration
        fields = ["id", "nom", "sigle", "siret", "adresse"]

    def validate_nom(self, nom: str) -> str:
        # The database constraint is case-insensitive (Lower("nom")): check it here, in French.
        nom = " ".join(nom.split())
        existantes = Administration.objects.filter(nom__iexact=nom)
        if self.instance is not None:
            existantes = existantes.exclude(pk=self.instance.pk)
        if existantes.exists():
            # The state of the data refuses it (409 « deja_existant »), not the input.
            raise serializers.ValidationError(
                "Une administration porte déjà ce nom.", code="unique"
            )
        return nom
