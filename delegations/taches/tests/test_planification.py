"""Daily tasks: queued by the workers once a day at their Paris time, never twice (several
workers), never when switched off; the reminders and the purge run that way."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError

from delegations.echeances.taches import envoyer_rappels_du_jour
from delegations.taches.essais import executer_taches_en_attente
from delegations.taches.models import Planification, Statut, Tache
from delegations.taches.planification import planifier
from delegations.taches.registre import DECLARATIONS

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
RAPPELS = envoyer_rappels_du_jour.module_path


def _quotidiennes_eteintes(settings: Any, sauf: str) -> None:
    for declaration in DECLARATIONS.values():
        if declaration.chaque_jour and declaration.chaque_jour != sauf:
            setattr(settings, declaration.chaque_jour, "")


def test_a_daily_task_is_not_queued_before_its_paris_time(settings):
    _quotidiennes_eteintes(settings, "RAPPELS_HEURE")
    settings.RAPPELS_HEURE = "07:00"
    # 05:59 UTC on a winter day is 06:59 in Paris: not yet
    assert planifier(dt.datetime(2026, 12, 2, 5, 59, tzinfo=dt.UTC)) == []
    assert not Tache.objects.exists()


def test_a_daily_task_is_queued_once_a_day_whoever_asks(settings):
    _quotidiennes_eteintes(settings, "RAPPELS_HEURE")
    settings.RAPPELS_HEURE = "07:00"
    sept_heures = dt.datetime(2026, 12, 2, 7, 1, tzinfo=PARIS)
    assert planifier(sept_heures) == [RAPPELS]
    assert planifier(sept_heures + dt.timedelta(hours=3)) == []  # a second worker, later on
    assert Tache.objects.filter(nom=RAPPELS).count() == 1
    assert planifier(sept_heures + dt.timedelta(days=1)) == [RAPPELS]  # the next day, again
    assert Tache.objects.filter(nom=RAPPELS).count() == 2


def test_the_database_refuses_a_second_queuing_of_the_same_day():
    Planification.objects.create(nom=RAPPELS, jour=dt.date(2026, 12, 2))
    with pytest.raises(IntegrityError):
        Planification.objects.create(nom=RAPPELS, jour=dt.date(2026, 12, 2))


def test_an_empty_time_switches_a_daily_task_off(settings):
    _quotidiennes_eteintes(settings, "")
    assert planifier(dt.datetime(2026, 12, 2, 23, 0, tzinfo=PARIS)) == []
    assert not Tache.objects.exists()


def test_the_reminders_leave_from_the_worker(settings, mailoutbox, agent, convention):
    _quotidiennes_eteintes(settings, "RAPPELS_HEURE")
    settings.RAPPELS_HEURE = "00:00"
    assert planifier() == [RAPPELS]
    executer_taches_en_attente()
    tache = Tache.objects.get(nom=RAPPELS)
    assert tache.statut == Statut.TERMINEE
    assert tache.resultat["courriels"] == len(mailoutbox)
    assert agent.email in {m.to[0] for m in mailoutbox}


def test_the_datagouv_publication_is_off_until_it_is_configured(monkeypatch):
    import importlib

    from delegations import settings as reglages

    monkeypatch.delenv("DATAGOUV_PUBLICATION_HEURE", raising=False)
    monkeypatch.setenv("DATAGOUV_API_KEY", "")
    assert importlib.reload(reglages).DATAGOUV_PUBLICATION_HEURE == ""
    monkeypatch.setenv("DATAGOUV_API_KEY", "cle")
    monkeypatch.setenv("DATAGOUV_DATASET", "jeu")
    assert importlib.reload(reglages).DATAGOUV_PUBLICATION_HEURE == "04:00"
    monkeypatch.undo()
    importlib.reload(reglages)
