"""Dates are Paris dates: on a host whose clock is UTC, 23:30 UTC on 31 December is already the
first of January in Paris, and every "today" of the rules, deadlines and reports says so."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from delegations.core.tests.factories import ConventionFactory
from delegations.rapports.donnees import construire

pytestmark = pytest.mark.django_db

# 31 Dec 2026 at 23:30 UTC = 1 Jan 2027 at 00:30 in Paris (UTC+1 in winter).
MINUIT_PASSE_A_PARIS = dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)


@pytest.fixture
def horloge_utc_juste_apres_minuit_a_paris():
    with mock.patch("django.utils.timezone.now", return_value=MINUIT_PASSE_A_PARIS):
        assert timezone.localdate() == dt.date(2027, 1, 1)
        yield


def test_a_convention_ending_on_31_december_is_no_longer_in_force_just_after_midnight_in_paris(
    horloge_utc_juste_apres_minuit_a_paris, finance, api
):
    conv = ConventionFactory(date_fin=dt.date(2026, 12, 31))
    assert MINUIT_PASSE_A_PARIS.date() == dt.date(2026, 12, 31)  # the UTC date
    assert not conv.est_en_vigueur()
    assert api(finance).get(f"/api/v1/conventions/{conv.pk}").json()["en_vigueur"] is False


def test_the_end_deadline_of_31_december_is_overdue_just_after_midnight_in_paris(
    horloge_utc_juste_apres_minuit_a_paris, finance, client
):
    ConventionFactory(date_fin=dt.date(2026, 12, 31))
    client.force_login(finance)
    reponse = client.get(reverse("echeances:tableau"), {"type": "fin_convention"})
    assert reponse.status_code == 200
    assert reponse.context["compte"]["depassee"] == 1
    assert reponse.context["compte"]["proche"] == 0


def test_the_monthly_report_of_today_is_the_paris_month(horloge_utc_juste_apres_minuit_a_paris):
    conv = ConventionFactory(date_fin=dt.date(2027, 12, 31))
    rapport = construire(conv, "mensuel")
    assert (rapport.debut, rapport.fin) == (dt.date(2027, 1, 1), dt.date(2027, 1, 31))
