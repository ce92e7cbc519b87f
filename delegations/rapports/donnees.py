"""The figures of a report to the délégant, computed from the execution journal (the ledger).

The yearly balances are the execution app's (``execution.situation.situation_annees``, the one
formula of ``execution.soldes``) counting the movements dated up to the end of the period; the
other spending figures are sums of the movements returned by ``execution.situation.depenses``
dated up to that day (property tests check both against the ledger). Without the execution app,
the report shows the schedule alone.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone
from django.utils.safestring import SafeString

from delegations.conventions.models import Convention, ajouter_mois

from . import graphiques, sources
from .graphiques import BLEU, GRIS, ROUGE, VERT, Serie

ZERO = Decimal("0.00")
JOURS_PAR_MOIS = Decimal("30.4375")
NATURES = {"mensuel": "Rapport mensuel", "terme": "Rapport de fin de convention"}
LIBELLES_MOUVEMENTS = {
    "mise_a_disposition": "Mise à disposition",
    "engagement": "Bon de commande",
    "reduction": "Réduction",
    "service_fait": "Service fait",
    "paiement": "Paiement",
    "report": "Report",
}


def fin_de_mois(d: dt.date) -> dt.date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def lire_periode(texte: str | None) -> dt.date | None:
    """'2026-05' → 2026-05-01; None or invalid → None."""
    if not texte:
        return None
    try:
        annee, mois = (int(x) for x in texte.split("-")[:2])
        return dt.date(annee, mois, 1)
    except (ValueError, TypeError):
        return None


@dataclass
class Rapport:
    convention: Convention
    nature: str
    debut: dt.date
    fin: dt.date
    edite_le: dt.date
    execution_disponible: bool
    annees: list[dict[str, Any]] = field(default_factory=list)
    totaux: dict[str, Decimal] = field(default_factory=dict)
    mouvements: list[dict[str, Any]] = field(default_factory=list)
    mouvements_periode: list[dict[str, Any]] = field(default_factory=list)
    par_produit: list[dict[str, Any]] = field(default_factory=list)
    par_titulaire: list[dict[str, Any]] = field(default_factory=list)
    par_mois: list[dict[str, Any]] = field(default_factory=list)
    comites: list[dict[str, Any]] | None = None
    prevision: dict[str, Any] = field(default_factory=dict)
    graphiques: dict[str, SafeString] = field(default_factory=dict)
    # Lines contributed by downstream apps (hook ``lignes_rapport_mensuel``, e.g. "Écart CHORUS").
    complements: list[dict[str, Any]] = field(default_factory=list)
    # Final report: the unused credits given back at closing, per year, with the decision.
    restitutions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def titre(self) -> str:
        if self.nature == "mensuel":
            return f"{NATURES['mensuel']} — {self.debut:%m/%Y}"
        return NATURES["terme"]

    @property
    def references(self) -> str:
        c = self.convention
        parts = [
            f"Convention {c.reference or c.pk}",
            f"{c.delegant.libelle_court} → {c.delegataire.libelle_court}",
        ]
        if c.unite_operationnelle:
            parts.append(f"UO {c.unite_operationnelle}")
        if c.programme:
            parts.append(f"programme {c.programme}")
        return " · ".join(parts)

    @property
    def nom_fichier(self) -> str:
        ref = (
            (self.convention.reference or f"convention-{self.convention.pk}")
            .replace("/", "-")
            .replace(" ", "_")
        )
        suffixe = f"{self.debut:%Y-%m}" if self.nature == "mensuel" else "terme"
        return f"rapport-{ref}-{suffixe}"


def _agreger(mouvements: list[dict[str, Any]], cle: str) -> list[dict[str, Any]]:
    """Committed (net of reductions), certified and paid per product / contractor / month."""
    lignes: dict[Any, dict[str, Any]] = {}
    for m in mouvements:
        if m["nature"] not in ("engagement", "reduction", "service_fait", "paiement"):
            continue
        k = m["date"].replace(day=1) if cle == "mois" else (m.get(cle) or "Non renseigné")
        d = lignes.setdefault(k, {"nom": k, "engage": ZERO, "certifie": ZERO, "paye": ZERO})
        if m["nature"] in ("engagement", "reduction"):
            d["engage"] += m["montant_ae"]
        elif m["nature"] == "service_fait":
            d["certifie"] += m["montant"]
        else:
            d["paye"] += m["montant_cp"]
    return [lignes[k] for k in sorted(lignes, key=lambda x: (str(x) == "Non renseigné", str(x)))]


def echeancier_seul(convention: Convention) -> list[dict[str, Any]]:
    """Per year without the execution app: the schedule, nothing available, committed or paid."""
    return [
        {
            "annee": ligne.annee,
            "ae_prevu": ligne.ae,
            "ae_disponible": ZERO,
            "ae_engage": ZERO,
            "ae_restant": ZERO,
            "cp_prevu": ligne.cp,
            "cp_disponible": ZERO,
            "cp_paye": ZERO,
            "cp_restant": ZERO,
            "certifie": ZERO,
        }
        for ligne in convention.echeancier_consolide()
    ]


def _mois_entre(debut: dt.date, fin: dt.date) -> Decimal:
    return max(Decimal((fin - debut).days) / JOURS_PAR_MOIS, ZERO)


def _prevision(
    convention: Convention,
    annees: list[dict[str, Any]],
    mouvements: list[dict[str, Any]],
    fin: dt.date,
) -> dict[str, Any]:
    enveloppe = sum((a["ae_prevu"] for a in annees), ZERO)
    certifie = sum((m["montant"] for m in mouvements if m["nature"] == "service_fait"), ZERO)
    debut_rythme = ajouter_mois(fin, -3)
    recent = sum(
        (
            m["montant"]
            for m in mouvements
            if m["nature"] == "service_fait" and m["date"] > debut_rythme
        ),
        ZERO,
    )
    rythme = (recent / 3).quantize(Decimal("0.01"), ROUND_HALF_UP)
    reste = enveloppe - certifie
    fin_convention = convention.date_fin_effective
    epuisement, apres_fin = sources.prevoir_epuisement(
        enveloppe, certifie, rythme, fin, fin_convention
    )
    fin_annee = dt.date(fin.year, 12, 31)
    annee = next((a for a in annees if a["annee"] == fin.year), None)

    def projection(jusqu_a: dt.date | None) -> Decimal | None:
        if jusqu_a is None:
            return None
        return min(
            enveloppe,
            certifie
            + (rythme * _mois_entre(fin, jusqu_a)).quantize(Decimal("0.01"), ROUND_HALF_UP),
        )

    conso_fin_annee = projection(fin_annee)
    conso_fin_convention = projection(fin_convention)
    return {
        "enveloppe": enveloppe,
        "certifie": certifie,
        "reste": reste,
        "rythme_mensuel": rythme,
        "epuisement_prevu": epuisement,
        "epuisement_apres_fin": apres_fin,
        "fenetre_comite": (
            {"debut": epuisement - dt.timedelta(days=45), "fin": epuisement - dt.timedelta(days=30)}
            if epuisement
            else None
        ),
        "annee": fin.year,
        "commandes_a_passer_annee": max(annee["ae_prevu"] - annee["ae_engage"], ZERO)
        if annee
        else ZERO,
        "ae_disponibles_non_engagees": annee["ae_restant"] if annee else ZERO,
        "cp_a_payer_annee": max(annee["cp_prevu"] - annee["cp_paye"], ZERO) if annee else ZERO,
        "consommation_fin_annee": conso_fin_annee,
        "fin_convention": fin_convention,
        "consommation_fin_convention": conso_fin_convention,
        "non_consomme_fin_convention": (enveloppe - conso_fin_convention)
        if conso_fin_convention is not None
        else None,
        "commandes_a_passer_convention": max(
            enveloppe - sum((a["ae_engage"] for a in annees), ZERO), ZERO
        ),
    }


def _cumuls(
    mouvements: list[dict[str, Any]],
    natures: tuple[str, ...],
    champ: str,
    debut: dt.date,
    fin: dt.date,
) -> list[tuple[dt.date, Decimal]]:
    points = [(debut, ZERO)]
    total = ZERO
    for m in mouvements:
        if m["nature"] in natures:
            total += m[champ]
            points.append((m["date"], total))
    points.append((fin, total))
    return points


def _graphiques(rapport: Rapport, debut: dt.date) -> dict[str, SafeString]:
    conv, mouvements, fin = rapport.convention, rapport.mouvements, rapport.fin
    prevu_ae: list[tuple[dt.date, Decimal]] = []
    prevu_cp: list[tuple[dt.date, Decimal]] = []
    cumul_ae = cumul_cp = ZERO
    for ligne in conv.echeancier_consolide():
        jour = max(dt.date(ligne.annee, 1, 1), debut)
        if jour > fin:
            break
        cumul_ae += ligne.ae
        cumul_cp += ligne.cp
        prevu_ae.append((jour, cumul_ae))
        prevu_cp.append((jour, cumul_cp))
    if prevu_ae:
        prevu_ae.append((fin, cumul_ae))
        prevu_cp.append((fin, cumul_cp))
    consommation = graphiques.courbes(
        [
            Serie("AE prévues (cumul)", prevu_ae, BLEU, pointilles=True, escalier=True),
            Serie(
                "AE engagées (cumul)",
                _cumuls(mouvements, ("engagement", "reduction"), "montant_ae", debut, fin),
                BLEU,
                escalier=True,
            ),
            Serie("CP prévus (cumul)", prevu_cp, ROUGE, pointilles=True, escalier=True),
            Serie(
                "CP payés (cumul)",
                _cumuls(mouvements, ("paiement",), "montant_cp", debut, fin),
                ROUGE,
                escalier=True,
            ),
        ],
        "Consommation des AE et des CP face à l'échéancier",
        "Cumul des AE engagées et des CP payés comparé au cumul prévu par l'échéancier.",
    )
    p = rapport.prevision
    enveloppe = p["enveloppe"]
    reste = [
        (d, enveloppe - v) for d, v in _cumuls(mouvements, ("service_fait",), "montant", debut, fin)
    ]
    prevision: list[tuple[dt.date, Decimal]] = []
    if p["epuisement_prevu"] and p["epuisement_prevu"] > fin:
        prevision = [(fin, p["reste"]), (p["epuisement_prevu"], ZERO)]
    series = [Serie("Reste de l'enveloppe (après service fait)", reste, VERT, escalier=True)]
    if prevision:
        series.append(
            Serie("Prévision au rythme des 3 derniers mois", prevision, GRIS, pointilles=True)
        )
    burndown = graphiques.courbes(
        series,
        "Reste à consommer jusqu'à épuisement",
        "Enveloppe d'AE moins le service fait certifié, et sa prévision d'épuisement.",
    )
    produits = graphiques.barres_horizontales(
        [(ligne["nom"], ligne["engage"]) for ligne in rapport.par_produit],
        "Répartition des engagements par produit",
        "Montants engagés (nets des réductions) par produit.",
    )
    return {"consommation": consommation, "burndown": burndown, "produits": produits}


def construire(
    convention: Convention,
    nature: str = "mensuel",
    periode: dt.date | None = None,
    aujourd_hui: dt.date | None = None,
) -> Rapport:
    """The report for the month ``periode`` (monthly) or for the whole convention (term)."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    if nature not in NATURES:
        raise ValueError(nature)
    debut_convention = convention.date_prise_effet or convention.date_signature or aujourd_hui
    if nature == "terme":
        fin = convention.date_fin_effective or aujourd_hui
        debut = debut_convention
    else:
        mois = (periode or aujourd_hui).replace(day=1)
        debut, fin = mois, fin_de_mois(mois)
    tous = sources.depenses(convention)
    mouvements = [m for m in (tous or []) if m["date"] <= fin]
    rapport = Rapport(
        convention=convention,
        nature=nature,
        debut=debut,
        fin=fin,
        edite_le=aujourd_hui,
        execution_disponible=tous is not None,
    )
    rapport.mouvements = mouvements
    rapport.mouvements_periode = [m for m in mouvements if m["date"] >= debut]
    annees = sources.annees(convention, fin)
    rapport.annees = echeancier_seul(convention) if annees is None else annees
    rapport.totaux = {
        k: sum((a[k] for a in rapport.annees), ZERO)
        for k in (
            "ae_prevu",
            "ae_disponible",
            "ae_engage",
            "ae_restant",
            "cp_prevu",
            "cp_disponible",
            "cp_paye",
            "cp_restant",
            "certifie",
        )
    }
    rapport.par_produit = _agreger(mouvements, "produit")
    rapport.par_titulaire = _agreger(mouvements, "titulaire")
    rapport.par_mois = _agreger(mouvements, "mois")
    rapport.comites = sources.comites(convention, jusqu_a=fin)
    rapport.prevision = _prevision(convention, rapport.annees, mouvements, fin)
    if nature == "mensuel":
        rapport.complements = complements(convention, debut, fin)
    else:
        rapport.restitutions = sources.restitutions(convention)
    rapport.graphiques = _graphiques(rapport, min(debut_convention, debut))
    return rapport


def complements(convention: Convention, debut: dt.date, fin: dt.date) -> list[dict[str, Any]]:
    """Lines of the monthly report given by downstream apps without this app importing them:
    each app may list, in ``lignes_rapport_mensuel`` on its AppConfig, dotted paths of functions
    ``(convention, debut, fin) -> [{"libelle", "valeur", "montants": {label: Decimal | None}}]``."""
    from django.apps import apps
    from django.utils.module_loading import import_string

    lignes: list[dict[str, Any]] = []
    for config in apps.get_app_configs():
        for chemin in getattr(config, "lignes_rapport_mensuel", ()):
            lignes.extend(import_string(chemin)(convention, debut, fin))
    return lignes


def libelle_mouvement(nature: str) -> str:
    return LIBELLES_MOUVEMENTS.get(nature, nature)
