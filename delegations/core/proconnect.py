"""ProConnect (the State's agent login, OpenID Connect) through mozilla-django-oidc.

The provider's endpoints are read from ``PROCONNECT_ISSUER/.well-known/openid-configuration``
when first needed (not at start-up: local passwords keep working while the provider is down).
A user is matched by email; an unknown email gets an account « en attente » (no role, no
access) until an administrator grants one (``core:utilisateurs``).
"""

from __future__ import annotations

import threading
import time
from typing import Any
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.crypto import get_random_string
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
    OIDCLogoutView,
)

from .models import Role, User

# mozilla-django-oidc setting -> key of the discovery document.
POINTS_D_ACCES = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
_cache: dict[str, tuple[float, dict[str, Any]]] = {}
_verrou = threading.Lock()


def active() -> bool:
    return bool(settings.PROCONNECT_ISSUER)


def configuration() -> dict[str, Any]:
    """The provider's discovery document, kept PROCONNECT_DECOUVERTE_SECONDES."""
    emetteur = settings.PROCONNECT_ISSUER
    if not emetteur:
        raise ImproperlyConfigured("PROCONNECT_ISSUER n'est pas défini.")
    with _verrou:
        en_cache = _cache.get(emetteur)
        if en_cache and time.monotonic() - en_cache[0] < settings.PROCONNECT_DECOUVERTE_SECONDES:
            return en_cache[1]
    reponse = requests.get(
        f"{emetteur}/.well-known/openid-configuration", timeout=settings.OIDC_TIMEOUT
    )
    reponse.raise_for_status()
    document: dict[str, Any] = reponse.json()
    with _verrou:
        _cache[emetteur] = (time.monotonic(), document)
    return document


def oublier_configuration() -> None:
    with _verrou:
        _cache.clear()


def reglage(attr: str, *args: Any) -> Any:
    """mozilla-django-oidc's settings, the endpoints coming from the discovery document."""
    if attr in POINTS_D_ACCES:
        return configuration()[POINTS_D_ACCES[attr]]
    return import_from_settings(attr, *args)


class ProConnectBackend(OIDCAuthenticationBackend):
    """ID token and userinfo (a signed JWT at ProConnect) checked with the provider's keys."""

    get_settings = staticmethod(reglage)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # No discovery request here: Django builds every backend for each local login too.
        self.UserModel = get_user_model()
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self) -> str:  # noqa: N802 - the library's name
        return str(reglage("OIDC_OP_TOKEN_ENDPOINT"))

    @property
    def OIDC_OP_USER_ENDPOINT(self) -> str:  # noqa: N802
        return str(reglage("OIDC_OP_USER_ENDPOINT"))

    @property
    def OIDC_OP_JWKS_ENDPOINT(self) -> str:  # noqa: N802
        return str(reglage("OIDC_OP_JWKS_ENDPOINT"))

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        if not active() or request is None or "code" not in request.GET:
            return None
        return super().authenticate(request, **kwargs)

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(claims.get("email"))

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        return self.UserModel.objects.filter(email__iexact=claims["email"].strip())

    def create_user(self, claims: dict[str, Any]) -> User:
        """An unknown agent: an account without any role, « en attente »."""
        email = claims["email"].strip().lower()
        base = email.split("@")[0][:140] or "agent"
        username, n = base, 1
        while User.objects.filter(username=username).exists():
            n += 1
            username = f"{base}-{n}"
        user = User(
            username=username,
            email=email,
            role=Role.ATTENTE,
            first_name=str(claims.get("given_name") or "")[:150],
            last_name=str(claims.get("usual_name") or "")[:150],
        )
        user.set_unusable_password()
        user.save()
        return user

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        prenom = str(claims.get("given_name") or "")[:150]
        nom = str(claims.get("usual_name") or "")[:150]
        if prenom and nom and (user.first_name, user.last_name) != (prenom, nom):
            user.first_name, user.last_name = prenom, nom
            user.save(update_fields=["first_name", "last_name"])
        return user


class DebutConnexion(OIDCAuthenticationRequestView):
    """/oidc/authenticate/: to the provider, with state, nonce and acr_values=eidas1."""

    get_settings = staticmethod(reglage)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The base class reads the endpoint here; it is read on each request instead.
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    def get(self, request: HttpRequest) -> HttpResponse:
        if not active():
            raise Http404("ProConnect n'est pas configuré.")
        self.OIDC_OP_AUTH_ENDPOINT = reglage("OIDC_OP_AUTHORIZATION_ENDPOINT")
        return super().get(request)


class RetourConnexion(OIDCAuthenticationCallbackView):
    """/oidc/callback/: a refused login goes back to the login page with a French message."""

    get_settings = staticmethod(reglage)

    def login_failure(self) -> HttpResponse:
        messages.error(
            self.request,
            "La connexion par ProConnect n'a pas abouti. Réessayez, ou contactez un "
            "administrateur de Délégations si le problème persiste.",
        )
        return super().login_failure()


class Deconnexion(OIDCLogoutView):
    """POST /deconnexion/: ends the local session, then the provider's (end_session_endpoint)."""

    get_settings = staticmethod(reglage)


def url_deconnexion(request: HttpRequest) -> str:
    """OIDC_OP_LOGOUT_URL_METHOD: the provider's end-session URL with id_token_hint, for a
    user who logged in by ProConnect; the login page otherwise."""
    retour = resolve_url(settings.LOGOUT_REDIRECT_URL)
    id_token = request.session.get("oidc_id_token")
    if not active() or not id_token:
        return retour
    fin = configuration().get("end_session_endpoint")
    if not fin:
        return retour
    parametres = {
        "id_token_hint": id_token,
        "state": get_random_string(32),
        "post_logout_redirect_uri": request.build_absolute_uri(retour),
    }
    return f"{fin}?{urlencode(parametres)}"
