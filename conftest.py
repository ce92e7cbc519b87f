"""Shared fixtures: the three personas, an API client per persona, outbound HTTP blocked."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from rest_framework.test import APIClient

from delegations.core.tests.factories import (
    AdministrationFactory,
    ConventionFactory,
    UserFactory,
)


def _vider_avec_purge() -> None:
    """The test runner empties the database with TRUNCATE between transactional tests; the
    journal and the action log refuse TRUNCATE unless the transaction sets ``delegations.purge``
    (migrations ``execution/0009``, ``core/0005``): the flush sets it, for its own transaction."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    d_origine = DatabaseOperations.sql_flush

    def sql_flush(self: Any, style: Any, tables: Any, **kwargs: Any) -> list[str]:
        sql = d_origine(self, style, tables, **kwargs)
        return ["SELECT set_config('delegations.purge', 'on', true)", *sql] if sql else sql

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]


_vider_avec_purge()


@pytest.fixture(autouse=True)
def _bloquer_http_sortant(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never reach the outside world: only loopback connections are allowed."""
    connect = socket.socket.connect

    def garde(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (
            host.startswith("127.") or host in ("localhost", "::1") or host.startswith("/")
        ):
            raise RuntimeError(f"Connexion sortante interdite dans les tests : {address}")
        return connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", garde)


@pytest.fixture(autouse=True)
def _media_temporaire(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    # Tests serve static files from the apps, without collectstatic's hashed manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True


@pytest.fixture(autouse=True)
def _sans_limite_publique(settings: Any) -> None:
    """The per-address limit of public URLs is off unless a test turns it on (all tests share
    one address and one cache)."""
    settings.LIMITE_PUBLIQUE_PAR_MINUTE = 0


@pytest.fixture
def dinum(db: None) -> Any:
    return AdministrationFactory(nom="Direction interministérielle du numérique", sigle="DINUM")


@pytest.fixture
def finance(db: None) -> Any:
    return UserFactory(role="finance", username="finance-test")


@pytest.fixture
def administration(db: None) -> Any:
    return AdministrationFactory()


@pytest.fixture
def autre_administration(db: None) -> Any:
    return AdministrationFactory()


@pytest.fixture
def agent(administration: Any) -> Any:
    """Persona 'allowed': an officer of the convention's délégant."""
    user = UserFactory(role="delegant")
    user.administrations.add(administration)
    return user


@pytest.fixture
def collegue(autre_administration: Any) -> Any:
    """Persona 'colleague of another administration'."""
    user = UserFactory(role="delegant")
    user.administrations.add(autre_administration)
    return user


@pytest.fixture
def convention(administration: Any, dinum: Any) -> Any:
    return ConventionFactory(delegant=administration, delegataire=dinum)


def api_client(user: Any | None = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def api() -> Any:
    return api_client
