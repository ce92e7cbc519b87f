"""Situation of a convention (public interface other apps rely on).

Every figure is a sum of journal movements computed in the database, with a fixed handful of
GROUP BY queries whatever the number of movements.

Definitions
- AE prévues / CP prévus: the consolidated schedule (base schedule, amendments replacing years).
- AE disponibles, AE engagées, CP payés, restants: ``soldes.Solde`` (the one formula).
- Burn rate (``rythme_mensuel``): service fait certified over the last three months, divided by 3
  (what the teams actually consumed, not when orders or invoices fall).
- Envelope: total consolidated AE of the convention; it runs out when the service fait certified
  reaches it. ``epuisement_prevu`` = today + remaining / burn rate (``prevoir_epuisement``, the
  one formula: reports call it with their own cut-off date); the committee window is 45 to 30
  days before that date. At a rate where the envelope outlives the convention's effective end
  there is no exhaustion to foresee (``epuisement_apres_fin``): what is left is unconsumed at the
  end, and no committee window opens for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from delegations.conventions.models import Convention, ajouter_mois

from .models import Engagement, MiseADisposition, Paiement, Reduction, Report, ServiceFait
from .soldes import soldes_par_annee

ZERO = Decimal("0.00")
JOURS_PAR_MOIS = Decimal("30.4375")


def situation_annees(
    convention: Convention, jusqu_au: dt.date | None = None, *, certifie: bool = False
) -> list[dict[str, Any]]:
    """Each year's balances (``soldes.Solde.ligne``), with the movements dated up to ``jusqu_au``
    when given; ``certifie`` adds the service fait certified in the year."""
    soldes = soldes_par_annee(convention, jusqu_au, certifie=certifie)
    if not certifie:
        return [s.ligne(annee) for annee, s in soldes.items()]
    return [{**s.ligne(annee), "certifie": s.certifie} for annee, s in soldes.items()]


def _consommation(convention: Convention, aujourd_hui: dt.date) -> tuple[Decimal, Decimal]:
    """(service fait certified in total, over the last three months)."""
    debut = ajouter_mois(aujourd_hui, -3)
    agg = ServiceFait.objects.filter(convention_id=convention.pk).aggregate(
        total=Coalesce(Sum("montant"), ZERO),
        recent=Coalesce(Sum("montant", filter=Q(date__gt=debut, date__lte=aujourd_hui)), ZERO),
    )
    return agg["total"], agg["recent"]


def prevoir_epuisement(
    enveloppe: Decimal,
    consomme: Decimal,
    rythme: Decimal,
    depuis: dt.date,
    fin_convention: dt.date | None = None,
) -> tuple[dt.date | None, bool]:
    """(the day the envelope runs out at ``rythme`` a month from ``depuis``, whether that day
    falls after ``fin_convention``). The day is None when nothing is planned, nothing was
    consumed lately, or the envelope outlives the convention."""
    reste = enveloppe - consomme
    if enveloppe <= 0:
        return None, False
    if reste <= 0:
        return depuis, False
    if rythme <= 0:
        return None, False
    jours = int((reste / rythme * JOURS_PAR_MOIS).to_integral_value(ROUND_HALF_UP))
    try:
        jour = depuis + dt.timedelta(days=jours)
    except OverflowError:
        return None, fin_convention is not None
    if fin_convention is not None and jour > fin_convention:
        return None, True
    return jour, False


def situation_convention(
    convention: Convention, aujourd_hui: dt.date | None = None
) -> dict[str, Any]:
    aujourd_hui = aujourd_hui or timezone.localdate()
    annees = situation_annees(convention)
    enveloppe = sum((a["ae_prevu"] for a in annees), ZERO)
    consomme, recent = _consommation(convention, aujourd_hui)
    rythme = (recent / 3).quantize(Decimal("0.01"), ROUND_HALF_UP)
    epuisement, apres_fin = prevoir_epuisement(
        enveloppe, consomme, rythme, aujourd_hui, convention.date_fin_effective
    )
    fenetre = (
        {"debut": epuisement - dt.timedelta(days=45), "fin": epuisement - dt.timedelta(days=30)}
        if epuisement
        else None
    )
    return {
        "annees": annees,
        "epuisement_prevu": epuisement,
        "epuisement_apres_fin": apres_fin,
        "fenetre_comite": fenetre,
        "rythme_mensuel": rythme,
        "enveloppe": enveloppe,
        "consomme": consomme,
    }


def epuisement_prevu(convention: Convention, aujourd_hui: dt.date | None = None) -> dt.date | None:
    conv = Convention.objects.prefetch_related("echeancier", "avenants__lignes").get(
        pk=convention.pk
    )
    return epuisements_prevus([conv], aujourd_hui)[conv.pk]


LOT_IDS = 500  # ids per query (SQLite allows 999 parameters)


def epuisements_prevus(
    conventions: Sequence[Convention], aujourd_hui: dt.date | None = None
) -> dict[int, dt.date | None]:
    """``epuisement_prevu`` of many conventions at once (the nightly rebuild of the deadlines):
    one GROUP BY query per 500 conventions; the envelope is read from each convention's
    consolidated schedule, prefetched by the caller (``echeancier``, ``avenants__lignes``)."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    debut = ajouter_mois(aujourd_hui, -3)
    ids = sorted({c.pk for c in conventions})
    consommation: dict[int, tuple[Decimal, Decimal]] = {}
    for i in range(0, len(ids), LOT_IDS):
        lignes = (
            ServiceFait.objects.filter(convention_id__in=ids[i : i + LOT_IDS])
            .order_by()
            .values("convention_id")
            .annotate(
                total=Coalesce(Sum("montant"), ZERO),
                recent=Coalesce(
                    Sum("montant", filter=Q(date__gt=debut, date__lte=aujourd_hui)), ZERO
                ),
            )
            .values_list("convention_id", "total", "recent")
        )
        consommation.update({c: (total, recent) for c, total, recent in lignes})
    resultat: dict[int, dt.date | None] = {}
    for conv in conventions:
        enveloppe = sum((ligne.ae for ligne in conv.echeancier_consolide()), ZERO)
        consomme, recent = consommation.get(conv.pk, (ZERO, ZERO))
        rythme = (recent / 3).quantize(Decimal("0.01"), ROUND_HALF_UP)
        resultat[conv.pk] = prevoir_epuisement(
            enveloppe, consomme, rythme, aujourd_hui, conv.date_fin_effective
        )[0]
    return resultat


def taux(part: Decimal, tout: Decimal) -> Decimal | None:
    """Consumption rate in percent (one decimal), None when nothing is planned."""
    if not tout:
        return None
    return (part * 100 / tout).quantize(Decimal("0.1"), ROUND_HALF_UP)


def repartition(convention: Convention, axe: str = "produit") -> list[dict[str, Any]]:
    """Committed (net), certified and paid amounts per product or per contractor (4 queries)."""
    if axe not in ("produit", "titulaire"):
        raise ValueError(axe)
    c = convention.pk
    cle = f"{axe}__nom"
    lignes: dict[str | None, dict[str, Any]] = {}

    def ajouter(qs: Any, chemin: str, champ: str, signe: int = 1) -> None:
        for ligne in qs.order_by().values(chemin).annotate(s=Sum("montant")):
            nom = ligne[chemin]
            d = lignes.setdefault(nom, {"nom": nom, "engage": ZERO, "certifie": ZERO, "paye": ZERO})
            d[champ] += signe * (ligne["s"] or ZERO)

    ajouter(Engagement.objects.filter(convention_id=c), cle, "engage")
    ajouter(Reduction.objects.filter(convention_id=c), f"engagement__{cle}", "engage", -1)
    ajouter(ServiceFait.objects.filter(convention_id=c), f"engagement__{cle}", "certifie")
    ajouter(Paiement.objects.filter(convention_id=c), f"service_fait__engagement__{cle}", "paye")
    for d in lignes.values():
        d["taux_certifie"] = taux(d["certifie"], d["engage"])
    return sorted(lignes.values(), key=lambda d: (d["nom"] is None, d["nom"] or ""))


def depenses(convention: Convention) -> list[dict[str, Any]]:
    """Every movement of the convention, oldest first.

    ``montant_ae`` / ``montant_cp`` give the effect on the credits (a reduction frees AE, hence a
    negative ``montant_ae``; a service fait moves no credit); ``montant`` is the movement's amount.
    """
    c = convention.pk
    sortie: list[dict[str, Any]] = []

    def ligne(
        m: Any,
        nature: str,
        ae: Decimal,
        cp: Decimal,
        montant: Decimal,
        eng: Engagement | None,
        reference: str,
        objet: str,
    ) -> dict[str, Any]:
        return {
            "date": m.date,
            "nature": nature,
            "annee": m.annee,
            "montant_ae": ae,
            "montant_cp": cp,
            "montant": montant,
            "produit": eng.produit.nom if eng and eng.produit else None,
            "titulaire": eng.titulaire.nom if eng and eng.titulaire else None,
            "reference": reference,
            "objet": objet,
            "id": m.pk,
        }

    for m in MiseADisposition.objects.filter(convention_id=c):
        sortie.append(
            ligne(
                m,
                "mise_a_disposition",
                m.ae,
                m.cp,
                m.ae,
                None,
                m.reference,
                f"Mise à disposition des crédits {m.annee}",
            )
        )
    for e in Engagement.objects.filter(convention_id=c).select_related("produit", "titulaire"):
        sortie.append(ligne(e, "engagement", e.montant, ZERO, e.montant, e, e.reference, e.objet))
    for s in ServiceFait.objects.filter(convention_id=c).select_related(
        "engagement__produit", "engagement__titulaire"
    ):
        sortie.append(
            ligne(
                s,
                "service_fait",
                ZERO,
                ZERO,
                s.montant,
                s.engagement,
                s.engagement.reference,
                f"Service fait {'total' if s.total else 'partiel'} — {s.engagement.objet}".rstrip(
                    " —"
                ),
            )
        )
    for p in Paiement.objects.filter(convention_id=c).select_related(
        "service_fait__engagement__produit", "service_fait__engagement__titulaire"
    ):
        sortie.append(
            ligne(
                p,
                "paiement",
                ZERO,
                p.montant,
                p.montant,
                p.service_fait.engagement,
                p.reference,
                f"Paiement — {p.service_fait.engagement.objet}".rstrip(" —"),
            )
        )
    for r in Reduction.objects.filter(convention_id=c).select_related(
        "engagement__produit", "engagement__titulaire"
    ):
        sortie.append(
            ligne(
                r,
                "reduction",
                -r.montant,
                ZERO,
                r.montant,
                r.engagement,
                r.reference or r.engagement.reference,
                r.motif or f"Réduction de {r.engagement.reference}",
            )
        )
    for rp in Report.objects.filter(convention_id=c):
        sortie.append(
            ligne(
                rp,
                "report",
                rp.ae,
                rp.cp,
                rp.ae,
                None,
                rp.reference,
                rp.motif or f"Report de {rp.annee} sur {rp.annee + 1}",
            )
        )
    ordre = {
        "mise_a_disposition": 0,
        "report": 1,
        "engagement": 2,
        "reduction": 3,
        "service_fait": 4,
        "paiement": 5,
    }
    sortie.sort(key=lambda d: (d["date"], ordre[d["nature"]], d["id"]))
    return sortie
