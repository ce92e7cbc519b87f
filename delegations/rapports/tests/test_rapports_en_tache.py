"""Report files are made off the request: the button queues a task, the file is downloaded
from "Mes traitements" by the user who asked, within their perimeter."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from delegations.taches.essais import executer_taches_en_attente
from delegations.taches.models import Statut, Tache

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_report_file_is_made_by_a_task_and_downloaded_by_the_one_who_asked(
    convention, agent, collegue
):
    client = _client(agent)
    url = f"/rapports/conventions/{convention.pk}/preparer/xlsx/?periode=2024-05"
    reponse = client.post(url)
    tache = Tache.objects.get()
    assert reponse.status_code == 302 and reponse["Location"] == f"/taches/{tache.pk}/"
    assert tache.statut == Statut.EN_ATTENTE
    assert client.post(url)["Location"] == f"/taches/{tache.pk}/"  # asked twice: one task
    executer_taches_en_attente()
    tache.refresh_from_db()
    assert tache.statut == Statut.TERMINEE, tache.erreur
    fichier = client.get(f"/taches/{tache.pk}/fichier/")
    assert fichier["Content-Disposition"].endswith('2024-05.xlsx"')
    classeur = load_workbook(io.BytesIO(b"".join(fichier.streaming_content)))
    assert classeur.sheetnames
    # Neither the colleague of another administration nor an anonymous visitor gets it.
    assert _client(collegue).get(f"/taches/{tache.pk}/fichier/").status_code == 404
    assert Client().get(f"/taches/{tache.pk}/fichier/").status_code == 302


def test_a_report_outside_the_perimeter_is_not_queued(convention, collegue):
    reponse = _client(collegue).post(f"/rapports/conventions/{convention.pk}/preparer/pdf/")
    assert reponse.status_code == 404
    assert not Tache.objects.exists()


def test_the_report_page_offers_buttons_that_queue_the_file(convention, agent):
    page = _client(agent).get(f"/rapports/conventions/{convention.pk}/?periode=2024-05")
    contenu = page.content.decode()
    assert f"/rapports/conventions/{convention.pk}/preparer/pdf/?" in contenu
    assert 'method="post"' in contenu
