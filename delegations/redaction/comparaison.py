"""What the register says a document contains, and the comparison with what the reader read.

One rule for the round trip (tests and ``make bench``) and for signed copies: each field the
register writes into the document (the keys of the extraction contract) is compared with the
reader's value. A field the register leaves empty is not written, so it is not compared.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from delegations.conventions.models import Avenant, Convention
from delegations.core.formats import euros

from .contexte import date_longue, precedents_avenant

LIBELLES = {
    "type": "type de document",
    "delegant.nom": "nom du délégant",
    "delegant.sigle": "sigle du délégant",
    "delegant.representant.nom": "représentant du délégant",
    "delegant.representant.qualite": "qualité du représentant du délégant",
    "delegataire.nom": "nom du délégataire",
    "delegataire.sigle": "sigle du délégataire",
    "delegataire.representant.nom": "représentant du délégataire",
    "delegataire.representant.qualite": "qualité du représentant du délégataire",
    "objet": "objet",
    "services": "services financés",
    "phases": "phases financées",
    "unite_operationnelle": "unité opérationnelle",
    "programme": "programme",
    "imputation.axe_ministeriel_1": "axe ministériel 1",
    "imputation.axe_ministeriel_2": "axe ministériel 2",
    "imputation.domaine_fonctionnel": "domaine fonctionnel",
    "imputation.centre_financier": "centre financier",
    "imputation.activite": "activité",
    "imputation.centre_de_cout": "centre de coût",
    "montant_total_ae": "total des AE",
    "montant_total_cp": "total des CP",
    "date_signature": "date de signature",
    "prise_effet": "prise d'effet",
    "date_fin": "date de fin",
    "duree_mois": "durée (mois)",
    "preavis_mois": "préavis (mois)",
    "compte_rendu": "compte rendu",
    "conventions_precedentes": "textes cités",
    "annexe_rgpd": "annexe RGPD",
}


@dataclass
class Champ:
    cle: str
    libelle: str
    attendu: str
    lu: str
    ok: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _texte(valeur: Any) -> str:
    return re.sub(r"\s+", " ", str(valeur or "")).strip()


def _textes_cites(lu: Any) -> list[str]:
    """The texts the reader cites, once each (it gives ``{"type", "numero", "date", "texte"}``
    per document, several documents from one mention)."""
    textes: list[str] = []
    for item in lu or []:
        texte = item.get("texte") if isinstance(item, dict) else item
        if texte and texte not in textes:
            textes.append(texte)
    return textes


def _sans_point(valeur: Any) -> str:
    return _texte(valeur).rstrip(" .;")


def _montant(valeur: Any) -> Decimal | None:
    try:
        return Decimal(str(valeur)).quantize(Decimal("0.01")) if valeur not in (None, "") else None
    except InvalidOperation:
        return None


def _partie(prefixe: str, nom: str, sigle: str, rep_nom: str, rep_qualite: str) -> dict[str, Any]:
    valeurs = {f"{prefixe}.nom": nom, f"{prefixe}.sigle": sigle}
    if rep_nom:
        valeurs[f"{prefixe}.representant.nom"] = rep_nom
        if rep_qualite:
            valeurs[f"{prefixe}.representant.qualite"] = rep_qualite
    return {k: v for k, v in valeurs.items() if v}


def _parties(convention: Convention) -> dict[str, Any]:
    return {
        **_partie(
            "delegant",
            convention.delegant.nom,
            convention.delegant.sigle,
            convention.delegant_representant_nom,
            convention.delegant_representant_qualite,
        ),
        **_partie(
            "delegataire",
            convention.delegataire.nom,
            convention.delegataire.sigle,
            convention.delegataire_representant_nom,
            convention.delegataire_representant_qualite,
        ),
    }


def _echeancier(lignes: list[Any]) -> dict[str, Any]:
    return {f"echeancier.{ligne.annee}": (ligne.ae, ligne.cp) for ligne in lignes}


def attendu_convention(convention: Convention) -> dict[str, Any]:
    """The contract's keys (flattened) that the convention's document states, with their values."""
    valeurs: dict[str, Any] = {"type": "convention", **_parties(convention)}
    valeurs["objet"] = convention.objet
    produits = [p.nom for p in convention.produits.all()]
    if produits:
        valeurs["services"] = sorted(produits)
    if convention.phases:
        valeurs["phases"] = sorted(convention.phases)
    if convention.unite_operationnelle:
        valeurs["unite_operationnelle"] = convention.unite_operationnelle
    if convention.programme:
        valeurs["programme"] = convention.programme
    for champ in (
        "centre_financier",
        "domaine_fonctionnel",
        "activite",
        "centre_de_cout",
        "axe_ministeriel_1",
        "axe_ministeriel_2",
    ):
        if getattr(convention, champ):
            valeurs[f"imputation.{champ}"] = getattr(convention, champ)
    lignes = list(convention.echeancier.all())
    valeurs.update(_echeancier(lignes))
    if lignes:
        total_ae, total_cp = convention.totaux(lignes)
        valeurs["montant_total_ae"] = total_ae
        valeurs["montant_total_cp"] = total_cp
    if convention.date_signature:
        valeurs["date_signature"] = convention.date_signature
    valeurs["prise_effet"] = convention.prise_effet
    if convention.date_fin:
        valeurs["date_fin"] = convention.date_fin
    if convention.duree_mois:
        valeurs["duree_mois"] = convention.duree_mois
    if convention.preavis_mois:
        valeurs["preavis_mois"] = convention.preavis_mois
    valeurs["compte_rendu"] = sorted(convention.compte_rendu or [])
    if convention.conventions_precedentes:
        valeurs["conventions_precedentes"] = list(convention.conventions_precedentes)
    valeurs["annexe_rgpd"] = convention.annexe_rgpd
    return valeurs


def attendu_avenant(avenant: Avenant) -> dict[str, Any]:
    """What an amendment's document states: its changes, its parties and the texts it cites."""
    convention = avenant.convention
    valeurs: dict[str, Any] = {"type": "avenant", **_parties(convention)}
    valeurs["objet"] = avenant.objet
    lignes = list(avenant.lignes.all())
    valeurs.update(_echeancier(lignes))
    if lignes:
        total_ae, total_cp = convention.totaux(lignes)
        valeurs["montant_total_ae"] = total_ae
        valeurs["montant_total_cp"] = total_cp
    if avenant.date_signature:
        valeurs["date_signature"] = avenant.date_signature
    if avenant.date_fin:
        valeurs["date_fin"] = avenant.date_fin
    valeurs["conventions_precedentes"] = precedents_avenant(avenant)
    return valeurs


def _lu(extraction: dict[str, Any], cle: str) -> Any:
    if cle.startswith("echeancier."):
        annee = int(cle.split(".", 1)[1])
        for ligne in extraction.get("echeancier") or []:
            if int(ligne.get("annee") or 0) == annee:
                return (_montant(ligne.get("ae")), _montant(ligne.get("cp")))
        return None
    valeur: Any = extraction
    for partie in cle.split("."):
        valeur = valeur.get(partie) if isinstance(valeur, dict) else None
    return valeur


def _egal(cle: str, attendu: Any, lu: Any) -> bool:
    if lu is None:
        return False
    if cle.startswith("echeancier."):
        ae, cp = attendu
        return bool(lu == (_montant(ae), _montant(cp)))
    if cle.startswith("montant_total"):
        return _montant(attendu) == _montant(lu)
    if cle == "objet":
        # The reader returns the sentence that states the object; the register's text is in it.
        return _sans_point(attendu).lower() in _texte(lu).lower()
    if cle in ("services", "phases", "compte_rendu"):
        return sorted(_texte(v) for v in attendu) == sorted(_texte(v) for v in lu or [])
    if cle == "conventions_precedentes":
        return [_sans_point(v) for v in attendu] == [_sans_point(v) for v in lu or []]
    if isinstance(attendu, dt.date):
        return attendu.isoformat() == _texte(lu)
    if isinstance(attendu, bool):
        return attendu is bool(lu)
    if isinstance(attendu, int):
        return str(attendu) == _texte(lu)
    return _texte(attendu) == _texte(lu)


def _affiche(cle: str, valeur: Any) -> str:
    if valeur is None or valeur == "" or valeur == []:
        return "—"
    if cle.startswith("echeancier."):
        ae, cp = valeur
        return (
            f"AE {euros(ae) if ae is not None else '—'} / CP {euros(cp) if cp is not None else '—'}"
        )
    if cle.startswith("montant_total"):
        montant = _montant(valeur)
        return euros(montant) if montant is not None else _texte(valeur)
    if isinstance(valeur, dt.date):
        return date_longue(valeur)
    if isinstance(valeur, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", valeur):
        return date_longue(dt.date.fromisoformat(valeur))
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    if isinstance(valeur, list):
        return " ; ".join(_texte(v) for v in valeur)
    return _texte(valeur)


def comparer(
    attendu: dict[str, Any], extraction: dict[str, Any], *, sauf: tuple[str, ...] = ()
) -> list[Champ]:
    champs = []
    for cle, valeur in attendu.items():
        if cle in sauf:
            continue
        lu = _lu(extraction, cle)
        if cle == "conventions_precedentes":
            lu = _textes_cites(lu)
        libelle = LIBELLES.get(cle) or (
            f"échéancier {cle.split('.', 1)[1]}" if cle.startswith("echeancier.") else cle
        )
        champs.append(
            Champ(cle, libelle, _affiche(cle, valeur), _affiche(cle, lu), _egal(cle, valeur, lu))
        )
    return champs
