"""DSFR forms to record movements; they only collect values, ``mouvements`` applies the rules (``regles``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Sum
from dsfr.forms import DsfrBaseForm

from delegations.core.forms import MontantField, PieceJointeField
from delegations.produits.models import Produit

from .models import DecisionSolde, Marche, Paiement, Reduction, ServiceFait, Titulaire
from .situation import situation_annees

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MiseADispositionForm(DsfrBaseForm):
    annee = forms.IntegerField(label="Année", min_value=2000, max_value=2100)
    ae = MontantField(label="AE mises à disposition (€)")
    cp = MontantField(label="CP mis à disposition (€)")
    date = forms.DateField(label="Date", widget=DATE)
    reference = forms.CharField(label="Référence", max_length=100)


class ConfirmationMixin:
    """An irreversible movement is recorded on the second submission only.

    The first valid submission shows the amount in figures and in words and what remains
    available after it (``a_confirmer``); the hidden ``confirme`` then carries the amount
    confirmed, and a changed amount asks again.
    """

    confirmation_verbe = "enregistrer"
    a_confirmer = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["confirme"] = forms.CharField(required=False, widget=forms.HiddenInput)  # type: ignore[attr-defined]

    def is_valid(self) -> bool:
        if not super().is_valid():  # type: ignore[misc]
            return False
        montant = str(self.cleaned_data["montant"])  # type: ignore[attr-defined]
        if self.cleaned_data.pop("confirme", None) == montant:  # type: ignore[attr-defined]
            return True
        self.a_confirmer = True
        self.data = self.data.copy()  # type: ignore[has-type]
        self.data[self.add_prefix("confirme")] = montant  # type: ignore[attr-defined]
        return False

    @property
    def montant_a_confirmer(self) -> Decimal:
        return self.cleaned_data["montant"]  # type: ignore[attr-defined]

    def restes(self) -> list[tuple[str, Decimal]]:
        """What remains available after the movement: ``[(label, amount)]``."""
        return []


class EngagementForm(ConfirmationMixin, DsfrBaseForm):
    confirmation_verbe = "engager"

    reference = forms.CharField(label="N° de bon de commande / EJ", max_length=60)
    date = forms.DateField(label="Date", widget=DATE)
    objet = forms.CharField(label="Objet", max_length=500)
    montant = MontantField(label="Montant (€)")
    produit = forms.ModelChoiceField(
        label="Produit", queryset=Produit.objects.none(), required=False
    )
    titulaire = forms.ModelChoiceField(
        label="Titulaire", queryset=Titulaire.objects.all(), required=False
    )
    marche = forms.ModelChoiceField(label="Marché", queryset=Marche.objects.all(), required=False)
    date_fin_execution = forms.DateField(
        label="Fin d'exécution (facultative ; sur un marché, au plus la fin du marché)",
        widget=DATE,
        required=False,
    )
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
        self.convention = convention
        if convention is not None:
            self.fields["produit"].queryset = convention.produits.all()

    def restes(self) -> list[tuple[str, Decimal]]:
        if self.convention is None:
            return []
        annee = self.cleaned_data["date"].year
        ligne = next((a for a in situation_annees(self.convention) if a["annee"] == annee), None)
        restant = ligne["ae_restant"] if ligne else Decimal(0)
        return [
            (f"AE disponibles pour {annee} sur la convention", restant - self.montant_a_confirmer)
        ]


class ServiceFaitForm(ConfirmationMixin, DsfrBaseForm):
    confirmation_verbe = "certifier"
    montant = MontantField(label="Montant certifié (€)")
    date = forms.DateField(label="Date du service fait", widget=DATE)
    periode_debut = forms.DateField(label="Période couverte : du", widget=DATE, required=False)
    periode_fin = forms.DateField(label="au", widget=DATE, required=False)
    total = forms.BooleanField(
        label="Service fait total (solde le bon de commande, livrable obligatoire)", required=False
    )
    livrable = PieceJointeField(label="Livrable (fichier)", required=False)
    livrable_url = forms.URLField(
        label="ou lien vers le livrable", required=False, assume_scheme="https"
    )

    def __init__(self, *args: Any, engagement: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.engagement = engagement

    def restes(self) -> list[tuple[str, Decimal]]:
        if self.engagement is None:
            return []
        eng = self.engagement
        reduit = Reduction.objects.filter(engagement=eng).aggregate(s=Sum("montant"))["s"] or 0
        certifie = ServiceFait.objects.filter(engagement=eng).aggregate(s=Sum("montant"))["s"] or 0
        reste = eng.montant - reduit - certifie - self.montant_a_confirmer
        return [(f"Reste à certifier sur le bon de commande {eng.reference}", reste)]


class PaiementForm(ConfirmationMixin, DsfrBaseForm):
    confirmation_verbe = "payer"
    reference = forms.CharField(label="Référence de la facture", max_length=100)
    montant = MontantField(label="Montant payé (€)")
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

    def __init__(self, *args: Any, service_fait: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.service_fait = service_fait

    def restes(self) -> list[tuple[str, Decimal]]:
        sf = self.service_fait
        if sf is None:
            return []
        paye = Paiement.objects.filter(service_fait=sf).aggregate(s=Sum("montant"))["s"] or 0
        annee = self.cleaned_data["date"].year
        ligne = next(
            (a for a in situation_annees(sf.engagement.convention) if a["annee"] == annee), None
        )
        cp = ligne["cp_restant"] if ligne else Decimal(0)
        montant = self.montant_a_confirmer
        return [
            (
                f"Reste à payer sur le service fait du {sf.date:%d/%m/%Y}",
                sf.montant - paye - montant,
            ),
            (f"CP disponibles pour {annee} sur la convention", cp - montant),
        ]


class ReportForm(DsfrBaseForm):
    annee = forms.IntegerField(
        label="Année dont les crédits sont reportés (sur l'année suivante)",
        min_value=2000,
        max_value=2100,
    )
    ae = MontantField(label="AE reportées (€)")
    cp = MontantField(label="CP reportés (€)")
    date = forms.DateField(label="Date de la décision", widget=DATE)
    reference = forms.CharField(label="Référence de la décision", max_length=100)
    motif = forms.CharField(label="Motif", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReductionForm(DsfrBaseForm):
    montant = MontantField(label="Montant de la réduction (€)")
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
    montant_demande = MontantField(label="Montant demandé (€)", required=False)
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


class SuiteCommandeForm(DsfrBaseForm):
    date = forms.DateField(label="Date de la décision", widget=DATE)
    motif = forms.CharField(
        label="Motif (facultatif)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ClotureForm(DsfrBaseForm):
    date = forms.DateField(label="Date de la clôture", widget=DATE)
    decision = forms.ChoiceField(
        label="Décision du délégant sur les crédits non utilisés",
        choices=DecisionSolde.choices,
        widget=forms.RadioSelect,
    )
    reference = forms.CharField(
        label="Référence de la décision (requise pour une utilisation décidée par le délégant)",
        max_length=100,
        required=False,
    )
