"""The single write path of the money journal, with the convention's caps.

Every function here runs in one transaction and follows the same steps:

1. lock the budget line(s) ``LigneBudget(convention, annee)`` with ``SELECT ... FOR UPDATE``
   (created on demand; on SQLite the IMMEDIATE transaction mode already serialises writers);
2. in a *separate* statement (so that, in READ COMMITTED, it sees every movement committed by
   the transactions we waited for), compute the balances as sums in the database;
3. check the rules, raising ``RegleMetierError(code, message)`` with the figures;
4. insert the journal row.

Two transactions writing on the same convention and year are therefore serialised and can never
exceed a cap together, whatever the load.

On PostgreSQL, orders take the same four steps inside the database function
``execution_engager`` (migration 0003, ADR 0004): one round trip; Python keeps the checks that
need no data (amount, year, year-end cut-off) and writes the French message of a refusal from
the figures the function returns, with the same ``_verifier_engagement`` that SQLite runs.
"""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, NoReturn

from django.conf import settings
from django.core.files.base import File
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Exists, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from delegations.conventions.models import (
    Convention,
    LigneAvenant,
    LigneEcheancier,
    Statut,
)
from delegations.core.errors import RegleMetierError
from delegations.core.formats import euros
from delegations.core.models import journaliser
from delegations.produits.models import Produit

from .models import (
    Engagement,
    InformationDelegant,
    LigneBudget,
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

ZERO = Decimal("0.00")
DEC = models.DecimalField(max_digits=17, decimal_places=2)


# --- locking and balances -------------------------------------------------------------------


def verrouiller(convention_id: int, *annees: int) -> None:
    """Lock the budget lines of these years (ascending order: no deadlock between writers)."""
    voulues = sorted(set(annees))
    pour_update = " FOR UPDATE" if connection.features.has_select_for_update else ""
    sql = (
        f"SELECT annee FROM execution_lignebudget WHERE convention_id = %s "  # noqa: S608 (constant text)
        f"AND annee IN ({', '.join(['%s'] * len(voulues))}) ORDER BY annee{pour_update}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [convention_id, *voulues])
        trouvees = [ligne[0] for ligne in cursor.fetchall()]
        if len(trouvees) != len(voulues):
            LigneBudget.objects.bulk_create(
                [
                    LigneBudget(convention_id=convention_id, annee=a)
                    for a in voulues
                    if a not in trouvees
                ],
                ignore_conflicts=True,
            )
            cursor.execute(sql, [convention_id, *voulues])
            cursor.fetchall()


def _somme(qs: models.QuerySet[Any], champ: str) -> Coalesce:
    sous = qs.order_by().values("convention").annotate(s=Sum(champ)).values("s")[:1]
    return Coalesce(Subquery(sous, output_field=DEC), Value(ZERO), output_field=DEC)


def _prevu(annee: int, champ: str) -> Coalesce:
    """Consolidated schedule of one year: the last amendment setting the year, else the base line."""
    avenant = LigneAvenant.objects.filter(
        avenant__convention=OuterRef("pk"), avenant__date_effet__isnull=False, annee=annee
    ).order_by("-avenant__numero")
    base = LigneEcheancier.objects.filter(convention=OuterRef("pk"), annee=annee)
    return Coalesce(
        Subquery(avenant.values(champ)[:1], output_field=DEC),
        Subquery(base.values(champ)[:1], output_field=DEC),
        Value(ZERO),
        output_field=DEC,
    )


@dataclass
class Etat:
    """Balances of one convention and year, read under the lock."""

    convention: Convention
    annee: int
    ae_prevu: Decimal
    cp_prevu: Decimal
    mad_ae: Decimal
    mad_cp: Decimal
    report_entrant_ae: Decimal
    report_entrant_cp: Decimal
    report_sortant_ae: Decimal
    report_sortant_cp: Decimal
    engage_brut: Decimal
    reduit: Decimal
    paye: Decimal

    @property
    def ae_disponible(self) -> Decimal:
        return self.mad_ae + self.report_entrant_ae - self.report_sortant_ae

    @property
    def cp_disponible(self) -> Decimal:
        return self.mad_cp + self.report_entrant_cp - self.report_sortant_cp

    @property
    def ae_plafond_echeancier(self) -> Decimal:
        return self.ae_prevu + self.report_entrant_ae - self.report_sortant_ae

    @property
    def cp_plafond_echeancier(self) -> Decimal:
        return self.cp_prevu + self.report_entrant_cp - self.report_sortant_cp

    @property
    def ae_engage(self) -> Decimal:
        return self.engage_brut - self.reduit


# One statement, constant text: the convention row, its last amended end date and the balances of
# the year that the movement needs. Run *after* the lock, so that it sees all committed movements.
_PREVU = """COALESCE((SELECT la.{c} FROM conventions_ligneavenant la JOIN conventions_avenant av ON av.id = la.avenant_id
     WHERE av.convention_id = c.id AND av.date_effet IS NOT NULL AND la.annee = %(annee)s ORDER BY av.numero DESC LIMIT 1),
    (SELECT le.{c} FROM conventions_ligneecheancier le WHERE le.convention_id = c.id AND le.annee = %(annee)s), 0)"""
_SOMME = "(SELECT COALESCE(SUM(t.{c}), 0) FROM {table} t WHERE t.convention_id = c.id AND t.annee = %({annee})s)"
SOUS_REQUETES = {
    "ae_prevu": _PREVU.format(c="ae"),
    "cp_prevu": _PREVU.format(c="cp"),
    "mad_ae": _SOMME.format(c="ae", table="execution_miseadisposition", annee="annee"),
    "mad_cp": _SOMME.format(c="cp", table="execution_miseadisposition", annee="annee"),
    "rin_ae": _SOMME.format(c="ae", table="execution_report", annee="precedente"),
    "rin_cp": _SOMME.format(c="cp", table="execution_report", annee="precedente"),
    "rout_ae": _SOMME.format(c="ae", table="execution_report", annee="annee"),
    "rout_cp": _SOMME.format(c="cp", table="execution_report", annee="annee"),
    "engage": _SOMME.format(c="montant", table="execution_engagement", annee="annee"),
    "reduit": _SOMME.format(c="montant", table="execution_reduction", annee="annee"),
    "paye": _SOMME.format(c="montant", table="execution_paiement", annee="annee"),
    "doublon": "(SELECT COUNT(*) FROM execution_engagement e WHERE e.reference = %(reference)s)",
    "deja_paye": "(SELECT COALESCE(SUM(p.montant), 0) FROM execution_paiement p WHERE p.service_fait_id = %(service_fait)s)",
}
BESOINS = {
    "ae": ("ae_prevu", "mad_ae", "rin_ae", "rout_ae", "engage", "reduit", "doublon"),
    "cp": ("cp_prevu", "mad_cp", "rin_cp", "rout_cp", "paye", "deja_paye"),
    "tout": tuple(k for k in SOUS_REQUETES if k not in ("doublon", "deja_paye")),
}
COLONNES_CONVENTION = (
    "id",
    "reference",
    "statut",
    "prise_effet",
    "date_signature",
    "date_publication",
    "date_debut",
    "date_fin",
    "duree_mois",
    "preavis_mois",
    "date_preavis",
    "delegant_id",
    "delegataire_id",
)


def _sql_etat(cles: tuple[str, ...]) -> str:
    colonnes = ", ".join(f"c.{col}" for col in COLONNES_CONVENTION)
    sommes = ",\n  ".join(f"{SOUS_REQUETES[k]} AS x_{k}" for k in cles)
    fin = (
        "(SELECT av.date_fin FROM conventions_avenant av WHERE av.convention_id = c.id AND av.date_fin IS NOT NULL"
        " AND av.date_effet IS NOT NULL"
        " ORDER BY av.numero DESC LIMIT 1) AS x_fin_avenant"
    )
    # Constant fragments only, no user input (values are bound parameters).
    return f"SELECT {colonnes},\n  {sommes},\n  {fin}\nFROM conventions_convention c WHERE c.id = %(convention)s"  # noqa: S608


SQL_ETAT = {nature: _sql_etat(cles) for nature, cles in BESOINS.items()}
CENTIME = Decimal("0.01")


def _dec(valeur: Any) -> Decimal:
    # PostgreSQL returns numeric as Decimal; SQLite may return int/float for sums.
    return (valeur if isinstance(valeur, Decimal) else Decimal(str(valeur or 0))).quantize(CENTIME)


def etat(
    convention_id: int,
    annee: int,
    reference: str = "",
    service_fait_id: int = 0,
    nature: str = "tout",
) -> Etat:
    """One query: the convention (with its last amended end date) and the balances of the year."""
    params = {
        "convention": convention_id,
        "annee": annee,
        "precedente": annee - 1,
        "reference": reference,
        "service_fait": service_fait_id,
    }
    conv: Any = next(iter(Convention.objects.raw(SQL_ETAT[nature], params)))
    fin_avenant = conv.x_fin_avenant
    if isinstance(fin_avenant, str):
        fin_avenant = dt.date.fromisoformat(fin_avenant)
    # Reuse the register's own date logic without loading every amendment.
    avenants = (
        [SimpleNamespace(numero=0, date_fin=fin_avenant, en_vigueur=True)] if fin_avenant else []
    )
    conv.avenants_ordonnes = lambda: avenants
    conv.x_deja_paye = _dec(getattr(conv, "x_deja_paye", 0))
    return Etat(
        conv,
        annee,
        *(
            _dec(getattr(conv, f"x_{k}", 0))
            for k in (
                "ae_prevu",
                "cp_prevu",
                "mad_ae",
                "mad_cp",
                "rin_ae",
                "rin_cp",
                "rout_ae",
                "rout_cp",
                "engage",
                "reduit",
                "paye",
            )
        ),
    )


# --- shared rules ----------------------------------------------------------------------------


def _positif(valeur: Decimal, libelle: str = "Le montant") -> Decimal:
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


def _nom(convention: Convention) -> str:
    return convention.reference or f"n° {convention.pk}"


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


def verifier_en_vigueur(convention: Convention, date: dt.date) -> None:
    """Orders only while the convention is in force (taken effect, not ended, not suspended)."""
    nom = _nom(convention)
    refus = {
        Statut.BROUILLON: (
            "convention_brouillon",
            f"La convention {nom} n'est pas signée : aucun bon de commande possible.",
        ),
        Statut.SUSPENDUE: (
            "convention_suspendue",
            f"L'exécution de la convention {nom} est suspendue : aucun bon de "
            "commande possible avant la reprise (avenant ou nouvelle mise à disposition).",
        ),
        Statut.RESILIEE: (
            "convention_resiliee",
            f"La convention {nom} est résiliée : aucun nouveau bon de commande.",
        ),
        Statut.TERMINEE: (
            "convention_terminee",
            f"La convention {nom} est terminée : aucun nouveau bon de commande.",
        ),
    }
    if convention.statut in refus:
        raise RegleMetierError(*refus[Statut(convention.statut)])
    debut, fin = convention.date_prise_effet, convention.date_fin_effective
    if debut is None or date < debut:
        quand = f"le {debut:%d/%m/%Y}" if debut else "à une date encore inconnue"
        raise RegleMetierError(
            "convention_pas_en_vigueur",
            f"La convention {nom} prend effet {quand} : pas de bon de commande le {date:%d/%m/%Y}.",
        )
    if fin is not None and date > fin:
        raise RegleMetierError(
            "convention_pas_en_vigueur",
            f"La convention {nom} a pris fin le {fin:%d/%m/%Y} : pas de bon de commande le {date:%d/%m/%Y}.",
        )


def _annee_de_la_date(annee: int, date: dt.date, quoi: str) -> None:
    if annee != date.year:
        raise RegleMetierError(
            "annee_incoherente",
            f"Un {quoi} daté du {date:%d/%m/%Y} consomme les crédits de {date.year}, pas de {annee} "
            "(les crédits d'une autre année passent par un report).",
        )


def _atomique_avec_reference(fn: Any) -> Any:
    """Run in one transaction; a duplicate reference raced by another writer becomes a French error."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with transaction.atomic():
                return fn(*args, **kwargs)
        except IntegrityError as exc:
            raise RegleMetierError(
                "reference_existante",
                f"Un mouvement porte déjà cette référence ({kwargs.get('reference', '')}).",
            ) from exc

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


# --- movements -------------------------------------------------------------------------------


@_atomique_avec_reference
def mettre_a_disposition(
    convention: Convention,
    *,
    annee: int,
    ae: Decimal,
    cp: Decimal,
    date: dt.date,
    reference: str,
    user: Any = None,
) -> MiseADisposition:
    """Credits made available for a year; cumulated, never above the consolidated schedule."""
    ae, cp = Decimal(ae), Decimal(cp)
    if ae < 0 or cp < 0 or (ae == 0 and cp == 0):
        raise RegleMetierError(
            "montant_invalide",
            "Les AE et CP mises à disposition sont positives, l'une au moins non nulle.",
        )
    verrouiller(convention.pk, annee)
    e = etat(convention.pk, annee)
    nom = _nom(e.convention)
    if e.convention.statut == Statut.BROUILLON:
        raise RegleMetierError(
            "convention_brouillon",
            f"La convention {nom} n'est pas signée : pas de mise à disposition.",
        )
    if e.mad_ae + ae > e.ae_prevu:
        raise RegleMetierError(
            "mise_a_disposition_depasse_echeancier",
            f"Mise à disposition refusée : {euros(e.mad_ae)} d'AE déjà mises à disposition + {euros(ae)} demandées "
            f"dépassent les {euros(e.ae_prevu)} d'AE prévues pour {annee} par l'échéancier de la convention {nom}.",
        )
    if e.mad_cp + cp > e.cp_prevu:
        raise RegleMetierError(
            "mise_a_disposition_depasse_echeancier",
            f"Mise à disposition refusée : {euros(e.mad_cp)} de CP déjà mis à disposition + {euros(cp)} demandés "
            f"dépassent les {euros(e.cp_prevu)} de CP prévus pour {annee} par l'échéancier de la convention {nom}.",
        )
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


def _auteur(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def _verifier_engagement(
    conv: Convention,
    e: Etat,
    *,
    montant: Decimal,
    date: dt.date,
    reference: str,
    produit: Produit | None,
    titulaire: Titulaire | None,
    marche: Marche | None,
    doublon: bool,
    produit_ok: bool,
    titulaire_ok: bool,
) -> None:
    """The order's rules, in this order (the PostgreSQL function ``execution_engager`` of
    migration 0003 applies the same ones, in the same order)."""
    verifier_en_vigueur(conv, date)
    if doublon:
        raise RegleMetierError(
            "reference_existante", f"Un bon de commande porte déjà la référence {reference}."
        )
    if produit is not None and not produit_ok:
        raise RegleMetierError(
            "produit_hors_convention",
            f"Le produit {produit.nom} n'est pas financé par la convention {_nom(conv)}.",
        )
    if marche is not None and titulaire is not None and not titulaire_ok:
        raise RegleMetierError(
            "titulaire_hors_marche",
            f"{titulaire.nom} n'est pas titulaire du marché {marche.numero}.",
        )
    if e.ae_engage + montant > e.ae_disponible:
        raise RegleMetierError(
            "credits_insuffisants",
            f"Crédits insuffisants : {euros(montant)} demandés, {euros(max(e.ae_disponible - e.ae_engage, ZERO))} "
            f"d'AE disponibles pour {e.annee} sur la convention {_nom(conv)} ({euros(e.ae_disponible)} mises à "
            f"disposition ou reportées, {euros(e.ae_engage)} déjà engagées).",
        )
    if e.ae_engage + montant > e.ae_plafond_echeancier:
        raise RegleMetierError(
            "ae_hors_echeancier",
            f"Crédits insuffisants : {euros(montant)} demandés, {euros(max(e.ae_plafond_echeancier - e.ae_engage, ZERO))} "
            f"d'AE restantes à l'échéancier {e.annee} de la convention {_nom(conv)} ({euros(e.ae_prevu)} prévues).",
        )


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
    user: Any = None,
    numero_ej: str = "",
) -> Engagement:
    """A purchase order: consumes AE of its year, within availability and schedule.

    On PostgreSQL the rules that read the register and the journal run in the database
    function ``execution_engager`` (one round trip, see ADR 0004); elsewhere, here. The CHORUS
    EJ number, when given, is set in the same transaction (``references``).
    """
    from .references import numero_valide

    numero_ej = numero_valide(numero_ej, "numéro d'EJ")
    montant = _positif(montant)
    annee = annee or date.year
    _annee_de_la_date(annee, date, "bon de commande")
    verifier_cloture("engagement", date, justification)
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
    }
    lies = {"produit": produit, "titulaire": titulaire, "marche": marche, "created_by": auteur}
    if _fonction_en_base():
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


def _fonction_en_base() -> bool:
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
            _verifier_engagement(
                conv,
                e,
                montant=commande.montant,
                date=commande.date,
                reference=commande.reference,
                produit=produit,
                titulaire=titulaire,
                marche=marche,
                doublon=bool(getattr(conv, "x_doublon", False)),
                produit_ok=produit is None or conv.produits.filter(pk=produit.pk).exists(),
                titulaire_ok=(
                    marche is None
                    or titulaire is None
                    or marche.titulaires.filter(pk=titulaire.pk).exists()
                ),
            )
            commande.save()
    except IntegrityError as exc:
        raise RegleMetierError(
            "reference_existante",
            f"Un bon de commande porte déjà la référence {commande.reference}.",
        ) from exc
    return commande


SQL_ENGAGER = (
    "SELECT engagement_id, code, ae_prevu, mad_ae, rin_ae, rout_ae, engage, reduit FROM "
    "execution_engager(%s::bigint, %s::smallint, %s::date, %s::numeric, %s::varchar, %s::varchar, "
    "%s::bigint, %s::bigint, %s::bigint, %s::text, %s::bigint, %s::timestamptz)"
)
ATTRIBUTS_ENGAGEMENT = tuple(f.attname for f in Engagement._meta.concrete_fields)
UNIQUE_VIOLATION = "23505"


def _engager_en_base(valeurs: dict[str, Any], lies: dict[str, Any]) -> Engagement:
    """One statement validates and inserts (in autocommit: one round trip, like a plain INSERT)."""
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
        raise RegleMetierError(
            "reference_existante",
            f"Un bon de commande porte déjà la référence {valeurs['reference']}.",
        ) from exc
    identifiant, code, *chiffres = ligne
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


def _refuser(
    valeurs: dict[str, Any], lies: dict[str, Any], code: str, chiffres: list[Any]
) -> NoReturn:
    """Write the refusal of the database function in French, with the figures it returned."""
    conv = Convention.objects.filter(pk=valeurs["convention_id"]).first()
    if conv is None:
        raise RegleMetierError("convention_inconnue", "Cette convention n'existe pas.")
    annee = valeurs["annee"]
    prevu, mad_ae, rin, rout, engage, reduit = (_dec(x) for x in chiffres)
    e = Etat(conv, annee, prevu, ZERO, mad_ae, ZERO, rin, ZERO, rout, ZERO, engage, reduit, ZERO)
    _verifier_engagement(
        conv,
        e,
        montant=valeurs["montant"],
        date=valeurs["date"],
        reference=valeurs["reference"],
        produit=lies["produit"],
        titulaire=lies["titulaire"],
        marche=lies["marche"],
        doublon=code == "reference_existante",
        produit_ok=code != "produit_hors_convention",
        titulaire_ok=code != "titulaire_hors_marche",
    )
    # Only if the register changed between the function's answer and this reading.
    raise RegleMetierError(
        code,
        f"Bon de commande refusé ({code}) : la convention a changé pendant l'enregistrement, "
        "réessayez.",
    )


def _etat_commande(engagement: Engagement) -> tuple[Decimal, Decimal, bool]:
    """(order net of reductions, already certified, closed by a total service fait)."""
    agg = (
        Engagement.objects.filter(pk=engagement.pk)
        .annotate(
            reduit=_somme(Reduction.objects.filter(engagement=OuterRef("pk")), "montant"),
            certifie=_somme(ServiceFait.objects.filter(engagement=OuterRef("pk")), "montant"),
            solde=Exists(ServiceFait.objects.filter(engagement=OuterRef("pk"), total=True)),
        )
        .values("montant", "reduit", "certifie", "solde")
        .get()
    )
    return agg["montant"] - agg["reduit"], agg["certifie"], agg["solde"]


def _verifier_service_fait(
    engagement: Engagement, montant: Decimal, date: dt.date, total: bool, a_livrable: bool
) -> None:
    net, certifie, solde = _etat_commande(engagement)
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
    user: Any = None,
    proposition: PropositionServiceFait | None = None,
) -> ServiceFait:
    """Certified delivery: Σ service fait of an order ≤ the order net of reductions."""
    montant = _positif(montant)
    if periode_debut and periode_fin and periode_fin < periode_debut:
        raise RegleMetierError("periode_invalide", "La fin de la période précède son début.")
    verrouiller(engagement.convention_id, engagement.annee)
    if proposition is not None and (
        ServiceFait.objects.filter(proposition=proposition).exists()
        or RejetProposition.objects.filter(proposition=proposition).exists()
    ):
        raise RegleMetierError(
            "proposition_traitee", "Cette proposition de service fait a déjà été traitée."
        )
    _verifier_service_fait(engagement, montant, date, total, bool(livrable or livrable_url))
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
        sf.livrable.save(getattr(livrable, "name", "livrable"), livrable, save=False)
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
    user: Any = None,
) -> PropositionServiceFait:
    """An intrapreneur proposes a service fait on their product's order; finance validates it."""
    montant = _positif(montant)
    verrouiller(engagement.convention_id, engagement.annee)
    _verifier_service_fait(engagement, montant, date, total, bool(livrable or livrable_url))
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
        prop.livrable.save(getattr(livrable, "name", "livrable"), livrable, save=False)
    prop.save()
    return prop


def valider_proposition(proposition: PropositionServiceFait, user: Any) -> ServiceFait:
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
    proposition: PropositionServiceFait, user: Any, motif: str
) -> RejetProposition:
    verrouiller(proposition.engagement.convention_id, proposition.engagement.annee)
    if (
        ServiceFait.objects.filter(proposition=proposition).exists()
        or RejetProposition.objects.filter(proposition=proposition).exists()
    ):
        raise RegleMetierError(
            "proposition_traitee", "Cette proposition de service fait a déjà été traitée."
        )
    if not (motif or "").strip():
        raise RegleMetierError("motif_requis", "Indiquez le motif du rejet.")
    return RejetProposition.objects.create(
        proposition=proposition, motif=motif, created_by=_auteur(user)
    )


@transaction.atomic
def payer(
    service_fait: ServiceFait,
    *,
    montant: Decimal,
    date: dt.date,
    reference: str,
    justification: str = "",
    user: Any = None,
    numero_piece: str = "",
) -> Paiement:
    """Payment of an invoice: Σ payments ≤ the service fait, Σ payments of the year ≤ CP available."""
    from .references import numero_valide

    numero_piece = numero_valide(numero_piece, "numéro de pièce de paiement")
    montant = _positif(montant)
    annee = date.year
    verifier_cloture("paiement", date, justification)
    engagement = service_fait.engagement
    verrouiller(service_fait.convention_id, annee, engagement.annee)
    e = etat(service_fait.convention_id, annee, service_fait_id=service_fait.pk, nature="cp")
    deja_paye: Decimal = e.convention.x_deja_paye  # type: ignore[attr-defined]
    nom = _nom(e.convention)
    if date < service_fait.date:
        raise RegleMetierError(
            "date_anterieure",
            f"Le paiement ({date:%d/%m/%Y}) ne peut précéder le service fait "
            f"({service_fait.date:%d/%m/%Y}).",
        )
    if deja_paye + montant > service_fait.montant:
        raise RegleMetierError(
            "paiement_depasse_service_fait",
            f"Paiement refusé : {euros(montant)} demandés, {euros(service_fait.montant - deja_paye)} restent à payer sur "
            f"le service fait du {service_fait.date:%d/%m/%Y} ({euros(service_fait.montant)}, {euros(deja_paye)} déjà payés).",
        )
    if e.paye + montant > e.cp_disponible:
        raise RegleMetierError(
            "credits_insuffisants",
            f"Crédits insuffisants : {euros(montant)} demandés, {euros(max(e.cp_disponible - e.paye, ZERO))} de CP "
            f"disponibles pour {annee} sur la convention {nom} ({euros(e.cp_disponible)} mis à disposition ou "
            f"reportés, {euros(e.paye)} déjà payés).",
        )
    if e.paye + montant > e.cp_plafond_echeancier:
        raise RegleMetierError(
            "cp_hors_echeancier",
            f"Crédits insuffisants : {euros(montant)} demandés, {euros(max(e.cp_plafond_echeancier - e.paye, ZERO))} de CP "
            f"restants à l'échéancier {annee} de la convention {nom} ({euros(e.cp_prevu)} prévus).",
        )
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
    user: Any = None,
) -> Report:
    """Carry unused AE/CP of ``annee`` over to ``annee + 1`` (by decision)."""
    ae, cp = Decimal(ae), Decimal(cp)
    if ae < 0 or cp < 0 or (ae == 0 and cp == 0):
        raise RegleMetierError(
            "montant_invalide", "Les AE et CP reportées sont positives, l'une au moins non nulle."
        )
    if not (reference or "").strip():
        raise RegleMetierError(
            "reference_requise", "Un report se fait par décision : indiquez sa référence."
        )
    verrouiller(convention.pk, annee, annee + 1)
    e = etat(convention.pk, annee)
    nom = _nom(e.convention)
    reste_ae, reste_cp = e.ae_disponible - e.ae_engage, e.cp_disponible - e.paye
    if ae > reste_ae:
        raise RegleMetierError(
            "report_depasse_reste",
            f"Report refusé : {euros(ae)} d'AE demandées, {euros(reste_ae)} d'AE non engagées en "
            f"{annee} sur la convention {nom}.",
        )
    if cp > reste_cp:
        raise RegleMetierError(
            "report_depasse_reste",
            f"Report refusé : {euros(cp)} de CP demandés, {euros(reste_cp)} de CP non payés en "
            f"{annee} sur la convention {nom}.",
        )
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
    user: Any = None,
) -> Reduction:
    """Lower or cancel the remainder of an order (what is not yet certified); frees AE of its year."""
    montant = _positif(montant)
    verrouiller(engagement.convention_id, engagement.annee)
    net, certifie, _solde = _etat_commande(engagement)
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


@transaction.atomic
def informer_delegant(
    convention: Convention,
    *,
    annee: int,
    date: dt.date,
    montant_demande: Decimal | None = None,
    commentaire: str = "",
    suspendre: bool = False,
    user: Any = None,
) -> InformationDelegant:
    """Record « crédits insuffisants — délégant informé » (a dated event); optionally suspend execution."""
    from delegations.conventions.ecriture import appliquer_transition

    verrouiller(convention.pk, annee)
    e = etat(convention.pk, annee)
    info = InformationDelegant.objects.create(
        convention_id=convention.pk,
        annee=annee,
        date=date,
        montant_demande=montant_demande,
        montant_disponible=max(e.ae_disponible - e.ae_engage, ZERO),
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
        appliquer_transition(e.convention, "suspendre", user, motif=MOTIF_CREDITS_INSUFFISANTS)
    return info


MOTIF_CREDITS_INSUFFISANTS = "crédits insuffisants — délégant informé"


def reprendre_si_suspendue_faute_de_credits(convention: Convention, user: Any, cause: str) -> None:
    """Execution resumes by itself after more availability or an amendment, when it was
    suspended for insufficient credits; a suspension for another reason is lifted by hand."""
    from delegations.conventions.ecriture import appliquer_transition
    from delegations.core.models import historique

    if convention.statut != Statut.SUSPENDUE:
        return
    suspension = historique(convention).filter(action="suspendre").first()
    if suspension is not None and suspension.changes.get("motif") == MOTIF_CREDITS_INSUFFISANTS:
        appliquer_transition(convention, "reprendre", user, motif=f"reprise après {cause}")
