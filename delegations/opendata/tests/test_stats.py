from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from delegations.core.tests.factories import ProduitFactory
from delegations.execution import mouvements
from delegations.opendata.publication import publier
from delegations.opendata.stats import statistiques
from delegations.rapports.models import Nature, Transmission

from .factories import ConventionBrouillonFactory, ConventionPublieeFactory

pytestmark = pytest.mark.django_db
D = Decimal


def test_stats_page_is_public_with_charts(client: Any) -> None:
    ConventionPublieeFactory()
    publier()  # the task queued by the change
    reponse = client.get("/stats/")
    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert "<svg" in contenu and "Produits financés par phase" in contenu


def test_stats_page_reads_no_convention_and_answers_304_when_unchanged(client: Any) -> None:
    ConventionPublieeFactory()
    publier()
    with CaptureQueriesContext(connection) as requetes:
        reponse = client.get("/stats/")
    assert not [q for q in requetes.captured_queries if "conventions_convention" in q["sql"]]
    assert client.get("/stats/", HTTP_IF_NONE_MATCH=reponse["ETag"]).status_code == 304


def test_stats_page_before_any_publication_asks_for_one(
    client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from delegations.taches.models import Tache

    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.get("/stats/")
    assert reponse.status_code == 200 and "en cours de préparation" in reponse.content.decode()
    assert Tache.objects.filter(cle="opendata:publication").count() == 1


def test_stats_count_only_published_conventions_and_their_amounts() -> None:
    aujourd_hui = dt.date(2025, 6, 1)
    produit = ProduitFactory()
    conv = ConventionPublieeFactory(produits=[produit], phases=["construction"])
    ConventionPublieeFactory(
        phases=["construction", "acceleration"], produits=[produit, ProduitFactory()]
    )
    ConventionBrouillonFactory(
        date_publication=dt.date(2024, 2, 1), phases=["investigation"], produits=[ProduitFactory()]
    )
    mouvements.mettre_a_disposition(
        conv, annee=2024, ae=D("100000"), cp=D("80000"), date=dt.date(2024, 2, 1), reference="MAD-1"
    )
    bc = mouvements.engager(conv, montant=D("30000"), reference="BC-1", date=dt.date(2024, 3, 15))
    sf = mouvements.certifier_service_fait(bc, montant=D("10000"), date=dt.date(2024, 5, 1))
    mouvements.payer(sf, montant=D("10000"), date=dt.date(2024, 6, 1), reference="F-1")
    s = statistiques(aujourd_hui)
    assert s["nombre_publiees"] == 2 and s["nombre_en_vigueur"] == 2
    annee_2024 = next(a for a in s["par_annee"] if a["annee"] == 2024)
    assert annee_2024["ae_delegue"] == D("200000") and annee_2024["ae_engage"] == D("30000")
    assert annee_2024["cp_paye"] == D("10000")
    phases = {p["phase"]: p["produits"] for p in s["par_phase"]}
    assert phases == {"Investigation": 0, "Construction": 2, "Accélération": 2, "Consolidation": 0}
    assert s["delai_median"] == (dt.date(2024, 3, 15) - dt.date(2024, 1, 15)).days


def test_share_of_conventions_with_reports_on_time() -> None:
    aujourd_hui = dt.date(2024, 4, 1)
    a_temps = ConventionPublieeFactory(compte_rendu=["mensuel"])
    en_retard = ConventionPublieeFactory(compte_rendu=["mensuel"])
    ConventionPublieeFactory(compte_rendu=["terme"])  # nothing due before the end
    for mois in (1, 2):
        Transmission.objects.create(
            convention=a_temps,
            nature=Nature.MENSUEL,
            periode=dt.date(2024, mois, 1),
            date_transmission=dt.date(2024, mois + 1, 10),
        )
    Transmission.objects.create(
        convention=en_retard,
        nature=Nature.MENSUEL,
        periode=dt.date(2024, 1, 1),
        date_transmission=dt.date(2024, 2, 20),
    )
    s = statistiques(aujourd_hui)
    assert (s["rapports_a_temps"], s["rapports_concernees"], s["part_rapports"]) == (1, 2, 50)


def test_stats_query_count_is_bounded() -> None:
    ConventionPublieeFactory.create_batch(3, produits=[ProduitFactory()])
    with CaptureQueriesContext(connection) as trois:
        statistiques()
    ConventionPublieeFactory.create_batch(20, produits=[ProduitFactory()])
    with CaptureQueriesContext(connection) as vingt:
        statistiques()
    assert len(vingt) == len(trois)
