from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from dsfr.forms import DsfrBaseForm

from delegations.conventions.forms import ConventionParReferenceField
from delegations.conventions.models import Convention
from delegations.core.forms import MontantField, PieceJointeField
from delegations.produits.models import Produit

from .ecriture import CHAMPS_COMITE, CHAMPS_OBLIGATION, CHAMPS_RELEVE, DonneesIndicateur
from .models import Comite, Dimension, Indicateur, Obligation, Releve

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ComiteForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = Comite
        fields = [*CHAMPS_COMITE, "releve_document"]
        field_classes = {
            "support": PieceJointeField,
            "releve_document": PieceJointeField,
            "convention": ConventionParReferenceField,  # typed: no list of the whole register
        }
        widgets = {"date": DATE, "participants": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["produit"].queryset = Produit.objects.order_by("nom")  # type: ignore[attr-defined]
        self.fields["convention"].queryset = Convention.objects.all()  # type: ignore[attr-defined]


class ReleveForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = Releve
        fields = list(CHAMPS_RELEVE)
        field_classes = {"montant_accorde": MontantField}
        widgets = {
            "date": DATE,
            "participants": forms.Textarea(attrs={"rows": 4}),
            "commentaire": forms.Textarea(attrs={"rows": 3}),
        }


class IndicateurForm(DsfrBaseForm):
    dimension = forms.ChoiceField(
        label="Dimension", choices=Dimension.choices, initial=Dimension.UTILISE
    )
    nom = forms.CharField(
        label="Indicateur",
        max_length=200,
        required=False,
        help_text="Laisser vide pour ignorer la ligne.",
    )
    unite = forms.CharField(label="Unité", max_length=50, required=False)
    cible = forms.DecimalField(label="Cible", max_digits=15, decimal_places=2, required=False)
    echeance = forms.DateField(label="Échéance", required=False, widget=DATE)

    @classmethod
    def initial_de(cls, indicateur: Indicateur) -> dict[str, Any]:
        return {
            "dimension": indicateur.dimension,
            "nom": indicateur.nom,
            "unite": indicateur.unite,
            "cible": indicateur.cible,
            "echeance": indicateur.echeance,
        }


IndicateurFormSet = forms.formset_factory(IndicateurForm, extra=2, can_delete=True)


def indicateurs_du_formset(formset: Any) -> list[DonneesIndicateur]:
    lignes = []
    for form in formset:
        donnees = form.cleaned_data
        if not donnees or donnees.get("DELETE") or not donnees.get("nom"):
            continue
        lignes.append(
            DonneesIndicateur(
                nom=donnees["nom"],
                unite=donnees.get("unite") or "",
                cible=donnees.get("cible"),
                echeance=donnees.get("echeance"),
                dimension=donnees.get("dimension") or Dimension.UTILISE,
            )
        )
    return lignes


class ResultatsForm(DsfrBaseForm):
    """One field per previous target."""

    def __init__(
        self, objectifs: list[Indicateur], comite_id: int, *args: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.objectifs = objectifs
        for ind in objectifs:
            existant = next((r for r in ind.resultats.all() if r.comite_id == comite_id), None)
            cible = f"{ind.cible} {ind.unite}".strip() if ind.cible is not None else "sans cible"
            self.fields[f"ind_{ind.pk}"] = forms.DecimalField(
                label=f"{ind.nom} ({ind.get_dimension_display()})",
                required=False,
                max_digits=15,
                decimal_places=2,
                help_text=f"Cible : {cible}"
                + (f" au {ind.echeance:%d/%m/%Y}" if ind.echeance else ""),
                initial=existant.valeur if existant else None,
            )

    def valeurs(self) -> dict[int, Decimal | None]:
        return {ind.pk: self.cleaned_data.get(f"ind_{ind.pk}") for ind in self.objectifs}


class ObligationForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = Obligation
        fields = list(CHAMPS_OBLIGATION)
        field_classes = {"preuve_fichier": PieceJointeField}
        widgets = {"echeance": DATE, "commentaire": forms.Textarea(attrs={"rows": 2})}


class ConfirmationForm(DsfrBaseForm):
    confirmer = forms.BooleanField(label="Je confirme", required=True)
