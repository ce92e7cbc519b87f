"""API and pages of committees and obligations: perimeter (3 personas), finalisation, query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from delegations.comites.models import Comite, Obligation, StatutReleve
from delegations.core.tests.factories import ProduitFactory

from .factories import ComiteFactory, IndicateurFactory, ReleveFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def comite(convention: Any) -> Comite:
    produit = ProduitFactory()
    convention.produits.add(produit)
    return ComiteFactory(produit=produit)


RELEVE = {
    "decision": "poursuite",
    "montant_accorde": "240000.00",
    "periode_mois": 6,
    "indicateurs": [
        {
            "dimension": "utile",
            "nom": "Dossiers complets",
            "unite": "%",
            "cible": "70",
            "echeance": "2025-09-01",
        }
    ],
}


def test_finance_creates_a_committee_with_a_draft_record_then_finalises(
    api: Any, finance: Any, convention: Any
) -> None:
    produit = ProduitFactory()
    client = api(finance)
    reponse = client.post(
        "/api/v1/comites",
        {
            "type": "produit",
            "produit": produit.pk,
            "date": "2025-03-10",
            "lieu": "Paris",
            "participants": ["A", "B"],
            "releve": {"decision": "poursuite"},
        },
        format="json",
    )
    assert reponse.status_code == 201, reponse.json()
    pk = reponse.json()["id"]
    assert "le montant accordé" in " ".join(reponse.json()["releve"]["manques"])
    refus = client.post(f"/api/v1/comites/{pk}/finaliser")
    assert refus.status_code == 400
    assert (
        refus.json()["code"] == "releve_incomplet"
        and "le montant accordé" in refus.json()["message"]
    )
    assert (
        client.patch(f"/api/v1/comites/{pk}", {"releve": RELEVE}, format="json").status_code == 200
    )
    ok = client.post(f"/api/v1/comites/{pk}/finaliser")
    assert ok.status_code == 200 and ok.json()["statut"] == StatutReleve.FINALISE
    gele = client.patch(
        f"/api/v1/comites/{pk}", {"releve": {"montant_accorde": "1"}}, format="json"
    )
    assert gele.status_code == 400 and gele.json()["code"] == "releve_finalise"
    correction = client.post(f"/api/v1/comites/{pk}/corriger")
    assert correction.status_code == 201 and correction.json()["numero"] == 2


def test_mission_committee_needs_a_convention(api: Any, finance: Any) -> None:
    reponse = api(finance).post(
        "/api/v1/comites",
        {"type": "interministeriel", "date": "2025-03-10", "produit": ProduitFactory().pk},
        format="json",
    )
    assert reponse.status_code == 400


def test_committee_perimeter_three_personas(
    api: Any, client: Any, agent: Any, collegue: Any, comite: Comite
) -> None:
    assert api(agent).get(f"/api/v1/comites/{comite.pk}").status_code == 200
    assert api(agent).get("/api/v1/comites").json()["count"] == 1
    assert api(collegue).get(f"/api/v1/comites/{comite.pk}").status_code == 404
    assert api(collegue).get("/api/v1/comites").json()["count"] == 0
    assert api().get("/api/v1/comites").status_code in (401, 403)
    assert api(agent).post(f"/api/v1/comites/{comite.pk}/finaliser").status_code == 403
    client.force_login(agent)
    assert client.get(reverse("comites:detail", args=[comite.pk])).status_code == 200
    assert client.get(reverse("comites:releve", args=[comite.pk])).status_code == 403
    client.force_login(collegue)
    assert client.get(reverse("comites:detail", args=[comite.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("comites:detail", args=[comite.pk])).status_code == 302


def test_obligation_perimeter_three_personas(
    api: Any, client: Any, agent: Any, collegue: Any, finance: Any, convention: Any
) -> None:
    obligation = convention.obligations.first()
    assert api(agent).get(f"/api/v1/obligations/{obligation.pk}").status_code == 200
    assert api(collegue).get(f"/api/v1/obligations/{obligation.pk}").status_code == 404
    assert api().get("/api/v1/obligations").status_code in (401, 403)
    assert (
        api(agent).patch(f"/api/v1/obligations/{obligation.pk}", {"statut": "faite"}).status_code
        == 403
    )
    reponse = api(finance).patch(
        f"/api/v1/obligations/{obligation.pk}",
        {"statut": "faite", "preuve_url": "https://exemple.gouv.fr/preuve"},
    )
    assert reponse.status_code == 200 and reponse.json()["en_retard"] is False
    client.force_login(collegue)
    assert (
        client.get(reverse("comites:obligation_modifier", args=[obligation.pk])).status_code == 404
    )
    client.force_login(agent)
    assert client.get(reverse("comites:obligations")).status_code == 200
    assert (
        client.get(reverse("comites:obligation_modifier", args=[obligation.pk])).status_code == 403
    )


def test_overdue_filter_and_editable_list(api: Any, finance: Any, convention: Any) -> None:
    client = api(finance)
    en_retard = client.get(f"/api/v1/obligations?convention={convention.pk}&en_retard=true").json()
    assert en_retard["count"] > 0 and all(o["en_retard"] for o in en_retard["results"])
    cree = client.post(
        "/api/v1/obligations",
        {"convention": convention.pk, "libelle": "Atelier accessibilité", "echeance": "2025-06-30"},
    )
    assert cree.status_code == 201
    assert client.delete(f"/api/v1/obligations/{cree.json()['id']}").status_code == 204


def test_finalise_page_asks_confirmation_and_refuses_incomplete(
    client: Any, finance: Any, comite: Comite
) -> None:
    ReleveFactory(comite=comite, lieu="")
    client.force_login(finance)
    url = reverse("comites:finaliser", args=[comite.pk])
    assert "il manque" in client.get(url).content.decode()
    client.post(url, {"confirmer": "on"})
    assert comite.releves.get().statut == StatutReleve.BROUILLON


def test_record_form_saves_draft_with_indicators(client: Any, finance: Any, comite: Comite) -> None:
    client.force_login(finance)
    donnees = {
        "date": "2025-03-10",
        "lieu": "Paris",
        "participants": "A",
        "decision": "poursuite",
        "montant_accorde": "1000",
        "periode_mois": "6",
        "phase_decidee": "",
        "commentaire": "",
        "ind-TOTAL_FORMS": "2",
        "ind-INITIAL_FORMS": "0",
        "ind-MIN_NUM_FORMS": "0",
        "ind-MAX_NUM_FORMS": "1000",
        "ind-0-dimension": "utilise",
        "ind-0-nom": "Usagers",
        "ind-0-unite": "usagers",
        "ind-0-cible": "10",
        "ind-0-echeance": "2025-09-01",
        "ind-1-dimension": "utile",
        "ind-1-nom": "",
    }
    reponse = client.post(reverse("comites:releve", args=[comite.pk]), donnees)
    assert reponse.status_code == 302
    releve = comite.releves.get()
    assert releve.manques() == [] and releve.indicateurs.count() == 1


def test_convention_page_shows_obligations_panel(client: Any, agent: Any, convention: Any) -> None:
    client.force_login(agent)
    section = reverse("conventions:section", args=[convention.pk, "comites"])
    page = client.get(section).content.decode()
    assert "Adhésion au manifeste" in page and "En retard" in page


def test_product_page_shows_trajectory_chart(
    client: Any, agent: Any, finance: Any, comite: Comite
) -> None:
    from delegations.comites.ecriture import finaliser

    IndicateurFactory(releve=ReleveFactory(comite=comite))
    finaliser(comite, finance)
    client.force_login(agent)
    page = client.get(reverse("produits:detail", args=[comite.produit_id])).content.decode()
    assert "<svg" in page and "Usagers actifs par mois" in page


def _requetes(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_queries_do_not_grow_with_rows(
    client: Any, api: Any, agent: Any, convention: Any
) -> None:
    produit = ProduitFactory()
    convention.produits.add(produit)

    def creer(n: int) -> None:
        for _ in range(n):
            IndicateurFactory(releve=ReleveFactory(comite=ComiteFactory(produit=produit)))

    client.force_login(agent)
    creer(3)
    urls = [reverse("comites:liste"), reverse("comites:obligations")]
    avant = [_requetes(client, u) for u in urls] + [
        _requetes(api(agent), "/api/v1/comites"),
        _requetes(api(agent), "/api/v1/obligations"),
    ]
    creer(17)
    apres = [_requetes(client, u) for u in urls] + [
        _requetes(api(agent), "/api/v1/comites"),
        _requetes(api(agent), "/api/v1/obligations"),
    ]
    assert apres == avant
    assert Obligation.objects.count() > 3


def test_committee_and_obligation_writes_are_logged_through_the_write_path(
    api: Any, finance: Any, convention: Any
) -> None:
    from delegations.core.models import historique

    client = api(finance)
    cree = client.post(
        "/api/v1/comites",
        {"type": "produit", "produit": ProduitFactory().pk, "date": "2025-03-10"},
        format="json",
    )
    comite = Comite.objects.get(pk=cree.json()["id"])
    client.patch(f"/api/v1/comites/{comite.pk}", {"lieu": "Paris"}, format="json")
    assert [ligne.action for ligne in historique(comite)] == ["modification", "creation"]
    obligation = convention.obligations.get(code="sponsor")
    client.patch(f"/api/v1/obligations/{obligation.pk}", {"statut": "faite"}, format="json")
    client.delete(f"/api/v1/obligations/{obligation.pk}")
    textes = [ligne.description for ligne in historique(convention).filter(action="obligation")]
    assert textes == [
        "Obligation retirée : Sponsor désigné",
        "Obligation « Sponsor désigné » : Faite",
    ]


def test_mission_committee_rule_is_the_models_as_a_field_error(api: Any, finance: Any) -> None:
    reponse = api(finance).post(
        "/api/v1/comites", {"type": "interministeriel", "date": "2025-03-10"}, format="json"
    )
    assert reponse.status_code == 400
    assert reponse.json() == {
        "non_field_errors": ["Un comité porte sur un produit ou sur une mission (convention)."]
    }


def test_obligation_filters_are_shared_by_page_and_api(
    api: Any, client: Any, finance: Any, convention: Any
) -> None:
    donnees = api(finance).get("/api/v1/obligations", {"q": "manifeste"}).json()
    assert [o["libelle"] for o in donnees["results"]] == ["Adhésion au manifeste beta.gouv.fr"]
    client.force_login(finance)
    page = client.get(reverse("comites:obligations"), {"q": "manifeste"}).content.decode()
    assert "Adhésion au manifeste" in page and "Sponsor désigné" not in page


def test_an_obligation_moved_to_another_convention_is_refused_409(
    api: Any, finance: Any, convention: Any
) -> None:
    from delegations.core.tests.factories import ConventionFactory

    obligation = convention.obligations.first()
    autre = ConventionFactory(delegant=convention.delegant)
    reponse = api(finance).patch(
        f"/api/v1/obligations/{obligation.pk}", {"convention": autre.pk}, format="json"
    )
    assert reponse.status_code == 409
    assert reponse.json()["code"] == "obligation_convention_fixe"
    obligation.refresh_from_db()
    assert obligation.convention_id == convention.pk
