"""The rules of the money journal and their French messages, checked on balances read under the
lock (``soldes.etat``); each refusal raises ``RegleMetierError(code, message)`` with the figures.

The write functions (``mouvements``) call them in a fixed order; the PostgreSQL function
``execution_engager`` (migration 0003) applies the order's rules in the same order, and a refusal
it returns is worded here, by ``verifier_engagement`` (property tests prove both paths agree).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings

from delegations.conventions.models import Convention, Statut
from delegations.core.errors import EtatIncompatibleError, RegleMetierError
from delegations.core.formats import euros
from delegations.produits.models import Produit

from .limites import EtatLimite
from .models import (
    Engagement,
    Marche,
    PropositionServiceFait,
    RejetProposition,
    ServiceFait,
    Titulaire,
)
from .soldes import ZERO, Etat, etat_commande


def nom(convention: Convention) -> str:
    return convention.reference or f"n° {convention.pk}"


def positif(valeur: Decimal, libelle: str = "Le montant") -> Decimal:
    valeur = Decimal(valeur)
    if valeur <= 0:
        raise RegleMetierError(
            "montant_invalide", f"{libelle} doit être strictement positif (reçu : {euros(valeur)})."
        )
    if valeur != valeur.quantize(Decimal("0.01")):
        raise RegleMetierError(
            "montant_invalide", f"{libelle} a au plus deux décimales (reçu : {valeur})."
        )
    return valeur


def ae_et_cp(ae: Decimal, cp: Decimal, participe: str) -> tuple[Decimal, Decimal]:
    """AE and CP of an availability or a carry-over: positive, one at least not zero."""
    ae, cp = Decimal(ae), Decimal(cp)
    if ae < 0 or cp < 0 or (ae == 0 and cp == 0):
        raise RegleMetierError(
            "montant_invalide",
            f"Les AE et CP {participe} sont positives, l'une au moins non nulle.",
        )
    return ae, cp


def plafond(code: str, montant: Decimal, deja: Decimal, limite: Decimal, suite: str) -> None:
    """Refuse ``montant`` when ``deja + montant`` exceeds ``limite``: « Crédits insuffisants :
    X demandés, Y <suite> », Y being what remains under the limit."""
    if deja + montant > limite:
        raise RegleMetierError(
            code,
            f"Crédits insuffisants : {euros(montant)} demandés, {euros(max(limite - deja, ZERO))} "
            f"{suite}",
        )


def reference_existante(reference: str) -> RegleMetierError:
    return RegleMetierError(
        "reference_existante", f"Un bon de commande porte déjà la référence {reference}."
    )


def verifier_cloture(nature: str, date: dt.date, justification: str) -> None:
    """Year-end cut-off: after the configured day, warn (justification required) or block."""
    jour, mois = (
        settings.CLOTURE_PAIEMENTS if nature == "paiement" else settings.CLOTURE_ENGAGEMENTS
    )
    limite = dt.date(date.year, mois, jour)
    if date <= limite:
        return
    quoi = "paiement" if nature == "paiement" else "bon de commande"
    code = "cloture_paiements" if nature == "paiement" else "cloture_engagements"
    if settings.CLOTURE_MODE == "bloquer":
        raise RegleMetierError(
            code,
            f"Clôture de fin d'année : aucun nouveau {quoi} après le {limite:%d/%m/%Y} "
            f"(date demandée : {date:%d/%m/%Y}).",
        )
    if not (justification or "").strip():
        raise RegleMetierError(
            f"{code}_justification",
            f"Clôture de fin d'année : le {limite:%d/%m/%Y} est passé "
            f"(date demandée : {date:%d/%m/%Y}). Indiquez une justification "
            f"pour enregistrer ce {quoi} malgré la clôture.",
        )


def verifier_ouverte(convention: Convention) -> None:
    """Once closed (« Clôturer »), nothing more is recorded on a convention."""
    if convention.statut == Statut.CLOTUREE:
        raise EtatIncompatibleError(
            "convention_cloturee",
            f"La convention {nom(convention)} est clôturée : plus aucun mouvement ne s'y enregistre.",
        )


HORS_PERIODE = {
    "commande": ("commande_hors_periode", "pas de bon de commande"),
    "service_fait": ("service_fait_hors_periode", "pas de service fait"),
    "paiement": ("paiement_hors_periode", "pas de paiement"),
    "mise_a_disposition": ("mise_a_disposition_hors_periode", "pas de mise à disposition"),
}


def verifier_dans_la_periode(
    convention: Convention, date: dt.date, fin: dt.date | None, quoi: str
) -> None:
    """The period of effect covers orders, service fait and payments (and availability): none
    dated after the effective end ``fin`` (amendments in effect, earlier if notice was given)."""
    if fin is not None and date > fin:
        code, refus = HORS_PERIODE[quoi]
        preavis = " (fin du préavis)" if convention.statut == Statut.RESILIEE else ""
        raise RegleMetierError(
            code,
            f"La période d'effet de la convention {nom(convention)} a pris fin le {fin:%d/%m/%Y}"
            f"{preavis} : {refus} le {date:%d/%m/%Y}.",
        )


def verifier_en_vigueur(convention: Convention, date: dt.date, fin: dt.date | None) -> None:
    """Orders only while the convention is in force (taken effect, not ended — ``fin`` is its
    effective end date —, not suspended). During notice (``resiliee``) it is still in force,
    until the end of the notice."""
    verifier_ouverte(convention)
    n = nom(convention)
    refus = {
        Statut.BROUILLON: (
            "convention_brouillon",
            f"La convention {n} n'est pas signée : aucun bon de commande possible.",
        ),
        Statut.SUSPENDUE: (
            "convention_suspendue",
            f"L'exécution de la convention {n} est suspendue : aucun bon de "
            "commande possible avant la reprise (avenant ou nouvelle mise à disposition).",
        ),
        Statut.TERMINEE: (
            "convention_terminee",
            f"La convention {n} est terminée : aucun nouveau bon de commande.",
        ),
    }
    if convention.statut in refus:
        raise RegleMetierError(*refus[Statut(convention.statut)])
    debut = convention.date_prise_effet
    if debut is None or date < debut:
        quand = f"le {debut:%d/%m/%Y}" if debut else "à une date encore inconnue"
        raise RegleMetierError(
            "convention_pas_en_vigueur",
            f"La convention {n} prend effet {quand} : pas de bon de commande le {date:%d/%m/%Y}.",
        )
    verifier_dans_la_periode(convention, date, fin, "commande")


def verifier_marche(marche: Marche | None, date: dt.date, fin_execution: dt.date | None) -> None:
    """An order on a framework contract follows the contract: dated within its start and end,
    and, when the order gives the end of its execution, ending no later than the contract."""
    if fin_execution is not None and fin_execution < date:
        raise RegleMetierError(
            "periode_invalide",
            f"La fin d'exécution ({fin_execution:%d/%m/%Y}) précède la date du bon de commande "
            f"({date:%d/%m/%Y}).",
        )
    if marche is None:
        return
    if (marche.date_debut and date < marche.date_debut) or (
        marche.date_fin and date > marche.date_fin
    ):
        debut = f"{marche.date_debut:%d/%m/%Y}" if marche.date_debut else "—"
        fin = f"{marche.date_fin:%d/%m/%Y}" if marche.date_fin else "—"
        raise RegleMetierError(
            "commande_hors_marche",
            f"Le marché {marche.numero} court du {debut} au {fin} : pas de bon de commande "
            f"sur ce marché le {date:%d/%m/%Y}.",
        )
    if fin_execution is not None and marche.date_fin and fin_execution > marche.date_fin:
        raise RegleMetierError(
            "execution_hors_marche",
            f"La durée d'exécution du bon de commande doit être conforme au marché "
            f"{marche.numero} : fin d'exécution le {fin_execution:%d/%m/%Y}, après la fin du "
            f"marché le {marche.date_fin:%d/%m/%Y}.",
        )


def annee_de_la_date(annee: int, date: dt.date, quoi: str) -> None:
    if annee != date.year:
        raise RegleMetierError(
            "annee_incoherente",
            f"Un {quoi} daté du {date:%d/%m/%Y} consomme les crédits de {date.year}, pas de {annee} "
            "(les crédits d'une autre année passent par un report).",
        )


def verifier_mise_a_disposition(e: Etat, ae: Decimal, cp: Decimal, date: dt.date) -> None:
    """Credits made available for a year, cumulated, never above the consolidated schedule;
    none once the convention is ended (« Terminer », or after its effective end) or closed."""
    n, annee = nom(e.convention), e.annee
    verifier_ouverte(e.convention)
    if e.convention.statut == Statut.BROUILLON:
        raise RegleMetierError(
            "convention_brouillon",
            f"La convention {n} n'est pas signée : pas de mise à disposition.",
        )
    if e.convention.statut == Statut.TERMINEE:
        raise EtatIncompatibleError(
            "convention_terminee",
            f"La convention {n} est terminée : plus aucune mise à disposition.",
        )
    verifier_dans_la_periode(e.convention, date, e.date_fin_effective, "mise_a_disposition")
    if e.mad_ae + ae > e.ae_prevu:
        raise RegleMetierError(
            "mise_a_disposition_depasse_echeancier",
            f"Mise à disposition refusée : {euros(e.mad_ae)} d'AE déjà mises à disposition + {euros(ae)} demandées "
            f"dépassent les {euros(e.ae_prevu)} d'AE prévues pour {annee} par l'échéancier de la convention {n}.",
        )
    if e.mad_cp + cp > e.cp_prevu:
        raise RegleMetierError(
            "mise_a_disposition_depasse_echeancier",
            f"Mise à disposition refusée : {euros(e.mad_cp)} de CP déjà mis à disposition + {euros(cp)} demandés "
            f"dépassent les {euros(e.cp_prevu)} de CP prévus pour {annee} par l'échéancier de la convention {n}.",
        )


def verifier_engagement(
    e: Etat,
    *,
    montant: Decimal,
    date: dt.date,
    reference: str,
    produit: Produit | None,
    titulaire: Titulaire | None,
    marche: Marche | None,
    produit_ok: bool,
    titulaire_ok: bool,
    limite: EtatLimite | None = None,
) -> None:
    """The order's rules, in this order (the PostgreSQL function ``execution_controle_engagement``
    of migration 0008 applies the same ones, in the same order). ``limite``: what a committee
    allows the product on the order's date (``limites.limite_applicable``)."""
    conv = e.convention
    verifier_en_vigueur(conv, date, e.date_fin_effective)
    if e.doublon:
        raise reference_existante(reference)
    if produit is not None and not produit_ok:
        raise RegleMetierError(
            "produit_hors_convention",
            f"Le produit {produit.nom} n'est pas financé par la convention {nom(conv)}.",
        )
    if marche is not None and titulaire is not None and not titulaire_ok:
        raise RegleMetierError(
            "titulaire_hors_marche",
            f"{titulaire.nom} n'est pas titulaire du marché {marche.numero}.",
        )
    if produit is not None:
        verifier_decision_comite(limite, produit, montant, date)
    plafond(
        "credits_insuffisants",
        montant,
        e.ae_engage,
        e.ae_disponible,
        f"d'AE disponibles pour {e.annee} sur la convention {nom(conv)} ({euros(e.ae_disponible)} mises à "
        f"disposition ou reportées, {euros(e.ae_engage)} déjà engagées).",
    )
    plafond(
        "ae_hors_echeancier",
        montant,
        e.ae_engage,
        e.ae_plafond_echeancier,
        f"d'AE restantes à l'échéancier {e.annee} de la convention {nom(conv)} ({euros(e.ae_prevu)} prévues).",
    )


def verifier_decision_comite(
    limite: EtatLimite | None, produit: Produit, montant: Decimal, date: dt.date
) -> None:
    """A finalised committee decision binds the orders charged to its product: a stop refuses
    them from its date, a granted amount caps them for its period (``limites``)."""
    if limite is None:
        return
    decision = limite.limite
    if limite.arret:
        raise RegleMetierError(
            "produit_arrete",
            f"Le comité du {decision.date_debut:%d/%m/%Y} a décidé l'arrêt du produit "
            f"{produit.nom} : aucun bon de commande à partir de cette date "
            f"(date demandée : {date:%d/%m/%Y}).",
        )
    assert decision.montant is not None and limite.fin is not None  # noqa: S101 (constraint)
    plafond(
        "montant_accorde_depasse",
        montant,
        limite.engage,
        decision.montant,
        f"restent sur les {euros(decision.montant)} accordés au produit {produit.nom} par le "
        f"comité du {decision.date_debut:%d/%m/%Y} pour la période jusqu'au "
        f"{limite.fin:%d/%m/%Y} ({euros(limite.engage)} déjà engagés).",
    )


def verifier_proposition_libre(proposition: PropositionServiceFait | None) -> None:
    """A proposal of service fait is validated or rejected once."""
    if proposition is not None and (
        ServiceFait.objects.filter(proposition=proposition).exists()
        or RejetProposition.objects.filter(proposition=proposition).exists()
    ):
        raise RegleMetierError(
            "proposition_traitee", "Cette proposition de service fait a déjà été traitée."
        )


def verifier_service_fait(
    engagement: Engagement, montant: Decimal, date: dt.date, total: bool, a_livrable: bool
) -> None:
    """Σ service fait of an order ≤ the order net of reductions; a total one closes the order."""
    net, certifie, solde = etat_commande(engagement)
    if solde:
        raise RegleMetierError(
            "commande_soldee",
            f"Le bon de commande {engagement.reference} est soldé par un service fait total.",
        )
    if date < engagement.date:
        raise RegleMetierError(
            "date_anterieure",
            f"Le service fait ({date:%d/%m/%Y}) ne peut précéder le bon de "
            f"commande {engagement.reference} ({engagement.date:%d/%m/%Y}).",
        )
    if certifie + montant > net:
        raise RegleMetierError(
            "service_fait_depasse_commande",
            f"Service fait refusé : {euros(montant)} demandés, {euros(net - certifie)} restent à certifier sur le bon "
            f"de commande {engagement.reference} ({euros(net)} net des réductions, {euros(certifie)} déjà certifiés).",
        )
    if total and not a_livrable:
        raise RegleMetierError(
            "livrable_requis",
            "Un service fait total clôt le bon de commande : joignez le livrable (fichier ou lien).",
        )


def verifier_paiement(e: Etat, service_fait: ServiceFait, montant: Decimal, date: dt.date) -> None:
    """Σ payments ≤ the service fait; Σ payments of the year ≤ CP available and the schedule."""
    n = nom(e.convention)
    if date < service_fait.date:
        raise RegleMetierError(
            "date_anterieure",
            f"Le paiement ({date:%d/%m/%Y}) ne peut précéder le service fait "
            f"({service_fait.date:%d/%m/%Y}).",
        )
    if e.deja_paye + montant > service_fait.montant:
        raise RegleMetierError(
            "paiement_depasse_service_fait",
            f"Paiement refusé : {euros(montant)} demandés, {euros(service_fait.montant - e.deja_paye)} restent à payer sur "
            f"le service fait du {service_fait.date:%d/%m/%Y} ({euros(service_fait.montant)}, {euros(e.deja_paye)} déjà payés).",
        )
    plafond(
        "credits_insuffisants",
        montant,
        e.paye,
        e.cp_disponible,
        f"de CP disponibles pour {e.annee} sur la convention {n} ({euros(e.cp_disponible)} mis à disposition ou "
        f"reportés, {euros(e.paye)} déjà payés).",
    )
    plafond(
        "cp_hors_echeancier",
        montant,
        e.paye,
        e.cp_plafond_echeancier,
        f"de CP restants à l'échéancier {e.annee} de la convention {n} ({euros(e.cp_prevu)} prévus).",
    )


def verifier_report(e: Etat, ae: Decimal, cp: Decimal) -> None:
    """A carry-over takes what the year left unused: AE not committed, CP not paid."""
    n, annee = nom(e.convention), e.annee
    if ae > e.ae_restant:
        raise RegleMetierError(
            "report_depasse_reste",
            f"Report refusé : {euros(ae)} d'AE demandées, {euros(e.ae_restant)} d'AE non engagées en "
            f"{annee} sur la convention {n}.",
        )
    if cp > e.cp_restant:
        raise RegleMetierError(
            "report_depasse_reste",
            f"Report refusé : {euros(cp)} de CP demandés, {euros(e.cp_restant)} de CP non payés en "
            f"{annee} sur la convention {n}.",
        )


def verifier_reduction(engagement: Engagement, montant: Decimal, date: dt.date) -> None:
    """A reduction lowers what is not yet certified of an order, never before the order."""
    net, certifie, _solde = etat_commande(engagement)
    if montant > net - certifie:
        raise RegleMetierError(
            "reduction_depasse_reste",
            f"Réduction refusée : {euros(montant)} demandés, {euros(net - certifie)} restent non certifiés sur le bon de "
            f"commande {engagement.reference} ({euros(net)} net, {euros(certifie)} certifiés).",
        )
    if date < engagement.date:
        raise RegleMetierError(
            "date_anterieure", "La réduction ne peut précéder le bon de commande."
        )
