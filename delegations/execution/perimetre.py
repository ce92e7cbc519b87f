"""Who sees and writes what in the journal (the register's perimeter, applied to movements)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from delegations.conventions.models import Convention
from delegations.core.acces import Utilisateur
from delegations.core.models import User

from .models import Engagement


def conventions_visibles(user: Utilisateur) -> QuerySet[Convention]:
    return Convention.objects.visibles_par(user)


def dans_le_perimetre(
    qs: QuerySet[Any], user: Utilisateur, chemin: str = "convention"
) -> QuerySet[Any]:
    """Movements of the conventions the user may see (everything for finance and admin)."""
    if not isinstance(user, User):
        return qs.none()
    if user.voit_tout and user.is_active:
        return qs
    return qs.filter(**{f"{chemin}__in": conventions_visibles(user).values("pk")})


def peut_proposer_service_fait(user: Utilisateur, engagement: Engagement) -> bool:
    """An intrapreneur may propose a service fait on the orders of their own product."""
    produit = engagement.produit
    return bool(
        isinstance(user, User)
        and user.is_active
        and user.role == "intrapreneur"
        and produit is not None
        and produit.intrapreneur_email
        and produit.intrapreneur_email.lower() == (user.email or "").lower()
    )
