"""Every list (each page and API URL without an id, as the bench finds them) runs the same
number of queries with 3 and with 30 conventions, each with its product, committee,
obligations, contractor and movements."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from delegations.comites.tests.factories import ComiteFactory
from delegations.core.tests.factories import ConventionFactory, ProduitFactory
from delegations.execution.models import Marche, Titulaire
from delegations.execution.tests.factories import commande, mad, paiement, service_fait
from delegations.opendata.bench import _motifs
from delegations.opendata.publication import publier

pytestmark = pytest.mark.django_db

_numero = itertools.count(1)

# Pages whose work does not depend on the rows (forms, documentation, downloads).
SANS_LISTE = ("/admin", "/static", "/media", "/api/v1/schema", "/api/v1/docs")


def _listes() -> list[str]:
    return sorted(
        route
        for route, noms in _motifs()
        if not noms and not route.startswith(SANS_LISTE) and not route.endswith(".ics")
    )


def _monde(n: int, administration: Any, dinum: Any) -> None:
    for _ in range(n):
        i = next(_numero)
        titulaire = Titulaire.objects.create(nom=f"Titulaire {i}", siret=f"{i:014d}")
        marche = Marche.objects.create(numero=f"M-{i}", intitule="Marché de test")
        marche.titulaires.add(titulaire)
        produit = ProduitFactory()
        conv = ConventionFactory(
            delegant=administration,
            delegataire=dinum,
            produits=[produit],
            date_publication=dt.date(2024, 1, 20),
        )
        ComiteFactory(produit=produit)
        mad(conv, ae="100000", cp="80000")
        bc = commande(conv, "1000", titulaire=titulaire, marche=marche, produit=produit)
        paiement(service_fait(bc, "500"), "500")
    publier()


def _requetes(client: Any, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        statut = client.get(url).status_code
    return statut, len(ctx.captured_queries)


def test_every_list_runs_the_same_queries_for_3_and_30_conventions(
    client: Any,
    finance: Any,
    administration: Any,
    dinum: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(finance)
    urls = _listes()
    assert "/execution/" in urls and "/api/v1/obligations" in {u.rstrip("/") for u in urls}
    with django_capture_on_commit_callbacks(execute=True):
        _monde(3, administration, dinum)
    for url in urls:  # first visits may set things up once (document models)
        client.get(url)
    trois = {u: _requetes(client, u) for u in urls}
    with django_capture_on_commit_callbacks(execute=True):
        _monde(27, administration, dinum)
    trente = {u: _requetes(client, u) for u in urls}
    ecarts = {u: (trois[u], trente[u]) for u in urls if trois[u] != trente[u]}
    assert ecarts == {}
    assert Decimal(len([u for u in urls if trois[u][0] == 200])) > 10
