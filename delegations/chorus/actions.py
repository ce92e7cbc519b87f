"""Settle a difference: record the missing movement in one step, or explain it with a comment
(an explanation can be withdrawn: the difference is open again, the withdrawal is kept).

The movement goes through the execution app's public write functions (same rules, caps and
locks as any movement); the difference is marked in the same transaction, so a refused movement
leaves it open. Nothing is written to the journal without a finance officer asking for it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from delegations.conventions.models import Convention
from delegations.core.errors import EtatIncompatibleError, RegleMetierError
from delegations.core.models import User, journaliser
from delegations.execution import mouvements as ecriture
from delegations.execution.models import Engagement, ServiceFait, Titulaire

from .models import Ecart, RetraitExplication, StatutEcart

MOUVEMENTS = {
    "engagement": "Bon de commande",
    "reduction": "Réduction",
    "paiement": "Paiement",
    "report": "Report",
}


def _ecrire(user: User) -> None:
    if not getattr(user, "peut_ecrire", False):
        raise RegleMetierError(
            "ecriture_interdite", "Seuls les agents finance de la DINUM traitent les écarts."
        )


def _ouvert(ecart: Ecart) -> Ecart:
    verrouille = Ecart.objects.select_for_update().get(pk=ecart.pk)
    if verrouille.statut != StatutEcart.OUVERT:
        raise EtatIncompatibleError(
            "ecart_traite",
            f"Cet écart est déjà traité ({verrouille.get_statut_display().lower()}).",
        )
    return verrouille


@transaction.atomic
def expliquer(ecart: Ecart, user: User, commentaire: str) -> Ecart:
    _ecrire(user)
    if not (commentaire or "").strip():
        raise RegleMetierError("commentaire_requis", "Expliquez l'écart dans un commentaire.")
    ecart = _ouvert(ecart)
    ecart.statut = StatutEcart.EXPLIQUE
    ecart.commentaire = commentaire.strip()
    ecart.traite_par = user
    ecart.traite_le = timezone.now()
    ecart.save(update_fields=["statut", "commentaire", "traite_par", "traite_le"])
    journaliser(
        ecart.rapprochement,
        user,
        "ecart_explique",
        f"Écart expliqué : {ecart.detail}"[:500],
        {"ecart": ecart.pk, "commentaire": ecart.commentaire},
    )
    return ecart


@transaction.atomic
def retirer_explication(ecart: Ecart, user: User, motif: str) -> RetraitExplication:
    """Withdraw the explanation of a difference: it is open again (to settle or explain anew);
    the explanation withdrawn, its author and date, and the reason stay in a
    ``RetraitExplication``; the action is logged. A recorded movement is not withdrawn here:
    the journal only takes a corrective movement."""
    _ecrire(user)
    if not (motif or "").strip():
        raise RegleMetierError("motif_requis", "Indiquez pourquoi l'explication est retirée.")
    ecart = Ecart.objects.select_for_update().get(pk=ecart.pk)
    if ecart.statut != StatutEcart.EXPLIQUE:
        raise EtatIncompatibleError(
            "ecart_non_explique",
            "Cet écart n'est pas marqué comme expliqué : il n'y a pas d'explication à retirer."
            if ecart.statut == StatutEcart.OUVERT
            else "Un mouvement a été enregistré pour cet écart : il ne se retire pas, il se "
            "corrige par un mouvement correctif au journal.",
        )
    retrait = RetraitExplication.objects.create(
        ecart=ecart,
        explication=ecart.commentaire,
        explique_par=ecart.traite_par,
        explique_le=ecart.traite_le,
        motif=motif.strip(),
        retire_par=user,
    )
    ecart.statut = StatutEcart.OUVERT
    ecart.commentaire = ""
    ecart.traite_par = None
    ecart.traite_le = None
    ecart.save(update_fields=["statut", "commentaire", "traite_par", "traite_le"])
    journaliser(
        ecart.rapprochement,
        user,
        "explication_retiree",
        f"Explication retirée : {ecart.detail}"[:500],
        {"ecart": ecart.pk, "explication": retrait.explication, "motif": retrait.motif},
    )
    return retrait


def sf_a_payer(engagement: Engagement, montant: Decimal) -> ServiceFait | None:
    """The oldest service fait of the order with at least ``montant`` left to pay."""
    for sf in (
        ServiceFait.objects.filter(engagement=engagement)
        .annotate(paye=Sum("paiements__montant"))
        .order_by("date", "id")
    ):
        if sf.montant - (sf.paye or Decimal("0")) >= montant:
            return sf
    return None


def titulaire_propose(nom: str, fournisseur: str) -> Titulaire | None:
    siret = "".join((fournisseur or "").split())
    if len(siret) == 14 and siret.isdigit():
        trouve = Titulaire.objects.filter(siret=siret).first()
        if trouve is not None:
            return trouve
    if nom:
        return Titulaire.objects.filter(nom__iexact=nom.strip()).first()
    return None


@transaction.atomic
def regulariser(ecart: Ecart, user: User, donnees: dict[str, Any]) -> Any:
    """Record the movement the difference calls for, with the values the officer confirmed."""
    _ecrire(user)
    ecart = _ouvert(ecart)
    nature = ecart.proposition.get("mouvement")
    if nature not in MOUVEMENTS:
        raise RegleMetierError(
            "mouvement_impossible",
            "Aucun mouvement ne règle cet écart : expliquez-le avec un commentaire.",
        )
    mouvement: Any
    if nature == "engagement":
        convention = Convention.objects.get(pk=ecart.proposition["convention"])
        mouvement = ecriture.engager(
            convention,
            montant=donnees["montant"],
            reference=donnees["reference"],
            date=donnees["date"],
            objet=donnees.get("objet", ""),
            titulaire=donnees.get("titulaire"),
            justification=donnees.get("justification", ""),
            numero_ej=ecart.proposition.get("numero_ej", ""),
            user=user,
        )
    elif nature == "reduction":
        engagement = Engagement.objects.get(pk=ecart.proposition["engagement"])
        mouvement = ecriture.reduire(
            engagement,
            montant=donnees["montant"],
            date=donnees["date"],
            reference=donnees.get("reference", ""),
            motif=donnees.get("motif", ""),
            user=user,
        )
    elif nature == "paiement":
        engagement = Engagement.objects.get(pk=ecart.proposition["engagement"])
        montant: Decimal = donnees["montant"]
        date: dt.date = donnees["date"]
        sf = sf_a_payer(engagement, montant)
        if sf is None:
            if not donnees.get("certifier"):
                raise RegleMetierError(
                    "service_fait_requis",
                    f"Aucun service fait du bon de commande {engagement.reference} ne laisse "
                    f"{montant:.2f} € à payer : cochez « certifier le service fait » pour "
                    "l'enregistrer avec le paiement.",
                )
            sf = ecriture.certifier_service_fait(engagement, montant=montant, date=date, user=user)
        mouvement = ecriture.payer(
            sf,
            montant=montant,
            date=date,
            reference=donnees["reference"],
            justification=donnees.get("justification", ""),
            numero_piece=ecart.proposition.get("numero_piece", ""),
            user=user,
        )
    else:
        convention = Convention.objects.get(pk=ecart.proposition["convention"])
        mouvement = ecriture.reporter(
            convention,
            annee=int(ecart.proposition["annee"]),
            ae=donnees["montant"],
            cp=donnees.get("cp") or Decimal("0"),
            date=donnees["date"],
            reference=donnees["reference"],
            motif=donnees.get("motif", ""),
            user=user,
        )
    ecart.statut = StatutEcart.REGULARISE
    ecart.traite_par = user
    ecart.traite_le = timezone.now()
    ecart.mouvement = f"{nature}:{mouvement.pk}"
    ecart.commentaire = (donnees.get("commentaire") or "").strip()
    ecart.save(update_fields=["statut", "traite_par", "traite_le", "mouvement", "commentaire"])
    journaliser(
        ecart.rapprochement,
        user,
        "ecart_regularise",
        f"{MOUVEMENTS[nature]} enregistré pour l'écart : {ecart.detail}"[:500],
        {"ecart": ecart.pk, "mouvement": ecart.mouvement},
    )
    return mouvement
