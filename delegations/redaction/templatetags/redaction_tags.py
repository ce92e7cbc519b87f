from __future__ import annotations

from typing import Any

from django import template

from ..models import CopieSignee, Courrier, NatureCourrier

register = template.Library()


@register.simple_tag
def donnees_redaction(convention: Any) -> dict[str, Any]:
    """What the convention page shows of drafting: signed copies, letters, letter kinds."""
    return {
        "avenants": convention.avenants_ordonnes(),
        "copies": list(
            CopieSignee.objects.filter(convention=convention).select_related("avenant")[:20]
        ),
        "courriers": list(
            Courrier.objects.filter(convention=convention).select_related("avenant")[:20]
        ),
        "natures": NatureCourrier.choices,
    }
