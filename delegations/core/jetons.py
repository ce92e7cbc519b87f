"""API key authentication: « Authorization: Token <jeton> » against the stored SHA-256.

Imported by DRF while apps load (DEFAULT_AUTHENTICATION_CLASSES): models are imported lazily.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

# Last use is written at most this often per key: not one UPDATE per API request.
PAS_DERNIERE_UTILISATION = timedelta(minutes=1)


class JetonAuthentication(TokenAuthentication):
    """Active keys only (not revoked, not expired); records the key's last use."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        from .models import JetonAPI, empreinte_jeton

        jeton = (
            JetonAPI.objects.actifs()
            .select_related("user")
            .filter(empreinte=empreinte_jeton(key))
            .first()
        )
        if jeton is None:
            raise exceptions.AuthenticationFailed("Jeton d'API invalide, expiré ou révoqué.")
        if not jeton.user.is_active:
            raise exceptions.AuthenticationFailed("Ce compte est désactivé.")
        maintenant = timezone.now()
        if (
            jeton.derniere_utilisation is None
            or maintenant - jeton.derniere_utilisation >= PAS_DERNIERE_UTILISATION
        ):
            JetonAPI.objects.filter(pk=jeton.pk).update(derniere_utilisation=maintenant)
            jeton.derniere_utilisation = maintenant
        return jeton.user, jeton
