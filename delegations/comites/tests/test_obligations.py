from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from delegations.comites.models import OBLIGATIONS_STANDARD, Obligation, StatutObligation
from delegations.core.tests.factories import ConventionFactory

pytestmark = pytest.mark.django_db


def test_standard_obligations_are_created_with_each_convention(convention: Any) -> None:
    codes = list(convention.obligations.order_by("ordre").values_list("code", flat=True))
    assert codes == [code for code, *_ in OBLIGATIONS_STANDARD]
    manifeste = convention.obligations.get(code="manifeste")
    assert manifeste.echeance == dt.date(2024, 1, 15) and manifeste.responsable == "Délégant"
    assert convention.obligations.get(code="comptes_rendus").echeance == dt.date(2026, 12, 31)


def test_backfill_command_is_idempotent(convention: Any) -> None:
    Obligation.objects.filter(convention=convention, code="sponsor").delete()
    sortie = StringIO()
    call_command("obligations", stdout=sortie)
    assert "1 obligation(s)" in sortie.getvalue()
    call_command("obligations", stdout=sortie)
    assert convention.obligations.filter(code="sponsor").count() == 1


def test_due_dates_are_filled_once_the_convention_takes_effect(
    administration: Any, dinum: Any
) -> None:
    conv = ConventionFactory(
        delegant=administration, delegataire=dinum, date_signature=None, statut="brouillon"
    )
    assert conv.obligations.get(code="intrapreneur").echeance is None
    conv.date_signature = dt.date(2025, 1, 31)
    conv.save()
    assert conv.obligations.get(code="intrapreneur").echeance == dt.date(2025, 2, 28)


def test_overdue_obligation_is_flagged_until_done(convention: Any) -> None:
    obligation = convention.obligations.get(code="intrapreneur")  # due 2024-02-15
    assert obligation.est_en_retard(dt.date(2024, 2, 16))
    assert not obligation.est_en_retard(dt.date(2024, 2, 15))
    assert Obligation.objects.en_retard(dt.date(2024, 2, 16)).filter(pk=obligation.pk).exists()
    obligation.statut = StatutObligation.FAITE
    obligation.save()
    assert not obligation.est_en_retard(dt.date(2030, 1, 1))
