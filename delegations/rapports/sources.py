"""Read-only access to the execution journal and the committees, guarded.

Reports and statistics must work before those apps land (they then show the schedule alone and
say that no spending is recorded yet), so every import from them happens here, inside a guard.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from types import ModuleType
from typing import Any

from django.db.models import Min, Sum

from delegations.conventions.models import Convention

ZERO = Decimal("0.00")


def _module(nom: str) -> ModuleType | None:
    try:
        return importlib.import_module(nom)
    except ImportError:
        return None


def execution_disponible() -> bool:
    module = _module("delegations.execution.situation")
    return (
        module is not None
        and hasattr(module, "situation_convention")
        and hasattr(module, "depenses")
    )


def situation(convention: Convention, aujourd_hui: dt.date | None = None) -> dict[str, Any] | None:
    module = _module("delegations.execution.situation")
    if module is None or not hasattr(module, "situation_convention"):
        return None
    return dict(module.situation_convention(convention, aujourd_hui=aujourd_hui))


def annees(convention: Convention, jusqu_au: dt.date) -> list[dict[str, Any]] | None:
    """Each year's balances counting the movements dated up to ``jusqu_au`` (the execution app's
    formula, with the service fait certified), or None when execution is absent."""
    module = _module("delegations.execution.situation")
    if module is None or not hasattr(module, "situation_annees"):
        return None
    return list(module.situation_annees(convention, jusqu_au, certifie=True))


def depenses(convention: Convention) -> list[dict[str, Any]] | None:
    """The spending movements (orders, service fait, payments…), or None when execution is absent."""
    module = _module("delegations.execution.situation")
    if module is None or not hasattr(module, "depenses"):
        return None
    return list(module.depenses(convention))


def restitutions(convention: Convention) -> list[dict[str, Any]]:
    """The credits given back at closing, per year, with the délégant's decision (none when
    execution is absent or the convention is not closed)."""
    module = _module("delegations.execution.models")
    if module is None or not hasattr(module, "Restitution"):
        return []
    return [
        {
            "annee": r.annee,
            "date": r.date,
            "ae": r.ae,
            "cp": r.cp,
            "decision": r.get_decision_display(),
            "reference": r.reference,
        }
        for r in module.Restitution.objects.filter(convention_id=convention.pk).order_by("annee")
    ]


def _modeles() -> ModuleType | None:
    module = _module("delegations.execution.models")
    if module is None or not all(
        hasattr(module, m) for m in ("Engagement", "Paiement", "Reduction")
    ):
        return None
    return module


def consommation_par_annee(ids: Iterable[int]) -> dict[int, tuple[Decimal, Decimal]]:
    """{year: (AE committed net of reductions, CP paid)} over the conventions, in three aggregate queries."""
    modeles = _modeles()
    ids = list(ids)
    if modeles is None or not ids:
        return {}
    resultat: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for modele, index, signe in (
        (modeles.Engagement, 0, 1),
        (modeles.Reduction, 0, -1),
        (modeles.Paiement, 1, 1),
    ):
        for ligne in (
            modele.objects.filter(convention_id__in=ids)
            .values("annee")
            .annotate(total=Sum("montant"))
            .order_by("annee")
        ):
            resultat[ligne["annee"]][index] += signe * (ligne["total"] or ZERO)
    return {annee: (v[0], v[1]) for annee, v in sorted(resultat.items())}


def premieres_commandes(ids: Iterable[int]) -> dict[int, dt.date]:
    """{convention id: date of its first order}, one aggregate query."""
    modeles = _modeles()
    ids = list(ids)
    if modeles is None or not ids:
        return {}
    return {
        ligne["convention_id"]: ligne["premiere"]
        for ligne in modeles.Engagement.objects.filter(convention_id__in=ids)
        .values("convention_id")
        .annotate(premiere=Min("date"))
        .order_by()
    }


def comites(convention: Convention, jusqu_a: dt.date | None = None) -> list[dict[str, Any]] | None:
    """Committees held on the convention (mission) or its products, with their current decision
    record and numbered indicators; None when the committees app is absent. Three queries."""
    module = _module("delegations.comites.models")
    modele = getattr(module, "Comite", None) if module is not None else None
    if modele is None:
        return None
    from django.db.models import Q

    # A product committee held for another convention belongs to that convention (its perimeter).
    qs = modele.objects.filter(
        Q(convention=convention) | Q(produit__in=convention.produits.all(), convention__isnull=True)
    )
    if jusqu_a is not None:
        qs = qs.filter(date__lte=jusqu_a)
    resultat = []
    for comite in (
        qs.select_related("produit")
        .prefetch_related("releves__indicateurs")
        .order_by("date", "id")[:200]
    ):
        releve = comite.releve
        resultat.append(
            {
                "date": comite.date,
                "type": comite.get_type_display().split(" (")[0],
                "sujet": comite.sujet,
                "lieu": (releve.lieu if releve and releve.lieu else comite.lieu),
                "decision": _libelle(releve, "decision") if releve else "",
                "montant": releve.montant_accorde if releve else None,
                "periode_mois": releve.periode_mois if releve else None,
                "phase": _libelle(releve, "phase_decidee") if releve else "",
                "finalise": bool(releve and releve.est_finalise),
                "indicateurs": [
                    {
                        "numero": n,
                        "nom": i.nom,
                        "unite": i.unite,
                        "cible": i.cible,
                        "echeance": i.echeance,
                    }
                    for n, i in enumerate(releve.indicateurs.all() if releve else [], start=1)
                ],
            }
        )
    return resultat


def _libelle(obj: Any, champ: str) -> str:
    affichage = getattr(obj, f"get_{champ}_display", None)
    if callable(affichage):
        return str(affichage())
    return str(getattr(obj, champ, "") or "")


def prevoir_epuisement(
    enveloppe: Decimal,
    consomme: Decimal,
    rythme: Decimal,
    depuis: dt.date,
    fin_convention: dt.date | None,
) -> tuple[dt.date | None, bool]:
    """The execution app's exhaustion formula (one formula for the page, the API and reports)."""
    from delegations.execution.situation import prevoir_epuisement as prevoir

    return prevoir(enveloppe, consomme, rythme, depuis, fin_convention)
