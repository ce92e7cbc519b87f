"""The write path of committees, decision records and obligations (pages, API, demo and signals
all go through here): one function per business write, inside ``transaction.atomic()``, each
writing its action-log row (on the committee, or on the convention for an obligation)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from django.db import transaction
from django.utils import timezone

from delegations.conventions.models import Convention, Statut, ajouter_mois
from delegations.core.errors import EtatIncompatibleError, RegleMetierError
from delegations.core.fichiers import preparer_piece
from delegations.core.models import User, journaliser
from delegations.execution import limites
from delegations.produits.ecriture import ajouter_phase
from delegations.produits.models import PhaseHistorique

from .models import (
    OBLIGATIONS_STANDARD,
    Comite,
    Decision,
    Dimension,
    Indicateur,
    Obligation,
    Releve,
    Resultat,
    StatutObligation,
    StatutReleve,
    echeance_standard,
    releve_fige,
)

# --- committees ------------------------------------------------------------------------------
# The fields a user enters on a committee (page and API alike; the page adds the signed record).
CHAMPS_COMITE = (
    "type",
    "produit",
    "convention",
    "date",
    "lieu",
    "participants",
    "support",
    "support_url",
)


def enregistrer_comite(
    comite: Comite,
    user: User | None,
    *,
    releve: dict[str, Any] | None = None,
    indicateurs: list[DonneesIndicateur] | None = None,
) -> Comite:
    """Create or update a committee whose fields the caller has set (a validated form or
    serializer), then, when ``releve`` is given, its draft record."""
    creation = comite.pk is None
    # A new upload: type proved by its content, stored under a drawn name.
    preparer_piece(comite.support, "Le support de présentation")
    preparer_piece(comite.releve_document, "Le relevé de décision signé")
    with transaction.atomic():
        comite.save()
        if creation:
            journaliser(comite, user, "creation", f"Création du comité du {comite.date:%d/%m/%Y}")
        else:
            journaliser(comite, user, "modification", "Modification du comité")
        if releve is not None:
            enregistrer_releve(comite, user, releve, indicateurs)
    return comite


# --- decision records ------------------------------------------------------------------------
class _Objectif(Protocol):
    nom: str
    unite: str
    cible: Decimal | None
    echeance: dt.date | None
    dimension: str


@dataclass
class DonneesIndicateur:
    nom: str
    unite: str = ""
    cible: Decimal | None = None
    echeance: dt.date | None = None
    dimension: str = Dimension.UTILISE


CHAMPS_RELEVE = (
    "date",
    "lieu",
    "participants",
    "decision",
    "montant_accorde",
    "periode_mois",
    "phase_decidee",
    "commentaire",
)
TEXTES_RELEVE = ("lieu", "participants", "decision", "phase_decidee", "commentaire")


def _verrouiller(comite: Comite) -> Releve | None:
    """Lock the committee (its records are numbered under this lock); its latest record."""
    Comite.objects.select_for_update().get(pk=comite.pk)
    return comite.releves.order_by("-numero").first()


def _creer_indicateurs(releve: Releve, objectifs: Iterable[_Objectif]) -> None:
    Indicateur.objects.bulk_create(
        [
            Indicateur(
                releve=releve,
                nom=o.nom,
                unite=o.unite,
                cible=o.cible,
                echeance=o.echeance,
                dimension=o.dimension,
            )
            for o in objectifs
        ]
    )


def enregistrer_releve(
    comite: Comite,
    user: User | None,
    valeurs: Mapping[str, Any],
    indicateurs: list[DonneesIndicateur] | None = None,
) -> Releve:
    """Save the draft record (possibly incomplete), created prefilled from the committee when
    there is none yet. ``indicateurs`` replaces the list when given."""
    with transaction.atomic():
        releve = _verrouiller(comite)
        if releve is not None and releve.est_finalise:
            raise releve_fige()
        if releve is None:
            releve = Releve(
                comite=comite,
                numero=1,
                date=comite.date,
                lieu=comite.lieu,
                participants=comite.participants,
            )
        for champ, valeur in valeurs.items():
            if champ in CHAMPS_RELEVE:
                setattr(releve, champ, "" if valeur is None and champ in TEXTES_RELEVE else valeur)
        if releve.montant_accorde is not None and releve.montant_accorde < 0:
            raise RegleMetierError(
                "montant_negatif", "Le montant accordé doit être positif ou nul."
            )
        releve.save()
        if indicateurs is not None:
            releve.indicateurs.all().delete()
            _creer_indicateurs(releve, indicateurs)
        journaliser(
            comite,
            user,
            "releve",
            f"Relevé n° {releve.numero} enregistré (brouillon)",
            {k: str(v) for k, v in valeurs.items() if k in CHAMPS_RELEVE},
        )
    return releve


def finaliser(comite: Comite, user: User | None) -> Releve:
    """Finalise the current draft record, refusing it with the list of what is missing."""
    with transaction.atomic():
        releve = _verrouiller(comite)
        if releve is None:
            raise RegleMetierError(
                "releve_absent", "Aucun relevé de décision n'est saisi pour ce comité."
            )
        if releve.est_finalise:
            raise EtatIncompatibleError(
                "releve_deja_finalise", f"Le relevé n° {releve.numero} est déjà finalisé."
            )
        manques = releve.manques()
        if manques:
            raise RegleMetierError(
                "releve_incomplet", "Relevé incomplet, il manque : " + " ; ".join(manques) + "."
            )
        Releve.objects.filter(pk=releve.pk).update(
            statut=StatutReleve.FINALISE,
            finalise_le=timezone.now(),
            finalise_par=user if getattr(user, "is_authenticated", False) else None,
        )
        releve.refresh_from_db()
        _appliquer_decision(comite, releve, user)
        journaliser(
            comite,
            user,
            "finalisation",
            f"Relevé n° {releve.numero} finalisé : {releve.get_decision_display()}",
            {
                "decision": releve.decision,
                "montant_accorde": str(releve.montant_accorde),
                "periode_mois": releve.periode_mois,
            },
        )
    return releve


def _appliquer_decision(comite: Comite, releve: Releve, user: User | None) -> None:
    """A finalised decision on a product binds execution: a stop or a granted amount for the
    period becomes the product's limit (``execution.limites``, keyed by the committee, so that a
    corrected record replaces it); a change of phase moves the product's phase."""
    produit = comite.produit
    if produit is None or releve.date is None:
        return
    date = releve.date
    libelle = f"{releve.get_decision_display()} — comité du {date:%d/%m/%Y}"
    if releve.decision == Decision.ARRET:
        limites.fixer_limite(comite.pk, produit, libelle=libelle, date_debut=date, arret=True)
    elif (
        releve.decision in (Decision.POURSUITE, Decision.PROVISOIRE)
        and releve.montant_accorde is not None
        and releve.periode_mois
    ):
        limites.fixer_limite(
            comite.pk,
            produit,
            libelle=libelle,
            date_debut=date,
            date_fin=ajouter_mois(date, releve.periode_mois) - dt.timedelta(days=1),
            montant=releve.montant_accorde,
        )
    else:
        limites.retirer_limite(comite.pk)
    if (
        releve.decision == Decision.CHANGEMENT_PHASE
        and releve.phase_decidee
        and not PhaseHistorique.objects.filter(
            produit=produit, phase=releve.phase_decidee, date_debut=date
        ).exists()
    ):
        ajouter_phase(
            produit,
            user,
            phase=releve.phase_decidee,
            date_debut=date,
            commentaire=f"Décision du comité du {date:%d/%m/%Y}",
        )


def corriger(comite: Comite, user: User) -> Releve:
    """Start a correction: a new draft record copying the finalised one, which stays untouched."""
    with transaction.atomic():
        actuel = _verrouiller(comite)
        if actuel is None or not actuel.est_finalise:
            raise RegleMetierError(
                "correction_inutile", "Le relevé n'est pas finalisé : modifiez-le directement."
            )
        nouveau = Releve.objects.create(
            comite=comite,
            numero=actuel.numero + 1,
            remplace=actuel,
            **{champ: getattr(actuel, champ) for champ in CHAMPS_RELEVE},
        )
        _creer_indicateurs(nouveau, actuel.indicateurs.all())
        journaliser(
            comite,
            user,
            "correction",
            f"Correction du relevé n° {actuel.numero} (relevé n° {nouveau.numero})",
        )
    return nouveau


def enregistrer_resultats(
    comite: Comite, user: User | None, valeurs: Mapping[int, Decimal | None]
) -> list[Resultat]:
    """Enter the values reached against the previous committee's targets (None clears one)."""
    objectifs = {i.pk for i in comite.objectifs_precedents()}
    inconnus = [pk for pk in valeurs if pk not in objectifs]
    if inconnus:
        # The targets depend on the stored previous committee: a refusal by the data (409).
        raise EtatIncompatibleError(
            "objectif_inconnu",
            "Ces objectifs ne sont pas ceux du comité précédent : "
            + ", ".join(str(pk) for pk in inconnus)
            + ".",
        )
    enregistres: list[Resultat] = []
    with transaction.atomic():
        for pk, valeur in valeurs.items():
            if valeur is None:
                Resultat.objects.filter(indicateur_id=pk, comite=comite).delete()
                continue
            resultat, _ = Resultat.objects.update_or_create(
                indicateur_id=pk, comite=comite, defaults={"valeur": valeur}
            )
            enregistres.append(resultat)
        journaliser(
            comite,
            user,
            "resultats",
            f"{len(enregistres)} résultat(s) saisi(s)",
            {str(pk): str(v) for pk, v in valeurs.items()},
        )
    return enregistres


# --- obligations -----------------------------------------------------------------------------
# The fields a user enters on an obligation (page and API alike).
CHAMPS_OBLIGATION = (
    "libelle",
    "statut",
    "echeance",
    "responsable",
    "responsable_email",
    "preuve_url",
    "preuve_fichier",
    "commentaire",
)


def enregistrer_obligation(
    obligation: Obligation, user: User, changements: Mapping[str, Any] | None = None
) -> Obligation:
    """Add an obligation to its convention, or save one whose ``changements`` (status, proof…)
    the caller has applied (a validated form or serializer)."""
    creation = obligation.pk is None
    preparer_piece(obligation.preuve_fichier, "La preuve")
    with transaction.atomic():
        obligation.save()
        if creation:
            texte = f"Obligation ajoutée : {obligation.libelle}"
        else:
            texte = f"Obligation « {obligation.libelle} » : {obligation.get_statut_display()}"
        journaliser(
            obligation.convention,
            user,
            "obligation",
            texte,
            None if creation else {k: str(v) for k, v in (changements or {}).items()},
        )
    return obligation


def retirer_obligation(obligation: Obligation, user: User) -> None:
    with transaction.atomic():
        journaliser(
            obligation.convention,
            user,
            "obligation",
            f"Obligation retirée : {obligation.libelle}",
        )
        obligation.delete()


def creer_obligations_standard(convention: Convention) -> int:
    """Create the standard obligations missing on a convention (idempotent). Returns how many.
    Derived from the convention's own (logged) write: no row of its own in the action log."""
    existants = set(
        Obligation.objects.filter(convention=convention)
        .exclude(code="")
        .values_list("code", flat=True)
    )
    nouvelles = []
    for ordre, (code, libelle, responsable, delai) in enumerate(OBLIGATIONS_STANDARD):
        if code in existants:
            continue
        statut = StatutObligation.A_FAIRE
        if (code == "annexe_rgpd" and convention.annexe_rgpd) or (
            code == "publication" and convention.date_publication
        ):
            statut = StatutObligation.FAITE
        nouvelles.append(
            Obligation(
                convention=convention,
                code=code,
                libelle=libelle,
                ordre=ordre * 10,
                responsable=responsable,
                statut=statut,
                echeance=echeance_standard(convention, delai),
            )
        )
    Obligation.objects.bulk_create(nouvelles)
    return len(nouvelles)


def fermer_obligation_publication(convention: Convention) -> int:
    """Publication closes the obligation to publish (derived from the convention's own logged
    transition, like ``creer_obligations_standard``). Returns how many were closed."""
    if convention.statut == Statut.BROUILLON or convention.date_publication is None:
        return 0
    return (
        Obligation.objects.filter(convention=convention, code="publication")
        .ouvertes()
        .update(statut=StatutObligation.FAITE, updated_at=timezone.now())
    )


def completer_echeances(convention: Convention) -> int:
    """Fill the due dates of standard obligations once the convention's dates are known
    (derived from the convention's own logged write, like ``creer_obligations_standard``)."""
    delais = {code: delai for code, _, _, delai in OBLIGATIONS_STANDARD}
    manquantes = list(
        Obligation.objects.filter(convention=convention, echeance__isnull=True, code__in=delais)
    )
    for obligation in manquantes:
        obligation.echeance = echeance_standard(convention, delais[obligation.code])
    a_jour = [o for o in manquantes if o.echeance]
    Obligation.objects.bulk_update(a_jour, ["echeance"])
    return len(a_jour)
