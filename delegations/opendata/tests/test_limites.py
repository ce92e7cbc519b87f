"""Public URLs are limited per address: a French 429 page, a JSON 429 on the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import caches

pytestmark = pytest.mark.django_db


@pytest.fixture
def limite(settings: Any) -> None:
    caches["limites"].clear()
    settings.LIMITE_PUBLIQUE_PAR_MINUTE = 3


@pytest.mark.usefixtures("limite")
def test_public_page_over_the_limit_answers_a_french_429_page(client: Any) -> None:
    for _ in range(3):
        assert client.get("/conventions-publiques/").status_code == 200
    refus = client.get("/stats/")  # the limit is per address, over every public page
    assert refus.status_code == 429
    assert int(refus["Retry-After"]) >= 1
    assert "Trop de requêtes" in refus.content.decode()
    autre = client.get("/conventions-publiques/", REMOTE_ADDR="192.0.2.8")
    assert autre.status_code == 200


@pytest.mark.usefixtures("limite")
def test_public_api_over_the_limit_answers_429_with_a_code(client: Any) -> None:
    from delegations.opendata.publication import publier

    publier()
    for _ in range(3):
        assert client.get("/api/v1/public/conventions").status_code == 200
    refus = client.get("/api/v1/public/conventions")
    assert refus.status_code == 429
    assert refus.json()["code"] == "trop_de_requetes"


@pytest.mark.usefixtures("limite")
def test_signed_in_pages_are_not_limited(client: Any, finance: Any) -> None:
    client.force_login(finance)
    assert all(client.get("/echeances/").status_code == 200 for _ in range(5))


def test_the_migration_creates_the_table_the_counters_cache_reads() -> None:
    """The test database gets every cache table from Django's test runner: prove that the
    migration itself (what a real deployment runs) creates the one of CACHES["limites"]."""
    from importlib import import_module
    from types import SimpleNamespace

    from django.conf import settings
    from django.db import connection

    table = settings.CACHES["limites"]["LOCATION"]
    with connection.cursor() as curseur:
        curseur.execute(f"DROP TABLE {connection.ops.quote_name(table)}")
    assert table not in connection.introspection.table_names()
    migration = import_module("delegations.opendata.migrations.0002_table_des_limites")
    migration.creer(None, SimpleNamespace(connection=connection))
    assert table in connection.introspection.table_names()
