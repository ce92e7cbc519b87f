"""The single write path of the money journal: one function per movement.

Every function here runs in one transaction and follows the same steps:

1. lock the budget line(s) ``LigneBudget(convention, annee)`` with ``SELECT ... FOR UPDATE``
   (``soldes.verrouiller``; created on demand; on SQLite the IMMEDIATE transaction mode already
   serialises writers);
2. in a *separate* statement (so that, in READ COMMITTED, it sees every movement committed by
   the transactions we waited for), read the balances as sums in the database (``soldes.etat``);
3. check the rules (``regles``), raising ``RegleMetierError(code, message)`` with the figures;
4. insert the journal row.

Two transactions writing on the same convention and year are therefore serialised and can never
exceed a cap together, whatever the load.

On PostgreSQL, orders take the same four steps inside the database function
``execution_engager`` (migration 0003, ADR 0004): one round trip; Python keeps the checks that
need no data (amount, year, year-end cut-off) and writes the French message of a refusal from
the figures the function returns, with the same ``regles.verifier_engagement`` that SQLite runs.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from contextlib import nullcontext
from decimal import Decimal
from typing import Any, NoReturn, ParamSpec, TypeVar

from django.core.files.base import File
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from delegations.conventions.models import Convention, MotifSuspension, Statut
from delegations.core.errors import RegleMetierError
from delegations.core.fichiers import nom_stocke, verifier_piece
from delegations.core.models import User, journaliser
from delegations.produits.models import Produit

from . import limites, regles
from .models import (
    Engagement,
    InformationDelegant,
    Marche,
    MiseADisposition,
    Paiement,
    PropositionServiceFait,
    Reduction,
    RejetProposition,
    Report,
    ServiceFait,
    Titulaire,
)
from .soldes import ZERO, Etat, decimal, etat, verrouiller

P = ParamSpec("P")
R = TypeVar("R")


def _auteur(user: User | None) -> User | None:
    return user if isinstance(user, User) else None


def _atomique_avec_reference(fn: Callable[P, R]) -> Callable[P, R]:
    """Run in one transaction; a duplicate reference raced by another writer becomes a French error."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            with transaction.atomic():
                return fn(*args, **kwargs)
        except IntegrityError as exc:
            raise RegleMetierError(
                "reference_existante",
                f"Un mouvement porte déjà cette référence ({kwargs.get('reference', '')}).",
            ) from exc

    return wrapper


@_atomique_avec_reference
def mettre_a_disposition(
    convention: Convention,
    *,
    annee: int,
    ae: Decimal,
    cp: Decimal,
    date: dt.date,
    reference: str,
    user: User | None = None,
) -> MiseADisposition:
    """Credits made available for a year; cumulated, never above the consolidated schedule."""
    ae, cp = regles.ae_et_cp(ae, cp, "mises à disposition")
    verrouiller(convention.pk, annee)
    e = etat(convention.pk, annee)
    regles.verifier_mise_a_disposition(e, ae, cp, date)
    mise = MiseADisposition.objects.create(
        convention_id=convention.pk,
        annee=annee,
        ae=ae,
        cp=cp,
        date=date,
        reference=reference,
        created_by=_auteur(user),
    )
    reprendre_si_suspendue_faute_de_credits(
        e.convention, user, f"mise à disposition {reference} ({annee})"
    )
    return mise


# --- purchase orders ---------------------------------------------------------------------


def engager(
    convention: Convention,
    *,
    montant: Decimal,
    reference: str,
    date: dt.date,
    annee: int | None = None,
    objet: str = "",
    produit: Produit | None = None,
    titulaire: Titulaire | None = None,
    marche: Marche | None = None,
    justification: str = "",
    user: User | None = None,
    numero_ej: str = "",
    date_fin_execution: dt.date | None = None,
) -> Engagement:
    """A purchase order: consumes AE of its year, within availability and schedule.

    On PostgreSQL the rules that read the register and the journal run in the database
    function ``execution_engager`` (one round trip, see ADR 0004); elsewhere, here. The CHORUS
    EJ number, when given, is set in the same transaction (``references``).

    The order follows its framework contract (``regles.verifier_marche``, reference data read
    before the lock, on both paths). Two cases take the Python path on PostgreSQL too, with the
    same lock and rules: an order giving its end of execution (the database function does not
    write that column), and a convention under notice (``resiliee``), which the function refuses
    while the convention stays in force until the end of the notice.
    """
    from .references import numero_valide

    numero_ej = numero_valide(numero_ej, "numéro d'EJ")
    montant = regles.positif(montant)
    annee = annee or date.year
    regles.annee_de_la_date(annee, date, "bon de commande")
    regles.verifier_cloture("engagement", date, justification)
    regles.verifier_marche(marche, date, date_fin_execution)
    # The database function does not know the closed status: refused here on the caller's row
    # (the Python path checks it again under the lock).
    regles.verifier_ouverte(convention)
    valeurs = {
        "convention_id": convention.pk,
        "annee": annee,
        "date": date,
        "reference": reference,
        "objet": objet,
        "montant": montant,
        "produit_id": produit.pk if produit is not None else None,
        "titulaire_id": titulaire.pk if titulaire is not None else None,
        "marche_id": marche.pk if marche is not None else None,
        "justification": justification,
        "created_by_id": auteur.pk if (auteur := _auteur(user)) is not None else None,
        "numero_ej": numero_ej,
        "date_fin_execution": date_fin_execution,
    }
    lies = {"produit": produit, "titulaire": titulaire, "marche": marche, "created_by": auteur}
    if fonction_en_base() and date_fin_execution is None:
        if not numero_ej:
            return _engager_en_base(valeurs, lies)
        # The database function inserts without the EJ number: set it in the same transaction.
        with transaction.atomic():
            commande = _engager_en_base(valeurs, lies)
            Engagement._base_manager.filter(pk=commande.pk).update(numero_ej=numero_ej)
            return commande
    commande = Engagement(**valeurs)
    for nom, objet_lie in lies.items():
        if objet_lie is not None:
            setattr(commande, nom, objet_lie)
    return _engager_ici(commande)


def fonction_en_base() -> bool:
    """PostgreSQL holds the function ``execution_engager`` (migration 0003); SQLite does not."""
    return connection.vendor == "postgresql"


def _engager_ici(commande: Engagement) -> Engagement:
    try:
        with transaction.atomic():
            verrouiller(commande.convention_id, commande.annee)
            e = etat(
                commande.convention_id, commande.annee, reference=commande.reference, nature="ae"
            )
            conv = e.convention
            produit, titulaire, marche = commande.produit, commande.titulaire, commande.marche
            limite = (
                limites.limite_applicable(produit.pk, commande.date, verrouiller=True)
                if produit is not None
                else None
            )
            regles.verifier_engagement(
                e,
                montant=commande.montant,
                date=commande.date,
                reference=commande.reference,
                produit=produit,
                titulaire=titulaire,
                marche=marche,
                produit_ok=produit is None or conv.produits.filter(pk=produit.pk).exists(),
                titulaire_ok=(
                    marche is None
                    or titulaire is None
                    or marche.titulaires.filter(pk=titulaire.pk).exists()
                ),
                limite=limite,
            )
            commande.save()
    except IntegrityError as exc:
        raise regles.reference_existante(commande.reference) from exc
    return commande


SQL_ENGAGER = (
    "SELECT engagement_id, code, ae_prevu, mad_ae, rin_ae, rout_ae, engage, reduit FROM "
    "execution_engager(%s::bigint, %s::smallint, %s::date, %s::numeric, %s::varchar, %s::varchar, "
    "%s::bigint, %s::bigint, %s::bigint, %s::text, %s::bigint, %s::timestamptz)"
)
ATTRIBUTS_ENGAGEMENT = tuple(f.attname for f in Engagement._meta.concrete_fields)
UNIQUE_VIOLATION = "23505"
CODES_COMITE = ("produit_arrete", "montant_accorde_depasse")


def _engager_en_base(valeurs: dict[str, Any], lies: dict[str, Any]) -> Engagement:
    """One statement validates and inserts (in autocommit: one round trip, like a plain INSERT).

    The function refuses a convention under notice (``convention_resiliee``); it is still in
    force until the end of the notice, so that case is checked again on the Python path."""
    valeurs["created_at"] = timezone.now()
    params = [
        valeurs["convention_id"],
        valeurs["annee"],
        valeurs["date"],
        valeurs["montant"],
        valeurs["reference"],
        valeurs["objet"],
        valeurs["produit_id"],
        valeurs["titulaire_id"],
        valeurs["marche_id"],
        valeurs["justification"],
        valeurs["created_by_id"],
        valeurs["created_at"],
    ]
    # Inside a caller's transaction, a savepoint keeps it usable if the reference races.
    garde = transaction.atomic() if connection.in_atomic_block else nullcontext()
    try:
        with garde, connection.cursor() as cursor:
            cursor.execute(SQL_ENGAGER, params)
            ligne = cursor.fetchone()
    except IntegrityError as exc:
        if getattr(exc.__cause__, "sqlstate", None) != UNIQUE_VIOLATION:
            raise
        raise regles.reference_existante(valeurs["reference"]) from exc
    identifiant, code, *chiffres = ligne
    if identifiant is None and code == "convention_resiliee":
        commande = Engagement(**{k: v for k, v in valeurs.items() if k != "created_at"})
        for nom, objet_lie in lies.items():
            if objet_lie is not None:
                setattr(commande, nom, objet_lie)
        return _engager_ici(commande)
    if identifiant is None:
        _refuser(valeurs, lies, code, chiffres)
    valeurs["id"] = identifiant
    # The row as the database holds it, without reading it back; related objects the caller
    # passed are kept, so that reading them costs no query.
    commande = Engagement.from_db(
        connection.alias, ATTRIBUTS_ENGAGEMENT, [valeurs[a] for a in ATTRIBUTS_ENGAGEMENT]
    )
    for nom, objet_lie in lies.items():
        if objet_lie is not None:
            Engagement._meta.get_field(nom).set_cached_value(commande, objet_lie)  # type: ignore[union-attr]
    return commande


def etat_de_la_fonction(conv: Convention, annee: int, code: str, chiffres: list[Any]) -> Etat:
    """The balances the database function returned with a refusal, as an ``Etat``."""
    prevu, mad_ae, rin, rout, engage, reduit = (decimal(x) for x in chiffres)
    return Etat(
        ae_prevu=prevu,
        mad_ae=mad_ae,
        report_entrant_ae=rin,
        report_sortant_ae=rout,
        engage_brut=engage,
        reduit=reduit,
        convention=conv,
        annee=annee,
        fin_avenant=conv.derniere_fin_avenant(),
        doublon=code == "reference_existante",
    )


def _refuser(
    valeurs: dict[str, Any], lies: dict[str, Any], code: str, chiffres: list[Any]
) -> NoReturn:
    """Write the refusal of the database function in French, with the figures it returned."""
    conv = Convention.objects.filter(pk=valeurs["convention_id"]).first()
    if conv is None:
        raise RegleMetierError("convention_inconnue", "Cette convention n'existe pas.")
    regles.verifier_engagement(
        etat_de_la_fonction(conv, valeurs["annee"], code, chiffres),
        montant=valeurs["montant"],
        date=valeurs["date"],
        reference=valeurs["reference"],
        produit=lies["produit"],
        titulaire=lies["titulaire"],
        marche=lies["marche"],
        produit_ok=code != "produit_hors_convention",
        titulaire_ok=code != "titulaire_hors_marche",
        limite=(
            limites.limite_applicable(lies["produit"].pk, valeurs["date"])
            if code in CODES_COMITE and lies["produit"] is not None
            else None
        ),
    )
    # Only if the register changed between the function's answer and this reading.
    raise RegleMetierError(
        code,
        f"Bon de commande refusé ({code}) : la convention a changé pendant l'enregistrement, "
        "réessayez.",
    )


# --- service fait --------------------------------------------------------------------------


def _verifier_periode(engagement: Engagement, date: dt.date, quoi: str) -> Etat:
    """Under the lock: the convention is not closed and ``date`` is within its period."""
    e = etat(engagement.convention_id, engagement.annee, nature="cp")
    regles.verifier_ouverte(e.convention)
    regles.verifier_dans_la_periode(e.convention, date, e.date_fin_effective, quoi)
    return e


@transaction.atomic
def certifier_service_fait(
    engagement: Engagement,
    *,
    montant: Decimal,
    date: dt.date,
    total: bool = False,
    periode_debut: dt.date | None = None,
    periode_fin: dt.date | None = None,
    livrable: File | str | None = None,
    livrable_url: str = "",
    user: User | None = None,
    proposition: PropositionServiceFait | None = None,
) -> ServiceFait:
    """Certified delivery: Σ service fait of an order ≤ the order net of reductions."""
    montant = regles.positif(montant)
    # A new file's type is proved by its content; a proposal's file was checked when proposed.
    extension = verifier_piece(livrable, "Le livrable") if isinstance(livrable, File) else ""
    if periode_debut and periode_fin and periode_fin < periode_debut:
        raise RegleMetierError("periode_invalide", "La fin de la période précède son début.")
    verrouiller(engagement.convention_id, engagement.annee)
    _verifier_periode(engagement, date, "service_fait")
    regles.verifier_proposition_libre(proposition)
    regles.verifier_service_fait(engagement, montant, date, total, bool(livrable or livrable_url))
    sf = ServiceFait(
        convention_id=engagement.convention_id,
        annee=date.year,
        engagement=engagement,
        date=date,
        montant=montant,
        total=total,
        periode_debut=periode_debut,
        periode_fin=periode_fin,
        livrable_url=livrable_url,
        proposition=proposition,
        created_by=_auteur(user),
    )
    if isinstance(livrable, str):
        sf.livrable.name = livrable
    elif livrable:
        sf.livrable.save(nom_stocke(extension), livrable, save=False)
    sf.save()
    return sf


@transaction.atomic
def proposer_service_fait(
    engagement: Engagement,
    *,
    montant: Decimal,
    date: dt.date,
    total: bool = False,
    periode_debut: dt.date | None = None,
    periode_fin: dt.date | None = None,
    livrable: File | None = None,
    livrable_url: str = "",
    commentaire: str = "",
    user: User | None = None,
) -> PropositionServiceFait:
    """An intrapreneur proposes a service fait on their product's order; finance validates it."""
    montant = regles.positif(montant)
    extension = verifier_piece(livrable, "Le livrable") if livrable else ""
    verrouiller(engagement.convention_id, engagement.annee)
    _verifier_periode(engagement, date, "service_fait")
    regles.verifier_service_fait(engagement, montant, date, total, bool(livrable or livrable_url))
    prop = PropositionServiceFait(
        engagement=engagement,
        montant=montant,
        date=date,
        total=total,
        periode_debut=periode_debut,
        periode_fin=periode_fin,
        livrable_url=livrable_url,
        commentaire=commentaire,
        created_by=_auteur(user),
    )
    if livrable:
        prop.livrable.save(nom_stocke(extension), livrable, save=False)
    prop.save()
    return prop


def valider_proposition(proposition: PropositionServiceFait, user: User) -> ServiceFait:
    """Validation is a new row (the service fait), never an update of the proposal."""
    return certifier_service_fait(
        proposition.engagement,
        montant=proposition.montant,
        date=proposition.date,
        total=proposition.total,
        periode_debut=proposition.periode_debut,
        periode_fin=proposition.periode_fin,
        livrable=proposition.livrable.name or None,
        livrable_url=proposition.livrable_url,
        user=user,
        proposition=proposition,
    )


@transaction.atomic
def rejeter_proposition(
    proposition: PropositionServiceFait, user: User, motif: str
) -> RejetProposition:
    verrouiller(proposition.engagement.convention_id, proposition.engagement.annee)
    regles.verifier_proposition_libre(proposition)
    if not (motif or "").strip():
        raise RegleMetierError("motif_requis", "Indiquez le motif du rejet.")
    return RejetProposition.objects.create(
        proposition=proposition, motif=motif, created_by=_auteur(user)
    )


# --- payments, carry-overs, reductions ------------------------------------------------------


@transaction.atomic
def payer(
    service_fait: ServiceFait,
    *,
    montant: Decimal,
    date: dt.date,
    reference: str,
    justification: str = "",
    user: User | None = None,
    numero_piece: str = "",
) -> Paiement:
    """Payment of an invoice: Σ payments ≤ the service fait, Σ payments of the year ≤ CP available."""
    from .references import numero_valide

    numero_piece = numero_valide(numero_piece, "numéro de pièce de paiement")
    montant = regles.positif(montant)
    annee = date.year
    regles.verifier_cloture("paiement", date, justification)
    engagement = service_fait.engagement
    verrouiller(service_fait.convention_id, annee, engagement.annee)
    e = etat(service_fait.convention_id, annee, service_fait_id=service_fait.pk, nature="cp")
    regles.verifier_ouverte(e.convention)
    regles.verifier_dans_la_periode(e.convention, date, e.date_fin_effective, "paiement")
    regles.verifier_paiement(e, service_fait, montant, date)
    return Paiement.objects.create(
        convention_id=service_fait.convention_id,
        annee=annee,
        service_fait=service_fait,
        montant=montant,
        date=date,
        reference=reference,
        justification=justification,
        numero_piece=numero_piece,
        created_by=_auteur(user),
    )


@transaction.atomic
def reporter(
    convention: Convention,
    *,
    annee: int,
    ae: Decimal,
    cp: Decimal,
    date: dt.date,
    reference: str,
    motif: str = "",
    user: User | None = None,
) -> Report:
    """Carry unused AE/CP of ``annee`` over to ``annee + 1`` (by decision)."""
    ae, cp = regles.ae_et_cp(ae, cp, "reportées")
    if not (reference or "").strip():
        raise RegleMetierError(
            "reference_requise", "Un report se fait par décision : indiquez sa référence."
        )
    verrouiller(convention.pk, annee, annee + 1)
    e = etat(convention.pk, annee)
    regles.verifier_ouverte(e.convention)
    regles.verifier_report(e, ae, cp)
    return Report.objects.create(
        convention_id=convention.pk,
        annee=annee,
        ae=ae,
        cp=cp,
        date=date,
        reference=reference,
        motif=motif,
        created_by=_auteur(user),
    )


@transaction.atomic
def reduire(
    engagement: Engagement,
    *,
    montant: Decimal,
    date: dt.date,
    reference: str = "",
    motif: str = "",
    user: User | None = None,
) -> Reduction:
    """Lower or cancel the remainder of an order (what is not yet certified); frees AE of its year."""
    montant = regles.positif(montant)
    verrouiller(engagement.convention_id, engagement.annee)
    regles.verifier_ouverte(
        etat(engagement.convention_id, engagement.annee, nature="ae").convention
    )
    regles.verifier_reduction(engagement, montant, date)
    return Reduction.objects.create(
        convention_id=engagement.convention_id,
        annee=engagement.annee,
        engagement=engagement,
        montant=montant,
        date=date,
        reference=reference,
        motif=motif,
        created_by=_auteur(user),
    )


# --- insufficient credits: informing the délégant, suspending, resuming --------------------


MOTIF_CREDITS_INSUFFISANTS = "crédits insuffisants — délégant informé"


@transaction.atomic
def informer_delegant(
    convention: Convention,
    *,
    annee: int,
    date: dt.date,
    montant_demande: Decimal | None = None,
    commentaire: str = "",
    suspendre: bool = False,
    user: User | None = None,
) -> InformationDelegant:
    """Record « crédits insuffisants — délégant informé » (a dated event); optionally suspend execution."""
    from delegations.conventions.ecriture import appliquer_transition

    verrouiller(convention.pk, annee)
    e = etat(convention.pk, annee)
    regles.verifier_ouverte(e.convention)
    info = InformationDelegant.objects.create(
        convention_id=convention.pk,
        annee=annee,
        date=date,
        montant_demande=montant_demande,
        montant_disponible=max(e.ae_restant, ZERO),
        commentaire=commentaire,
        suspension=suspendre,
        created_by=_auteur(user),
    )
    journaliser(
        e.convention,
        user,
        "credits_insuffisants",
        f"Crédits insuffisants — délégant informé le {date:%d/%m/%Y} ({annee})",
        {"annee": annee, "montant_demande": str(montant_demande) if montant_demande else None},
    )
    if suspendre and e.convention.statut in (Statut.SIGNEE, Statut.PUBLIEE):
        appliquer_transition(
            e.convention,
            "suspendre",
            user,
            motif=MOTIF_CREDITS_INSUFFISANTS,
            code=MotifSuspension.CREDITS_INSUFFISANTS,
        )
    return info


def reprendre_si_suspendue_faute_de_credits(
    convention: Convention, user: User | None, cause: str
) -> None:
    """Execution resumes by itself after more availability or an amendment, when it was
    suspended for insufficient credits; a suspension for another reason is lifted by hand."""
    from delegations.conventions.ecriture import appliquer_transition

    if (
        convention.statut == Statut.SUSPENDUE
        and convention.motif_suspension == MotifSuspension.CREDITS_INSUFFISANTS
    ):
        appliquer_transition(convention, "reprendre", user, motif=f"reprise après {cause}")
