from __future__ import annotations

import pytest

from .factories import MarcheFactory, TitulaireFactory, commande, mad, paiement, service_fait

pytestmark = pytest.mark.django_db


def test_factories_build_a_full_chain(convention):
    marche = MarcheFactory()
    titulaire = TitulaireFactory()
    marche.titulaires.add(titulaire)
    mad(convention)
    eng = commande(convention, titulaire=titulaire, marche=marche)
    sf = service_fait(eng)
    p = paiement(sf)
    assert p.convention_id == convention.pk and p.annee == 2024
