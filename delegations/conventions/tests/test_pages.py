"""Pages: forms with French validation, search, filters, sorting, pagination, query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from delegations.conventions.models import Convention
from delegations.core.tests.factories import ConventionFactory, ProduitFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _donnees(administration, dinum, **extra):
    data = {
        "reference": "PAGE-1",
        "delegant": administration.pk,
        "delegataire": dinum.pk,
        "objet": "Un objet.",
        "unite_operationnelle": "0103-CEFP-C004",
        "prise_effet": "signature",
        "date_signature": "2024-02-01",
        "date_fin": "2025-12-31",
        "preavis_mois": "3",
        "phases": ["construction"],
        "compte_rendu": ["terme"],
        "lignes-TOTAL_FORMS": "2",
        "lignes-INITIAL_FORMS": "0",
        "lignes-MIN_NUM_FORMS": "0",
        "lignes-MAX_NUM_FORMS": "1000",
        "lignes-0-annee": "2024",
        "lignes-0-ae": "150000",
        "lignes-0-cp": "100000",
        "lignes-1-annee": "2025",
        "lignes-1-ae": "0",
        "lignes-1-cp": "50000",
    }
    data.update(extra)
    return data


def test_create_convention_from_the_form(finance, administration, dinum):
    response = _client(finance).post(reverse("conventions:creer"), _donnees(administration, dinum))
    conv = Convention.objects.get(reference="PAGE-1")
    assert response.status_code == 302
    assert conv.programme == "103"
    assert [(ligne.annee, ligne.ae) for ligne in conv.echeancier.all()] == [
        (2024, Decimal("150000.00")),
        (2025, Decimal("0.00")),
    ]


def test_form_refuses_negative_amounts_in_french(finance, administration, dinum):
    response = _client(finance).post(
        reverse("conventions:creer"), _donnees(administration, dinum, **{"lignes-0-ae": "-5"})
    )
    assert response.status_code == 200
    assert "positif ou nul" in response.content.decode()
    assert not Convention.objects.exists()


def test_form_refuses_two_lines_for_the_same_year(finance, administration, dinum):
    response = _client(finance).post(
        reverse("conventions:creer"), _donnees(administration, dinum, **{"lignes-1-annee": "2024"})
    )
    assert "Une seule ligne d&#x27;échéancier par année" in response.content.decode()
    assert not Convention.objects.exists()


def test_form_refuses_an_end_before_the_start(finance, administration, dinum):
    response = _client(finance).post(
        reverse("conventions:creer"), _donnees(administration, dinum, date_fin="2023-01-01")
    )
    assert "postérieure" in response.content.decode()
    assert not Convention.objects.exists()


def test_form_refuses_a_badly_shaped_uo(finance, administration, dinum):
    response = _client(finance).post(
        reverse("conventions:creer"), _donnees(administration, dinum, unite_operationnelle="CEFP")
    )
    assert "0103-CEFP-C004" in response.content.decode()


def test_status_action_asks_for_confirmation_then_applies(convention, finance):
    client = _client(finance)
    url = reverse("conventions:transition", args=[convention.pk, "resilier"])
    page = client.get(url).content.decode()
    assert "Confirmer" in page
    assert "Préavis donné par" in page
    client.post(url, {"date_preavis": "2025-06-01", "partie": "delegataire"})
    convention.refresh_from_db()
    assert convention.statut == "resiliee"
    assert convention.partie_preavis == "delegataire"
    assert convention.date_preavis == dt.date(2025, 6, 1)
    historique = reverse("conventions:section", args=[convention.pk, "historique"])
    assert "Résilier" in client.get(historique).content.decode()  # history row


def test_amendment_form_creates_numbered_amendment(convention, finance):
    data = {
        "objet": "Abondement",
        "date_fin": "",
        "date_signature": "",
        "lignes-TOTAL_FORMS": "1",
        "lignes-INITIAL_FORMS": "0",
        "lignes-MIN_NUM_FORMS": "0",
        "lignes-MAX_NUM_FORMS": "1000",
        "lignes-0-annee": "2025",
        "lignes-0-ae": "300000",
        "lignes-0-cp": "150000",
    }
    _client(finance).post(reverse("conventions:avenant_creer", args=[convention.pk]), data)
    avenant = convention.avenants.get()
    assert (avenant.numero, avenant.statut) == (1, "brouillon")
    page = (
        _client(finance).get(reverse("conventions:detail", args=[convention.pk])).content.decode()
    )
    assert "Pas encore en vigueur" in page


def test_search_finds_by_product_uo_chorus_code_and_party(finance, convention):
    convention.produits.add(ProduitFactory(nom="Guichet Lumière"))
    client = _client(finance)
    for terme in ["lumière", "0103-TEST", convention.delegant.sigle, "fictif"]:
        assert (
            convention.reference
            in client.get(reverse("conventions:liste"), {"q": terme}).content.decode()
        ), terme
    assert (
        convention.reference
        not in client.get(reverse("conventions:liste"), {"q": "zzz"}).content.decode()
    )


def test_list_is_paginated_and_sorted(finance, administration, dinum):
    for i in range(25):
        ConventionFactory(
            delegant=administration,
            delegataire=dinum,
            reference=f"P-{i:02d}",
            date_signature=dt.date(2020, 1, 1) + dt.timedelta(days=i),
        )
    client = _client(finance)
    page1 = client.get(reverse("conventions:liste"), {"tri": "signature"}).content.decode()
    assert "P-00" in page1 and "P-24" not in page1
    page2 = client.get(
        reverse("conventions:liste"), {"tri": "signature", "page": 2}
    ).content.decode()
    assert "P-24" in page2


def _compter(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/conventions/", "/api/v1/conventions"])
def test_list_query_count_does_not_grow_with_the_number_of_conventions(
    finance, administration, dinum, url
):
    client = _client(finance)
    for _ in range(3):
        ConventionFactory(delegant=administration, delegataire=dinum, produits=[ProduitFactory()])
    avec_3 = _compter(client, url)
    for _ in range(27):
        ConventionFactory(delegant=administration, delegataire=dinum, produits=[ProduitFactory()])
    assert _compter(client, url) == avec_3


def test_pages_have_state_header_footer_skip_links_and_accessibility_link(finance, convention):
    page = (
        _client(finance).get(reverse("conventions:detail", args=[convention.pk])).content.decode()
    )
    assert 'class="fr-header"' in page and 'class="fr-footer"' in page
    assert 'class="fr-skiplinks"' in page
    assert reverse("core:accessibilite") in page
    assert "<title>Convention" in page


def test_convention_page_has_a_summary_and_an_in_page_menu_to_every_section(finance, convention):
    import re

    page = _client(finance).get(reverse("conventions:detail", args=[convention.pk]))
    html = page.content.decode()
    menu = html[html.index('class="fr-sidemenu') : html.index("</nav>", html.index("fr-sidemenu"))]
    ancres = re.findall(r'href="#([a-z-]+)"', menu)
    # the register's sections, the panels other apps plug in, status and history
    for attendue in ("en-bref", "echeancier", "avenants", "execution", "comites", "obligations",
                     "documents", "rapports", "redaction", "statut", "historique"):  # fmt: skip
        assert attendue in ancres
    for ancre in ancres:
        assert f'id="{ancre}"' in html  # no link to nowhere
    bref = html[html.index('id="en-bref"') : html.index('id="objet"')]
    assert "Montant consolidé" in bref
    assert "Engagé" in bref  # the execution app's tile
    assert "Prochaine échéance" in bref  # the deadlines app's tile


def test_status_actions_are_grouped_below_and_the_header_only_links_to_them(finance, convention):
    page = _client(finance).get(reverse("conventions:detail", args=[convention.pk]))
    html = page.content.decode()
    entete = html[: html.index('id="en-bref"')]
    statut = html[html.index('id="statut"') : html.index('id="historique"')]
    transition = reverse("conventions:transition", args=[convention.pk, "publier"])
    assert convention.statut == "signee"
    assert transition not in entete
    assert transition in statut
    assert 'href="#statut">Changer le statut' in entete


def test_a_reader_sees_no_status_action(agent, convention):
    html = _client(agent).get(reverse("conventions:detail", args=[convention.pk])).content.decode()
    assert "Changer le statut" not in html
    assert reverse("conventions:transition", args=[convention.pk, "publier"]) not in html
