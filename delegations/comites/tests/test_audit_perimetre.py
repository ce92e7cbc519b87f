"""Perimeter audit: a product committee held for another administration's convention.

A product may be funded by conventions of several délégants. A committee that names a convention
belongs to that convention's perimeter: the officer of another délégant funding the same product
must not reach it (detail, list, API filters, product and convention pages)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from delegations.comites.models import Comite, TypeComite
from delegations.core.tests.factories import ConventionFactory, ProduitFactory

pytestmark = pytest.mark.django_db

LIEU = "Salle du délégant voisin"


@pytest.fixture
def produit_partage(convention: Any) -> Any:
    produit = ProduitFactory(nom="Service partagé")
    convention.produits.add(produit)
    return produit


@pytest.fixture
def convention_voisine(autre_administration: Any, dinum: Any, produit_partage: Any) -> Any:
    """A convention of the other administration funding the same product."""
    return ConventionFactory(
        delegant=autre_administration, delegataire=dinum, produits=[produit_partage]
    )


@pytest.fixture
def comite_voisin(produit_partage: Any, convention_voisine: Any) -> Comite:
    return Comite.objects.create(
        type=TypeComite.PRODUIT,
        produit=produit_partage,
        convention=convention_voisine,
        date=dt.date(2025, 4, 2),
        lieu=LIEU,
    )


def test_committee_tied_to_a_convention_follows_that_convention_perimeter(
    client: Any, collegue: Any, agent: Any, finance: Any, comite_voisin: Comite
) -> None:
    url = reverse("comites:detail", args=[comite_voisin.pk])
    # Allowed: the officer of the convention's délégant, and finance.
    for user in (collegue, finance):
        client.force_login(user)
        assert client.get(url).status_code == 200
    # Colleague of another administration (funds the same product): 404, absent from the list.
    client.force_login(agent)
    assert client.get(url).status_code == 404
    assert LIEU not in client.get(reverse("comites:liste")).content.decode()
    # Anonymous: login.
    client.logout()
    assert client.get(url).status_code == 302


def test_committee_api_filters_never_return_another_perimeter(
    api: Any, collegue: Any, agent: Any, comite_voisin: Comite, convention_voisine: Any
) -> None:
    filtre = f"/api/v1/comites?convention={convention_voisine.pk}"
    assert api(collegue).get(filtre).json()["count"] == 1
    assert api(collegue).get(f"/api/v1/comites/{comite_voisin.pk}").status_code == 200
    assert api(agent).get(filtre).json()["count"] == 0
    assert (
        api(agent).get(f"/api/v1/comites?produit={comite_voisin.produit_id}").json()["count"] == 0
    )
    assert api(agent).get(f"/api/v1/comites/{comite_voisin.pk}").status_code == 404
    assert api().get(filtre).status_code in (401, 403)


def test_product_and_convention_pages_hide_committees_of_another_perimeter(
    client: Any,
    collegue: Any,
    agent: Any,
    finance: Any,
    convention: Any,
    produit_partage: Any,
    comite_voisin: Comite,
) -> None:
    lien = reverse("comites:detail", args=[comite_voisin.pk])
    page_produit = reverse("produits:detail", args=[produit_partage.pk])
    for user in (collegue, finance):
        client.force_login(user)
        assert lien in client.get(page_produit).content.decode()
    client.force_login(agent)
    assert lien not in client.get(page_produit).content.decode()
    section = reverse("conventions:section", args=[convention.pk, "comites"])
    assert "Comités d'investissement" in client.get(section).content.decode()
    assert lien not in client.get(section).content.decode()
    client.logout()
    assert client.get(page_produit).status_code == 302
