"""The demo loads fictional CHORUS reconciliations once (``delegations demo`` run twice adds
nothing) and the pages show them."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from delegations.chorus.models import Rapprochement, StatutEcart
from delegations.core.models import User
from delegations.execution.models import JOURNAL_MODELS

pytestmark = pytest.mark.django_db


def test_demo_loads_two_reconciliations_once_and_the_pages_show_them(client):
    call_command("demo", stdout=io.StringIO())
    premiers = list(Rapprochement.objects.order_by("id").values_list("id", "nb_ecarts"))
    mouvements = {m.__name__: m.objects.count() for m in JOURNAL_MODELS}
    sortie = io.StringIO()

    call_command("demo", stdout=sortie)

    assert list(Rapprochement.objects.order_by("id").values_list("id", "nb_ecarts")) == premiers
    assert {m.__name__: m.objects.count() for m in JOURNAL_MODELS} == mouvements
    assert "Rapprochement CHORUS : démonstration déjà chargée." in sortie.getvalue()
    assert len(premiers) == 2
    dernier = Rapprochement.objects.first()
    assert dernier is not None
    assert dernier.nb_ecarts >= 4
    assert dernier.ecarts.filter(statut=StatutEcart.EXPLIQUE).count() == 1
    assert dernier.precedent() is not None
    client.force_login(User.objects.get(username="finance"))
    assert client.get("/chorus/").status_code == 200
    page = client.get(f"/chorus/{dernier.pk}/")
    assert page.status_code == 200
    assert "demo-journal-engagements-jp51.csv" in page.content.decode()
    comparaison = client.get(f"/chorus/{dernier.pk}/comparaison/")
    assert comparaison.status_code == 200
