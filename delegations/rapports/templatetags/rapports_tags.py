from __future__ import annotations

from django import template

from delegations.rapports.donnees import libelle_mouvement as _libelle

register = template.Library()


@register.filter
def libelle_mouvement(nature: str) -> str:
    return _libelle(nature)
