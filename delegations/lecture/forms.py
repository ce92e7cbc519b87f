from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from dsfr.forms import DsfrBaseForm

from delegations.conventions import cofinancements
from delegations.conventions.forms import ConventionForm
from delegations.conventions.models import CompteRendu, Convention, PriseEffet

IMPUTATION = [
    "axe_ministeriel_1",
    "axe_ministeriel_2",
    "domaine_fonctionnel",
    "centre_financier",
    "activite",
    "centre_de_cout",
]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DepotForm(DsfrBaseForm):
    fichier = forms.FileField(
        label="Document de la convention ou de l'avenant",
        help_text="PDF (y compris scanné), DOCX, TXT ou Markdown.",
    )


def _date(valeur: Any) -> dt.date | None:
    if not valeur:
        return None
    try:
        return dt.date.fromisoformat(str(valeur))
    except ValueError:
        return None


class RevueForm(DsfrBaseForm):
    """Every extracted field, correctable before confirmation."""

    sha256 = forms.CharField(widget=forms.HiddenInput)
    extension = forms.CharField(widget=forms.HiddenInput)
    # The year of the schedule line proposed for a text with a single total (to be confirmed).
    ligne_proposee = forms.IntegerField(widget=forms.HiddenInput, required=False)
    confirmer_ligne_proposee = forms.BooleanField(
        label="Je confirme la ligne d'échéancier proposée à partir du montant total",
        required=False,
    )
    nom_original = forms.CharField(widget=forms.HiddenInput)
    type = forms.ChoiceField(
        label="Type de document", choices=[("convention", "Convention"), ("avenant", "Avenant")]
    )
    convention_parente = forms.ModelChoiceField(
        label="Convention modifiée par l'avenant",
        queryset=Convention.objects.none(),
        required=False,
        help_text="Pour un avenant seulement.",
    )
    reference = forms.CharField(label="Référence", required=False, max_length=60)
    delegant_nom = forms.CharField(label="Délégant — nom", required=False, max_length=300)
    delegant_sigle = forms.CharField(label="Délégant — sigle", required=False, max_length=50)
    delegant_representant_nom = forms.CharField(
        label="Délégant — représentant", required=False, max_length=200
    )
    delegant_representant_qualite = forms.CharField(
        label="Délégant — qualité du représentant", required=False, max_length=300
    )
    delegataire_nom = forms.CharField(label="Délégataire — nom", required=False, max_length=300)
    delegataire_sigle = forms.CharField(label="Délégataire — sigle", required=False, max_length=50)
    delegataire_representant_nom = forms.CharField(
        label="Délégataire — représentant", required=False, max_length=200
    )
    delegataire_representant_qualite = forms.CharField(
        label="Délégataire — qualité du représentant", required=False, max_length=300
    )
    objet = forms.CharField(label="Objet", widget=forms.Textarea(attrs={"rows": 3}))
    services = forms.CharField(
        label="Produits financés",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Un par ligne.",
    )
    # The register's own field (lecture does not import produits, where phases are defined).
    phases = copy.deepcopy(ConventionForm.base_fields["phases"])
    unite_operationnelle = forms.CharField(
        label="Unité opérationnelle (UO)", required=False, max_length=30
    )
    programme = forms.CharField(label="Programme", required=False, max_length=4)
    bop = forms.CharField(label="BOP", required=False, max_length=30)
    axe_ministeriel_1 = forms.CharField(label="Axe ministériel 1", required=False, max_length=30)
    axe_ministeriel_2 = forms.CharField(label="Axe ministériel 2", required=False, max_length=30)
    domaine_fonctionnel = forms.CharField(
        label="Domaine fonctionnel", required=False, max_length=30
    )
    centre_financier = forms.CharField(label="Centre financier", required=False, max_length=30)
    activite = forms.CharField(label="Activité", required=False, max_length=30)
    centre_de_cout = forms.CharField(label="Centre de coût", required=False, max_length=30)
    date_signature = forms.DateField(label="Date de signature", required=False, widget=DATE)
    prise_effet = forms.ChoiceField(
        label="Prise d'effet", choices=PriseEffet.choices, required=False
    )
    date_fin = forms.DateField(label="Date de fin", required=False, widget=DATE)
    duree_mois = forms.IntegerField(label="Durée (mois)", required=False, min_value=1)
    preavis_mois = forms.IntegerField(label="Préavis (mois)", required=False, min_value=0)
    compte_rendu = forms.MultipleChoiceField(
        label="Compte rendu",
        choices=CompteRendu.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    conventions_precedentes = forms.CharField(
        label="Conventions précédentes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Une par ligne.",
    )
    cofinancements = forms.CharField(
        label="Cofinancements",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Autres financements du même travail, un par ligne : « financeur ; montant ; "
        "objet ».",
    )
    annexe_rgpd = forms.BooleanField(label="Annexe RGPD jointe", required=False)

    def __init__(self, *args: Any, conventions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if conventions is not None:
            self.fields["convention_parente"].queryset = conventions

    @staticmethod
    def initial_depuis(extraction: dict[str, Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {"type": extraction.get("type") or "convention"}
        for partie in ("delegant", "delegataire"):
            donnees = extraction.get(partie) or {}
            rep = donnees.get("representant") or {}
            initial.update(
                {
                    f"{partie}_nom": donnees.get("nom") or "",
                    f"{partie}_sigle": donnees.get("sigle") or "",
                    f"{partie}_representant_nom": rep.get("nom") or "",
                    f"{partie}_representant_qualite": rep.get("qualite") or "",
                }
            )
        for cle in (
            "objet",
            "unite_operationnelle",
            "programme",
            "bop",
            "prise_effet",
            "duree_mois",
            "preavis_mois",
        ):
            initial[cle] = extraction.get(cle) or ""
        for cle in IMPUTATION:
            initial[cle] = (extraction.get("imputation") or {}).get(cle) or ""
        initial["date_signature"] = _date(extraction.get("date_signature"))
        initial["date_fin"] = _date(extraction.get("date_fin"))
        initial["services"] = "\n".join(extraction.get("services") or [])
        initial["conventions_precedentes"] = "\n".join(
            textes_precedents(extraction.get("conventions_precedentes"))
        )
        try:
            initial["cofinancements"] = cofinancements.en_texte(
                cofinancements.valider(extraction.get("cofinancements") or [])
            )
        except ValidationError:
            initial["cofinancements"] = ""
        initial["phases"] = extraction.get("phases") or []
        initial["compte_rendu"] = extraction.get("compte_rendu") or []
        initial["annexe_rgpd"] = bool(extraction.get("annexe_rgpd"))
        return initial

    def clean_cofinancements(self) -> list[dict[str, str]]:
        return cofinancements.depuis_texte(self.cleaned_data.get("cofinancements") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("ligne_proposee") and not data.get("confirmer_ligne_proposee"):
            self.add_error(
                "confirmer_ligne_proposee",
                f"Le texte ne donne qu'un montant total : confirmez la ligne d'échéancier "
                f"proposée pour {data['ligne_proposee']} ou corrigez l'échéancier.",
            )
        if data.get("type") == "avenant" and not data.get("convention_parente"):
            self.add_error(
                "convention_parente", "Choisissez la convention que modifie cet avenant."
            )
        return data

    def contrat(self, lignes: list[tuple[int, Any, Any]]) -> dict[str, Any]:
        """The reviewed values in the extraction contract's shape (what the API accepts)."""
        d = self.cleaned_data

        def lignes_texte(cle: str) -> list[str]:
            return [ligne.strip() for ligne in (d.get(cle) or "").splitlines() if ligne.strip()]

        contrat: dict[str, Any] = {
            "type": "convention",
            "reference": d.get("reference") or "",
            "objet": d["objet"],
            "services": lignes_texte("services"),
            "phases": d.get("phases") or [],
            "unite_operationnelle": d.get("unite_operationnelle") or None,
            "programme": d.get("programme") or None,
            "bop": d.get("bop") or None,
            "imputation": {cle: code_imputation(cle, d.get(cle)) for cle in IMPUTATION},
            "echeancier": [{"annee": a, "ae": str(ae), "cp": str(cp)} for a, ae, cp in lignes],
            "date_signature": d.get("date_signature"),
            "date_fin": d.get("date_fin"),
            "prise_effet": d.get("prise_effet") or None,
            "duree_mois": d.get("duree_mois"),
            "preavis_mois": d.get("preavis_mois"),
            "compte_rendu": d.get("compte_rendu") or [],
            "conventions_precedentes": lignes_texte("conventions_precedentes"),
            "cofinancements": d.get("cofinancements") or [],
            "annexe_rgpd": d.get("annexe_rgpd"),
        }
        for partie in ("delegant", "delegataire"):
            contrat[partie] = {
                "nom": d.get(f"{partie}_nom") or "",
                "sigle": d.get(f"{partie}_sigle") or "",
                "representant": {
                    "nom": d.get(f"{partie}_representant_nom") or "",
                    "qualite": d.get(f"{partie}_representant_qualite") or "",
                },
            }
        return contrat


def code_imputation(cle: str, valeur: str | None) -> str | None:
    """A CHORUS code without spaces; a ministerial axis may be words: spaces normalised only."""
    valeur = (valeur or "").strip()
    if cle.startswith("axe_ministeriel"):
        return " ".join(valeur.split()) or None
    return valeur.replace(" ", "") or None


def textes_precedents(precedents: Any) -> list[str]:
    """The earlier conventions as the register keeps them: their text as written (the reader
    gives ``{"type", "numero", "date", "texte"}``; older readings gave the text alone)."""
    textes: list[str] = []
    for item in precedents or []:
        texte = item.get("texte") if isinstance(item, dict) else item
        if texte and str(texte) not in textes:
            textes.append(str(texte))
    return textes
