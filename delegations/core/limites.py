"""Public URLs limited per address with the cache framework (fixed windows of one minute).

``limite_par_adresse`` wraps a page (French 429 page, ``templates/429.html``);
``LimitePublique`` is the same limit as a DRF throttle (429 ``{"code", "message"}``).
The counters live in the ``limites`` cache, a database table shared by every process and
machine (``CACHES`` in the settings; its ``incr`` is not atomic: under concurrent requests a
few more may pass, never fewer).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.loader import render_to_string
from rest_framework.throttling import BaseThrottle

FENETRE = 60  # seconds

P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponseBase)


def _adresse(request: Any) -> str:
    return str(request.META.get("REMOTE_ADDR", "") or "inconnue")


def depasse(request: Any, groupe: str = "public") -> int:
    """Count the request; the seconds to wait when the address is over the limit, else 0."""
    limite = int(getattr(settings, "LIMITE_PUBLIQUE_PAR_MINUTE", 0) or 0)
    if limite <= 0:
        return 0
    maintenant = time.time()
    fenetre = int(maintenant // FENETRE)
    cle = f"limite:{groupe}:{_adresse(request)}:{fenetre}"
    cache = caches["limites"]
    cache.add(cle, 0, FENETRE + 5)
    try:
        nombre = cache.incr(cle)
    except ValueError:  # expired between add and incr
        cache.set(cle, 1, FENETRE + 5)
        nombre = 1
    if nombre <= limite:
        return 0
    return max(1, int((fenetre + 1) * FENETRE - maintenant))


def reponse_429(request: HttpRequest, attente: int) -> HttpResponse:
    reponse = HttpResponse(
        render_to_string("429.html", {"attente": attente}, request=request), status=429
    )
    reponse["Retry-After"] = str(attente)
    return reponse


def limite_par_adresse(
    vue: Callable[Concatenate[HttpRequest, P], R],
) -> Callable[Concatenate[HttpRequest, P], R | HttpResponse]:
    """The page keeps its signature; over the limit it answers the French 429 page instead."""

    @functools.wraps(vue)
    def limitee(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> R | HttpResponse:
        attente = depasse(request)
        if attente:
            return reponse_429(request, attente)
        return vue(request, *args, **kwargs)

    return limitee


class LimitePublique(BaseThrottle):
    """The public pages' limit on the public API (shared counter per address)."""

    def allow_request(self, request: Any, view: Any) -> bool:
        self._attente = depasse(request)
        return not self._attente

    def wait(self) -> float | None:
        return float(self._attente) if getattr(self, "_attente", 0) else None
