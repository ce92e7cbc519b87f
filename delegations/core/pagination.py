"""A page paginator whose count stops at a bound: on a list of hundreds of thousands of rows (the
money journal at national scale), an exact ``COUNT(*)`` reads every row for a figure nobody
pages to the end of; counting up to ``BORNE`` + 1 reads at most that many index entries."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.utils.functional import cached_property

from delegations.core.formats import nombre_fr

BORNE = 10_000


class PaginateurBorne(Paginator):
    """``count`` is exact up to ``borne``; beyond, it is ``borne`` and ``depasse`` is true (the
    last pages are then those up to the bound: narrow the filters to reach older rows)."""

    def __init__(self, object_list: Any, per_page: int, borne: int = BORNE, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.borne = borne
        self.depasse = False

    @cached_property
    def count(self) -> int:
        # COUNT over a LIMITed subquery: Django counts a sliced queryset that way.
        n = int(self.object_list.order_by()[: self.borne + 1].count())  # type: ignore[attr-defined]
        self.depasse = n > self.borne
        return min(n, self.borne)

    @property
    def total_affiche(self) -> str:
        """The count as a list's caption shows it: « plus de 10 000 » past the bound."""
        total = self.count  # evaluated first: it sets ``depasse``
        return f"plus de {nombre_fr(self.borne)}" if self.depasse else nombre_fr(total)
