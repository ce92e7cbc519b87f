"""The queue as users see it: owner-only visibility, progress, result, French errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from delegations.core.tests.factories import UserFactory
from delegations.taches.essais import executer_taches_en_attente
from delegations.taches.models import Statut, Tache, Travailleur
from delegations.taches.registre import MESSAGE_INATTENDU, lancer
from delegations.taches.travailleur import reprendre_interrompues

from .taches_essai import compter, progresser, refuser

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin(db: None) -> Any:
    return UserFactory(role="admin", username="admin-test")


def test_a_task_is_seen_by_its_owner_and_admins_only(finance, admin, agent, api):
    tache = lancer(progresser, finance, 3)
    executer_taches_en_attente()
    url = f"/api/v1/taches/{tache.pk}"
    corps = api(finance).get(url)
    assert corps.status_code == 200
    assert corps.json()["statut"] == "terminee"
    assert corps.json()["progression"] == {"fait": 3, "total": 3, "etape": "Étape 3 sur 3"}
    assert corps.json()["resultat"] == {"total": 3}
    assert corps.json()["erreur"] == ""
    assert api(admin).get(url).status_code == 200
    collegue_finance = UserFactory(role="finance")
    assert api(collegue_finance).get(url).status_code == 404
    assert api(agent).get(url).status_code == 404
    assert api().get(url).status_code in (401, 403)
    page = f"/taches/{tache.pk}/"
    assert _client(finance).get(page).status_code == 200
    assert _client(admin).get(page).status_code == 200
    assert _client(collegue_finance).get(page).status_code == 404
    assert Client().get(page).status_code == 302


def test_a_waiting_task_answers_en_attente_with_empty_progress(finance, api):
    tache = lancer(progresser, finance, 3)
    corps = api(finance).get(f"/api/v1/taches/{tache.pk}").json()
    assert corps["statut"] == "en_attente"
    assert corps["progression"] == {"fait": 0, "total": 0, "etape": ""}
    assert corps["resultat"] is None


def test_a_refused_business_rule_fails_with_its_french_message(finance, api):
    metier = lancer(refuser, finance, "metier")
    tache = lancer(refuser, finance, "tache")
    executer_taches_en_attente()
    metier.refresh_from_db()
    tache.refresh_from_db()
    assert metier.statut == Statut.ECHEC
    assert metier.erreur == "Le plafond de 10 000,00 € est dépassé."
    assert tache.erreur == "Le fichier n'a pas la colonne « montant »."
    assert api(finance).get(f"/api/v1/taches/{tache.pk}").json()["statut"] == "echec"


def test_an_unexpected_error_shows_a_reference_not_the_technical_detail(finance):
    tache = lancer(refuser, finance, "bug")
    executer_taches_en_attente()
    tache.refresh_from_db()
    assert tache.statut == Statut.ECHEC
    assert tache.erreur == MESSAGE_INATTENDU.format(id=tache.pk)
    assert "détail technique" not in tache.erreur
    assert "ZeroDivisionError" in DBTaskResult.objects.get(pk=tache.pk).traceback


def test_the_same_work_posted_twice_is_queued_once(finance):
    premiere = lancer(progresser, finance, 2, cle="lecture:abc")
    seconde = lancer(progresser, finance, 2, cle="lecture:abc")
    assert seconde.pk == premiere.pk
    assert DBTaskResult.objects.count() == 1
    executer_taches_en_attente()
    # Finished: the same key may be queued again.
    assert lancer(progresser, finance, 2, cle="lecture:abc").pk != premiere.pk


def test_mes_traitements_lists_only_the_users_tasks(finance, django_assert_max_num_queries):
    autre = UserFactory(role="finance")
    for i in range(5):
        lancer(progresser, finance, 2, libelle=f"Traitement {i}")
    lancer(progresser, autre, 2, libelle="Traitement d'un autre")
    client = _client(finance)
    with django_assert_max_num_queries(6):
        page = client.get("/taches/")
    contenu = page.content.decode()
    assert contenu.count("Traitement ") >= 5
    assert "Traitement d'un autre" not in contenu
    assert 'hx-trigger="every 1s"' in contenu


def test_progress_fragment_stops_polling_and_redirects_when_done(finance):
    tache = lancer(progresser, finance, 2)
    client = _client(finance)
    avant = client.get(f"/taches/{tache.pk}/progression/?rediriger=1", HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in avant.content.decode()
    assert "HX-Redirect" not in avant
    executer_taches_en_attente()
    apres = client.get(f"/taches/{tache.pk}/progression/?rediriger=1", HTTP_HX_REQUEST="true")
    assert "every 1s" not in apres.content.decode()
    assert apres["HX-Redirect"] == f"/taches/{tache.pk}/"


def test_a_produced_file_is_downloaded_by_its_owner_only(finance):
    tache = lancer(progresser, finance, 1)
    executer_taches_en_attente()
    reponse = _client(finance).get(f"/taches/{tache.pk}/fichier/")
    assert reponse.status_code == 200
    assert b"".join(reponse.streaming_content) == b"contenu produit"
    assert "compte-rendu.txt" in reponse["Content-Disposition"]
    assert (
        _client(UserFactory(role="finance")).get(f"/taches/{tache.pk}/fichier/").status_code == 404
    )


class TestReprise:
    """A worker that died mid-task: its task goes back to the queue, at most N times."""

    def _en_cours_chez_un_mort(self, finance: Any, tentatives: int) -> Tache:
        tache = lancer(compter, finance, 1)
        Travailleur.objects.create(
            identifiant="mort",
            hote="ailleurs",
            pid=1,
            battement=timezone.now() - dt.timedelta(hours=1),
        )
        resultat = DBTaskResult.objects.get(pk=tache.pk)
        resultat.claim("mort")
        Tache.objects.filter(pk=tache.pk).update(statut=Statut.EN_COURS, tentatives=tentatives)
        return tache

    def test_the_task_of_a_silent_worker_is_queued_again_and_runs_once(self, finance):
        tache = self._en_cours_chez_un_mort(finance, tentatives=1)
        assert reprendre_interrompues(delai=60) == 1
        tache.refresh_from_db()
        assert tache.statut == Statut.EN_ATTENTE
        assert not Travailleur.objects.filter(pk="mort").exists()
        assert executer_taches_en_attente() == 1
        tache.refresh_from_db()
        assert tache.statut == Statut.TERMINEE and tache.tentatives == 2
        assert Group.objects.filter(name="compte-1").count() == 1

    def test_a_live_worker_keeps_its_task(self, finance):
        tache = self._en_cours_chez_un_mort(finance, tentatives=1)
        Travailleur.objects.filter(pk="mort").update(battement=timezone.now())
        assert reprendre_interrompues(delai=60) == 0
        tache.refresh_from_db()
        assert tache.statut == Statut.EN_COURS

    def test_a_task_interrupted_too_often_fails_in_french(self, finance, settings):
        settings.TACHES_TENTATIVES = 3
        tache = self._en_cours_chez_un_mort(finance, tentatives=3)
        reprendre_interrompues(delai=60)
        tache.refresh_from_db()
        assert tache.statut == Statut.ECHEC
        assert tache.erreur.startswith("Le traitement a été interrompu 3 fois")
        assert DBTaskResult.objects.get(pk=tache.pk).status == "FAILED"
