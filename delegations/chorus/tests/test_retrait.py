"""Withdrawing the explanation of a difference: finance only (three personas), after a
confirmation page in French; the difference is open again, the withdrawn explanation is kept
(a ``RetraitExplication``, never deleted) and the action logged; the API does the same."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from delegations.chorus import actions, services
from delegations.chorus.models import (
    Ecart,
    NatureEcart,
    Rapprochement,
    RetraitExplication,
    StatutEcart,
)
from delegations.chorus.tests import generateur as g
from delegations.core.errors import RegleMetierError
from delegations.core.models import ActionLog
from delegations.core.tests.factories import ProduitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def monde() -> g.Monde:
    return g.construire_monde(commandes_par_convention=20)


@pytest.fixture
def rapprochement(monde, finance) -> Rapprochement:
    fichiers = [
        ("jp51.csv", g.csv_journal(monde.lignes_51, g.entetes(g.ENTETES_51))),
        ("jp57.csv", g.csv_journal(monde.lignes_57, g.entetes(g.ENTETES_57))),
    ]
    return Rapprochement.objects.get(pk=services.lancer_rapprochement(fichiers, finance.pk))


@pytest.fixture
def explique(rapprochement, finance) -> Ecart:
    ecart = rapprochement.ecarts.get(nature=NatureEcart.TITULAIRE)
    return actions.expliquer(ecart, finance, "Changement de raison sociale du titulaire")


@pytest.fixture
def agent_du_delegant(monde):
    user = UserFactory(role="delegant")
    user.administrations.add(monde.conventions["B"].delegant)
    return user


@pytest.fixture
def intrapreneur(monde, explique):
    user = UserFactory(role="intrapreneur")
    produit = ProduitFactory(intrapreneur_email=user.email)
    explique.convention.produits.add(produit)
    return user


def _url(ecart: Ecart) -> str:
    return f"/chorus/ecarts/{ecart.pk}/retirer-explication/"


def test_finance_withdraws_an_explanation_after_confirming_and_the_explanation_is_kept(
    client, explique, finance
):
    client.force_login(finance)
    confirmation = client.get(_url(explique))
    page = confirmation.content.decode()
    assert confirmation.status_code == 200
    assert "Retirer l&#x27;explication d&#x27;un écart" in page
    assert "Changement de raison sociale du titulaire" in page
    assert "Rien n'est effacé" in page
    assert RetraitExplication.objects.count() == 0  # the GET changes nothing

    reponse = client.post(_url(explique), {"motif": "Le titulaire n'a pas changé de nom"})

    assert reponse.status_code == 302
    explique.refresh_from_db()
    assert (explique.statut, explique.commentaire, explique.traite_par) == (
        StatutEcart.OUVERT,
        "",
        None,
    )
    [retrait] = RetraitExplication.objects.all()
    assert retrait.ecart == explique
    assert retrait.explication == "Changement de raison sociale du titulaire"
    assert retrait.explique_par == finance
    assert retrait.explique_le is not None
    assert retrait.motif == "Le titulaire n'a pas changé de nom"
    assert retrait.retire_par == finance
    log = ActionLog.objects.get(action="explication_retiree")
    assert log.user == finance
    assert log.changes["explication"] == "Changement de raison sociale du titulaire"
    detail = client.get(f"/chorus/{explique.rapprochement_id}/").content.decode()
    assert "Explication retirée le" in detail
    assert "Le titulaire n&#x27;a pas changé de nom" in detail


def test_a_withdrawn_explanation_lets_the_difference_be_explained_again(explique, finance):
    actions.retirer_explication(explique, finance, "Erreur d'analyse")
    actions.expliquer(explique, finance, "Nouvelle explication")
    actions.retirer_explication(explique, finance, "Toujours pas")
    explique.refresh_from_db()
    assert explique.statut == StatutEcart.OUVERT
    assert list(explique.retraits.values_list("explication", "motif")) == [
        ("Changement de raison sociale du titulaire", "Erreur d'analyse"),
        ("Nouvelle explication", "Toujours pas"),
    ]
    assert ActionLog.objects.filter(action="explication_retiree").count() == 2


def test_withdrawal_needs_a_reason(client, explique, finance, api):
    client.force_login(finance)
    page = client.post(_url(explique), {"motif": ""})
    assert page.status_code == 200
    assert "Ce champ est obligatoire" in page.content.decode()
    reponse = api(finance).post(
        f"/api/v1/ecarts-chorus/{explique.pk}/retirer-explication", {"motif": " "}, format="json"
    )
    assert reponse.status_code == 400
    assert reponse.json()["code"] == "motif_requis"
    explique.refresh_from_db()
    assert explique.statut == StatutEcart.EXPLIQUE
    assert not RetraitExplication.objects.exists()


def test_only_an_explained_difference_has_an_explanation_to_withdraw(monde, rapprochement, finance):
    ouvert = rapprochement.ecarts.get(nature=NatureEcart.EJ_ABSENT)
    with pytest.raises(RegleMetierError, match="pas marqué comme expliqué"):
        actions.retirer_explication(ouvert, finance, "x")
    reduction = rapprochement.ecarts.get(
        nature=NatureEcart.MONTANT, proposition__mouvement="reduction"
    )
    actions.regulariser(
        reduction,
        finance,
        {"montant": Decimal("500.00"), "date": dt.date(2025, 12, 1), "reference": "R"},
    )
    with pytest.raises(RegleMetierError, match="mouvement correctif"):
        actions.retirer_explication(reduction, finance, "x")
    assert not RetraitExplication.objects.exists()


def test_delegant_and_intrapreneur_cannot_withdraw_an_explanation(
    client, explique, agent_du_delegant, intrapreneur, collegue, api
):
    for user in (agent_du_delegant, intrapreneur):
        # they see the difference (their perimeter) but may not act on it
        assert api(user).get(f"/api/v1/ecarts-chorus/{explique.pk}").status_code == 200
        client.force_login(user)
        assert client.get(_url(explique)).status_code == 403
        assert client.post(_url(explique), {"motif": "x"}).status_code == 403
        reponse = api(user).post(
            f"/api/v1/ecarts-chorus/{explique.pk}/retirer-explication",
            {"motif": "x"},
            format="json",
        )
        assert reponse.status_code == 403
    # outside the perimeter: 404
    client.force_login(collegue)
    assert client.post(_url(explique), {"motif": "x"}).status_code == 404
    explique.refresh_from_db()
    assert explique.statut == StatutEcart.EXPLIQUE
    assert not RetraitExplication.objects.exists()


def test_api_withdraws_and_answers_the_history(explique, finance, api):
    reponse = api(finance).post(
        f"/api/v1/ecarts-chorus/{explique.pk}/retirer-explication",
        {"motif": "Vérification faite"},
        format="json",
    )
    assert reponse.status_code == 200
    donnees = reponse.json()
    assert donnees["statut"] == "ouvert"
    assert donnees["commentaire"] == ""
    [retrait] = donnees["retraits"]
    assert retrait["explication"] == "Changement de raison sociale du titulaire"
    assert retrait["motif"] == "Vérification faite"
    assert retrait["retire_par"] == finance.email
    again = api(finance).post(
        f"/api/v1/ecarts-chorus/{explique.pk}/retirer-explication", {"motif": "x"}, format="json"
    )
    assert again.json()["code"] == "ecart_non_explique"


def test_detail_page_runs_a_fixed_number_of_queries_whatever_the_withdrawals(
    client, rapprochement, finance
):
    ecarts = list(rapprochement.ecarts.order_by("id")[:3])
    client.force_login(finance)
    actions.expliquer(ecarts[0], finance, "a")
    actions.retirer_explication(ecarts[0], finance, "b")
    with CaptureQueriesContext(connection) as un:
        assert client.get(f"/chorus/{rapprochement.pk}/").status_code == 200
    for ecart in ecarts:
        for _ in range(2):
            actions.expliquer(ecart, finance, "a")
            actions.retirer_explication(ecart, finance, "b")
    with CaptureQueriesContext(connection) as sept:
        assert client.get(f"/chorus/{rapprochement.pk}/").status_code == 200
    assert RetraitExplication.objects.count() == 7
    assert len(sept) == len(un)
