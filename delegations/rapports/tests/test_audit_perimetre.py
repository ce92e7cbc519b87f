"""Perimeter audit of the reports: a report shows only what belongs to its convention's perimeter."""

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
def convention_voisine(convention: Any, autre_administration: Any, dinum: Any) -> Any:
    """Another administration's convention funding the same product, with its own committee."""
    produit = ProduitFactory(nom="Service partagé")
    convention.produits.add(produit)
    voisine = ConventionFactory(
        delegant=autre_administration, delegataire=dinum, produits=[produit]
    )
    Comite.objects.create(
        type=TypeComite.PRODUIT,
        produit=produit,
        convention=voisine,
        date=dt.date(2025, 4, 2),
        lieu=LIEU,
    )
    return voisine


@pytest.mark.parametrize("format", ["html", "xlsx"])
def test_report_leaves_out_committees_held_for_another_administration_convention(
    client: Any,
    agent: Any,
    collegue: Any,
    convention: Any,
    convention_voisine: Any,
    format: str,
) -> None:
    # Allowed: the colleague's own report shows the committee held for their convention.
    client.force_login(collegue)
    page = client.get(reverse("rapports:rapport", args=[convention_voisine.pk]))
    assert page.status_code == 200 and LIEU in page.content.decode()
    # Officer of the other délégant (same product): neither the page nor the download shows it,
    # and the neighbour's report answers 404.
    client.force_login(agent)
    page = client.get(reverse("rapports:rapport", args=[convention.pk]))
    assert page.status_code == 200 and LIEU not in page.content.decode()
    telechargement = client.get(reverse("rapports:telecharger", args=[convention.pk, format]))
    assert telechargement.status_code == 200
    if format == "html":
        assert LIEU not in telechargement.content.decode()
    assert client.get(reverse("rapports:rapport", args=[convention_voisine.pk])).status_code == 404
    # Anonymous: login.
    client.logout()
    assert client.get(reverse("rapports:rapport", args=[convention.pk])).status_code == 302
