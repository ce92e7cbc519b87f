"""What a convention or an amendment says, taken from the register (one place for the wording).

The same context feeds the Word model (docxtpl), the HTML fallback (WeasyPrint) and the
comparison with a signed copy: the values written are the values checked.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings

from delegations.conventions.models import Avenant, Convention, LigneConsolidee, PriseEffet
from delegations.core.formats import euros
from delegations.produits.models import Phase

MOIS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
# How each funded phase is named in a sentence ("la phase d'investigation").
PHASES_TEXTE = {
    Phase.INVESTIGATION: "d'investigation",
    Phase.CONSTRUCTION: "de construction",
    Phase.ACCELERATION: "d'accélération",
    Phase.CONSOLIDATION: "de consolidation",
}
# Words that make an administration's name masculine in "représenté(e) par".
MASCULINS = re.compile(
    r"^(?:minist[èe]re|service|secr[ée]tariat|commissariat|conseil|centre|haut|cabinet|"
    r"bureau|p[ôo]le|d[ée]partement|institut|office|comit[ée])\b",
    re.IGNORECASE,
)
LIEU_SIGNATURE = "Paris"


def date_longue(date: dt.date | None) -> str:
    """« 1er mars 2025 », « 12 septembre 2024 »."""
    if date is None:
        return ""
    jour = "1er" if date.day == 1 else str(date.day)
    return f"{jour} {MOIS[date.month - 1]} {date.year}"


def enumeration(elements: list[str]) -> str:
    """« a », « a et b », « a, b et c »."""
    if len(elements) <= 1:
        return "".join(elements)
    return ", ".join(elements[:-1]) + " et " + elements[-1]


def phrase(texte: str) -> str:
    """A register text as one sentence ending with a full stop."""
    texte = " ".join((texte or "").split()).rstrip(" .;")
    return f"{texte}." if texte else ""


@dataclass(frozen=True)
class Partie:
    nom: str
    sigle: str
    adresse: str
    representant_nom: str
    representant_qualite: str
    role: str  # "délégant" or "délégataire"

    @property
    def accord(self) -> str:
        """« représenté » or « représentée »: French agrees with the administration's name."""
        return "représenté" if MASCULINS.match(self.nom) else "représentée"

    @property
    def designation(self) -> str:
        return f"{self.nom} ({self.sigle})" if self.sigle else self.nom

    @property
    def court(self) -> str:
        return self.sigle or self.nom

    @property
    def paragraphe(self) -> str:
        texte = self.designation
        if self.representant_nom:
            texte += f", {self.accord} par {self.representant_nom}"
            if self.representant_qualite:
                texte += f", {self.representant_qualite}"
        dit = "dénommé" if self.accord == "représenté" else "dénommée"
        return f"{texte}, ci-après {dit} «\u00a0le {self.role}\u00a0»,"


def _parties(convention: Convention) -> tuple[Partie, Partie]:
    delegant = Partie(
        convention.delegant.nom,
        convention.delegant.sigle,
        " ".join(convention.delegant.adresse.split()),
        convention.delegant_representant_nom,
        convention.delegant_representant_qualite,
        "délégant",
    )
    delegataire = Partie(
        convention.delegataire.nom,
        convention.delegataire.sigle,
        " ".join(convention.delegataire.adresse.split()),
        convention.delegataire_representant_nom,
        convention.delegataire_representant_qualite,
        "délégataire",
    )
    return delegant, delegataire


def _lignes(lignes: list[Any]) -> list[dict[str, Any]]:
    return [
        {"annee": ligne.annee, "ae": euros(ligne.ae), "cp": euros(ligne.cp)} for ligne in lignes
    ]


def imputation(convention: Convention) -> list[tuple[str, str]]:
    """The délégant's CHORUS references, only those the register holds (label, code)."""
    champs = [
        ("Centre financier", convention.centre_financier),
        ("Domaine fonctionnel", convention.domaine_fonctionnel),
        ("Activité", convention.activite),
        ("Centre de coût", convention.centre_de_cout),
        ("Axe ministériel 1", convention.axe_ministeriel_1),
        ("Axe ministériel 2", convention.axe_ministeriel_2),
        ("Budget opérationnel de programme", convention.bop),
    ]
    return [(libelle, code) for libelle, code in champs if code]


def citation_convention(convention: Convention) -> str:
    """How an amendment cites its convention (read back by the reader as a previous text)."""
    texte = "la convention de délégation de gestion"
    if convention.reference:
        texte += f" n° {convention.reference}"
    if convention.date_signature:
        # "du <date>", never "signée le <date>": the reader takes "signée le" for a signature.
        texte += f" du {date_longue(convention.date_signature)}"
    return texte


def citation_avenant(avenant: Avenant) -> str:
    texte = f"l'avenant n° {avenant.numero}"
    if avenant.date_signature:
        texte += f" du {date_longue(avenant.date_signature)}"
    return texte


def precedents_avenant(avenant: Avenant) -> list[str]:
    """The texts an amendment cites: its convention, then the earlier amendments in order."""
    convention = avenant.convention
    anteriers = [a for a in convention.avenants_ordonnes() if a.numero < avenant.numero]
    return [citation_convention(convention), *[citation_avenant(a) for a in anteriers]]


def comites_prevus(convention: Convention) -> tuple[bool, bool]:
    """(investment committees per product, annual interministerial committee for a mission)."""
    total_ae = convention.totaux_consolides[0]
    mission = total_ae >= Decimal(str(getattr(settings, "SEUIL_MISSION", "1000000")))
    return bool(list(convention.produits.all())), mission


def contexte_convention(convention: Convention) -> dict[str, Any]:
    delegant, delegataire = _parties(convention)
    produits = sorted(p.nom for p in convention.produits.all())
    phases = [p for p in Phase.values if p in (convention.phases or [])]
    total_ae, total_cp = convention.totaux()
    comites_produits, comite_mission = comites_prevus(convention)
    return {
        "type": "convention",
        "reference": convention.reference,
        "delegant": delegant,
        "delegataire": delegataire,
        "objet": phrase(convention.objet),
        "services": enumeration([f"le service numérique «\u00a0{nom}\u00a0»" for nom in produits]),
        "phases": enumeration([f"la phase {PHASES_TEXTE[Phase(p)]}" for p in phases]),
        "precedents": [phrase(p) for p in convention.conventions_precedentes or [] if p],
        "unite_operationnelle": convention.unite_operationnelle,
        "programme": convention.programme,
        "imputation": [{"libelle": lib, "code": code} for lib, code in imputation(convention)],
        "echeancier": _lignes(list(convention.echeancier.all())),
        "total_ae": euros(total_ae),
        "total_cp": euros(total_cp),
        "prise_effet": convention.prise_effet,
        "prise_effet_date": date_longue(convention.date_debut)
        if convention.prise_effet == PriseEffet.DATE
        else "",
        "date_fin": date_longue(convention.date_fin),
        "duree_mois": convention.duree_mois or "",
        "preavis_mois": convention.preavis_mois,
        "compte_rendu_mensuel": "mensuel" in (convention.compte_rendu or []),
        "compte_rendu_terme": "terme" in (convention.compte_rendu or []),
        "comites_produits": comites_produits,
        "comite_mission": comite_mission,
        "annexe_rgpd": convention.annexe_rgpd,
        "date_publication": date_longue(convention.date_publication),
        "lieu": LIEU_SIGNATURE,
        "date_signature": date_longue(convention.date_signature),
    }


@dataclass(frozen=True)
class Changement:
    annee: int
    ae_avant: str | None  # None: a year the amendment adds
    ae_apres: str
    cp_avant: str | None
    cp_apres: str


def _consolide_avant(avenant: Avenant) -> dict[int, LigneConsolidee]:
    """The schedule as it stood before this amendment (base, then the earlier amendments)."""
    convention = avenant.convention
    lignes = {
        ligne.annee: LigneConsolidee(ligne.annee, ligne.ae, ligne.cp)
        for ligne in convention.echeancier.all()
    }
    for anterieur in convention.avenants_ordonnes():
        if anterieur.numero >= avenant.numero:
            break
        for ligne in anterieur.lignes.all():
            lignes[ligne.annee] = LigneConsolidee(ligne.annee, ligne.ae, ligne.cp, anterieur.numero)
    return lignes


def fin_avant(avenant: Avenant) -> tuple[dt.date | None, int | None]:
    """End date before this amendment and the number of the amendment that set it (None: the convention)."""
    convention = avenant.convention
    for anterieur in reversed(convention.avenants_ordonnes()):
        if anterieur.numero < avenant.numero and anterieur.date_fin:
            return anterieur.date_fin, anterieur.numero
    return convention.date_fin, None


def contexte_avenant(avenant: Avenant) -> dict[str, Any]:
    convention = avenant.convention
    delegant, delegataire = _parties(convention)
    avant = _consolide_avant(avenant)
    changements = []
    for ligne in avenant.lignes.all():
        ancienne = avant.get(ligne.annee)
        changements.append(
            Changement(
                ligne.annee,
                euros(ancienne.ae) if ancienne else None,
                euros(ligne.ae),
                euros(ancienne.cp) if ancienne else None,
                euros(ligne.cp),
            )
        )
    ancienne_fin, fixee_par = fin_avant(avenant)
    # Articles are numbered in order whatever the amendment changes.
    numeros: dict[str, int] = {}
    for cle, present in (("montants", bool(changements)), ("duree", bool(avenant.date_fin))):
        if present:
            numeros[cle] = len(numeros) + 2
    numeros["effet"] = len(numeros) + 2
    return {
        "article": numeros,
        "type": "avenant",
        "numero": avenant.numero,
        "reference": convention.reference,
        "delegant": delegant,
        "delegataire": delegataire,
        "objet": phrase(avenant.objet),
        "citation_convention": citation_convention(convention),
        "citations_avenants": precedents_avenant(avenant)[1:],
        "changements": changements,
        "echeancier": _lignes(list(avenant.lignes.all())),
        "date_fin": date_longue(avenant.date_fin),
        "ancienne_fin": date_longue(ancienne_fin) if avenant.date_fin else "",
        "ancienne_fin_par": f"l'avenant n° {fixee_par}" if fixee_par else "",
        "lieu": LIEU_SIGNATURE,
        "date_signature": date_longue(avenant.date_signature),
    }
