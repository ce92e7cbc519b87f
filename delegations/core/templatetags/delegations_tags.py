from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import template
from django.utils.formats import date_format

from delegations.core.formats import euros as _euros
from delegations.core.formats import montant_en_lettres

register = template.Library()


@register.filter
def euros(value: Decimal | int | None) -> str:
    return _euros(value)


@register.filter
def en_lettres(value: Decimal | int | None) -> str:
    return "" if value is None else montant_en_lettres(Decimal(value))


@register.filter
def pluriel(nombre: Any, suffixe: str = "s") -> str:
    """French plural: « 0 convention », « 1 convention », « 2 conventions » (Django's
    ``pluralize`` writes « 0 conventions »)."""
    try:
        return suffixe if abs(float(nombre)) >= 2 else ""
    except (TypeError, ValueError):
        return ""


@register.filter
def date_longue(valeur: Any) -> str:
    """« 1er décembre 2026 », « 2 décembre 2026 »; empty for no date (use ``|default``)."""
    if not valeur:
        return ""
    jour = "1er" if valeur.day == 1 else str(valeur.day)
    return f"{jour} {date_format(valeur, 'F Y')}"


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
    "cloturee": "fr-badge--new",
}


@register.inclusion_tag("core/_badge_statut.html")
def badge_statut(convention: Any) -> dict[str, str]:
    return {
        "classe": STATUT_BADGES.get(convention.statut, ""),
        "libelle": convention.get_statut_display(),
    }
