"""Forms of the CHORUS pages: upload, explain a difference (or withdraw the explanation), record
the missing movement."""

from __future__ import annotations

from typing import Any

from django import forms
from dsfr.forms import DsfrBaseForm

from delegations.conventions.forms import ConventionParReferenceField
from delegations.conventions.models import Convention
from delegations.core.forms import MontantField
from delegations.execution.models import Titulaire

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TAILLE_MAX = 50_000_000


class FichiersMultiples(forms.ClearableFileInput):
    allow_multiple_selected = True


class ChampFichiers(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", FichiersMultiples(attrs={"accept": ".ods,.xlsx,.csv,.txt"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        un = super().clean
        if isinstance(data, list | tuple):
            return [un(d, initial) for d in data]
        return [un(data, initial)] if data else []


class RapprochementForm(DsfrBaseForm):
    fichiers = ChampFichiers(
        label="Journaux CHORUS (engagements et/ou paiements)",
        help_text="ODS, XLSX ou CSV séparé par des points-virgules ; plusieurs fichiers possibles. "
        "Le type de journal est reconnu à ses en-têtes.",
    )
    convention = ConventionParReferenceField(
        label="Limiter à une convention (facultatif)", required=False
    )
    uo = forms.CharField(
        label="ou limiter à une UO / un centre financier (facultatif)",
        max_length=30,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["convention"].queryset = Convention.objects.all()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        donnees = super().clean() or {}
        if donnees.get("convention") and donnees.get("uo"):
            self.add_error("uo", "Choisissez une convention ou une UO, pas les deux.")
        for f in donnees.get("fichiers") or []:
            if f.size > TAILLE_MAX:
                self.add_error("fichiers", f"{f.name} dépasse 50 Mo.")
        return donnees


class ExpliquerForm(DsfrBaseForm):
    commentaire = forms.CharField(
        label="Explication de l'écart", widget=forms.Textarea(attrs={"rows": 3})
    )


class RetirerExplicationForm(DsfrBaseForm):
    motif = forms.CharField(
        label="Motif du retrait",
        help_text="Pourquoi l'explication ne tient plus ; il reste dans l'historique de l'écart.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RegulariserForm(DsfrBaseForm):
    """The pre-filled movement; which fields show depends on the movement proposed."""

    montant = MontantField(label="Montant (€)")
    date = forms.DateField(label="Date", widget=DATE)
    reference = forms.CharField(label="Référence", max_length=60)
    objet = forms.CharField(label="Objet", max_length=500, required=False)
    titulaire = forms.ModelChoiceField(
        label="Titulaire", queryset=Titulaire.objects.all(), required=False
    )
    motif = forms.CharField(label="Motif", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    certifier = forms.BooleanField(
        label="Certifier un service fait partiel du même montant avant le paiement (si aucun "
        "service fait ne reste à payer)",
        required=False,
    )
    justification = forms.CharField(
        label="Justification (seulement après la clôture de fin d'année)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    commentaire = forms.CharField(
        label="Commentaire sur l'écart (facultatif)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirmation = forms.BooleanField(
        label="Je confirme l'enregistrement de ce mouvement au journal (il ne s'annule que par un "
        "mouvement correctif)."
    )

    CHAMPS = {
        "engagement": ("montant", "date", "reference", "objet", "titulaire", "justification"),
        "reduction": ("montant", "date", "reference", "motif"),
        "paiement": ("montant", "date", "reference", "certifier", "justification"),
        "report": ("montant", "date", "reference", "motif"),
    }
    LIBELLES = {
        "engagement": {"reference": "N° de bon de commande"},
        "paiement": {"reference": "Référence de la facture", "date": "Date du paiement"},
        "report": {"montant": "AE reportées (€)", "reference": "Référence de la décision"},
        "reduction": {"montant": "Montant de la réduction (€)"},
    }

    def __init__(self, *args: Any, mouvement: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        gardes = {*self.CHAMPS[mouvement], "commentaire", "confirmation"}
        for nom in list(self.fields):
            if nom not in gardes:
                del self.fields[nom]
        for nom, libelle in self.LIBELLES.get(mouvement, {}).items():
            self.fields[nom].label = libelle
        if mouvement in ("reduction", "report"):
            self.fields["reference"].required = mouvement == "report"
            self.fields["reference"].max_length = 100
