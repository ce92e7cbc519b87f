from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from delegations.conventions.models import Convention
from delegations.produits.models import Produit

from ..models import Comite, Obligation, Releve
from ..trajectoires import comites_du_produit, trajectoires

register = template.Library()


@register.simple_tag
def donnees_produit(produit: Produit, user: Any = None) -> dict[str, Any]:
    """Committees and indicator trajectories for the product page panel, within the perimeter
    (a committee tied to a convention the user may not see is left out)."""
    comites = comites_du_produit(produit)
    if user is None or not getattr(user, "voit_tout", False):
        liees = {c.convention_id for c in comites if c.convention_id is not None}
        visibles = set(
            Convention.objects.visibles_par(user).filter(pk__in=liees).values_list("pk", flat=True)
            if liees
            else ()
        )
        comites = [c for c in comites if c.convention_id is None or c.convention_id in visibles]
    return {"comites": list(reversed(comites)), "trajectoires": trajectoires(comites)}


@register.simple_tag
def donnees_convention(convention: Any, limite: int = 10) -> dict[str, Any]:
    """Obligations (overdue flagged) and committees of the funded products, bounded."""
    obligations = list(Obligation.objects.filter(convention=convention))
    produits = [p.pk for p in convention.produits.all()]
    comites = list(
        # Product committees held for another convention belong to that convention's perimeter.
        Comite.objects.filter(produit_id__in=produits, convention__isnull=True)
        .select_related("produit")
        .prefetch_related("releves")[:limite]
    )
    mission = list(
        Comite.objects.filter(convention=convention).prefetch_related("releves")[:limite]
    )
    aujourd_hui = timezone.localdate()
    return {
        "obligations": obligations,
        "comites": comites + mission,
        "en_retard": sum(1 for o in obligations if o.est_en_retard(aujourd_hui)),
    }


@register.filter
def statut_releve(releve: Releve | None) -> str:
    if releve is None:
        return "Aucun relevé"
    return f"Relevé n° {releve.numero} — {releve.get_statut_display().lower()}"
