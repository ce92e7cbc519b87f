"""The product page lists the orders charged to the product, within the reader's perimeter."""

from __future__ import annotations

import pytest
from django.test import Client

from delegations.core.tests.factories import ConventionFactory, ProduitFactory
from delegations.execution.tests.factories import commande, mad

pytestmark = pytest.mark.django_db


def _page(user, produit) -> str:
    client = Client()
    client.force_login(user)
    reponse = client.get(f"/produits/{produit.pk}/")
    assert reponse.status_code == 200
    return reponse.content.decode()


def test_product_page_lists_its_orders_only_within_the_perimeter(
    convention, finance, agent, autre_administration
):
    produit = ProduitFactory()
    convention.produits.add(produit)
    autre = ConventionFactory(delegant=autre_administration, produits=[produit])
    mad(convention)
    mad(autre)
    commande(convention, "12000", produit=produit, reference="EJ-VISIBLE")
    commande(autre, "7000", produit=produit, reference="EJ-AUTRE")
    page_finance = _page(finance, produit)
    assert "EJ-VISIBLE" in page_finance and "EJ-AUTRE" in page_finance
    page_agent = _page(agent, produit)
    assert "EJ-VISIBLE" in page_agent
    assert "EJ-AUTRE" not in page_agent
