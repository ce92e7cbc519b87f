from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import template

from delegations.core.formats import euros as _euros
from delegations.core.formats import montant_en_lettres

register = template.Library()


@register.filter
def euros(value: Decimal | int | None) -> str:
    return _euros(value)


@register.filter
def en_lettres(value: Decimal | int | None) -> str:
    return "" if value is None else montant_en_lettres(Decimal(value))


@register.simple_tag(takes_context=True)
def url_avec(context: dict[str, Any], **kwargs: Any) -> str:
    """The current query string with some parameters replaced (sorting, pages)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        params[key] = value
    params.pop("page", None) if "page" not in kwargs else None
    return "?" + urlencode(list(params.lists()), doseq=True)


STATUT_BADGES = {
    "brouillon": "",
    "signee": "fr-badge--info",
    "publiee": "fr-badge--success",
    "suspendue": "fr-badge--warning",
    "resiliee": "fr-badge--error",
    "terminee": "fr-badge--new",
}


@register.inclusion_tag("core/_badge_statut.html")
def badge_statut(convention: Any) -> dict[str, str]:
    return {
        "classe": STATUT_BADGES.get(convention.statut, ""),
        "libelle": convention.get_statut_display(),
    }
