"""Perimeter: every URL with three personas (allowed, colleague of another administration, anonymous)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from delegations.core.tests.factories import ProduitFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGES_LECTURE = ["conventions:detail"]
PAGES_ECRITURE = ["conventions:modifier", "conventions:avenant_creer"]


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("name", PAGES_LECTURE + PAGES_ECRITURE)
def test_anonymous_is_sent_to_login_on_every_convention_page(convention, name):
    response = _client().get(reverse(name, args=[convention.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))


@pytest.mark.parametrize(
    "name", ["conventions:liste", "conventions:creer", "conventions:administrations"]
)
def test_anonymous_is_sent_to_login_on_every_register_page(db, name):
    assert _client().get(reverse(name)).status_code == 302


@pytest.mark.parametrize("name", PAGES_LECTURE + PAGES_ECRITURE)
def test_colleague_of_another_administration_gets_404_on_every_convention_page(
    convention, collegue, name
):
    assert _client(collegue).get(reverse(name, args=[convention.pk])).status_code == 404


def test_colleague_gets_404_on_status_actions(convention, collegue):
    url = reverse("conventions:transition", args=[convention.pk, "suspendre"])
    assert _client(collegue).get(url).status_code == 404
    assert _client(collegue).post(url).status_code == 404


def test_officer_of_the_delegant_reads_the_convention(convention, agent):
    response = _client(agent).get(reverse("conventions:detail", args=[convention.pk]))
    assert response.status_code == 200
    assert convention.reference in response.content.decode()


@pytest.mark.parametrize("name", PAGES_ECRITURE)
def test_officer_of_the_delegant_cannot_write(convention, agent, name):
    assert _client(agent).get(reverse(name, args=[convention.pk])).status_code == 403


def test_officer_cannot_change_the_status(convention, agent):
    url = reverse("conventions:transition", args=[convention.pk, "suspendre"])
    assert _client(agent).post(url).status_code == 403
    convention.refresh_from_db()
    assert convention.statut == "signee"


def test_finance_reads_and_writes_every_convention(convention, finance):
    client = _client(finance)
    for name in PAGES_LECTURE + PAGES_ECRITURE:
        assert client.get(reverse(name, args=[convention.pk])).status_code == 200
    assert client.get(reverse("conventions:creer")).status_code == 200


def test_list_shows_only_the_perimeter(convention, agent, collegue):
    assert convention.reference in _client(agent).get(reverse("conventions:liste")).content.decode()
    assert (
        convention.reference
        not in _client(collegue).get(reverse("conventions:liste")).content.decode()
    )


def test_intrapreneur_reads_the_conventions_funding_their_products(convention):
    intra = UserFactory(role="intrapreneur")
    produit = ProduitFactory(intrapreneur_email=intra.email.upper())
    assert (
        _client(intra).get(reverse("conventions:detail", args=[convention.pk])).status_code == 404
    )
    convention.produits.add(produit)
    assert (
        _client(intra).get(reverse("conventions:detail", args=[convention.pk])).status_code == 200
    )


def test_administrations_page_shows_only_related_administrations(
    convention, agent, collegue, autre_administration
):
    page = _client(agent).get(reverse("conventions:administrations")).content.decode()
    assert convention.delegant.nom in page
    assert autre_administration.nom not in page


class TestApiPerimetre:
    def test_anonymous_api_is_refused(self, convention, api):
        for url in [
            "/api/v1/conventions",
            f"/api/v1/conventions/{convention.pk}",
            f"/api/v1/conventions/{convention.pk}/avenants",
            "/api/v1/administrations",
        ]:
            assert api().get(url).status_code in (401, 403)

    def test_colleague_gets_404_on_the_convention_api(self, convention, collegue, api):
        client = api(collegue)
        assert client.get(f"/api/v1/conventions/{convention.pk}").status_code == 404
        assert client.get(f"/api/v1/conventions/{convention.pk}/avenants").status_code == 404
        assert client.get("/api/v1/conventions").json()["count"] == 0

    def test_officer_reads_but_cannot_write_through_the_api(self, convention, agent, api):
        client = api(agent)
        assert client.get(f"/api/v1/conventions/{convention.pk}").status_code == 200
        assert (
            client.patch(
                f"/api/v1/conventions/{convention.pk}", {"objet": "x"}, format="json"
            ).status_code
            == 403
        )
        assert (
            client.post(
                f"/api/v1/conventions/{convention.pk}/avenants", {"objet": "x"}, format="json"
            ).status_code
            == 403
        )

    def test_delete_is_not_offered(self, convention, finance, api):
        assert api(finance).delete(f"/api/v1/conventions/{convention.pk}").status_code == 405

    def test_token_auth_uses_the_same_perimeter(self, convention, collegue, agent):
        from rest_framework.test import APIClient

        from delegations.core.models import JetonAPI

        for user, attendu in ((agent, 200), (collegue, 404)):
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Token {JetonAPI.creer(user, 'test')[1]}")
            assert client.get(f"/api/v1/conventions/{convention.pk}").status_code == attendu
