"""Contractors and framework contracts: everyone signed in reads, finance writes."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from delegations.execution.models import Marche, Titulaire
from delegations.execution.tests.factories import MarcheFactory, TitulaireFactory

pytestmark = pytest.mark.django_db


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_anonymous_is_sent_to_login_on_reference_data_pages():
    for url in [
        "/execution/referentiel/",
        "/execution/titulaires/nouveau/",
        "/execution/marches/nouveau/",
    ]:
        assert _client().get(url).status_code == 302


def test_officers_read_reference_data_but_cannot_write(agent, collegue):
    TitulaireFactory(nom="Alpha Conseil")
    for user in (agent, collegue):
        assert "Alpha Conseil" in _client(user).get("/execution/referentiel/").content.decode()
        assert _client(user).get("/execution/titulaires/nouveau/").status_code == 403
        assert (
            _client(user).post("/execution/marches/nouveau/", {"numero": "M1"}).status_code == 403
        )
    assert not Marche.objects.filter(numero="M1").exists()


def test_finance_creates_a_contractor_and_a_framework_contract(finance):
    client = _client(finance)
    client.post(
        "/execution/titulaires/nouveau/", {"nom": "Gamma Numérique", "siret": "123 456 789 00012"}
    )
    titulaire = Titulaire.objects.get(nom="Gamma Numérique")
    assert titulaire.siret == "12345678900012"
    client.post(
        "/execution/marches/nouveau/",
        {
            "numero": "2026-M-01",
            "intitule": "Développement agile",
            "titulaires": [titulaire.pk],
            "date_debut": "2026-01-01",
            "date_fin": "2029-12-31",
        },
    )
    assert list(Marche.objects.get(numero="2026-M-01").titulaires.all()) == [titulaire]


def test_contractor_siret_must_have_fourteen_digits(finance):
    reponse = _client(finance).post(
        "/execution/titulaires/nouveau/", {"nom": "Delta", "siret": "123"}
    )
    assert "14 chiffres" in reponse.content.decode()
    assert not Titulaire.objects.filter(nom="Delta").exists()


def test_framework_contract_must_end_after_it_starts(finance):
    reponse = _client(finance).post(
        "/execution/marches/nouveau/",
        {"numero": "M2", "intitule": "X", "date_debut": "2026-01-01", "date_fin": "2025-01-01"},
    )
    assert "postérieure" in reponse.content.decode()


def test_reference_data_page_query_count_does_not_grow(finance):
    client = _client(finance)

    def compter() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/execution/referentiel/").status_code == 200
        return len(ctx.captured_queries)

    for _ in range(3):
        MarcheFactory().titulaires.add(TitulaireFactory())
    avec_3 = compter()
    for _ in range(27):
        MarcheFactory().titulaires.add(TitulaireFactory())
    assert compter() == avec_3
