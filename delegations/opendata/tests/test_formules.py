"""Formula injection: the open-data CSV publishes a text such as « =1+1 » as text."""

from __future__ import annotations

import csv
import io

import pytest

from delegations.opendata import paquet

from .factories import ConventionPublieeFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("charge", ["=1+1", "+1", "-1+1", "@SUM(A1)", "\t=1"])
def test_open_data_csv_quotes_formula_like_texts(charge: str) -> None:
    ConventionPublieeFactory(reference="PUB-F", objet=charge)
    fichiers = paquet.contenus()
    lignes = list(csv.DictReader(io.StringIO(fichiers["conventions.csv"].decode("utf-8"))))
    ligne = next(ligne for ligne in lignes if ligne["identifiant"] == "PUB-F")
    assert ligne["objet"] == "'" + charge
