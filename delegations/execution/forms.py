"""DSFR forms to record movements; they only collect values, ``mouvements`` applies the rules (``regles``)."""

from __future__ import annotations

from typing import Any

from django import forms
from dsfr.forms import DsfrBaseForm

from delegations.produits.models import Produit

from .models import Marche, Titulaire

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONTANT = {"max_digits": 15, "decimal_places": 2, "min_value": 0}


class MiseADispositionForm(DsfrBaseForm):
    annee = forms.IntegerField(label="Année", min_value=2000, max_value=2100)
    ae = forms.DecimalField(label="AE mises à disposition (€)", **MONTANT)  # type: ignore[arg-type]
    cp = forms.DecimalField(label="CP mis à disposition (€)", **MONTANT)  # type: ignore[arg-type]
    date = forms.DateField(label="Date", widget=DATE)
    reference = forms.CharField(label="Référence", max_length=100)


class EngagementForm(DsfrBaseForm):
    reference = forms.CharField(label="N° de bon de commande / EJ", max_length=60)
    date = forms.DateField(label="Date", widget=DATE)
    objet = forms.CharField(label="Objet", max_length=500)
    montant = forms.DecimalField(label="Montant (€)", **MONTANT)  # type: ignore[arg-type]
    produit = forms.ModelChoiceField(
        label="Produit", queryset=Produit.objects.none(), required=False
    )
    titulaire = forms.ModelChoiceField(
        label="Titulaire", queryset=Titulaire.objects.all(), required=False
    )
    marche = forms.ModelChoiceField(label="Marché", queryset=Marche.objects.all(), required=False)
    justification = forms.CharField(
        label="Justification (seulement après la clôture de fin d'année)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    numero_ej = forms.CharField(
        label="Numéro d'EJ CHORUS (facultatif, peut être renseigné plus tard)",
        max_length=30,
        required=False,
    )

    def __init__(self, *args: Any, convention: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if convention is not None:
            self.fields["produit"].queryset = convention.produits.all()  # type: ignore[attr-defined]


class ServiceFaitForm(DsfrBaseForm):
    montant = forms.DecimalField(label="Montant certifié (€)", **MONTANT)  # type: ignore[arg-type]
    date = forms.DateField(label="Date du service fait", widget=DATE)
    periode_debut = forms.DateField(label="Période couverte : du", widget=DATE, required=False)
    periode_fin = forms.DateField(label="au", widget=DATE, required=False)
    total = forms.BooleanField(
        label="Service fait total (solde le bon de commande, livrable obligatoire)", required=False
    )
    livrable = forms.FileField(label="Livrable (fichier)", required=False)
    livrable_url = forms.URLField(
        label="ou lien vers le livrable", required=False, assume_scheme="https"
    )


class PaiementForm(DsfrBaseForm):
    reference = forms.CharField(label="Référence de la facture", max_length=100)
    montant = forms.DecimalField(label="Montant payé (€)", **MONTANT)  # type: ignore[arg-type]
    date = forms.DateField(label="Date du paiement", widget=DATE)
    justification = forms.CharField(
        label="Justification (seulement après la clôture de fin d'année)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    numero_piece = forms.CharField(
        label="N° de pièce de paiement CHORUS (facultatif, peut être renseigné plus tard)",
        max_length=30,
        required=False,
    )


class ReportForm(DsfrBaseForm):
    annee = forms.IntegerField(
        label="Année dont les crédits sont reportés (sur l'année suivante)",
        min_value=2000,
        max_value=2100,
    )
    ae = forms.DecimalField(label="AE reportées (€)", **MONTANT)  # type: ignore[arg-type]
    cp = forms.DecimalField(label="CP reportés (€)", **MONTANT)  # type: ignore[arg-type]
    date = forms.DateField(label="Date de la décision", widget=DATE)
    reference = forms.CharField(label="Référence de la décision", max_length=100)
    motif = forms.CharField(label="Motif", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReductionForm(DsfrBaseForm):
    montant = forms.DecimalField(label="Montant de la réduction (€)", **MONTANT)  # type: ignore[arg-type]
    date = forms.DateField(label="Date", widget=DATE)
    reference = forms.CharField(label="Référence", max_length=100, required=False)
    motif = forms.CharField(label="Motif", widget=forms.Textarea(attrs={"rows": 2}))
    confirmation = forms.BooleanField(
        label="Je confirme la réduction du bon de commande (elle ne peut être annulée "
        "que par un nouveau mouvement)."
    )


class InformationDelegantForm(DsfrBaseForm):
    annee = forms.IntegerField(label="Année", min_value=2000, max_value=2100)
    date = forms.DateField(label="Date à laquelle le délégant a été informé", widget=DATE)
    montant_demande = forms.DecimalField(label="Montant demandé (€)", required=False, **MONTANT)  # type: ignore[arg-type]
    commentaire = forms.CharField(
        label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    suspendre = forms.BooleanField(label="Suspendre l'exécution de la convention", required=False)


class RejetForm(DsfrBaseForm):
    motif = forms.CharField(label="Motif du rejet", widget=forms.Textarea(attrs={"rows": 2}))


class ImportForm(DsfrBaseForm):
    nature = forms.ChoiceField(
        label="Contenu du fichier",
        choices=[("engagements", "Bons de commande"), ("paiements", "Paiements")],
    )
    fichier = forms.FileField(
        label="Fichier CSV ou XLSX",
        help_text="Colonnes reconnues par leur en-tête (casse et accents indifférents).",
    )


class TitulaireForm(DsfrBaseForm, forms.ModelForm):
    # Accept the SIRET as people type it ("123 456 789 00012"), stored without spaces.
    siret = forms.CharField(label="SIRET", max_length=20, required=False)

    class Meta:
        model = Titulaire
        fields = ["nom", "siret"]

    def clean_siret(self) -> str:
        siret = "".join((self.cleaned_data.get("siret") or "").split())
        if siret and (len(siret) != 14 or not siret.isdigit()):
            raise forms.ValidationError("Le SIRET doit comporter exactement 14 chiffres.")
        return siret


class MarcheForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = Marche
        fields = ["numero", "intitule", "titulaires", "date_debut", "date_fin"]
        widgets = {
            "titulaires": forms.CheckboxSelectMultiple,
            "date_debut": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "date_fin": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        debut, fin = data.get("date_debut"), data.get("date_fin")
        if debut and fin and fin <= debut:
            self.add_error("date_fin", "La fin du marché doit être postérieure à son début.")
        return data


class ReferenceChorusForm(DsfrBaseForm):
    """The CHORUS reference of an order or a payment, set after the fact (never an amount)."""

    numero = forms.CharField(label="Numéro CHORUS", max_length=30, required=False)
