"""Deadlines that close themselves (issue 18, point 8): a report marked as sent, the
publication, a mid-term committee held; « À faire » shows every overdue item first."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from delegations.comites.models import Obligation, StatutObligation
from delegations.conventions.ecriture import appliquer_transition
from delegations.core.tests.factories import ConventionFactory
from delegations.echeances.calcul import TypeEcheance, calculer
from delegations.echeances.models import EcheanceStockee
from delegations.rapports.models import Transmission

pytestmark = pytest.mark.django_db


def _cles(user: Any, type_: str, jour: dt.date) -> set[str]:
    return {e.cle for e in calculer(user, jour) if e.type == type_}


def test_a_monthly_report_marked_as_sent_leaves_a_faire(
    finance: Any, administration: Any, dinum: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        conv = ConventionFactory(
            delegant=administration, delegataire=dinum, compte_rendu=["mensuel"]
        )
    cle = f"compte_rendu:{conv.pk}:2024-03"
    assert cle in _cles(finance, TypeEcheance.COMPTE_RENDU, dt.date(2024, 6, 1))
    assert EcheanceStockee.objects.filter(cle=cle).exists()
    with django_capture_on_commit_callbacks(execute=True):
        Transmission.objects.create(
            convention=conv,
            nature="mensuel",
            periode=dt.date(2024, 3, 1),
            date_transmission=dt.date(2024, 4, 10),
        )
    assert cle not in _cles(finance, TypeEcheance.COMPTE_RENDU, dt.date(2024, 6, 1))
    assert not EcheanceStockee.objects.filter(cle=cle).exists()  # the stored table follows
    assert EcheanceStockee.objects.filter(cle=f"compte_rendu:{conv.pk}:2024-04").exists()


def test_the_final_report_marked_as_sent_leaves_a_faire(
    finance: Any, administration: Any, dinum: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        conv = ConventionFactory(delegant=administration, delegataire=dinum)
    cle = f"compte_rendu:{conv.pk}:terme"
    assert EcheanceStockee.objects.filter(cle=cle).exists()
    with django_capture_on_commit_callbacks(execute=True):
        Transmission.objects.create(
            convention=conv,
            nature="terme",
            periode=conv.date_fin_effective,
            date_transmission=dt.date(2027, 1, 20),
        )
    assert cle not in _cles(finance, TypeEcheance.COMPTE_RENDU, dt.date(2027, 1, 1))
    assert not EcheanceStockee.objects.filter(cle=cle).exists()


def test_publication_closes_the_publication_obligation(
    finance: Any, administration: Any, dinum: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        conv = ConventionFactory(delegant=administration, delegataire=dinum)
    obligation = Obligation.objects.get(convention=conv, code="publication")
    assert obligation.statut == StatutObligation.A_FAIRE
    cle = f"obligation:{obligation.pk}"
    assert EcheanceStockee.objects.filter(cle=cle).exists()
    with django_capture_on_commit_callbacks(execute=True):
        appliquer_transition(conv, "publier", finance, date_publication=dt.date(2024, 2, 1))
    obligation.refresh_from_db()
    assert obligation.statut == StatutObligation.FAITE
    assert cle not in _cles(finance, TypeEcheance.OBLIGATION, dt.date(2024, 6, 1))
    assert not EcheanceStockee.objects.filter(cle=cle).exists()


@time_machine.travel(dt.date(2026, 12, 20), tick=False)
def test_a_faire_shows_every_overdue_item_however_old_first(
    client: Any,
    finance: Any,
    administration: Any,
    dinum: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        conv = ConventionFactory(delegant=administration, delegataire=dinum)
        Obligation.objects.filter(convention=conv, code="manifeste").update(
            echeance=dt.date(2024, 1, 15)  # nearly three years overdue
        )
        conv.save()  # the stored deadlines follow the obligation's new date
    client.force_login(finance)
    page = client.get(reverse("echeances:tableau"))
    premiere = page.context["page_obj"].object_list[0][0]
    assert (premiere.date, premiere.cle, page.context["page_obj"].object_list[0][1]) == (
        dt.date(2024, 1, 15),
        f"obligation:{Obligation.objects.get(convention=conv, code='manifeste').pk}",
        "depassee",
    )
    reponse = client.get("/api/v1/echeances")
    assert reponse.json()["results"][0]["date"] == "2024-01-15"
