from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from dsfr.forms import DsfrBaseForm

from delegations.core.errors import RegleMetierError
from delegations.core.forms import MontantField
from delegations.core.models import Administration
from delegations.produits.models import Phase, Produit

from . import cofinancements, ecriture
from .models import CompteRendu, Convention, PartiePreavis, Statut


class ConventionForm(DsfrBaseForm, forms.ModelForm):
    phases = forms.MultipleChoiceField(
        label="Phases financées",
        choices=Phase.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    compte_rendu = forms.MultipleChoiceField(
        label="Compte rendu du délégataire",
        choices=CompteRendu.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    conventions_precedentes = forms.CharField(
        label="Conventions et avenants précédents",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Une par ligne.",
    )
    cofinancements = forms.CharField(
        label="Cofinancements",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Autres financements du même travail, un par ligne : « financeur ; montant ; "
        "objet », par exemple « DINUM ; 50 000,00 ; FAST ».",
    )
    produits = forms.ModelMultipleChoiceField(
        label="Produits financés",
        queryset=Produit.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Convention
        # The register's fields, but the publication date: the transition « Publier » sets it.
        fields = [c for c in ecriture.CHAMPS if c != "date_publication"] + ["produits"]
        widgets = {
            "objet": forms.Textarea(attrs={"rows": 3}),
            "date_signature": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "date_debut": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "date_fin": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "unite_operationnelle": "Forme 0103-CEFP-C004.",
            "programme": "Déduit de l'UO s'il n'est pas indiqué.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["conventions_precedentes"] = "\n".join(
                self.instance.conventions_precedentes or []
            )
            self.initial["cofinancements"] = cofinancements.en_texte(self.instance.cofinancements)
            if self.instance.statut != Statut.BROUILLON:
                for champ in ecriture.VERROUILLES_APRES_SIGNATURE & set(self.fields):
                    self.fields[champ].disabled = True
                    self.fields[
                        champ
                    ].help_text = "Modifiable seulement par avenant (convention signée)."
        else:
            dinum = Administration.objects.filter(sigle__iexact="DINUM").first()
            if dinum:
                self.initial.setdefault("delegataire", dinum.pk)

    def clean_conventions_precedentes(self) -> list[str]:
        texte = self.cleaned_data.get("conventions_precedentes") or ""
        return [ligne.strip() for ligne in texte.splitlines() if ligne.strip()]

    def clean_cofinancements(self) -> list[dict[str, str]]:
        if self.fields["cofinancements"].disabled:
            return list(self.instance.cofinancements or [])
        return cofinancements.depuis_texte(self.cleaned_data.get("cofinancements") or "")

    def valeurs(self) -> dict[str, Any]:
        return {champ: valeur for champ, valeur in self.cleaned_data.items() if champ != "produits"}


def _montant(libelle: str) -> MontantField:
    return MontantField(label=libelle)


class LigneForm(DsfrBaseForm):
    annee = forms.IntegerField(label="Année", min_value=2000, max_value=2100)
    ae = _montant("AE (€)")
    cp = _montant("CP (€)")


class BaseLignesFormSet(forms.BaseFormSet):
    def _supprime(self, form: forms.Form) -> bool:
        return bool(self.can_delete and form.cleaned_data.get("DELETE"))

    def clean(self) -> None:
        if any(self.errors):
            return
        try:
            ecriture.verifier_lignes(self.lignes())
        except RegleMetierError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc

    def lignes(self) -> list[tuple[int, Decimal, Decimal]]:
        return [
            (f.cleaned_data["annee"], f.cleaned_data["ae"], f.cleaned_data["cp"])
            for f in self.forms
            if f.has_changed() and f.cleaned_data and not self._supprime(f)
        ]


LignesFormSet = forms.formset_factory(
    LigneForm, formset=BaseLignesFormSet, extra=2, can_delete=True
)


class AvenantForm(DsfrBaseForm):
    objet = forms.CharField(label="Objet de l'avenant", widget=forms.Textarea(attrs={"rows": 3}))
    date_signature = forms.DateField(
        label="Date de signature",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Si l'avenant est déjà signé. Sans date, c'est un brouillon : il ne change "
        "rien tant qu'il n'est pas signé (et publié si la convention a pris effet à sa publication).",
    )
    date_fin = forms.DateField(
        label="Nouvelle date de fin",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Laisser vide si l'avenant ne prolonge pas la convention.",
    )


class TransitionForm(DsfrBaseForm):
    def __init__(self, action: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if action == "publier":
            self.fields["date_publication"] = forms.DateField(
                label="Date de publication", widget=forms.DateInput(attrs={"type": "date"})
            )
        if action == "resilier":
            self.fields["date_preavis"] = forms.DateField(
                label="Date à laquelle le préavis a été donné",
                widget=forms.DateInput(attrs={"type": "date"}),
            )
            self.fields["partie"] = forms.ChoiceField(
                label="Préavis donné par",
                choices=PartiePreavis.choices,
                widget=forms.RadioSelect,
            )
        if action in ("suspendre", "reprendre", "resilier"):
            self.fields["motif"] = forms.CharField(
                label="Motif",
                required=False,
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text="Gardé à l'historique de la convention.",
            )


ACTIONS_AVENANT = {
    "signer": "Signer l'avenant",
    "publier": "Publier l'avenant",
    "supprimer": "Supprimer l'avenant (brouillon)",
}


class ActionAvenantForm(DsfrBaseForm):
    def __init__(self, action: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if action == "signer":
            self.fields["date_signature"] = forms.DateField(
                label="Date de signature de l'avenant",
                widget=forms.DateInput(attrs={"type": "date"}),
            )
        if action == "publier":
            self.fields["date_publication"] = forms.DateField(
                label="Date de publication de l'avenant",
                widget=forms.DateInput(attrs={"type": "date"}),
            )


class AdministrationForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = Administration
        fields = ["nom", "sigle", "siret", "adresse"]
        widgets = {"adresse": forms.Textarea(attrs={"rows": 3})}


class ConventionParReferenceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A convention chosen by typing its reference, not from a list of the whole register (a
    ``<select>`` of every convention weighs megabytes and seconds at national scale). The
    queryset bounds what may be chosen (the perimeter); a stored value (an id) shows as its
    reference."""

    widget = forms.TextInput

    def __init__(self, queryset: Any = None, **kwargs: Any) -> None:
        kwargs.pop("to_field_name", None)  # a model form's foreign key passes its own
        kwargs.setdefault(
            "error_messages",
            {"invalid_choice": "Aucune convention de votre périmètre n'a cette référence."},
        )
        kwargs.setdefault("help_text", "Référence exacte de la convention.")
        super().__init__(
            queryset if queryset is not None else Convention.objects.none(),
            to_field_name="reference",
            **kwargs,
        )
        self.widget.attrs.setdefault("autocomplete", "off")

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            # Read within the field's queryset (the perimeter): an id never shows the reference
            # of a convention the user may not see.
            visibles = self.queryset if self.queryset is not None else Convention.objects.none()
            return visibles.filter(pk=value).values_list("reference", flat=True).first() or value
        return super().prepare_value(value)

    def to_python(self, value: Any) -> Any:
        return super().to_python(value.strip() if isinstance(value, str) else value)
