from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.apps import apps
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from .acces import Utilisateur

SITE = {
    "site_title": "Délégations",
    "site_tagline": "Conventions de délégation de gestion — DINUM, beta.gouv.fr",
    "beta_tag": True,
}


MENU_MAX = 7


@lru_cache(maxsize=1)
def menu() -> tuple[dict[str, Any], ...]:
    """Main menu gathered from each app's ``menu`` attribute.

    An entry is ``(label, url name, public[, writers only[, group]])``; entries of the same group
    share one sub-menu (DSFR navigation), so that the bar keeps at most ``MENU_MAX`` entries.
    """
    items: list[dict[str, Any]] = []
    groupes: dict[str, dict[str, Any]] = {}
    # "À faire" and the register first, then the apps in their dependency order.
    premiers = ("echeances", "conventions")
    configs = sorted(
        apps.get_app_configs(),
        key=lambda c: premiers.index(c.label) if c.label in premiers else len(premiers),
    )
    for config in configs:
        for label, url_name, public, *reste in getattr(config, "menu", ()):
            try:
                url = reverse(url_name)
            except NoReverseMatch:
                continue
            ecriture = bool(reste and reste[0])
            entree = {"label": label, "url": url, "public": public, "ecriture": ecriture}
            groupe = reste[1] if len(reste) > 1 else ""
            if not groupe:
                items.append(entree)
                continue
            if groupe not in groupes:
                groupes[groupe] = {"label": groupe, "enfants": [], "url": ""}
                items.append(groupes[groupe])
            groupes[groupe]["enfants"].append(entree)
    return tuple(items)


def _visible(entree: dict[str, Any], user: Utilisateur | _Anonyme) -> bool:
    if entree["public"]:
        return True
    if not user.is_authenticated:
        return False
    return not entree["ecriture"] or bool(getattr(user, "peut_ecrire", False))


def menu_de(user: Utilisateur | _Anonyme) -> list[dict[str, Any]]:
    """The menu this user sees: hidden entries removed, empty groups dropped."""
    visibles = []
    for item in menu():
        if "enfants" not in item:
            if _visible(item, user):
                visibles.append(item)
            continue
        enfants = [e for e in item["enfants"] if _visible(e, user)]
        if enfants:
            visibles.append({**item, "enfants": enfants, "urls": [e["url"] for e in enfants]})
    return visibles


def site(request: HttpRequest) -> dict[str, Any]:
    # Static configuration: no database query of its own (the user is loaded for the header).
    return {"SITE_CONFIG": SITE, "MENU": menu_de(getattr(request, "user", None) or _Anonyme())}


class _Anonyme:
    is_authenticated = False
