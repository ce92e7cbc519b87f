"""What committees allow a product's orders (``LimiteProduit``): written by ``comites``, read by
the order's write path (``mouvements.engager``), its PostgreSQL twin (``execution_controle_engagement``,
migration 0008) and the order form.

``execution`` does not know committees (``comites`` depends on it): a finalised decision on a
product reaches it as a plain limit — from a date, either a stop (``arret``) or an amount for a
period — keyed by the committee's id, so that a corrected record replaces its committee's limit.

The limit applying to an order dated ``d`` is the product's latest one dated on or before ``d``
(same date: the latest recorded). A stop refuses every order from its date until a later
decision; an amount caps the orders charged to the product (all conventions, net of reductions)
dated from its date to its end, cut short by the product's next decision. After its period, an
amount no longer caps (a later committee decides the next period).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Min, Sum

from delegations.produits.models import Produit

from .models import Engagement, LimiteProduit, Reduction
from .soldes import ZERO


@dataclass(frozen=True)
class EtatLimite:
    """The limit applying to an order's date, with what is already committed under it."""

    limite: LimiteProduit
    fin: dt.date | None
    engage: Decimal

    @property
    def arret(self) -> bool:
        return self.limite.arret

    @property
    def reste(self) -> Decimal:
        return max((self.limite.montant or ZERO) - self.engage, ZERO)


def limite_applicable(
    produit_id: int, date: dt.date, *, verrouiller: bool = False
) -> EtatLimite | None:
    """The limit binding an order of ``produit_id`` dated ``date``, None when none does.

    ``verrouiller`` locks the limit's row (FOR UPDATE) before summing the orders: the writers
    call it after locking the budget line, as the database function does."""
    qs = LimiteProduit.objects.filter(produit_id=produit_id, date_debut__lte=date).order_by(
        "-date_debut", "-id"
    )
    if verrouiller and connection.features.has_select_for_update:
        qs = qs.select_for_update()
    limite = qs.first()
    if limite is None:
        return None
    if limite.arret:
        return EtatLimite(limite=limite, fin=None, engage=ZERO)
    suivante = LimiteProduit.objects.filter(
        produit_id=produit_id, date_debut__gt=limite.date_debut
    ).aggregate(d=Min("date_debut"))["d"]
    fin = limite.date_fin
    if suivante is not None and fin is not None:
        fin = min(fin, suivante - dt.timedelta(days=1))
    if fin is None or date > fin:
        return None
    periode = {"date__gte": limite.date_debut, "date__lte": fin}
    commandes = Engagement.objects.filter(produit_id=produit_id, **periode)
    brut = commandes.aggregate(s=Sum("montant"))["s"] or ZERO
    reduit = (
        Reduction.objects.filter(
            engagement__produit_id=produit_id,
            engagement__date__gte=limite.date_debut,
            engagement__date__lte=fin,
        ).aggregate(s=Sum("montant"))["s"]
        or ZERO
    )
    return EtatLimite(limite=limite, fin=fin, engage=brut - reduit)


def limites_des_produits(
    produits: list[Produit], date: dt.date
) -> list[tuple[Produit, EtatLimite]]:
    """What committees allow each product on ``date`` (the order form shows it)."""
    etats = [(p, limite_applicable(p.pk, date)) for p in produits]
    return [(p, e) for p, e in etats if e is not None]


def fixer_limite(
    origine: int,
    produit: Produit,
    *,
    libelle: str,
    date_debut: dt.date,
    date_fin: dt.date | None = None,
    montant: Decimal | None = None,
    arret: bool = False,
) -> LimiteProduit:
    """Record (or replace, for the same ``origine``) what a decision allows a product.

    Called by the decision's own logged write (``comites.ecriture.finaliser``), in its
    transaction; updating the row takes its lock, so orders being checked under it finish first."""
    with transaction.atomic():
        limite, _ = LimiteProduit.objects.update_or_create(
            origine=origine,
            defaults={
                "produit": produit,
                "libelle": libelle[:300],
                "date_debut": date_debut,
                "date_fin": None if arret else date_fin,
                "montant": None if arret else montant,
                "arret": arret,
            },
        )
    return limite


def retirer_limite(origine: int) -> None:
    """A corrected decision that no longer limits the product (e.g. a change of phase)."""
    LimiteProduit.objects.filter(origine=origine).delete()
