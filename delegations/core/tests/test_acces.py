"""The access rules in one place: the write guard and the perimeter helper, per persona."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from delegations.conventions.models import Convention
from delegations.core.acces import ecriture_requise, exiger_ecriture, peut_ecrire, restreindre
from delegations.core.tests.factories import ConventionFactory, UserFactory

pytestmark = pytest.mark.django_db

MESSAGE = "Seuls les agents finance de la DINUM peuvent faire ce test."


@ecriture_requise(MESSAGE)
def vue_qui_ecrit(request: HttpRequest, pk: int) -> HttpResponse:
    """A view that writes."""
    return HttpResponse(f"écrit {pk}")


def _requete(user: Any) -> HttpRequest:
    requete = RequestFactory().post("/")
    requete.user = user
    return requete


def test_la_garde_d_ecriture_laisse_passer_finance_et_admin(finance: Any) -> None:
    admin = UserFactory(role="admin")
    assert vue_qui_ecrit(_requete(finance), 7).content == b"\xc3\xa9crit 7"
    assert vue_qui_ecrit(_requete(admin), 8).content == b"\xc3\xa9crit 8"
    assert vue_qui_ecrit.__name__ == "vue_qui_ecrit"  # functools.wraps keeps the view's identity
    assert vue_qui_ecrit.__doc__ == "A view that writes."


@pytest.mark.parametrize("persona", ["delegant", "intrapreneur", "anonyme", "finance_inactif"])
def test_la_garde_d_ecriture_refuse_tout_autre_avec_le_message_de_l_app(persona: str) -> None:
    user: Any
    if persona == "anonyme":
        user = AnonymousUser()
    elif persona == "finance_inactif":
        user = UserFactory(role="finance", is_active=False)
    else:
        user = UserFactory(role=persona)
    with pytest.raises(PermissionDenied, match=MESSAGE):
        vue_qui_ecrit(_requete(user), 1)
    with pytest.raises(PermissionDenied, match="Seuls les agents finance"):
        exiger_ecriture(user)
    assert peut_ecrire(user) is False


def test_le_perimetre_vide_pour_l_anonyme_et_l_inactif_entier_pour_finance(
    finance: Any, convention: Convention
) -> None:
    autre = ConventionFactory()
    toutes = Convention.objects.all()
    assert set(restreindre(toutes, finance)) == {convention, autre}
    assert list(restreindre(toutes, AnonymousUser())) == []
    inactif = UserFactory(role="finance", is_active=False)
    assert list(restreindre(toutes, inactif)) == []


def test_le_perimetre_applique_la_condition_du_role_et_rien_sans_condition(
    agent: Any, convention: Convention
) -> None:
    autre = ConventionFactory()
    condition = {"delegant": lambda u: Q(delegant__in=u.administrations.all())}
    toutes = Convention.objects.all()
    assert list(restreindre(toutes, agent, **condition)) == [convention]
    intrapreneur = UserFactory(role="intrapreneur")
    assert list(restreindre(toutes, intrapreneur, **condition)) == []
    assert autre not in Convention.objects.visibles_par(agent)
    assert list(Convention.objects.visibles_par(agent)) == [convention]
