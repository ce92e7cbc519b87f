from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from delegations.echeances.models import RappelEnvoye

pytestmark = pytest.mark.django_db


@time_machine.travel(dt.date(2026, 9, 15), tick=False)
def test_reminders_are_sent_once_per_deadline(
    mailoutbox: Any, agent: Any, collegue: Any, convention: Any
) -> None:
    call_command("rappels", stdout=StringIO())
    destinataires = {m.to[0] for m in mailoutbox}
    assert agent.email in destinataires and collegue.email not in destinataires
    (message,) = [m for m in mailoutbox if m.to == [agent.email]]
    assert "30/09/2026" in message.body  # the notice deadline, 15 days ahead
    envoyes = RappelEnvoye.objects.count()
    call_command("rappels", stdout=StringIO())
    assert len(mailoutbox) == len(destinataires) and RappelEnvoye.objects.count() == envoyes


def test_overdue_deadline_is_reminded_once_more(
    mailoutbox: Any, agent: Any, convention: Any
) -> None:
    with time_machine.travel(dt.date(2026, 9, 29), tick=False):
        call_command("rappels", "--jours", "5", stdout=StringIO())
    with time_machine.travel(dt.date(2026, 10, 2), tick=False):
        call_command("rappels", "--jours", "5", stdout=StringIO())
        call_command("rappels", "--jours", "5", stdout=StringIO())
    natures = list(
        RappelEnvoye.objects.filter(email=agent.email, cle=f"preavis:{convention.pk}")
        .order_by("envoye_le")
        .values_list("nature", flat=True)
    )
    assert natures == ["proche", "depassee"]
    assert sum(1 for m in mailoutbox if m.to == [agent.email]) == 2


def test_obligation_responsible_without_account_is_reminded(
    mailoutbox: Any, agent: Any, convention: Any
) -> None:
    convention.obligations.filter(code="sponsor").update(
        responsable_email="sponsor@exemple.gouv.fr"
    )
    with time_machine.travel(dt.date(2024, 2, 1), tick=False):
        call_command("rappels", stdout=StringIO())
    assert any(m.to == ["sponsor@exemple.gouv.fr"] for m in mailoutbox)


def test_command_rejects_a_bad_date() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("rappels", "--date", "31/12/2025", stdout=StringIO())
