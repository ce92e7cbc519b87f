from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from delegations.core.tests.factories import ConventionFactory, ProduitFactory, UserFactory
from delegations.produits.ecriture import ajouter_phase
from delegations.produits.models import PhaseHistorique, Produit

pytestmark = pytest.mark.django_db


@pytest.fixture
def produit(convention: Any) -> Produit:
    p = ProduitFactory(
        nom="Aidants Faciles", slug="aidants-faciles", intrapreneur_email="intra@exemple.gouv.fr"
    )
    convention.produits.add(p)
    return p


def test_current_phase_is_the_latest_started(produit: Produit) -> None:
    ajouter_phase(produit, None, phase="investigation", date_debut=dt.date(2024, 1, 1))
    ajouter_phase(produit, None, phase="construction", date_debut=dt.date(2024, 6, 1))
    ajouter_phase(
        produit, None, phase="arret", date_debut=dt.date(2999, 1, 1)
    )  # future: not current yet
    assert produit.phase_actuelle is not None
    assert produit.phase_actuelle.phase == "construction"


def test_duplicate_phase_refused(produit: Produit) -> None:
    from delegations.core.errors import RegleMetierError

    ajouter_phase(produit, None, phase="investigation", date_debut=dt.date(2024, 1, 1))
    with pytest.raises(RegleMetierError) as exc:
        ajouter_phase(produit, None, phase="investigation", date_debut=dt.date(2024, 1, 1))
    assert exc.value.code == "phase_en_double"


def test_api_lists_products_with_nested_phases(api: Any, agent: Any, produit: Produit) -> None:
    PhaseHistorique.objects.create(
        produit=produit, phase="construction", date_debut=dt.date(2024, 2, 1)
    )
    reponse = api(agent).get("/api/v1/produits")
    assert reponse.status_code == 200
    (item,) = reponse.json()["results"]
    assert item["nom"] == "Aidants Faciles" and item["slug"] == "aidants-faciles"
    assert item["phases"] == [
        {
            "id": item["phases"][0]["id"],
            "phase": "construction",
            "date_debut": "2024-02-01",
            "commentaire": "",
        }
    ]
    assert item["phase_actuelle"] == "construction"
    assert [c["reference"] for c in item["conventions"]] == [produit.conventions.get().reference]


def test_product_outside_perimeter_is_404_for_a_colleague(
    api: Any, client: Any, collegue: Any, produit: Produit
) -> None:
    assert api(collegue).get(f"/api/v1/produits/{produit.pk}").status_code == 404
    assert api(collegue).get("/api/v1/produits").json()["count"] == 0
    client.force_login(collegue)
    assert client.get(reverse("produits:detail", args=[produit.pk])).status_code == 404


def test_anonymous_is_refused(api: Any, client: Any, produit: Produit) -> None:
    assert api().get("/api/v1/produits").status_code in (401, 403)
    reponse = client.get(reverse("produits:detail", args=[produit.pk]))
    assert reponse.status_code == 302


def test_intrapreneur_sees_own_product_even_without_convention(api: Any) -> None:
    user = UserFactory(role="intrapreneur", email="porteur@exemple.gouv.fr")
    a_lui = ProduitFactory(intrapreneur_email="PORTEUR@exemple.gouv.fr")
    ProduitFactory()
    ids = [p["id"] for p in api(user).get("/api/v1/produits").json()["results"]]
    assert ids == [a_lui.pk]


def test_intrapreneur_sees_products_of_the_conventions_he_sees(
    api: Any, administration: Any, dinum: Any
) -> None:
    user = UserFactory(role="intrapreneur")
    sien = ProduitFactory(intrapreneur_email=user.email)
    voisin = ProduitFactory()
    ConventionFactory(delegant=administration, delegataire=dinum, produits=[sien, voisin])
    ids = {p["id"] for p in api(user).get("/api/v1/produits").json()["results"]}
    assert ids == {sien.pk, voisin.pk}


def test_only_finance_adds_a_phase(api: Any, agent: Any, finance: Any, produit: Produit) -> None:
    url = f"/api/v1/produits/{produit.pk}/phases"
    assert (
        api(agent).post(url, {"phase": "construction", "date_debut": "2024-03-01"}).status_code
        == 403
    )
    reponse = api(finance).post(url, {"phase": "transfert", "date_debut": "2024-03-01"})
    assert reponse.status_code == 201
    assert api(finance).get(url).json()[0]["phase"] == "transfert"


def test_product_pages_render_for_allowed_agent(client: Any, agent: Any, produit: Produit) -> None:
    client.force_login(agent)
    assert "Aidants Faciles" in client.get(reverse("produits:liste")).content.decode()
    page = client.get(reverse("produits:detail", args=[produit.pk]))
    assert page.status_code == 200
    assert produit.conventions.get().reference in page.content.decode()


def test_finance_creates_a_product_from_the_page(client: Any, finance: Any, agent: Any) -> None:
    client.force_login(agent)
    assert client.get(reverse("produits:creer")).status_code == 403
    client.force_login(finance)
    reponse = client.post(
        reverse("produits:creer"), {"nom": "Nouveau", "slug": "nouveau", "incubateur": "DINUM"}
    )
    assert reponse.status_code == 302
    assert Produit.objects.filter(slug="nouveau").exists()


def _compter(client_ou_api: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client_ou_api.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_product_list_queries_do_not_grow_with_rows(
    client: Any, api: Any, agent: Any, convention: Any
) -> None:
    def creer(n: int) -> None:
        for _ in range(n):
            p = ProduitFactory()
            convention.produits.add(p)
            PhaseHistorique.objects.create(
                produit=p, phase="construction", date_debut=dt.date(2024, 1, 1)
            )

    client.force_login(agent)
    creer(3)
    page3, api3 = (
        _compter(client, reverse("produits:liste")),
        _compter(api(agent), "/api/v1/produits"),
    )
    creer(17)
    assert _compter(client, reverse("produits:liste")) == page3
    assert _compter(api(agent), "/api/v1/produits") == api3
