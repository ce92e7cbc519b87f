"""The convention page's heavy sections (the panels of the downstream apps and the history) load
on demand from their own URL, checked exactly like the page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from delegations.conventions.views import sections_convention

pytestmark = pytest.mark.django_db

NOMS = [s.nom for s in sections_convention()]


def _url(convention: Any, nom: str) -> str:
    return reverse("conventions:section", args=[convention.pk, nom])


def test_every_downstream_panel_and_the_history_are_sections() -> None:
    assert NOMS == ["lecture", "execution", "comites", "rapports", "redaction", "historique"]


@pytest.mark.parametrize("nom", NOMS)
def test_section_answers_the_finance_officer_and_the_delegant_of_the_convention(
    client: Any, finance: Any, agent: Any, convention: Any, nom: str
) -> None:
    for user in (finance, agent):
        client.force_login(user)
        fragment = client.get(_url(convention, nom), HTTP_HX_REQUEST="true")
        assert fragment.status_code == 200
        html = fragment.content.decode()
        assert html.lstrip().startswith(f'<div id="section-{nom}"')  # the fragment, no layout
        assert "<html" not in html


@pytest.mark.parametrize("nom", NOMS)
def test_section_of_another_administration_answers_404(
    client: Any, collegue: Any, convention: Any, nom: str
) -> None:
    client.force_login(collegue)
    assert client.get(_url(convention, nom), HTTP_HX_REQUEST="true").status_code == 404
    assert client.get(_url(convention, nom)).status_code == 404


@pytest.mark.parametrize("nom", NOMS)
def test_anonymous_is_sent_to_the_login_page(client: Any, convention: Any, nom: str) -> None:
    reponse = client.get(_url(convention, nom))
    assert reponse.status_code == 302
    assert reponse["Location"].startswith(reverse("core:login"))
    # htmx: the whole window goes to the login page, not the section's placeholder
    fragment = client.get(_url(convention, nom), HTTP_HX_REQUEST="true")
    assert fragment["HX-Redirect"].startswith(reverse("core:login"))
    assert "<form" not in fragment.content.decode()


def test_unknown_section_answers_404(client: Any, finance: Any, convention: Any) -> None:
    client.force_login(finance)
    assert client.get(_url(convention, "inconnue")).status_code == 404


def test_section_without_javascript_is_a_page_with_its_breadcrumb(
    client: Any, finance: Any, convention: Any
) -> None:
    client.force_login(finance)
    html = client.get(_url(convention, "execution")).content.decode()
    assert 'class="fr-breadcrumb"' in html
    assert "<h1>Exécution des crédits</h1>" in html
    assert 'id="execution"' in html and "Situation détaillée" in html  # the panel itself
    retour = reverse("conventions:detail", args=[convention.pk]) + "#execution"
    assert f'href="{retour}"' in html


def test_convention_page_holds_a_placeholder_per_section_with_its_anchors_and_a_link(
    client: Any, finance: Any, convention: Any
) -> None:
    client.force_login(finance)
    html = client.get(reverse("conventions:detail", args=[convention.pk])).content.decode()
    for nom in NOMS:
        url = _url(convention, nom)
        bloc = re.search(rf'<div id="section-{nom}"[^>]*>(.*?)</div>', html, re.S)
        assert bloc is not None, nom
        assert f'hx-get="{url}"' in bloc.group(0) and 'hx-trigger="revealed"' in bloc.group(0)
        assert f'href="{url}"' in bloc.group(1)  # without JavaScript
    # the heavy content is not on the page any more
    assert "Situation détaillée par produit et titulaire" not in html
    assert "Historique des actions" not in html
