"""Who may do what: the typed request, the write guard and the perimeter helper.

One place for the access rules every app applies:

- ``RequeteAuthentifiee``: an ``HttpRequest`` whose ``user`` is our ``User`` (for views behind
  ``login_required``), so views need neither ``Any`` nor ``type: ignore`` to read
  ``request.user.peut_ecrire``; ``utilisateur(request)``: the same ``User`` for the API's views
  (behind an authenticated permission), typed;
- ``ecriture_requise(message)``: the decorator of every page that writes in the register
  (finance and admin only), with the app's French message; ``exiger_ecriture`` for the same
  check inside a view or a service;
- ``restreindre``: the body of every ``visibles_par`` queryset (anonymous or inactive: nothing;
  finance and admin: everything; otherwise the role's condition).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec, TypeAlias, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Exists, Q
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails
from rest_framework.request import Request

from .models import User

P = ParamSpec("P")
R = TypeVar("R")
Req = TypeVar("Req", bound=HttpRequest)
Q_ = TypeVar("Q_", bound=models.QuerySet[Any])

Utilisateur: TypeAlias = User | AnonymousUser
"""What ``request.user`` is: a user of ours, or the anonymous visitor."""

ECRITURE_PAR_DEFAUT = "Seuls les agents finance de la DINUM peuvent faire cette action."


class RequeteHtmx(HttpRequest):
    """Any request, logged in or not (typing only): ``htmx`` is set on every request by
    django-htmx's middleware."""

    htmx: HtmxDetails


class RequeteAuthentifiee(RequeteHtmx):
    """The request of a logged-in user (typing only: Django builds the request)."""

    user: User


def utilisateur(request: HttpRequest | Request) -> User:
    """The logged-in user of ``request``, typed ``User``.

    For views that only an authenticated user reaches (``login_required``, the API's
    ``IsAuthenticated``/``EcritureFinance``): there ``request.user`` is always a ``User``; should an
    anonymous request come through anyway, it is refused (403) rather than typed wrongly.
    """
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("Connectez-vous pour faire cette action.")
    return user


def peut_ecrire(user: object) -> bool:
    """Finance and admin write; anyone else (anonymous included) only reads."""
    return bool(getattr(user, "peut_ecrire", False))


def exiger_ecriture(user: object, message: str = ECRITURE_PAR_DEFAUT) -> None:
    """Refuse (403 on pages, the API's permission error) unless the user writes."""
    if not peut_ecrire(user):
        raise PermissionDenied(message)


def ecriture_requise(
    message: str = ECRITURE_PAR_DEFAUT,
) -> Callable[[Callable[Concatenate[Req, P], R]], Callable[Concatenate[Req, P], R]]:
    """Decorator of a view (or a view helper taking the request first) that writes; the view
    keeps its signature (``HttpRequest`` or ``RequeteAuthentifiee``, its arguments)."""

    def decorateur(
        vue: Callable[Concatenate[Req, P], R],
    ) -> Callable[Concatenate[Req, P], R]:
        @wraps(vue)
        def garde(request: Req, *args: P.args, **kwargs: P.kwargs) -> R:
            exiger_ecriture(request.user, message)
            return vue(request, *args, **kwargs)

        return garde

    return decorateur


def restreindre(
    queryset: Q_,
    user: Utilisateur,
    *,
    delegant: Callable[[User], Q | Exists] | None = None,
    intrapreneur: Callable[[User], Q | Exists] | None = None,
) -> Q_:
    """The perimeter of ``user`` over ``queryset``: the one rule behind every ``visibles_par``.

    Anonymous or inactive: nothing. Finance and admin (and superusers): everything. A délégant
    or an intrapreneur: the rows the given condition selects for them (none without one).
    """
    if not isinstance(user, User) or not user.is_active:
        return queryset.none()
    if user.voit_tout:
        return queryset
    condition = {"delegant": delegant, "intrapreneur": intrapreneur}.get(user.role)
    if condition is None:
        return queryset.none()
    return queryset.filter(condition(user))
