from __future__ import annotations

from django import forms
from dsfr.forms import DsfrBaseForm

from .ecriture import CHAMPS
from .models import PhaseProduit, Produit


class ProduitForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = Produit
        fields = list(CHAMPS)
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class PhaseForm(DsfrBaseForm):
    phase = forms.ChoiceField(label="Phase", choices=PhaseProduit.choices)
    date_debut = forms.DateField(
        label="Date de début", widget=forms.DateInput(attrs={"type": "date"})
    )
    commentaire = forms.CharField(label="Commentaire", max_length=300, required=False)
