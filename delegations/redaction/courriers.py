"""Letters to the délégant: written from a model, sent by email with their files, kept as sent.

``preparer_courrier`` writes the letter and its attachments (nothing leaves yet);
``envoyer_courrier(courrier_id)`` sends it. The latter is a plain function taking an id so that
a task queue can run it later; today pages call it at once. Once a letter has left, what it
stands for is recorded where it belongs: the délégant informed of insufficient credits
(execution), a report transmitted (rapports), the CBCM copy obligation closed (comites).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import smtplib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from delegations.comites.models import Obligation, StatutObligation
from delegations.conventions.models import Avenant, Convention, Statut
from delegations.core.errors import RegleMetierError
from delegations.core.formats import euros
from delegations.core.models import User, journaliser

from .contexte import citation_avenant, citation_convention, date_longue
from .documents import TYPES_MIME
from .models import (
    Contact,
    CopieSignee,
    Courrier,
    NatureCourrier,
    PieceJointe,
    RoleContact,
    StatutCourrier,
)
from .signals import code_obligation_cbcm

logger = logging.getLogger(__name__)
PDF = "application/pdf"


@dataclass
class Piece:
    nom: str
    contenu: bytes
    type_mime: str = PDF


@dataclass
class Brouillon:
    """A letter written but not saved: shown for review before sending."""

    nature: str
    objet: str
    corps: str
    destinataires: list[dict[str, str]]
    pieces: list[Piece] = field(default_factory=list)
    parametres: dict[str, Any] = field(default_factory=dict)


# --- recipients -------------------------------------------------------------------------------
def destinataires(convention: Convention, nature: str) -> list[dict[str, str]]:
    """The délégant's contacts: the CBCM for the signed copies, the others for everything else."""
    contacts = Contact.objects.filter(administration=convention.delegant_id)
    if nature == NatureCourrier.COPIE_CBCM:
        contacts = contacts.filter(role=RoleContact.CBCM)
    else:
        contacts = contacts.exclude(role=RoleContact.CBCM)
    liste = [
        {"nom": c.nom, "email": c.email, "role": c.get_role_display()}
        for c in contacts.order_by("role", "nom")
    ]
    if not liste:
        qui = "de contact CBCM" if nature == NatureCourrier.COPIE_CBCM else "de contact"
        raise RegleMetierError(
            "aucun_destinataire",
            f"Aucun destinataire : {convention.delegant.libelle_court} n'a pas {qui} dans la "
            "liste des contacts. Ajoutez-en un avant d'envoyer ce courrier.",
        )
    return liste


# --- attachments ------------------------------------------------------------------------------
def _rapport(convention: Convention, nature: str, periode: dt.date | None) -> Piece:
    from delegations.rapports import exports
    from delegations.rapports.donnees import construire

    rapport = construire(convention, nature, periode, timezone.localdate())
    return Piece(f"{rapport.nom_fichier}.pdf", exports.pdf(rapport))


def _copie_signee(convention: Convention, avenant: Avenant | None) -> CopieSignee:
    copie = (
        CopieSignee.objects.filter(convention=convention, avenant=avenant)
        .order_by("-created_at", "-id")
        .first()
    )
    if copie is None:
        quoi = f"de l'avenant n° {avenant.numero}" if avenant else "de la convention"
        raise RegleMetierError(
            "copie_signee_absente",
            f"Déposez d'abord la copie signée {quoi} : c'est elle qui part au CBCM.",
        )
    return copie


def _document(convention: Convention, avenant: Avenant | None) -> Piece:
    from .documents import produire

    produit = produire(convention, avenant, "pdf")
    return Piece(produit.nom_fichier, produit.contenu)


# --- writing ----------------------------------------------------------------------------------
def _situation(convention: Convention) -> list[dict[str, Any]]:
    from delegations.execution.situation import situation_annees

    return situation_annees(convention)


def _parametres(convention: Convention, nature: str, parametres: dict[str, Any]) -> dict[str, Any]:
    """Check and complete what the letter needs; refuse with a French message otherwise."""
    p = dict(parametres)
    aujourd_hui = timezone.localdate()
    if nature == NatureCourrier.CREDITS_INSUFFISANTS:
        p["annee"] = int(p.get("annee") or aujourd_hui.year)
        montant = p.get("montant_demande")
        p["montant_demande"] = str(Decimal(str(montant))) if montant not in (None, "") else ""
    elif nature == NatureCourrier.PREAVIS:
        if convention.statut != Statut.RESILIEE or convention.date_preavis is None:
            raise RegleMetierError(
                "resiliation_non_enregistree",
                "Enregistrez d'abord la résiliation de la convention (action « Résilier ») : "
                "le courrier reprend la date du préavis et la fin effective.",
            )
    elif nature == NatureCourrier.RAPPORT_PERIODIQUE:
        periode = p.get("periode") or aujourd_hui.replace(day=1).isoformat()
        p["periode"] = dt.date.fromisoformat(str(periode)).replace(day=1).isoformat()
    elif nature in (NatureCourrier.RAPPORT_FINAL, NatureCourrier.CREDITS_NON_CONSOMMES):
        if convention.date_fin_effective is None:
            raise RegleMetierError(
                "fin_inconnue",
                "La date de fin de la convention est inconnue : le compte rendu final ne peut "
                "pas être établi.",
            )
    return p


def rediger(
    convention: Convention,
    nature: str,
    *,
    avenant: Avenant | None = None,
    parametres: dict[str, Any] | None = None,
    signataire: str = "",
    avec_pieces: bool = True,
) -> Brouillon:
    """The letter as it would leave: subject, text, recipients, attachments."""
    if nature not in NatureCourrier.values:
        raise RegleMetierError("nature_inconnue", f"Nature de courrier inconnue : « {nature} ».")
    p = _parametres(convention, nature, parametres or {})
    aujourd_hui = timezone.localdate()
    contexte: dict[str, Any] = {
        "convention": convention,
        "avenant": avenant,
        "citation": citation_avenant(avenant) if avenant else citation_convention(convention),
        "citation_convention": citation_convention(convention),
        "delegant": convention.delegant,
        "delegataire": convention.delegataire,
        "aujourd_hui": date_longue(aujourd_hui),
        "signataire": signataire or "Le service financier de la DINUM",
        "p": p,
    }
    pieces: list[Piece] = []
    if nature == NatureCourrier.CREDITS_INSUFFISANTS:
        ligne = next((s for s in _situation(convention) if s["annee"] == p["annee"]), None)
        contexte["annee"] = p["annee"]
        contexte["disponible"] = euros(ligne["ae_disponible"]) if ligne else euros(0)
        contexte["engage"] = euros(ligne["ae_engage"]) if ligne else euros(0)
        contexte["restant"] = euros(max(ligne["ae_restant"], Decimal(0)) if ligne else 0)
        contexte["demande"] = euros(Decimal(p["montant_demande"])) if p["montant_demande"] else ""
        if avec_pieces:
            pieces.append(_rapport(convention, "mensuel", aujourd_hui.replace(day=1)))
    elif nature == NatureCourrier.PREAVIS:
        contexte["date_preavis"] = date_longue(convention.date_preavis)
        contexte["fin_effective"] = date_longue(convention.date_fin_effective)
        if avec_pieces:
            pieces.append(_document(convention, None))
    elif nature == NatureCourrier.CREDITS_NON_CONSOMMES:
        annees = []
        for s in _situation(convention):
            annees.append(
                {
                    "annee": s["annee"],
                    "ae_prevu": euros(s["ae_prevu"]),
                    "ae_non_engage": euros(max(s["ae_prevu"] - s["ae_engage"], Decimal(0))),
                    "cp_prevu": euros(s["cp_prevu"]),
                    "cp_non_paye": euros(max(s["cp_prevu"] - s["cp_paye"], Decimal(0))),
                }
            )
        contexte["annees"] = annees
        contexte["fin_effective"] = date_longue(convention.date_fin_effective)
        if avec_pieces:
            pieces.append(_rapport(convention, "terme", None))
    elif nature == NatureCourrier.RAPPORT_PERIODIQUE:
        periode = dt.date.fromisoformat(p["periode"])
        contexte["mois"] = f"{date_longue(periode).split(' ', 1)[1]}"
        if avec_pieces:
            pieces.append(_rapport(convention, "mensuel", periode))
    elif nature == NatureCourrier.RAPPORT_FINAL:
        contexte["fin_effective"] = date_longue(convention.date_fin_effective)
        if avec_pieces:
            pieces.append(_rapport(convention, "terme", None))
    elif nature == NatureCourrier.POUR_SIGNATURE:
        if avec_pieces:
            from .documents import produire

            for format in ("pdf", "docx"):
                produit = produire(convention, avenant, format)
                pieces.append(Piece(produit.nom_fichier, produit.contenu, TYPES_MIME[format]))
    elif nature == NatureCourrier.COPIE_CBCM:
        copie = _copie_signee(convention, avenant)
        p["copie"] = copie.pk
        contexte["date_signature"] = date_longue(copie.date_signature)
        if avec_pieces:
            with copie.fichier.open("rb") as flux:
                nom = f"copie-signee-{(convention.reference or convention.pk)}"
                if avenant:
                    nom += f"-avenant-{avenant.numero}"
                pieces.append(Piece(f"{nom}.pdf", flux.read()))
    texte = render_to_string(f"redaction/courriers/{nature}.txt", contexte).strip()
    premiere, _, corps = texte.partition("\n")
    objet = premiere.removeprefix("Objet :").strip()
    return Brouillon(
        nature, objet, corps.strip() + "\n", destinataires(convention, nature), pieces, p
    )


def preparer_courrier(
    convention: Convention,
    nature: str,
    user: User,
    *,
    avenant: Avenant | None = None,
    parametres: dict[str, Any] | None = None,
) -> Courrier:
    """Write the letter and keep it with its attachments, ready to send."""
    signataire = ""
    if getattr(user, "is_authenticated", False):
        signataire = user.get_full_name() or user.email
    brouillon = rediger(
        convention, nature, avenant=avenant, parametres=parametres, signataire=signataire
    )
    with transaction.atomic():
        courrier = Courrier.objects.create(
            convention=convention,
            avenant=avenant,
            nature=nature,
            objet=brouillon.objet[:300],
            corps=brouillon.corps,
            destinataires=brouillon.destinataires,
            parametres=brouillon.parametres,
            cree_par=user if getattr(user, "is_authenticated", False) else None,
        )
        for piece in brouillon.pieces:
            sha = hashlib.sha256(piece.contenu).hexdigest()
            jointe = PieceJointe(
                courrier=courrier,
                nom=piece.nom[:200],
                type_mime=piece.type_mime,
                sha256=sha,
                taille=len(piece.contenu),
            )
            jointe.fichier.save("piece", ContentFile(piece.contenu), save=False)
            jointe.save()
    return courrier


# --- sending ----------------------------------------------------------------------------------
def envoyer_courrier(courrier_id: int) -> Courrier:
    """Send a prepared letter (idempotent: a letter already sent never leaves twice)."""
    with transaction.atomic():
        courrier = Courrier.objects.select_for_update().get(pk=courrier_id)
        if courrier.statut == StatutCourrier.ENVOYE:
            return courrier
        message = EmailMessage(
            subject=courrier.objet,
            body=courrier.corps,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=courrier.adresses,
        )
        for piece in courrier.pieces.all():
            with piece.fichier.open("rb") as flux:
                message.attach(piece.nom, flux.read(), piece.type_mime)
        try:
            message.send(fail_silently=False)
        except (smtplib.SMTPException, OSError) as exc:
            logger.warning("Courrier %s non envoyé : %s", courrier.pk, exc)
            courrier.statut = StatutCourrier.ECHEC
            courrier.erreur = f"{type(exc).__name__} : {exc}"[:2000]
            courrier.save(update_fields=["statut", "erreur", "updated_at"])
            journaliser(
                courrier.convention,
                courrier.cree_par,
                "courrier_echec",
                f"Échec de l'envoi du courrier « {courrier.objet} » : {courrier.erreur}"[:500],
                {"courrier": courrier.pk},
            )
            return courrier
        courrier.statut = StatutCourrier.ENVOYE
        courrier.envoye_le = timezone.now()
        courrier.erreur = ""
        courrier.save(update_fields=["statut", "envoye_le", "erreur", "updated_at"])
        journaliser(
            courrier.convention,
            courrier.cree_par,
            "courrier",
            f"Courrier envoyé : « {courrier.objet} » à {', '.join(courrier.adresses)}"[:500],
            {
                "courrier": courrier.pk,
                "nature": courrier.nature,
                "destinataires": courrier.adresses,
                "pieces": [
                    {"nom": p.nom, "sha256": p.sha256, "taille": p.taille}
                    for p in courrier.pieces.all()
                ],
            },
        )
        _apres_envoi(courrier)
    return courrier


def _apres_envoi(courrier: Courrier) -> None:
    """What the letter stands for, recorded in the app that owns it."""
    convention, user, p = courrier.convention, courrier.cree_par, courrier.parametres
    aujourd_hui = timezone.localdate()
    if courrier.nature == NatureCourrier.CREDITS_INSUFFISANTS:
        from delegations.execution.mouvements import informer_delegant

        informer_delegant(
            convention,
            annee=int(p["annee"]),
            date=aujourd_hui,
            montant_demande=Decimal(p["montant_demande"]) if p.get("montant_demande") else None,
            commentaire=f"Courrier « {courrier.objet} » envoyé par courriel.",
            user=user,
        )
    elif courrier.nature in (NatureCourrier.RAPPORT_PERIODIQUE, NatureCourrier.RAPPORT_FINAL):
        from delegations.rapports.models import Transmission

        mensuel = courrier.nature == NatureCourrier.RAPPORT_PERIODIQUE
        periode = dt.date.fromisoformat(p["periode"]) if mensuel else convention.date_fin_effective
        try:
            with transaction.atomic():
                Transmission.objects.create(  # type: ignore[misc]
                    convention=convention,
                    nature="mensuel" if mensuel else "terme",
                    periode=periode,
                    date_transmission=aujourd_hui,
                    transmis_par=user,
                )
        except IntegrityError:
            pass  # already marked as transmitted by hand: the letter is kept all the same
    elif courrier.nature == NatureCourrier.COPIE_CBCM:
        numero = courrier.avenant.numero if courrier.avenant else None
        obligation = Obligation.objects.filter(
            convention=convention, code=code_obligation_cbcm(numero)
        ).first()
        if obligation is not None and obligation.statut != StatutObligation.FAITE:
            obligation.statut = StatutObligation.FAITE
            obligation.commentaire = (
                f"{obligation.commentaire}\nCopie envoyée au CBCM le "
                f"{aujourd_hui:%d/%m/%Y} ({', '.join(courrier.adresses)})."
            ).strip()
            obligation.save(update_fields=["statut", "commentaire", "updated_at"])
            journaliser(
                convention,
                user,
                "obligation",
                f"Obligation « {obligation.libelle} » : faite (copie envoyée au CBCM)",
            )
