from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from delegations.conventions.models import Convention
from delegations.core.forms import MontantField
from delegations.core.models import Administration

from .models import Contact, NatureCourrier, TypeDocument


class CopieForm(forms.Form):
    document = forms.ChoiceField(label="Document signé")
    fichier = forms.FileField(
        label="Copie signée (PDF)", help_text="Le PDF signé, tel qu'il revient des signataires."
    )

    def __init__(self, convention: Convention, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choix = [("convention", "La convention")]
        choix += [
            (str(a.numero), f"L'avenant n° {a.numero}") for a in convention.avenants_ordonnes()
        ]
        self.fields["document"].choices = choix  # type: ignore[attr-defined]


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["administration", "nom", "email", "role"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["administration"].queryset = Administration.objects.order_by("nom")  # type: ignore[attr-defined]


class ModeleForm(forms.Form):
    type = forms.ChoiceField(label="Modèle", choices=TypeDocument.choices)
    fichier = forms.FileField(
        label="Nouvelle version (.docx)",
        help_text="Le modèle modifié dans Word, balises {{ … }} et {%p … %} conservées.",
    )
    commentaire = forms.CharField(label="Ce qui change", max_length=300, required=False)


class CourrierForm(forms.Form):
    """The few values a letter needs beyond the register."""

    annee = forms.IntegerField(
        label="Année budgétaire", min_value=2000, max_value=2100, required=False
    )
    montant_demande = MontantField(label="Besoin complémentaire estimé (€)", required=False)
    periode = forms.DateField(
        label="Mois du compte rendu",
        required=False,
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
    )
    document = forms.ChoiceField(label="Document signé", required=False)
    commentaire = forms.CharField(
        label="Précision ajoutée au courrier",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    CHAMPS = {
        NatureCourrier.POUR_SIGNATURE: ["document", "commentaire"],
        NatureCourrier.CREDITS_INSUFFISANTS: ["annee", "montant_demande", "commentaire"],
        NatureCourrier.PREAVIS: ["commentaire"],
        NatureCourrier.CREDITS_NON_CONSOMMES: ["commentaire"],
        NatureCourrier.RAPPORT_PERIODIQUE: ["periode", "commentaire"],
        NatureCourrier.RAPPORT_FINAL: ["commentaire"],
        NatureCourrier.COPIE_CBCM: ["document", "commentaire"],
    }

    def __init__(self, convention: Convention, nature: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        aujourd_hui = timezone.localdate()
        self.fields["annee"].initial = aujourd_hui.year
        self.fields["periode"].initial = aujourd_hui.replace(day=1)
        choix = [("convention", "La convention")]
        choix += [
            (str(a.numero), f"L'avenant n° {a.numero}") for a in convention.avenants_ordonnes()
        ]
        self.fields["document"].choices = choix  # type: ignore[attr-defined]
        for nom in list(self.fields):
            if nom not in self.CHAMPS[NatureCourrier(nature)]:
                del self.fields[nom]

    def parametres(self) -> dict[str, Any]:
        p: dict[str, Any] = {}
        for cle, valeur in self.cleaned_data.items():
            if cle == "document" or valeur in (None, ""):
                continue
            p[cle] = valeur.isoformat() if hasattr(valeur, "isoformat") else str(valeur)
        return p
