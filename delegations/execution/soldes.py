"""Balances of a convention's year: the one formula, and the two ways of reading its terms.

``Solde`` holds the sums of the journal for one convention and year and derives every balance
from them (availability, committed, remaining, caps of the schedule). The sums come from:

- ``soldes_par_annee``: every year at once, a fixed handful of GROUP BY queries, optionally up to
  a cut-off date (the reports to the délégant count the movements dated up to the end of their
  period); the situation and the reports read it;
- ``etat``: one year in one statement of constant text, run by the write path *after* the lock
  of the budget line (``verrouiller``), so that it sees every movement committed before.

On PostgreSQL the database function ``execution_engager`` (migration 0003) sums the same terms
for a purchase order; property tests prove the three readings equal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.db.models import Exists, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from delegations.conventions.models import Convention

from .models import (
    Engagement,
    LigneBudget,
    MiseADisposition,
    Paiement,
    Reduction,
    Report,
    Restitution,
    ServiceFait,
)

ZERO = Decimal("0.00")
CENTIME = Decimal("0.01")
DEC = models.DecimalField(max_digits=17, decimal_places=2)


@dataclass(frozen=True)
class Solde:
    """The sums of the journal for one convention and year, and the balances derived from them.

    - AE / CP disponibles: made available for the year + carried over from the year before −
      carried over to the next year − given back to the délégant at closing (``Restitution``);
    - AE engagées: orders of the year − their reductions; CP payés: payments of the year;
    - caps of the schedule: the consolidated schedule of the year ± the same carry-overs.
    """

    ae_prevu: Decimal = ZERO
    cp_prevu: Decimal = ZERO
    mad_ae: Decimal = ZERO
    mad_cp: Decimal = ZERO
    report_entrant_ae: Decimal = ZERO
    report_entrant_cp: Decimal = ZERO
    report_sortant_ae: Decimal = ZERO
    report_sortant_cp: Decimal = ZERO
    engage_brut: Decimal = ZERO
    reduit: Decimal = ZERO
    paye: Decimal = ZERO
    certifie: Decimal = ZERO
    restitue_ae: Decimal = ZERO
    restitue_cp: Decimal = ZERO

    @property
    def ae_disponible(self) -> Decimal:
        return self.mad_ae + self.report_entrant_ae - self.report_sortant_ae - self.restitue_ae

    @property
    def cp_disponible(self) -> Decimal:
        return self.mad_cp + self.report_entrant_cp - self.report_sortant_cp - self.restitue_cp

    @property
    def ae_plafond_echeancier(self) -> Decimal:
        return self.ae_prevu + self.report_entrant_ae - self.report_sortant_ae

    @property
    def cp_plafond_echeancier(self) -> Decimal:
        return self.cp_prevu + self.report_entrant_cp - self.report_sortant_cp

    @property
    def ae_engage(self) -> Decimal:
        return self.engage_brut - self.reduit

    @property
    def ae_restant(self) -> Decimal:
        return self.ae_disponible - self.ae_engage

    @property
    def cp_restant(self) -> Decimal:
        return self.cp_disponible - self.paye

    def ligne(self, annee: int) -> dict[str, Any]:
        """The year as the situation shows it (page, API, reports)."""
        return {
            "annee": annee,
            "ae_prevu": self.ae_prevu,
            "ae_disponible": self.ae_disponible,
            "ae_engage": self.ae_engage,
            "ae_restant": self.ae_restant,
            "cp_prevu": self.cp_prevu,
            "cp_disponible": self.cp_disponible,
            "cp_paye": self.paye,
            "cp_restant": self.cp_restant,
            "ae_restitue": self.restitue_ae,
            "cp_restitue": self.restitue_cp,
        }


TERMES = tuple(f.name for f in fields(Solde))


# --- every year at once (situation, reports) -----------------------------------------------


def _par_annee(qs: Any, jusqu_au: dt.date | None, *champs: str) -> dict[int, tuple[Decimal, ...]]:
    if jusqu_au is not None:
        qs = qs.filter(date__lte=jusqu_au)
    lignes = qs.order_by().values("annee").annotate(**{f"s_{c}": Sum(c) for c in champs})
    return {ligne["annee"]: tuple(ligne[f"s_{c}"] or ZERO for c in champs) for ligne in lignes}


def echeancier(convention: Convention) -> dict[int, tuple[Decimal, Decimal]]:
    """Consolidated schedule through the register's own rule (bounded queries, no N+1)."""
    conv = Convention.objects.prefetch_related("echeancier", "avenants__lignes").get(
        pk=convention.pk
    )
    return {ligne.annee: (ligne.ae, ligne.cp) for ligne in conv.echeancier_consolide()}


def soldes_par_annee(
    convention: Convention, jusqu_au: dt.date | None = None, *, certifie: bool = False
) -> dict[int, Solde]:
    """{year: Solde} of every year the schedule or the journal mentions, in year order.

    ``jusqu_au``: only the movements dated up to that day. ``certifie``: also sum the service
    fait of each year (and show the years where only a service fait fell).
    """
    c = convention.pk
    prevu = echeancier(convention)
    mad = _par_annee(MiseADisposition.objects.filter(convention_id=c), jusqu_au, "ae", "cp")
    reports = _par_annee(Report.objects.filter(convention_id=c), jusqu_au, "ae", "cp")
    engage = _par_annee(Engagement.objects.filter(convention_id=c), jusqu_au, "montant")
    reduit = _par_annee(Reduction.objects.filter(convention_id=c), jusqu_au, "montant")
    paye = _par_annee(Paiement.objects.filter(convention_id=c), jusqu_au, "montant")
    restitues = _par_annee(Restitution.objects.filter(convention_id=c), jusqu_au, "ae", "cp")
    certifies = (
        _par_annee(ServiceFait.objects.filter(convention_id=c), jusqu_au, "montant")
        if certifie
        else {}
    )
    annees = set(prevu) | set(mad) | set(engage) | set(reduit) | set(paye) | set(certifies)
    annees |= set(restitues)
    annees |= set(reports) | {a + 1 for a in reports}
    soldes = {}
    for annee in sorted(annees):
        ae_prevu, cp_prevu = prevu.get(annee, (ZERO, ZERO))
        mad_ae, mad_cp = mad.get(annee, (ZERO, ZERO))
        rin_ae, rin_cp = reports.get(annee - 1, (ZERO, ZERO))
        rout_ae, rout_cp = reports.get(annee, (ZERO, ZERO))
        soldes[annee] = Solde(
            ae_prevu,
            cp_prevu,
            mad_ae,
            mad_cp,
            rin_ae,
            rin_cp,
            rout_ae,
            rout_cp,
            engage.get(annee, (ZERO,))[0],
            reduit.get(annee, (ZERO,))[0],
            paye.get(annee, (ZERO,))[0],
            certifies.get(annee, (ZERO,))[0],
            *restitues.get(annee, (ZERO, ZERO)),
        )
    return soldes


# --- one year under the lock (write path) -----------------------------------------------


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


@dataclass(frozen=True, kw_only=True)
class Etat(Solde):
    """Balances of one convention and year read under the lock, with the convention row, the
    last amended end date and what the movement being checked needs (duplicate reference,
    amount already paid on the service fait)."""

    convention: Convention
    annee: int
    fin_avenant: dt.date | None = None
    doublon: bool = False
    deja_paye: Decimal = ZERO

    @property
    def date_fin_effective(self) -> dt.date | None:
        """The register's end date, from the last amended end date read in the same statement."""
        return self.convention.date_fin_effective_selon(self.fin_avenant)


# One statement, constant text: the convention row, its last amended end date and the terms of
# the year that the movement needs.
_PREVU = """COALESCE((SELECT la.{c} FROM conventions_ligneavenant la JOIN conventions_avenant av ON av.id = la.avenant_id
     WHERE av.convention_id = c.id AND av.date_effet IS NOT NULL AND la.annee = %(annee)s ORDER BY av.numero DESC LIMIT 1),
    (SELECT le.{c} FROM conventions_ligneecheancier le WHERE le.convention_id = c.id AND le.annee = %(annee)s), 0)"""
_SOMME = "(SELECT COALESCE(SUM(t.{c}), 0) FROM {table} t WHERE t.convention_id = c.id AND t.annee = %({annee})s)"
SOUS_REQUETES = {
    "ae_prevu": _PREVU.format(c="ae"),
    "cp_prevu": _PREVU.format(c="cp"),
    "mad_ae": _SOMME.format(c="ae", table="execution_miseadisposition", annee="annee"),
    "mad_cp": _SOMME.format(c="cp", table="execution_miseadisposition", annee="annee"),
    "report_entrant_ae": _SOMME.format(c="ae", table="execution_report", annee="precedente"),
    "report_entrant_cp": _SOMME.format(c="cp", table="execution_report", annee="precedente"),
    "report_sortant_ae": _SOMME.format(c="ae", table="execution_report", annee="annee"),
    "report_sortant_cp": _SOMME.format(c="cp", table="execution_report", annee="annee"),
    "engage_brut": _SOMME.format(c="montant", table="execution_engagement", annee="annee"),
    "reduit": _SOMME.format(c="montant", table="execution_reduction", annee="annee"),
    "paye": _SOMME.format(c="montant", table="execution_paiement", annee="annee"),
    "restitue_ae": _SOMME.format(c="ae", table="execution_restitution", annee="annee"),
    "restitue_cp": _SOMME.format(c="cp", table="execution_restitution", annee="annee"),
    "doublon": "(SELECT COUNT(*) FROM execution_engagement e WHERE e.reference = %(reference)s)",
    "deja_paye": "(SELECT COALESCE(SUM(p.montant), 0) FROM execution_paiement p WHERE p.service_fait_id = %(service_fait)s)",
}
BESOINS = {
    "ae": (
        "ae_prevu",
        "mad_ae",
        "report_entrant_ae",
        "report_sortant_ae",
        "engage_brut",
        "reduit",
        "restitue_ae",
        "doublon",
    ),
    "cp": (
        "cp_prevu",
        "mad_cp",
        "report_entrant_cp",
        "report_sortant_cp",
        "paye",
        "restitue_cp",
        "deja_paye",
    ),
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
    "motif_suspension",
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


def decimal(valeur: Any) -> Decimal:
    """A sum as read from the database, to the cent (SQLite may return int/float for sums)."""
    return (valeur if isinstance(valeur, Decimal) else Decimal(str(valeur or 0))).quantize(CENTIME)


def etat(
    convention_id: int,
    annee: int,
    reference: str = "",
    service_fait_id: int = 0,
    nature: str = "tout",
) -> Etat:
    """One query: the convention (with its last amended end date) and the terms of the year."""
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
    return Etat(
        **{t: decimal(getattr(conv, f"x_{t}", 0)) for t in TERMES},
        convention=conv,
        annee=annee,
        fin_avenant=fin_avenant,
        doublon=bool(getattr(conv, "x_doublon", False)),
        deja_paye=decimal(getattr(conv, "x_deja_paye", 0)),
    )


# --- one order ---------------------------------------------------------------------------


def somme(qs: models.QuerySet[Any], champ: str) -> Coalesce:
    """Subquery: the sum of ``champ`` over ``qs`` (filtered on an ``OuterRef``), zero when empty."""
    sous = qs.order_by().values("convention").annotate(s=Sum(champ)).values("s")[:1]
    return Coalesce(Subquery(sous, output_field=DEC), Value(ZERO), output_field=DEC)


def etat_commande(engagement: Engagement) -> tuple[Decimal, Decimal, bool]:
    """(order net of reductions, already certified, closed by a total service fait)."""
    agg = (
        Engagement.objects.filter(pk=engagement.pk)
        .annotate(
            reduit=somme(Reduction.objects.filter(engagement=OuterRef("pk")), "montant"),
            certifie=somme(ServiceFait.objects.filter(engagement=OuterRef("pk")), "montant"),
            solde=Exists(ServiceFait.objects.filter(engagement=OuterRef("pk"), total=True)),
        )
        .values("montant", "reduit", "certifie", "solde")
        .get()
    )
    return agg["montant"] - agg["reduit"], agg["certifie"], agg["solde"]
