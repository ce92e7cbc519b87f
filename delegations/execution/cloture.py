"""The end of a convention's life in the money journal.

- At the effective end (end of the period, of the notice, or « Terminer »), the open orders are
  listed with what remains to be certified and paid (``commandes_ouvertes``); for each the user
  records what becomes of it (``decider_suite``): closed — its remainder is reduced by a new
  movement through ``mouvements.reduire`` — or kept, to be certified and paid within the period.
- Closing (``cloturer``): once the period is over, the final balance per year
  (``bilan_final``: made available, committed, paid, unused) and the délégant's decision on the
  unused credits (returned, or used as the délégant decided, with its reference) are recorded as
  ``Restitution`` rows, one per year with unused credits, in the same transaction as the
  convention's transition ``cloturer`` (``conventions.ecriture.appliquer_transition``). After
  that, every write function refuses (``convention_cloturee``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef

from delegations.conventions.ecriture import appliquer_transition
from delegations.conventions.models import Convention, Statut
from delegations.core.errors import EtatIncompatibleError, RegleMetierError
from delegations.core.formats import euros
from delegations.core.models import User, journaliser

from . import mouvements, regles
from .models import (
    DecisionFinCommande,
    DecisionSolde,
    Engagement,
    Paiement,
    Reduction,
    Restitution,
    ServiceFait,
    SuiteCommande,
)
from .soldes import ZERO, etat, etat_commande, soldes_par_annee, somme, verrouiller


@dataclass(frozen=True)
class LigneBilan:
    annee: int
    ae_disponible: Decimal
    cp_disponible: Decimal
    ae_engage: Decimal
    cp_paye: Decimal
    ae_non_utilise: Decimal
    cp_non_utilise: Decimal
    ae_restitue: Decimal
    cp_restitue: Decimal


def bilan_final(convention: Convention) -> list[LigneBilan]:
    """Per year: made available (carry-overs included), committed, paid, unused — before any
    restitution — and what was given back (``soldes``, the one formula)."""
    lignes = []
    for annee, s in soldes_par_annee(convention).items():
        ae_dispo = s.ae_disponible + s.restitue_ae
        cp_dispo = s.cp_disponible + s.restitue_cp
        lignes.append(
            LigneBilan(
                annee=annee,
                ae_disponible=ae_dispo,
                cp_disponible=cp_dispo,
                ae_engage=s.ae_engage,
                cp_paye=s.paye,
                ae_non_utilise=max(ae_dispo - s.ae_engage, ZERO),
                cp_non_utilise=max(cp_dispo - s.paye, ZERO),
                ae_restitue=s.restitue_ae,
                cp_restitue=s.restitue_cp,
            )
        )
    return lignes


@dataclass(frozen=True)
class CommandeOuverte:
    engagement: Engagement
    net: Decimal
    certifie: Decimal
    paye: Decimal
    soldee: bool
    decision: DecisionFinCommande | None

    @property
    def reste_a_certifier(self) -> Decimal:
        return ZERO if self.soldee else self.net - self.certifie

    @property
    def reste_a_payer(self) -> Decimal:
        return self.certifie - self.paye


def commandes_ouvertes(convention: Convention) -> list[CommandeOuverte]:
    """The orders with something left to certify or to pay, in one query (with their decision)."""
    qs = (
        Engagement.objects.filter(convention_id=convention.pk)
        .select_related("decision_fin")
        .annotate(
            s_reduit=somme(Reduction.objects.filter(engagement=OuterRef("pk")), "montant"),
            s_certifie=somme(ServiceFait.objects.filter(engagement=OuterRef("pk")), "montant"),
            s_paye=somme(
                Paiement.objects.filter(service_fait__engagement=OuterRef("pk")), "montant"
            ),
            s_solde=Exists(ServiceFait.objects.filter(engagement=OuterRef("pk"), total=True)),
        )
        .order_by("date", "id")
    )
    ouvertes = []
    for e in qs:
        ligne = CommandeOuverte(
            engagement=e,
            net=e.montant - e.s_reduit,
            certifie=e.s_certifie,
            paye=e.s_paye,
            soldee=e.s_solde,
            decision=getattr(e, "decision_fin", None),
        )
        if ligne.reste_a_certifier > 0 or ligne.reste_a_payer > 0:
            ouvertes.append(ligne)
    return ouvertes


def fin_atteinte(convention: Convention) -> bool:
    """Notice given, « Terminer » applied, or the period is over: the open orders are settled."""
    return convention.statut in (Statut.RESILIEE, Statut.TERMINEE) or convention.periode_terminee()


@transaction.atomic
def decider_suite(
    engagement: Engagement,
    *,
    decision: str,
    date: dt.date,
    motif: str = "",
    user: User | None = None,
) -> DecisionFinCommande:
    """What becomes of an open order at the convention's end: ``solder`` reduces its remainder
    (a new ``Reduction``, through ``mouvements.reduire``), ``maintenir`` keeps it to be
    certified and paid within the period. Once per order."""
    if decision not in SuiteCommande.values:
        raise RegleMetierError(
            "decision_invalide", "Indiquez si le bon de commande est soldé ou maintenu."
        )
    verrouiller(engagement.convention_id, engagement.annee)
    conv = etat(engagement.convention_id, engagement.annee, nature="ae").convention
    regles.verifier_ouverte(conv)
    if not fin_atteinte(conv):
        raise EtatIncompatibleError(
            "fin_non_atteinte",
            f"La convention {regles.nom(conv)} est en vigueur sans préavis : ses bons de "
            "commande se soldent à sa fin (préavis, « Terminer » ou fin de la période).",
        )
    if DecisionFinCommande.objects.filter(engagement=engagement).exists():
        raise EtatIncompatibleError(
            "decision_deja_prise",
            f"La suite du bon de commande {engagement.reference} est déjà décidée.",
        )
    reduction = None
    if decision == SuiteCommande.SOLDER:
        net, certifie, soldee = etat_commande(engagement)
        reste = ZERO if soldee else net - certifie
        if reste > 0:
            reduction = mouvements.reduire(
                engagement,
                montant=reste,
                date=max(date, engagement.date),
                reference=f"FIN-{engagement.reference}"[:100],
                motif=motif or "Bon de commande soldé à la fin de la convention",
                user=user,
            )
    suite = DecisionFinCommande.objects.create(
        engagement=engagement,
        decision=decision,
        reduction=reduction,
        date=date,
        motif=motif,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    texte = f"Bon de commande {engagement.reference} : {SuiteCommande(decision).label.lower()}"
    if reduction is not None:
        texte += f" (réduction de {euros(reduction.montant)})"
    journaliser(
        conv, user, "suite_commande", texte, {"engagement": engagement.pk, "decision": decision}
    )
    return suite


@transaction.atomic
def cloturer(
    convention: Convention,
    *,
    date: dt.date,
    decision: str,
    reference: str = "",
    user: User | None = None,
) -> Convention:
    """Close a convention whose period is over: restitution of each year's unused credits with
    the délégant's decision, then the transition ``cloturer`` (same transaction)."""
    if decision not in DecisionSolde.values:
        raise RegleMetierError(
            "decision_manquante",
            "Indiquez la décision du délégant sur les crédits non utilisés : restitution ou "
            "utilisation décidée par le délégant.",
        )
    reference = (reference or "").strip()
    if decision == DecisionSolde.UTILISATION_DECIDEE and not reference:
        raise RegleMetierError(
            "reference_requise",
            "L'utilisation décidée par le délégant se justifie par sa décision : indiquez sa référence.",
        )
    annees = sorted(soldes_par_annee(convention))
    # Every budget line of the convention: no movement is written while it closes.
    if annees:
        verrouiller(convention.pk, *annees)
    conv = Convention.objects.get(pk=convention.pk)
    regles.verifier_ouverte(conv)
    restes = commandes_ouvertes(conv)
    ouvertes = [c for c in restes if c.reste_a_certifier > 0]
    if ouvertes:
        refs = ", ".join(c.engagement.reference for c in ouvertes[:10])
        raise EtatIncompatibleError(
            "commandes_ouvertes",
            f"{len(ouvertes)} bon(s) de commande restent ouverts ({refs}) : soldez-les ou "
            "certifiez leur service fait avant de clôturer.",
        )
    impayes = [c for c in restes if c.reste_a_payer > 0]
    if impayes:
        refs = ", ".join(c.engagement.reference for c in impayes[:10])
        raise EtatIncompatibleError(
            "paiements_en_attente",
            f"Des services faits restent à payer ({refs}) : enregistrez leurs paiements avant "
            "de clôturer.",
        )
    conv = appliquer_transition(
        conv, "cloturer", user, date_cloture=date, decision=decision, reference=reference
    )
    total_ae = total_cp = ZERO
    for ligne in bilan_final(conv):
        ae, cp = ligne.ae_non_utilise - ligne.ae_restitue, ligne.cp_non_utilise - ligne.cp_restitue
        if ae <= 0 and cp <= 0:
            continue
        Restitution.objects.create(
            convention_id=conv.pk,
            annee=ligne.annee,
            date=date,
            ae=max(ae, ZERO),
            cp=max(cp, ZERO),
            decision=decision,
            reference=reference,
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        total_ae += max(ae, ZERO)
        total_cp += max(cp, ZERO)
    journaliser(
        conv,
        user,
        "restitution",
        f"Crédits non utilisés : {euros(total_ae)} d'AE et {euros(total_cp)} de CP — "
        f"{DecisionSolde(decision).label.lower()}" + (f" ({reference})" if reference else ""),
        {"ae": str(total_ae), "cp": str(total_cp), "decision": decision, "reference": reference},
    )
    return conv
