"""Parked uploads: a name of ours, the owner only, expiry and purge of every parking folder."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from delegations.core import parc
from delegations.core.errors import RegleMetierError
from delegations.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_parked_file_is_stored_under_our_name_and_given_back_to_its_owner_only():
    proprietaire, autre = UserFactory(role="finance"), UserFactory(role="finance")
    p = parc.parquer("imports/essai", b"contenu", "journal", "../../etc/x.csv", proprietaire)
    assert p.chemin == f"imports/essai/{p.jeton}.donnees"
    assert parc.retrouver("imports/essai", p.jeton, proprietaire) == (p, b"contenu")
    with pytest.raises(RegleMetierError) as refus:
        parc.retrouver("imports/essai", p.jeton, autre)
    assert refus.value.code == "import_expire"
    parc.oublier(p)


def test_a_file_over_the_cap_is_refused_before_anything_is_stored():
    user = UserFactory(role="finance")
    with pytest.raises(RegleMetierError) as refus:
        parc.parquer("imports/essai2", b"x" * 11, "journal", "gros.csv", user, max_octets=10)
    assert refus.value.code == "fichier_trop_gros"
    assert not default_storage.exists("imports/essai2")


def test_purge_removes_expired_uploads_of_every_parking_folder():
    user = UserFactory(role="finance")
    a = parc.parquer("imports/essai-a", b"a", "x", "a.csv", user)
    b = parc.parquer("imports/essai-b", b"b", "x", "b.csv", user)
    assert parc.purger_tout(timezone.now()) == 0
    plus_tard = timezone.now() + dt.timedelta(hours=25)
    assert parc.purger_tout(plus_tard) >= 2
    assert not default_storage.exists(a.chemin)
    assert not default_storage.exists(b.chemin_fiche)
