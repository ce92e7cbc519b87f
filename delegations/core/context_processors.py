from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.apps import apps
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

SITE = {
    "site_title": "Délégations",
    "site_tagline": "Conventions de délégation de gestion — DINUM, beta.gouv.fr",
    "beta_tag": True,
}


@lru_cache(maxsize=1)
def menu() -> tuple[dict[str, Any], ...]:
    """Main menu gathered from each app's ``menu`` attribute: (label, url name, public[, writers only])."""
    items = []
    # The register first, then the apps in their dependency order.
    configs = sorted(apps.get_app_configs(), key=lambda c: c.label != "conventions")
    for config in configs:
        for label, url_name, public, *ecriture in getattr(config, "menu", ()):
            try:
                items.append(
                    {
                        "label": label,
                        "url": reverse(url_name),
                        "public": public,
                        "ecriture": bool(ecriture and ecriture[0]),
                    }
                )
            except NoReverseMatch:
                continue
    return tuple(items)


def site(request: HttpRequest) -> dict[str, Any]:
    # Static configuration: no database query per page (dsfr's own processor makes one).
    return {"SITE_CONFIG": SITE, "MENU": menu()}
