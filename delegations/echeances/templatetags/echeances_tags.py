"""The convention page's "En bref" tile: its next deadline and how many are overdue."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone

from delegations.core.acces import Utilisateur
from delegations.echeances.stockage import lister
from delegations.echeances.views import compter_par_gravite

register = template.Library()


@register.simple_tag
def prochaines_echeances(convention: Any, user: Utilisateur) -> dict[str, Any]:
    """Two queries on the stored deadlines of the convention, within the user's perimeter."""
    aujourd_hui = timezone.localdate()
    echeances = lister(user, convention=convention.pk)
    compte = compter_par_gravite(echeances, aujourd_hui)
    prochaine = echeances.filter(date__gte=aujourd_hui).order_by("date", "id").first()
    return {
        "en_retard": compte["depassee"],
        "prochaine": prochaine,
        "dans": (prochaine.date - aujourd_hui).days if prochaine else None,
        "aujourd_hui": aujourd_hui,
        "horizon": aujourd_hui + dt.timedelta(days=365),
    }
