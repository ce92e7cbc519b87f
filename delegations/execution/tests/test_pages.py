"""Pages: the convention panel, recording forms (finance), the htmx flow, lists with filters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from delegations.execution.models import Engagement, MiseADisposition, Paiement, ServiceFait

from .factories import commande, mad, paiement, service_fait

pytestmark = pytest.mark.django_db


@pytest.fixture
def chaine(convention):
    mad(convention)
    eng = commande(convention, "10000")
    sf = service_fait(eng, "4000", date=dt.date(2024, 3, 5))
    paiement(sf, "1000", date=dt.date(2024, 3, 20))
    return eng, sf


def test_convention_page_shows_the_situation_table_and_chart(client, convention, chaine, agent):
    client.force_login(agent)
    html = client.get(f"/conventions/{convention.pk}/sections/execution/").content.decode()
    assert 'id="execution"' in html and "<svg" in html
    assert "AE engagées" in html and "10\u202f000,00" in html
    assert "Bon de commande</a>" not in html  # recording links are for finance only


def test_convention_page_offers_recording_links_to_finance(client, convention, chaine, finance):
    client.force_login(finance)
    html = client.get(f"/conventions/{convention.pk}/sections/execution/").content.decode()
    assert f"/execution/conventions/{convention.pk}/bon-de-commande/" in html


@pytest.mark.parametrize(
    "url", ["mise-a-disposition", "bon-de-commande", "report", "credits-insuffisants"]
)
def test_recording_pages_personas(client, convention, finance, agent, collegue, url):
    chemin = f"/execution/conventions/{convention.pk}/{url}/"
    assert client.get(chemin).status_code == 302  # anonymous → login
    client.force_login(collegue)
    assert client.get(chemin).status_code == 404
    client.force_login(agent)
    assert client.get(chemin).status_code == 403
    client.force_login(finance)
    assert client.get(chemin).status_code == 200


def test_finance_records_an_order_through_the_form(client, convention, finance):
    mad(convention)
    client.force_login(finance)
    response = client.post(
        f"/execution/conventions/{convention.pk}/bon-de-commande/",
        {
            "reference": "EJ-PAGE-1",
            "date": "2024-03-01",
            "objet": "Sprint",
            "montant": "1 000,00",
            "confirme": "1000.00",
        },
    )
    assert response.status_code == 302
    assert Engagement.objects.filter(reference="EJ-PAGE-1").exists()


def test_order_is_recorded_only_after_confirming_amount_in_figures_and_words(
    client, convention, finance
):
    mad(convention, ae="5000", cp="5000")
    client.force_login(finance)
    chemin = f"/execution/conventions/{convention.pk}/bon-de-commande/"
    donnees = {"reference": "EJ-FR", "date": "2024-03-01", "objet": "Sprint", "montant": "1 000,50"}
    html = client.post(chemin, donnees).content.decode()
    assert not Engagement.objects.exists()
    assert "1\u202f000,50\u00a0€" in html and "mille euros et cinquante centimes" in html
    assert "3\u202f999,50\u00a0€" in html  # AE still available for 2024 after the order
    assert 'name="confirme" value="1000.50"' in html
    response = client.post(chemin, {**donnees, "confirme": "1000.50"})
    assert response.status_code == 302
    assert Engagement.objects.get(reference="EJ-FR").montant == Decimal("1000.50")


def test_changed_amount_after_confirmation_asks_again(client, convention, finance):
    mad(convention, ae="5000", cp="5000")
    client.force_login(finance)
    chemin = f"/execution/conventions/{convention.pk}/bon-de-commande/"
    donnees = {"reference": "EJ-FR2", "date": "2024-03-01", "objet": "Sprint"}
    response = client.post(chemin, {**donnees, "montant": "2 000", "confirme": "1000.50"})
    assert response.status_code == 200 and not Engagement.objects.exists()
    assert 'name="confirme" value="2000.00"' in response.content.decode()


def test_payment_confirmation_shows_what_remains_to_pay_and_cp(client, convention, chaine, finance):
    _eng, sf = chaine
    client.force_login(finance)
    html = client.post(
        f"/execution/services-faits/{sf.pk}/paiement/",
        {"reference": "FAC-C", "montant": "500", "date": "2024-04-10"},
    ).content.decode()
    assert "cinq cents euros" in html
    assert "Reste à payer sur le service fait du 05/03/2024 après ce mouvement" in html
    assert "2\u202f500,00" in html  # 4 000 certified − 1 000 paid − 500
    assert not Paiement.objects.filter(reference="FAC-C").exists()


def test_order_form_shows_the_refusal_and_offers_to_inform_the_delegant(
    client, convention, finance
):
    mad(convention, ae="100", cp="1")
    client.force_login(finance)
    response = client.post(
        f"/execution/conventions/{convention.pk}/bon-de-commande/",
        {
            "reference": "EJ-PAGE-2",
            "date": "2024-03-01",
            "objet": "Sprint",
            "montant": "1000.00",
            "confirme": "1000.00",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and "Crédits insuffisants" in html
    assert "délégant informé" in html and not Engagement.objects.exists()


def test_htmx_flow_order_service_fait_payment(client, convention, chaine, finance):
    eng, _sf = chaine
    client.force_login(finance)
    page = client.get(f"/execution/bons-de-commande/{eng.pk}/").content.decode()
    assert "(40,0 %)" in page
    partiel = client.get(
        f"/execution/bons-de-commande/{eng.pk}/service-fait/", HTTP_HX_REQUEST="true"
    )
    assert partiel.status_code == 200 and "<html" not in partiel.content.decode()
    assert "4\u202f000,00" in partiel.content.decode()  # already certified is shown
    response = client.post(
        f"/execution/bons-de-commande/{eng.pk}/service-fait/",
        {"montant": "1000.00", "date": "2024-04-01", "confirme": "1000.00"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 204 and response["HX-Redirect"].endswith(
        f"/bons-de-commande/{eng.pk}/"
    )
    sf = ServiceFait.objects.latest("id")
    response = client.post(
        f"/execution/services-faits/{sf.pk}/paiement/",
        {"reference": "FAC-HX", "montant": "1000.00", "date": "2024-04-10", "confirme": "1000.00"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 204
    assert Paiement.objects.filter(reference="FAC-HX").exists()


def test_htmx_form_error_is_rendered_in_place(client, convention, chaine, finance):
    eng, _sf = chaine
    client.force_login(finance)
    response = client.post(
        f"/execution/bons-de-commande/{eng.pk}/service-fait/",
        {"montant": "999999.00", "date": "2024-04-01", "confirme": "999999.00"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "Service fait refusé" in response.content.decode()


def test_order_page_personas(client, chaine, agent, collegue, finance):
    eng, sf = chaine
    chemin = f"/execution/bons-de-commande/{eng.pk}/"
    assert client.get(chemin).status_code == 302
    client.force_login(collegue)
    assert client.get(chemin).status_code == 404
    assert client.get(f"/execution/services-faits/{sf.pk}/paiement/").status_code == 404
    client.force_login(agent)
    assert client.get(chemin).status_code == 200
    assert client.get(f"/execution/services-faits/{sf.pk}/paiement/").status_code == 403
    assert client.get(f"/execution/bons-de-commande/{eng.pk}/reduction/").status_code == 403


def test_reduction_needs_confirmation(client, chaine, finance):
    eng, _sf = chaine
    client.force_login(finance)
    chemin = f"/execution/bons-de-commande/{eng.pk}/reduction/"
    client.post(chemin, {"montant": "100", "date": "2024-05-01", "motif": "x"})
    assert not eng.reductions.exists()
    client.post(
        chemin, {"montant": "100", "date": "2024-05-01", "motif": "x", "confirmation": "on"}
    )
    assert eng.reductions.count() == 1


@pytest.mark.parametrize(
    "nature",
    ["engagements", "services-faits", "paiements", "mises-a-disposition", "reductions", "reports"],
)
def test_list_pages_personas_and_perimeter(client, chaine, agent, collegue, nature):
    eng, _sf = chaine
    assert client.get(f"/execution/?nature={nature}").status_code == 302
    client.force_login(collegue)
    assert client.get(f"/execution/?nature={nature}").context["page_obj"].paginator.count == 0
    client.force_login(agent)
    response = client.get(f"/execution/?nature={nature}")
    assert response.status_code == 200


def test_list_filters_by_year_and_product(client, convention, chaine, finance):
    client.force_login(finance)
    assert (
        client.get("/execution/?nature=engagements&annee=2024").context["page_obj"].paginator.count
        == 1
    )
    assert (
        client.get("/execution/?nature=engagements&annee=2025").context["page_obj"].paginator.count
        == 0
    )
    assert (
        client.get(f"/execution/?nature=engagements&q={chaine[0].reference}")
        .context["page_obj"]
        .paginator.count
        == 1
    )


@pytest.mark.parametrize("nature", ["engagements", "services-faits", "paiements"])
def test_list_page_query_count_does_not_grow_with_rows(client, convention, finance, nature):
    mad(convention)
    client.force_login(finance)

    def remplir(n):
        for _ in range(n):
            paiement(service_fait(commande(convention, "10"), "10"), "10")

    def compter():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/execution/?nature={nature}").status_code == 200
        return len(ctx.captured_queries)

    remplir(3)
    peu = compter()
    remplir(27)
    assert compter() == peu


def test_convention_panel_query_count_is_bounded(client, convention, finance):
    mad(convention)
    client.force_login(finance)

    def compter():
        with CaptureQueriesContext(connection) as ctx:
            client.get(f"/conventions/{convention.pk}/")
            client.get(f"/conventions/{convention.pk}/sections/execution/")
        return len(ctx.captured_queries)

    compter()  # warms the per-process caches (content types) the first page reads
    # Each measure follows the same kinds of writes (on PostgreSQL an order is inserted by the
    # database function, a service fait and a payment by Django), so both include the
    # convention's deadlines refreshed once.
    paiement(service_fait(commande(convention, "10"), "10"), "10")
    peu = compter()
    for _ in range(30):
        paiement(service_fait(commande(convention, "10"), "10"), "10")
    assert compter() == peu


def test_situation_page_personas(client, convention, agent, collegue):
    assert client.get(f"/execution/conventions/{convention.pk}/situation/").status_code == 302
    client.force_login(collegue)
    assert client.get(f"/execution/conventions/{convention.pk}/situation/").status_code == 404
    client.force_login(agent)
    assert client.get(f"/execution/conventions/{convention.pk}/situation/").status_code == 200
    assert MiseADisposition.objects.count() == 0


def test_availability_form_says_that_execution_resumes(client, convention, finance):
    from delegations.execution import mouvements

    mad(convention, ae="100", cp="1")
    mouvements.informer_delegant(
        convention, annee=2024, date=dt.date(2024, 6, 1), suspendre=True, user=finance
    )
    client.force_login(finance)
    response = client.post(
        f"/execution/conventions/{convention.pk}/mise-a-disposition/",
        {"annee": "2024", "ae": "5000", "cp": "0", "date": "2024-06-15", "reference": "MAD-P"},
        follow=True,
    )
    convention.refresh_from_db()
    assert convention.statut == "signee"
    assert "L&#x27;exécution de la convention reprend" in response.content.decode()
